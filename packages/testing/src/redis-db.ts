import { Redis } from 'ioredis'

export const TEST_REDIS_HOST = process.env.TEST_REDIS_HOST ?? '127.0.0.1'
export const TEST_REDIS_PORT = Number(process.env.TEST_REDIS_PORT ?? 6379)

/** Index 0 is never handed out: it holds the claim keys and is what a developer's REDIS_URL usually points at. */
const FIRST_INDEX = 1
const LAST_INDEX = 15
const CLAIM_TTL_S = 900

export interface TestRedisDb {
  /** The claimed database index. */
  index: number
  /** `redis://host:port/index`. */
  url: string
  /** A pub/sub channel unique to this claim: pub/sub crosses database indexes, so tests must not share one. */
  channel: string
  /** A connection to the claimed database, for assertions (TTL, SCAN, …). */
  redis: Redis
  /** Empties the database, releases the claim and closes the connection. */
  release(): Promise<void>
}

/**
 * Claims a Redis database index for one test file so that test files can run in parallel
 * against the machine's single Redis. A claim is a key with a TTL in database 0; a crashed
 * test file's claim expires by itself.
 */
export async function claimRedisDb(): Promise<TestRedisDb> {
  const admin = new Redis({ host: TEST_REDIS_HOST, port: TEST_REDIS_PORT, db: 0, lazyConnect: true })
  await admin.connect()
  const token = `${process.pid}:${Math.random().toString(36).slice(2)}`
  try {
    for (let attempt = 0; attempt < 600; attempt++) {
      for (let index = FIRST_INDEX; index <= LAST_INDEX; index++) {
        const ok = await admin.set(`cache:test:claim:${index}`, token, 'EX', CLAIM_TTL_S, 'NX')
        if (ok !== 'OK') continue
        const redis = new Redis({ host: TEST_REDIS_HOST, port: TEST_REDIS_PORT, db: index, lazyConnect: true })
        await redis.connect()
        // The test suite owns this index for now: start from an empty database.
        await redis.flushdb()
        return {
          index,
          url: `redis://${TEST_REDIS_HOST}:${TEST_REDIS_PORT}/${index}`,
          channel: `cache:test:bus:${index}:${token}`,
          redis,
          release: async () => {
            try {
              await redis.flushdb()
            } finally {
              redis.disconnect()
              const admin2 = new Redis({ host: TEST_REDIS_HOST, port: TEST_REDIS_PORT, db: 0 })
              try {
                const owner = await admin2.get(`cache:test:claim:${index}`)
                if (owner === token) await admin2.del(`cache:test:claim:${index}`)
              } finally {
                admin2.disconnect()
              }
            }
          },
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    throw new Error('claimRedisDb: every Redis database index 1-15 stayed claimed for 60 s')
  } finally {
    admin.disconnect()
  }
}
