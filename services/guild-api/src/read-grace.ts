/**
 * How long (s) past its TTL a roster, profile or settings entry's last value may still answer when the
 * database fails or times out (the cache's `grace`). Invalidations remove that copy with the entry, so it
 * only ever stands in for data nobody changed since. Never for permission answers: those stay fail-closed.
 */
export const READ_GRACE_S = 3_600
