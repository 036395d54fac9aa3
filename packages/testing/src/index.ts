export { claimRedisDb, type TestRedisDb, TEST_REDIS_HOST, TEST_REDIS_PORT } from './redis-db.js'
export { createTestDatabase, type TestPgDb, TEST_PG_ADMIN_URL } from './pg-db.js'
export { freePort } from './free-port.js'
export { startOwnRedis, type OwnRedisServer } from './redis-server.js'
