import { startOwnCluster } from '@guild/testing'
import calculateSlot from 'cluster-key-slot'
import { Cluster, Redis } from 'ioredis'
import t, { type Test } from 'tap'
import { createCache, internalKeys, keys, type InvalidationEvent } from '../../src/index.js'
import { eventually, silentLogger, sleep } from '../fixtures/harness.js'
import { rawMonitor } from '../fixtures/raw-monitor.js'

/*
 * What is specific to Redis Cluster, on a private cluster of three masters (this file always makes its
 * own, in both runs). The rest of the suite runs on a cluster too with CACHE_TEST_REDIS=cluster.
 */
const cluster = await startOwnCluster()
t.teardown(() => cluster.stop())
const admin = new Cluster(cluster.ports.map((port) => ({ host: '127.0.0.1', port })))
t.teardown(() => admin.disconnect())
await new Promise((resolve) => admin.once('ready', resolve))

function cacheOnCluster(t: Test, channel: string, options = {}) {
  const cache = createCache({
    clusterNodes: cluster.nodes,
    busChannel: channel,
    logger: silentLogger(),
    operationTimeoutMs: 2_000,
    ...options,
  })
  t.teardown(() => cache.close())
  return cache
}

t.test('every script’s keys share one slot, and the entries spread over every master', async (t) => {
  const sample = [
    keys.permission(1, 2, 'roster'),
    keys.guildMembers(3),
    keys.guildSettings(4),
    keys.userProfile(5),
    keys.userSession('f'.repeat(64)),
    'temp:x',
  ]
  for (const key of sample) t.equal(calculateSlot(internalKeys.lease(key)), calculateSlot(key), `${key} and its lease`)
  const cache = cacheOnCluster(t, 'cache:test:cluster-slots')
  await cache.ready
  for (let g = 1; g <= 30; g++) t.same(await cache.getOrSet(keys.guildMembers(g), async () => [g]), [g])
  const perMaster = await Promise.all(
    admin.nodes('master').map(async (node) => (await node.scan('0', 'MATCH', 'guild:*', 'COUNT', 1000))[1].length),
  )
  t.equal(perMaster.length, 3)
  t.ok(
    perMaster.every((n) => n > 0),
    `entries on every master: ${perMaster.join(', ')}`,
  )
  t.equal(await cache.invalidateGuild(7), 1)
  t.equal(await cache.deletePattern('guild:*'), 29, 'SCAN on every master, UNLINK grouped by slot')
})

t.test('an entry and its lease leave in one command, on every path (MONITOR on every master)', async (t) => {
  const cache = cacheOnCluster(t, 'cache:test:cluster-pairs')
  await cache.ready
  for (let u = 1; u <= 40; u++) await cache.setPermissionCheck(9, u, 'roster', true)
  await cache.set(keys.guildMembers(9), [1])
  await cache.setPermissionCheck(10, 1, 'roster', true)
  await cache.set(keys.guildSettings(11), {})
  // Readers mid-load: on one of them, and on a key of the pattern not written yet.
  await admin.set(internalKeys.lease(keys.permission(9, 40, 'roster')), 'a-reader', 'PX', 10_000)
  await admin.set(internalKeys.lease(keys.guildMembers(11)), 'a-reader', 'PX', 10_000)
  const commands: string[][] = []
  // Commands a script runs show as source "lua": those are inside one command already.
  const monitors = await Promise.all(
    admin.nodes('master').map((node) =>
      rawMonitor(node.options.host ?? '127.0.0.1', node.options.port ?? 6379, ({ args, source }) => {
        if (source !== 'lua') commands.push(args)
      }),
    ),
  )
  t.teardown(() => monitors.forEach((m) => m.destroy()))
  await sleep(50)
  t.equal(await cache.invalidateGuild(9), 41)
  t.equal(await cache.delete(keys.permission(10, 1, 'roster')), 1)
  t.equal(await cache.deletePattern('guild:11:*'), 1)
  await sleep(50)
  const removing = commands.filter(([name]) => /^(unlink|del|evalsha|eval)$/i.test(name as string))
  const keysOf = ([name, ...rest]: string[]) =>
    /^eval/i.test(name as string) ? rest.slice(2, 2 + Number(rest[1])) : rest
  const entries = removing.flatMap((command) =>
    keysOf(command)
      .filter((key) => !key.startsWith('cache:'))
      .map((key) => ({ key, command })),
  )
  t.ok(entries.length >= 43, `${entries.length} entries removed by client commands`)
  const alone = entries.filter(({ key, command }) => !keysOf(command).includes(internalKeys.lease(key)))
  t.same(
    alone.map(({ command }) => command.join(' ')),
    [],
    'none without its lease in the same command',
  )
  t.equal(
    await admin.exists(internalKeys.lease(keys.permission(9, 40, 'roster'))),
    0,
    'the reader’s lease went with its entry',
  )
  t.equal(
    await admin.exists(internalKeys.lease(keys.guildMembers(11))),
    0,
    'and the pattern’s lease of a key not written yet',
  )
})

