/**
 * `@guild/cache/admin`: what the operator's tool (`guild-cache`, in @guild/cache-cli) needs besides the
 * cache itself to read Redis as the cache lays it out. Services import `@guild/cache` only.
 */
/** A connection to the one Redis or to a Cluster, and the checks of how one is named (URL, node list). */
export { assertRedisUrl, parseClusterNodes, type RedisClient } from './redis/connection.js'
/** Keys per UNLINK / SCAN step, and the nodes a SCAN must visit (every master of a Cluster). */
export { BATCH, mastersOf } from './invalidate/redis-keys-ops.js'
