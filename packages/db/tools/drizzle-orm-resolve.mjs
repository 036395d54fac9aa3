// drizzle-kit sits in the root node_modules while npm keeps drizzle-orm nested under packages/db, and
// drizzle-kit imports drizzle-orm from its own location. Loaded with `--import` by `npm run generate`,
// this resolves drizzle-kit's `import('drizzle-orm…')` from this package (NODE_PATH covers its
// `require`s). Harmless once drizzle-orm is hoisted: resolving from here finds the root copy too.
import { register } from 'node:module'

register('./drizzle-orm-resolve-hook.mjs', import.meta.url)
