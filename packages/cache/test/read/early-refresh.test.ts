import { startOwnRedis } from '@guild/testing'
import { Redis } from 'ioredis'
import t from 'tap'
import { createCache } from '../../src/index.js'
import { cacheOn, claimDb, silentLogger, sleep } from '../fixtures/harness.js'

t.test('XFetch (β = 1): a hot key is refreshed before it expires, so expiry causes no miss', async (t) => {
  const db = await claimDb(t)
  const cache = await cacheOn(t, db)
  let loads = 0
  const loader = async () => {
    loads++
    await sleep(80) // a load costs ~80 ms: refreshes start roughly that long before expiry
    return { version: loads }
  }
  await cache.getOrSet('temp:hot', loader, 1)
  const missesAfterFirst = cache.stats().misses
  const until = Date.now() + 2_600
  let reads = 0
  while (Date.now() < until) {
    await cache.getOrSet('temp:hot', loader, 1)
    reads++
    await sleep(1) // a read every ~1-2 ms: a refresh surely starts before the last load-time before expiry
  }
  t.equal(cache.stats().misses, missesAfterFirst, `no miss in ${reads} reads across two expiries`)
  t.ok(loads >= 3, `refreshed early ${loads - 1} times`)
  t.ok(loads <= 6, `but not on every read (${loads} loads)`)
})

t.test('β = 0 turns early refresh off: the key expires and the next read misses', async (t) => {
  const db = await claimDb(t)
  const cache = await cacheOn(t, db, { earlyRefreshBeta: 0 })
  let loads = 0
  const loader = async () => {
    loads++
    await sleep(80)
    return loads
  }
  await cache.getOrSet('temp:cold', loader, 1)
  const until = Date.now() + 1_300
  while (Date.now() < until) {
    await cache.getOrSet('temp:cold', loader, 1)
    await sleep(5)
  }
  t.equal(loads, 2, 'one load, then one miss after expiry')
  t.equal(cache.stats().misses, 2)
})

t.test('across processes only one refreshes: the refresh takes the lease', async (t) => {
  const db = await claimDb(t)
  const a = await cacheOn(t, db)
  const b = await cacheOn(t, db)
  let loads = 0
  const loader = async () => {
    loads++
    await sleep(80)
    return loads
  }
  await a.getOrSet('temp:shared', loader, 1)
  const until = Date.now() + 1_300
  while (Date.now() < until) {
    await Promise.all([a.getOrSet('temp:shared', loader, 1), b.getOrSet('temp:shared', loader, 1)])
    await sleep(5)
  }
  t.ok(loads >= 2 && loads <= 4, `${loads} loads for two processes over one expiry`)
  t.equal(a.stats().misses + b.stats().misses, 1, 'only the very first read missed')
})

t.test('a hot key far from expiry is read with one GET: its time left is asked for only near the end', async (t) => {
  // A Redis of its own, so that the command counts are this test's alone.
  const server = await startOwnRedis()
  t.teardown(() => server.stop())
  const admin = new Redis(server.port, '127.0.0.1')
  t.teardown(() => admin.disconnect())
  const cache = createCache({
    url: server.url,
    logger: silentLogger(),
    busChannel: 'cache:test:ttl-left',
    operationTimeoutMs: 2_000,
  })
  t.teardown(() => cache.close())
  await cache.ready
  const pttlCalls = async () => Number(/cmdstat_pttl:calls=(\d+)/.exec(await admin.info('commandstats'))?.[1] ?? 0)
  const loader = async () => {
    await sleep(5)
    return { v: 1 }
  }

  // A load timed at ~5 ms: no refresh can start until ~100 ms before expiry.
  await cache.getOrSet('temp:far', loader, 300)
  const before = await pttlCalls()
  for (let i = 0; i < 50; i++) t.same(await cache.getOrSet('temp:far', loader, 300), { v: 1 })
  t.equal((await pttlCalls()) - before, 0, '50 hits, no PTTL: the write said when it expires')

  // Written by another process: the first hit learns its expiry, the rest need not ask again.
  await admin.set('temp:theirs', JSON.stringify({ v: 2 }), 'EX', 300)
  const before2 = await pttlCalls()
  for (let i = 0; i < 50; i++) t.same(await cache.getOrSet('temp:theirs', loader, 300), { v: 2 })
  t.equal((await pttlCalls()) - before2, 1, 'one PTTL for 50 hits')

  // Near expiry every hit asks, so XFetch can act (the test above shows it does).
  await admin.set('temp:near', JSON.stringify({ v: 3 }), 'PX', 60)
  const before3 = await pttlCalls()
  for (let i = 0; i < 5; i++) await cache.getOrSet('temp:near', loader, 300)
  t.equal((await pttlCalls()) - before3, 5, 'within a refresh’s reach: a PTTL with each GET')
})
