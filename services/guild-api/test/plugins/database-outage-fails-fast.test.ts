import t from 'tap'
import { registerHordeVanguard, startHarness } from '../helpers/harness.js'

const HUNG_MS = 3_000

/**
 * Found by the chaos suite (Postgres stopped for 10 s): postgres.js waits longer and longer before
 * reconnecting after each failed connection (up to 20 s, counted across the pool), and a query waits
 * that out with no timeout. Through a long outage requests hung for 10 s and more instead of answering
 * 503, and still did for seconds after the database was back.
 */
t.test('through a long database outage requests answer 503 at once, and the first after it succeeds', async (t) => {
  const h = await startHarness(t, { databaseProxy: true })
  const gm = h.as(await registerHordeVanguard(h))
  const timed = async () => {
    const started = performance.now()
    const res = await Promise.race([
      gm.get('/guilds/9001'),
      new Promise<undefined>((r) => setTimeout(() => r(undefined), HUNG_MS)),
    ])
    return { status: res?.statusCode ?? 0, ms: performance.now() - started }
  }

  await h.dbProxy?.cut()
  // Every one of these fails a connection: postgres.js's own backoff would be past 20 s by the end.
  const during = []
  for (let i = 0; i < 15; i++) during.push(await timed())
  t.same(
    during.map((r) => r.status),
    Array(15).fill(503),
    'each answered 503, none hung',
  )
  t.ok(
    Math.max(...during.map((r) => r.ms)) < 1_500,
    `the slowest took ${Math.round(Math.max(...during.map((r) => r.ms)))} ms`,
  )

  await h.dbProxy?.restore()
  const after = await timed()
  t.equal(after.status, 200, 'the first request after the outage succeeds')
  t.ok(after.ms < 1_500, `within ${Math.round(after.ms)} ms`)
})
