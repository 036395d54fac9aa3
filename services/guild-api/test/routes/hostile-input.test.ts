import t from 'tap'
// The fuzz model is shared with `npm run chaos:fuzz` (plain ESM under chaos/fuzz, so the runner needs no build).
import { failureReport, fuzzRoutes, guildApiTarget, routesToFuzz } from '../../../../chaos/fuzz/index.mjs'
import { registerHordeVanguard, startHarness } from '../helpers/harness.js'

/** Bounded and seeded: the same inputs on every run, unless FUZZ_SEED / FUZZ_RUNS say otherwise. */
const SEED = Number(process.env.FUZZ_SEED ?? 20_250_601)
const RUNS = Number(process.env.FUZZ_RUNS ?? 30)

t.test(
  'hostile input on every route: no 5xx, no crash, the error shape, no Redis key outside the contract',
  async (t) => {
    // The fuzzer is after what the routes do, not the login limit (security-rate-limit tests that).
    const h = await startHarness(t, { env: { CORS_ORIGINS: 'https://app.example', AUTH_RATE_LIMIT_MAX: '1000000' } })
    const thrall = await registerHordeVanguard(h)
    const jaina = await h.login('Jaina#4567')
    t.equal((await h.as(jaina).post('/guilds', { realm: 'proudmoore', name: 'Kirin Tor Council' })).statusCode, 201)
    // Sessions from the real login flow: two guild masters, a raider, an outsider.
    const sessions = [thrall, jaina, await h.login('Rokhan#3456'), await h.login('Chromie#5678')]

    const target = guildApiTarget({
      app: h.app,
      sessions,
      mintSession: () => h.login('Saurfang#2345'),
      publicUrl: h.url,
      allowedOrigins: ['https://app.example'],
      knownIds: [9001, 9002, 100001, 100004, 5001],
    })
    const routes = routesToFuzz(h.app.routeCatalog)
    t.ok(routes.length >= 30, `${routes.length} routes: every one of the app's catalog, and requests that match none`)
    const run = await fuzzRoutes({ target, routes, runs: RUNS, seed: SEED, redis: h.redis?.redis })
    const failures = failureReport(run)
    t.same(
      failures,
      [],
      `seed ${SEED}, ${RUNS} inputs a route (FUZZ_SEED=${SEED} FUZZ_RUNS=${RUNS} to replay):\n${failures.join('\n')}`,
    )
    t.equal(
      run.routes.reduce((n, r) => n + r.tried, 0),
      routes.length * RUNS,
      'every input was sent',
    )
    t.ok(run.routes.filter((r) => r.s2xx > 0).length >= 20, 'inputs got through to a 2xx on most routes')
    // Nothing the fuzzer sent ended the sessions it used (a logout gets one of its own).
    for (const token of sessions) t.equal((await h.as(token).get('/me')).statusCode, 200)
  },
)
