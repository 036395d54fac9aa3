/** One clock for every timestamp of a run (ms, monotonic): request starts and ends, faults, PUT answers. */
export const now = (): number => performance.now()

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)))
