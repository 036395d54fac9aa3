import { fileURLToPath } from 'node:url'

/**
 * The committed migrations. `migrations/` sits beside `src/` and `dist/` and is listed in the
 * package's `files`, so this one relative URL finds it from the compiled module and from the
 * TypeScript source under test alike.
 */
export const MIGRATIONS_FOLDER = fileURLToPath(new URL('../migrations', import.meta.url))
