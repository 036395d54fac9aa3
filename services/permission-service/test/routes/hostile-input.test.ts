import t from 'tap'
// The fuzz model is shared with `npm run chaos:fuzz` (plain ESM under chaos/, so the runner needs no build).
import { failureReport, fuzzRoutes, permissionServiceTarget, routesToFuzz } from '../../../../chaos/fuzz/index.mjs'
import { migratedDatabase, redisDb, seedGuild, startService, TOKEN } from '../helpers/harness.js'

/** Bounded and seeded: the same inputs on every run, unless FUZZ_SEED / FUZZ_RUNS say otherwise. */
const SEED = Number(process.env.FUZZ_SEED ?? 20_250_601)
const RUNS = Number(process.env.FUZZ_RUNS ?? 40)

t.test(
  'hostile input on every route: no 5xx, no crash, the error shape, no Redis key outside the contract',
  async (t) => {
    const { pg, db } = await migratedDatabase(t)
    const redis = await redisDb(t)
    await seedGuild(
      db,
      9001,
      [
        { characterId: 5001, bnetId: 100001, rank: 0 },
        { characterId: 5101, bnetId: 100002, rank: 4 },
      ],
      { roster: 9, sync: 1 },
    )
    const app = await startService(t, { DATABASE_URL: pg.url, REDIS_URL: redis.url, CACHE_BUS_CHANNEL: redis.channel })

    const target = permissionServiceTarget({ app, serviceToken: TOKEN, knownIds: [9001, 100001, 100002] })
    const routes = routesToFuzz(app.routeCatalog)
    t.ok(
      routes.some((r) => r.url === '/v1/check') && routes.some((r) => r.url === '/v1/check/batch'),
      'the catalog holds the /v1 routes',
    )
    const run = await fuzzRoutes({ target, routes, runs: RUNS, seed: SEED, redis: redis.redis })
    const failures = failureReport(run)
    t.same(failures, [], `seed ${SEED}, ${RUNS} inputs a route:\n${failures.join('\n')}`)
    t.equal(
      run.routes.reduce((n, r) => n + r.tried, 0),
      routes.length * RUNS,
      'every input was sent',
    )
    const check = run.routes.find((r) => r.route === 'GET /v1/check')
    t.ok(check !== undefined && check.s2xx > 0 && check.s4xx > 0, 'checks were answered and refused')
    t.ok((await redis.redis.dbsize()) > 0, 'answers were cached, and every key was held to the contract')
  },
)
