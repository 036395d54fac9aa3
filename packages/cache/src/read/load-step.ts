import { CacheInputError } from '../errors.js'

/**
 * The load step of getOrSetMany: one loader call for the keys to load, checked to answer one value per
 * key. `timed` is ReadThrough.load (which times it for early refresh).
 */
export async function loadBatch<T>(
  missing: string[],
  loader: (missing: string[]) => Promise<T[]>,
  timed: (run: () => Promise<T[]>) => Promise<T[]>,
): Promise<T[]> {
  const values = await timed(() => loader(missing))
  if (!Array.isArray(values) || values.length !== missing.length) {
    throw new CacheInputError(
      `getOrSetMany: the loader must return one value per missing key (${missing.length}), ` +
        `got ${Array.isArray(values) ? values.length : typeof values}`,
    )
  }
  return values
}