t.test(
  'the bus on a cluster: sharded, it reaches every process, and the ack wait counts the cache processes',
  async (t) => {
    const channel = 'cache:test:cluster-bus'
    const caches = [cacheOnCluster(t, channel), cacheOnCluster(t, channel), cacheOnCluster(t, channel)]
    await Promise.all(caches.map((c) => c.ready))
    const owner = admin
      .nodes('master')
      .find((node) => admin.slots[calculateSlot(channel)]?.[0] === `${node.options.host}:${node.options.port}`) as Redis
    const subscribers = async () => ((await owner.call('PUBSUB', 'SHARDNUMSUB', channel)) as [string, number])[1]
    t.ok(
      await eventually(async () => (await subscribers()) === 3),
      'each process subscribed on the master that owns the channel',
    )
    const seen: InvalidationEvent[][] = [[], []]
    caches.slice(1).forEach((c, i) => c.onInvalidate((e) => seen[i]?.push(e)))
    // A bus that just subscribed waits a beat and a half before counting who acks (it learns its peers
    // from their heartbeats); past that, the timing below is the acks' alone.
    t.ok(await eventually(() => caches[0]?.stats().peers === 2))
    await sleep(200)

    let started = performance.now()
    await caches[0]?.invalidateGuild(42)
    t.same(
      seen,
      [[{ scope: 'guild', id: 42 }], [{ scope: 'guild', id: 42 }]],
      'both others had it when invalidateGuild returned',
    )
    t.ok(performance.now() - started < 100, 'without waiting out the propagation timeout')

    // A subscriber that is no cache process (an operator's SSUBSCRIBE) is not waited for.
    const mute = admin.duplicate(undefined, { shardedSubscribers: true })
    t.teardown(() => mute.disconnect())
    await mute.ssubscribe(channel)
    t.ok(await eventually(async () => (await subscribers()) === 4))
    started = performance.now()
    await caches[0]?.invalidateUser(7)
    t.ok(performance.now() - started < 100, 'the operator’s subscriber is not waited for')
    // A cache process that heartbeats but never acks (one that hangs): the wait counts it, and is bounded.
    const ghost = setInterval(
      () => void admin.spublish(channel, JSON.stringify({ v: 1, hb: 1, o: 'ghost' })).catch(() => 0),
      40,
    )
    t.teardown(() => clearInterval(ghost))
    t.ok(await eventually(() => caches[0]?.stats().peers === 3), 'the two others and the ghost are known')
    started = performance.now()
    const outcome = await caches[0]?.propagation(() => caches[0]!.invalidateUser(8))
    const waited = performance.now() - started
    t.ok(
      waited >= 495 && waited < 2_000,
      `waited for the ghost's ack until the 500 ms timeout (${waited.toFixed(0)} ms)`,
    )
    t.same(outcome?.missing, ['ghost'], 'and says so')
  },
)

t.test(
  'a master dies: calls stay bounded, the cache reports down and steps aside, then resumes by itself',
  async (t) => {
    const logger = silentLogger()
    const cache = cacheOnCluster(t, 'cache:test:cluster-outage', {
      operationTimeoutMs: 50,
      breakerProbeIntervalMs: 100,
      logger,
    })
    await cache.ready
    t.equal(cache.state(), 'up')
    t.equal(await cache.set(keys.guildMembers(1), [1]), true)
    await cluster.killNode(1)
    const round = async () => {
      const calls = await Promise.all(
        Array.from({ length: 12 }, async (_, g) => {
          const started = performance.now()
          await cache.getOrSet(keys.guildMembers(g + 1), async () => [g])
          return performance.now() - started
        }),
      )
      return Math.max(...calls)
    }
    // Until the lost connection is noticed, calls to the dead master's slots wait out the bound (or fail at
    // once, the socket being closed). Noticing it is ioredis' node error on its first reconnect attempt, tens
    // of ms after the kill: rounds go on, a little apart, for up to 2 s of wall time.
    const before: number[] = []
    const giveUp = performance.now() + 2_000
    while (cache.state() !== 'down' && performance.now() < giveUp) {
      before.push(await round())
      await sleep(10)
    }
    // A miss may spend the bound twice: reading (index, lease) and, after the loader, the guarded write. And
    // when the timer fired late (this process busy, as under a parallel test run), a step that decides who
    // loads waits up to lockWaitMs (250 ms by default) for its reply before loading (guarantee 5).
    t.ok(
      before.every((ms) => ms < 2 * 50 + 250 + 60),
      `the slowest call of each round: ${before.map((ms) => ms.toFixed(0)).join(', ')} ms`,
    )
    t.equal(cache.state(), 'down', 'a cluster missing a master is reported down (health shows it)')
    const after = [await round(), await round(), await round()]
    t.ok(
      after.every((ms) => ms < 20),
      'then the breaker answers at once instead of timing out a third of the calls: ' +
        `${after.map((ms) => ms.toFixed(0)).join(', ')} ms`,
    )
    await cluster.restartNode(1)
    t.ok(await eventually(() => cache.state() === 'up', 10_000), 'up again once every master serves')
    t.ok(await eventually(() => cache.set(keys.guildMembers(2), [2]), 5_000), 'caching resumed by itself')
    t.ok(
      await eventually(async () => JSON.stringify(await cache.get(keys.guildMembers(2))) === '[2]', 5_000),
      'read again once the recovery grace is over',
    )
    const errorsAfterUp = logger.lines
      .filter((l) => l.level === 'error')
      .map((l) => `${l.msg} ${String((l.obj as { err?: Error }).err?.message)}`)
    t.comment(errorsAfterUp.slice(-3).join('\n'))
  },
)
