import { startOwnRedis } from '@guild/testing'
import t from 'tap'
import { createCache, keys, type InvalidationEvent } from '../../src/index.js'
import { busListeners, cacheOn, claimDb, eventually, silentLogger } from '../fixtures/harness.js'

t.test('an invalidation reaches every process, and returns only once they have dropped their copies', async (t) => {
  const db = await claimDb(t)
  const guildApi = await cacheOn(t, db)
  const instances = await Promise.all([cacheOn(t, db), cacheOn(t, db)])
  const seen: InvalidationEvent[][] = [[], []]
  instances.forEach((c, i) => c.onInvalidate((e) => (seen[i] as InvalidationEvent[]).push(e)))
  // Subscriptions are made in the background; wait until both listen.
  t.ok(await eventually(async () => (await busListeners(db)) >= 3))

  const epochs = instances.map((c) => c.epoch())
  await guildApi.invalidateGuild(42)
  // No waiting here: the acks are what invalidateGuild waited for.
  t.same(seen[0], [{ scope: 'guild', id: 42 }], 'instance 1 had dropped its copies when invalidateGuild returned')
  t.same(seen[1], [{ scope: 'guild', id: 42 }], 'instance 2 too')
  t.same(
    instances.map((c) => c.epoch()),
    epochs.map((e) => e + 1),
    'their epochs moved',
  )

  await guildApi.invalidateUser(7)
  await guildApi.delete(keys.guildSettings(42))
  await guildApi.deletePattern('permission:42:*')
  t.same(seen[0], [
    { scope: 'guild', id: 42 },
    { scope: 'user', id: 7 },
    { scope: 'key', key: 'guild:42:settings' },
    { scope: 'pattern', pattern: 'permission:42:*' },
  ])
})

t.test('the process that invalidates hears its own event once, locally', async (t) => {
  const db = await claimDb(t)
  const cache = await cacheOn(t, db)
  const seen: InvalidationEvent[] = []
  const off = cache.onInvalidate((e) => seen.push(e))
  await cache.invalidateGuild(1)
  await new Promise((r) => setTimeout(r, 50))
  t.same(seen, [{ scope: 'guild', id: 1 }])
  off()
  await cache.invalidateGuild(1)
  t.equal(seen.length, 1, 'unsubscribed')
})

t.test('a listener that throws does not stop the others or the invalidation', async (t) => {
  const db = await claimDb(t)
  const cache = await cacheOn(t, db)
  cache.onInvalidate(() => {
    throw new Error('bad listener')
  })
  let heard = false
  cache.onInvalidate(() => (heard = true))
  t.equal(await cache.invalidateUser(3), 0)
  t.equal(heard, true)
})

t.test('a subscriber that lost its connection tells its listeners to drop everything', async (t) => {
  const redis = await startOwnRedis()
  t.teardown(() => redis.stop())
  const cache = createCache({
    url: redis.url,
    logger: silentLogger(),
    busChannel: 'cache:test:bus-gap',
    breakerProbeIntervalMs: 100,
  })
  t.teardown(() => cache.close())
  await cache.ready
  const seen: InvalidationEvent[] = []
  cache.onInvalidate((e) => seen.push(e))
  await new Promise((r) => setTimeout(r, 50))
  await redis.kill()
  await redis.restart()
  t.ok(await eventually(() => seen.some((e) => e.scope === 'all'), 5_000), 'got scope all after the gap')
})

t.test(
  'after a reconnect the bus listens only once Redis accepted the subscription; one it refuses is reported and retried',
  async (t) => {
    const redis = await startOwnRedis()
    t.teardown(() => redis.stop())
    const { Redis } = await import('ioredis')
    const admin = new Redis(redis.port, '127.0.0.1')
    t.teardown(() => admin.disconnect())
    await admin.call('ACL', 'SETUSER', 'bus', 'on', '>bus-secret', '~*', '&*', '+@all')
    const logger = silentLogger()
    const cache = createCache({
      url: `redis://bus:bus-secret@127.0.0.1:${redis.port}/0`,
      logger,
      busChannel: 'cache:test:bus-acl',
      breakerProbeIntervalMs: 100,
    })
    t.teardown(() => cache.close())
    t.ok(await eventually(() => cache.propagating(), 5_000), 'listening at first')
    // Redis 7 disconnects a subscriber from channels its user may no longer use; it connects again at once
    // and its SUBSCRIBE is refused. ioredis' own re-subscribe would be a rejection nobody handles.
    await admin.call('ACL', 'SETUSER', 'bus', 'resetchannels', '&unrelated')
    t.ok(
      await eventually(() => logger.lines.some((l) => l.msg === 'invalidation bus subscribe failed'), 5_000),
      'the refusal is reported',
    )
    t.equal(cache.propagating(), false, 'memory is not trusted without a subscription')
    await admin.call('ACL', 'SETUSER', 'bus', 'allchannels')
    t.ok(
      await eventually(() => cache.propagating(), 5_000),
      'subscribed again once Redis allows it, without a reconnect',
    )
    const subscribers = (await admin.call('PUBSUB', 'NUMSUB', 'cache:test:bus-acl')) as [string, number]
    t.equal(Number(subscribers[1]), 1, 'one subscription: the retry did not pile up')
  },
)

t.test('with Redis down an invalidation still reaches local listeners, and waits for no ack', async (t) => {
  const cache = createCache({ url: 'redis://127.0.0.1:1/0', logger: silentLogger(), busChannel: 'cache:test:bus-down' })
  t.teardown(() => cache.close())
  await cache.ready
  const seen: InvalidationEvent[] = []
  cache.onInvalidate((e) => seen.push(e))
  const started = performance.now()
  t.equal(await cache.invalidateGuild(5), 0)
  t.ok(performance.now() - started < 100)
  t.same(seen, [{ scope: 'guild', id: 5 }])
})

t.test('a guild or user invalidation names the entries it removed', async (t) => {
  const db = await claimDb(t)
  const writer = await cacheOn(t, db)
  const a = await cacheOn(t, db)
  await a.setPermissionCheck(5, 50, 'roster', true)
  await a.setPermissionCheck(5, 51, 'roster', true)
  await a.set(keys.userProfile(50), { bnet_id: 50 }, 600)
  // Listening from here: each set above announced its own key (direct-write.test.ts).
  const heard: InvalidationEvent[] = []
  a.onInvalidate((e) => heard.push(e))
  await writer.invalidateGuild(5)
  const event = heard[0] as { scope: 'guild'; id: number; removed?: string[] }
  t.equal(event.scope, 'guild')
  t.same(
    [...(event.removed ?? [])].sort(),
    ['permission:5:50:roster', 'permission:5:51:roster'],
    'as the other processes heard it',
  )
  await writer.invalidateGuild(5)
  t.notOk('removed' in (heard[1] as object), 'nothing removed: nothing named')
  await writer.invalidateUser(50)
  t.same((heard[2] as { removed?: string[] }).removed, ['user:profile:50'])
})
