import t from 'tap'
import { cacheOn, claimDb, sleep } from './fixtures/harness.js'


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
