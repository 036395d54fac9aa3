import { Cluster } from 'ioredis'
import t, { type Test } from 'tap'
import { keys } from '../../src/index.js'
import { cacheOn, claimDb, eventually, silentLogger, type TestDb } from '../fixtures/harness.js'

/*
 * Issue 16, item 6: an invalidation waits for the acks of the cache processes known through their
 * heartbeats, and no one else; one such process that does not ack in time is a metric, a rate-limited log
 * line and a result the caller reads (`propagation`). The bus is the real one, on the real Redis (or the
 * cluster); the odd subscribers are real connections, forced into their role: an operator's plain
 * SUBSCRIBE, and a "process" whose heartbeats this test publishes by hand and which never acks.
 */

/** An operator's `redis-cli SUBSCRIBE` on the bus channel (SSUBSCRIBE on a cluster, where the bus is sharded). */
async function operatorSubscribes(t: Test, db: TestDb): Promise<void> {
  const conn =
    db.redis instanceof Cluster ? db.redis.duplicate(undefined, { shardedSubscribers: true }) : db.redis.duplicate()
  t.teardown(() => conn.disconnect())
  if (conn instanceof Cluster) await conn.ssubscribe(db.channel)
  else await conn.subscribe(db.channel)
}

/** Heartbeats of a cache process that never acks (a stalled one, as far as the bus can tell), until stopped. */
function ghostBeats(db: TestDb, origin: string): () => void {
  const beat = JSON.stringify({ v: 1, hb: 1, o: origin })
  const send = () =>
    (db.redis instanceof Cluster ? db.redis.spublish(db.channel, beat) : db.redis.publish(db.channel, beat)).catch(
      () => 0,
    )
  void send()
  const timer = setInterval(() => void send(), 40)
  return () => clearInterval(timer)
}

t.test('a subscriber that is no cache process is not waited for', async (t) => {
  const db = await claimDb(t)
  const writer = await cacheOn(t, db, { propagationTimeoutMs: 30_000 })
  const other = await cacheOn(t, db)
  const heard: unknown[] = []
  other.onInvalidate((e) => heard.push(e))
  await operatorSubscribes(t, db)
  t.ok(await eventually(() => writer.stats().peers === 1), 'the writer knows the other cache process, and only it')
  const started = performance.now()
  const outcome = await writer.propagation(() => writer.invalidateGuild(71))
  const took = performance.now() - started
  t.ok(
    took < 5_000,
    `returned without waiting for the operator's subscriber (${took.toFixed(1)} ms; its timeout is 30,000)`,
  )
  t.same(outcome, { result: 0, complete: true, missing: [], announcements: [{ published: true, missing: [] }] })
  t.same(heard, [{ scope: 'guild', id: 71 }], 'the cache process had it when the invalidation returned')
  t.equal(writer.stats().unacked, 0)
})

t.test(
  'a known cache process that does not ack: a metric, one log line per interval, and a result the caller reads',
  async (t) => {
    const db = await claimDb(t)
    const logger = silentLogger()
    const writer = await cacheOn(t, db, { propagationTimeoutMs: 400, logger })
    const stopGhost = ghostBeats(db, 'ghost-process')
    t.teardown(stopGhost)
    t.ok(await eventually(() => writer.stats().peers === 1), 'the ghost heartbeats: a known cache process')

    const started = performance.now()
    const first = await writer.propagation(() => writer.invalidateGuild(72))
    const took = performance.now() - started
    t.ok(took >= 395 && took < 5_000, `waited out propagationTimeoutMs for the ghost (${took.toFixed(0)} ms)`)
    t.same(first, {
      result: 0,
      complete: false,
      missing: ['ghost-process'],
      announcements: [{ published: true, missing: ['ghost-process'] }],
    })

    const second = await writer.propagation(() =>
      Promise.all([writer.set(keys.guildSettings(72), { a: 1 }), writer.invalidateUser(720)]),
    )
    t.equal(second.complete, false, 'a set is announced and reported the same way')
    t.same(second.result, [true, 0])
    t.same(second.missing, ['ghost-process'], 'each process named once')
    t.equal(second.announcements.length, 2)
    t.equal(writer.stats().unacked, 3)
    t.match(await writer.metrics.metrics(), /cache_events_total\{event="bus_ack_timeout"\} 3/)
    const lines = logger.lines.filter((l) => (l.obj as { operation?: string }).operation === 'bus-ack')
    t.equal(lines.length, 1, 'logged once: rate-limited (errorLogIntervalMs)')
    t.match(lines[0]?.msg, /not acked by every cache process within 400 ms/)
    t.match(String((lines[0]?.obj as { err?: Error }).err?.message), /1 of 1 cache processes \(ghost-process\)/)

    stopGhost()
    t.ok(await eventually(() => writer.stats().peers === 0, 3_000), 'silent for three beats: no longer known')
    const after = await writer.propagation(() => writer.invalidateGuild(72))
    t.equal(after.complete, true, 'nobody left to wait for')
  },
)

t.test('no Redis: an announcement that cannot be published is incomplete', async (t) => {
  const { createCache } = await import('../../src/index.js')
  const down = createCache({ url: 'redis://127.0.0.1:1/0', logger: silentLogger(), busChannel: 'cache:test:acks-down' })
  t.teardown(() => down.close())
  await down.ready
  const outcome = await down.propagation(() => down.invalidateGuild(73))
  t.equal(outcome.complete, false)
  t.same(outcome.announcements, [{ published: false, missing: [] }])
  await t.rejects(down.propagation('nope' as unknown as () => Promise<void>), { name: 'CacheInputError' })
})
