import t from 'tap'
import { buildApp } from '../../src/app.js'
import { registerHordeVanguard, startHarness } from '../helpers/harness.js'

t.test(
  'with REDIS_URL set and Redis down, guild-api boots at once, serves, and stops: BullMQ is never waited on',
  async (t) => {
    // Nothing listens on port 1: every connection, BullMQ's included, is refused.
    const h = await startHarness(t, { redis: { url: 'redis://127.0.0.1:1/0' } })
    const token = await registerHordeVanguard(h)
    t.same(
      (await h.as(token).post('/guilds/9001/sync')).json(),
      { added: 0, removed: 0, rank_changed: 0 },
      'a manual sync works',
    )
    let started = Date.now()
    const other = await buildApp({ env: h.env, bnetBackoffMs: 10 })
    t.ok(Date.now() - started < 5_000, `a second instance booted in ${Date.now() - started} ms`)
    started = Date.now()
    await other.close()
    t.ok(Date.now() - started < 5_000, `and closed in ${Date.now() - started} ms`)
  },
)
