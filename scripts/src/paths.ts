import { fileURLToPath } from 'node:url'

// Each path is the same relative to src/ and to dist/, so the code finds it from either.
const fromHere = (relative: string): string => fileURLToPath(new URL(relative, import.meta.url))

/** The monorepo's root directory. */
export const REPO_ROOT = fromHere('../../')
/** Where the embedded Postgres keeps its data unless EMBEDDED_PG_DATA_DIR says otherwise. */
export const DEFAULT_PGLITE_DATA_DIR = fromHere('../../.data/pglite')
/** The Battle.net stand-in's bundled demo fixtures. */
export const DEMO_FIXTURES = fromHere('../fixtures/bnet-demo.json')
/** This workspace's own compiled (or, under tests, source) directory: dist/ or src/. */
export const OWN_DIR = fromHere('./')
/** `.ts` when run from source under tests, `.js` when compiled. */
export const OWN_EXT: '.js' | '.ts' = import.meta.url.endsWith('.ts') ? '.ts' : '.js'
