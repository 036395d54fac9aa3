import { startOwnRedis, startTcpProxy } from '@guild/testing'
import { Redis } from 'ioredis'
import t from 'tap'
import { createCache, keys } from '../../src/index.js'
import { deferred, silentLogger } from '../fixtures/harness.js'

/*
 * Item 1 of guarantee 4 for patterns: a reader that took its lease before a deletePattern and commits
 * while the keyspace walk is under way must not leave its value behind. The walk is paused at a chosen
 * SCAN (the deleting cache talks to Redis through a TCP proxy that holds what it sends from that
 * command on), the reader is let go and finishes, then the walk goes on. Pause points cover the start,
 * middle and end of the walk, over 200,000 unrelated keys.
 */

const isScan = (chunk: Buffer) => chunk.toString('latin1').toLowerCase().includes('\r\nscan\r\n')

t.test('deletePattern: a load that began before it never stores its value, wherever the walk is', async (t) => {
  const server = await startOwnRedis()
  t.teardown(() => server.stop())
  const admin = new Redis(server.port, '127.0.0.1')
  t.teardown(() => admin.disconnect())
  for (let batch = 0; batch < 200; batch++) {
    const pipeline = admin.pipeline()
    for (let i = 0; i < 1_000; i++) pipeline.set(`unrelated:${batch}:${i}`, 'x', 'EX', 600)
    await pipeline.exec()
  }
  const proxy = await startTcpProxy(server.port)
  t.teardown(() => proxy.close())
  const options = {
    busChannel: 'cache:test:pattern-race',
    logger: silentLogger(),
    operationTimeoutMs: 10_000,
    propagationTimeoutMs: 1_000,
  }
  const writer = createCache({ ...options, url: `redis://127.0.0.1:${proxy.port}/0` })
  const reader = createCache({ ...options, url: server.url })
  t.teardown(() => Promise.all([writer.close(), reader.close()]))
  await Promise.all([writer.ready, reader.ready])

  // How many SCAN steps one walk takes here.
  let scans = 0
  proxy.holdRequestsWith((chunk) => {
    if (isScan(chunk)) scans++
    return false
  })
  await writer.deletePattern('permission:11:*')
  proxy.release()
  t.ok(scans > 100, `a walk of ${scans} SCAN steps`)

  const key = keys.permission(11, 110, 'roster')
  // Three walks of equal length (leases, stale copies, entries): every boundary between them, and inside each.
  const third = Math.floor(scans / 3)
  const pausePoints = [
    ...new Set([
      1,
      Math.floor(scans / 4),
      third,
      third + 1,
      Math.floor(scans / 2),
      2 * third,
      2 * third + 1,
      Math.floor((3 * scans) / 4),
      scans,
    ]),
  ]
  for (const at of pausePoints) {
    const readDone = deferred<void>()
    const release = deferred<void>()
    const stale = reader.getOrSet(key, async () => {
      readDone.resolve() // it has read the old value from the source, holding its lease
      await release.promise
      return { has_access: true }
    })
    await readDone.promise
    let seen = 0
    const paused = new Promise<void>((resolve) =>
      proxy.holdRequestsWith((chunk) => isScan(chunk) && ++seen === at, resolve),
    )
    const deleting = writer.deletePattern('permission:11:*')
    await paused
    release.resolve()
    t.same(await stale, { has_access: true }, `SCAN ${at}/${scans}: the reader answered its own caller`)
    proxy.release()
    await deleting
    t.equal(await admin.get(key), null, `SCAN ${at}/${scans}: its value is not in Redis afterwards`)
    t.same(
      await reader.getOrSet(key, async () => ({ has_access: false })),
      { has_access: false },
      `SCAN ${at}/${scans}: the next read loads afresh`,
    )
    await admin.unlink(key)
  }
})
