import { startTcpProxy } from '@guild/testing'
import t, { type Test } from 'tap'
import { Redis } from 'ioredis'
import { keys } from '../../src/index.js'
import { CacheUnavailableError } from '../../src/errors.js'
import type { CacheContext } from '../../src/context.js'
import { defineScripts } from '../../src/redis/lua.js'
import { resolveOptions } from '../../src/options.js'
import { acquireLeases } from '../../src/write/write-guard.js'
import { CacheMetrics } from '../../src/observe/metrics.js'
import { RateLimitedLog } from '../../src/observe/rate-limited-log.js'
import { RedisGate } from '../../src/redis/redis-gate.js'
import { cacheOn, claimDb, silentLogger } from '../fixtures/harness.js'

/** Blocks the event loop, as a burst of requests does on a loaded process. */
function busy(ms: number): void {
  const until = performance.now() + ms
  while (performance.now() < until) {
    // spin
  }
}

/**
 * A gate of its own on the claimed Redis (through a TCP proxy the test can hang, with `proxied`), with
 * nothing else on its connection and the write guard's scripts defined. Without auto-pipelining a
 * command is written at once, so a test knows it is on the wire. Single Redis only (undefined on a cluster).
 */
async function standaloneGate(t: Test, options: { proxied?: boolean; breakerThreshold?: number } = {}) {
  const db = await claimDb(t)
  if (!('url' in db.connection)) return undefined
  const proxy = options.proxied ? await startTcpProxy(Number(new URL(db.connection.url).port)) : undefined
  if (proxy) t.teardown(() => proxy.close())
  const url = proxy ? proxiedUrl(db.connection.url, proxy.port) : db.connection.url
  const client = defineScripts(
    new Redis(url, { enableAutoPipelining: false, enableOfflineQueue: false, maxRetriesPerRequest: 0 }),
  )
  t.teardown(() => client.disconnect())
  const metrics = new CacheMetrics()
  const log = new RateLimitedLog(silentLogger(), 1_000)
  const gate = new RedisGate(client, {
    timeoutMs: 50,
    breakerThreshold: options.breakerThreshold ?? 5,
    breakerProbeIntervalMs: 250,
    metrics,
    log,
  })
  t.teardown(() => gate.close())
  await gate.ready
  return { db, client, gate, metrics, log, proxy }
}

/** The claimed Redis's URL, reached through a proxy on `port` instead (same database index). */
function proxiedUrl(url: string, port: number): string {
  return `redis://127.0.0.1:${port}${new URL(url).pathname}`
}

// The deadline's own race (a reply already waiting wins over its timer) is tested in @guild/resilience.
t.test(
  'the gate uses a Redis reply that arrived while the process was busy past the bound, and counts no failure',
  async (t) => {
    const own = await standaloneGate(t)
    if (own === undefined) return t.pass('single-instance only: the client talks to one Redis')
    const { client, gate, metrics } = own
    await client.set('temp:busy', 'here', 'EX', 60)
    for (let i = 0; i < 5; i++) {
      const pending = gate.run('get', (c) => c.get('temp:busy'))
      // The process is busy elsewhere (another callback, as other requests are) for 80 ms; Redis
      // answers within a millisecond, and the reply waits in the socket.
      setImmediate(() => busy(80))
      t.equal(await pending, 'here', `round ${i}: the reply, not a timeout`)
    }
    t.equal(metrics.errors, 0, 'no failure counted')
    t.equal(gate.state(), 'up')
  },
)

t.test('a later step of a call whose budget a busy process spent still gets its chance', async (t) => {
  const own = await standaloneGate(t)
  if (own === undefined) return t.pass('single-instance only: the client talks to one Redis')
  const { gate, metrics } = own
  // The call's first step was answered, then the process was busy past the whole budget.
  const spent = performance.now() - 10
  t.equal(await gate.run('lease', (c) => c.ping(), spent), 'PONG', 'answered, not failed before trying')
  t.equal(metrics.errors, 0)
  // A step that never answers still ends within a few ms.
  const started = performance.now()
  const err = (await gate
    .run('lease', () => new Promise(() => undefined), spent)
    .catch((e: unknown) => e)) as CacheUnavailableError
  t.equal(err.reason, 'timeout')
  t.ok(performance.now() - started < 40, `gave up after ${(performance.now() - started).toFixed(1)} ms`)
})

t.test('a Redis that really hangs still times out by the bound and a loop turn', async (t) => {
  const db = await claimDb(t)
  if (!('url' in db.connection)) return t.pass('single-instance only: the proxy fronts one Redis')
  const proxy = await startTcpProxy(Number(new URL(db.connection.url).port))
  t.teardown(() => proxy.close())
  const cache = await cacheOn(
    t,
    { ...db, connection: { url: proxiedUrl(db.connection.url, proxy.port) } },
    { operationTimeoutMs: 50 },
  )
  await cache.set(keys.guildMembers(2), [1])
  proxy.hang()
  const started = performance.now()
  t.equal(await cache.get(keys.guildMembers(2)), null, 'a miss, not a hang')
  const ms = performance.now() - started
  // libuv times the bound from the clock it read when this loop turn began, which can trail
  // performance.now() by a millisecond: hence 48, not 50.
  t.ok(ms >= 48 && ms < 200, `gave up after ${ms.toFixed(1)} ms`)
})

t.test('a lease step that timed out gives its leases back once Redis answers again', async (t) => {
  const own = await standaloneGate(t, { proxied: true, breakerThreshold: 100 })
  if (own === undefined) return t.pass('single-instance only: the proxy fronts one Redis')
  const { db, client, gate, metrics, log, proxy } = own
  if (proxy === undefined) throw new Error('standaloneGate was asked for a proxy')
  const ctx = { gate, options: resolveOptions({}), metrics, log } as unknown as CacheContext
  const leaseKeys = [keys.permission(40, 1, 'roster'), keys.permission(40, 2, 'roster')].map(
    (k) => `cache:lease:{${k}}`,
  )
  const stuck = `cache:lease:{${keys.permission(40, 3, 'roster')}}`

  proxy.hang()
  // Control: a lease taken while the link hangs, by a command that is not given back, lands once it flows.
  const control = client
    .guardAcquire(keys.permission(40, 3, 'roster'), stuck, 'token', 10_000, 'miss')
    .catch(() => undefined)
  const err = await acquireLeases(
    ctx,
    [keys.permission(40, 1, 'roster'), keys.permission(40, 2, 'roster')],
    gate.deadline(),
  ).catch((e: unknown) => e)
  t.type(err, CacheUnavailableError, 'the step itself fails: it timed out')
  await proxy.restore()
  await control
  t.equal(await client.ping(), 'PONG', 'every command sent before this one has run')
  t.equal(await db.redis.exists(stuck), 1, 'control: a lease sent into the hang is taken when the link flows again')
  for (const lease of leaseKeys) t.equal(await db.redis.exists(lease), 0, `${lease} was given back`)
})
