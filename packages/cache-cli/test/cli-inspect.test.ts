import { createServer } from 'node:net'
import { freePort } from '@guild/testing'
import t from 'tap'
import { keys, TTL } from '@guild/cache'
import { allKeys, cacheOn, claimDb, CLUSTER_MODE } from './fixtures/harness.js'
import { httpServer, redisArgs, runCli, runCliHere } from './fixtures/cli.js'

t.test('stats: hit rate from the metrics endpoints, memory, eviction, clients, keys per namespace', async (t) => {
  const db = await claimDb(t)
  const service = await cacheOn(t, db)
  for (let u = 1; u <= 30; u++) await service.setPermissionCheck(1, u, 'roster', u % 2 === 0)
  for (let g = 1; g <= 5; g++) await service.set(keys.guildMembers(g), [g], TTL.members)
  await service.set(keys.userProfile(7), { bnet_id: 7 }, TTL.profile)
  for (let u = 1; u <= 10; u++) await service.getPermissionCheck(1, u, 'roster') // 10 hits
  for (let u = 31; u <= 33; u++) await service.getPermissionCheck(1, u, 'roster') // 3 misses
  await service.get(keys.guildSettings(1)) // a guild miss
  const metrics = await httpServer(async (_req, res) => {
    res.setHeader('content-type', 'text/plain; version=0.0.4')
    res.end(await service.metrics.metrics())
  })
  t.teardown(() => metrics.close())
  const deadEndpoint = `http://127.0.0.1:${await freePort()}/metrics`
  const total = (await allKeys(db)).length

  const run = await runCli(['stats', '--json', ...redisArgs(db), '--metrics', `${metrics.url}/metrics,${deadEndpoint}`])
  t.equal(run.code, 0, run.stderr)
  const report = run.json<{
    redis: { mode: string; masters: number }
    memory: { usedBytes: number; policy: string | null }
    evictedKeys: number
    connectedClients: number
    keys: { total: number; exact: boolean; namespaces: Record<string, { estimated: number }> }
    hitRate: {
      endpoints: { url: string; ok: boolean; error?: string }[]
      namespaces: Record<string, { hits: number; misses: number; hitRate: number }>
      total: { hits: number; misses: number }
    }
  }>()
  t.same(report.redis, { ...report.redis, mode: CLUSTER_MODE ? 'cluster' : 'single', masters: CLUSTER_MODE ? 3 : 1 })
  t.ok(report.memory.usedBytes > 0, 'INFO memory read')
  t.match(report.memory.policy, /^[a-z-]+$/, 'the eviction policy')
  t.equal(report.evictedKeys, 0)
  t.ok(report.connectedClients >= 2, 'the service and the CLI at least')
  t.equal(report.keys.total, total, 'DBSIZE')
  t.equal(report.keys.exact, true, 'fewer keys than the sample: all were seen')
  t.equal(report.keys.namespaces.permission?.estimated, 30)
  t.equal(report.keys.namespaces.guild?.estimated, 5)
  t.equal(report.keys.namespaces.user?.estimated, 1)
  t.ok((report.keys.namespaces['cache:idx']?.estimated ?? 0) >= 3, 'the layer’s indexes, apart')
  t.same(report.hitRate.namespaces.permission, { hits: 10, misses: 3, hitRate: 10 / 13 })
  t.same(report.hitRate.namespaces.guild, { hits: 0, misses: 1, hitRate: 0 })
  t.same(report.hitRate.total, { ...report.hitRate.total, hits: 10, misses: 4 })
  t.same(
    report.hitRate.endpoints.map((e) => e.ok),
    [true, false],
    'an unreachable endpoint is reported, not fatal',
  )
  t.match(report.hitRate.endpoints[1]?.error, /ECONNREFUSED/)

  const human = await runCliHere(['stats', ...redisArgs(db), '--metrics', `${metrics.url}/metrics`, '--sample', '8'])
  t.equal(human.code, 0, human.stderr)
  t.match(human.stdout, /memory\s+[\d.]+ \w*B used/)
  t.match(human.stdout, /eviction\s+policy [a-z-]+, 0 keys evicted/)
  t.match(
    human.stdout,
    new RegExp(`keys\\s+${total} in total \\(estimated from \\d+ sampled by SCAN\\)`),
    'a bounded sample, scaled up by DBSIZE',
  )
  t.match(human.stdout, /permission\s+10\s+3\s+76\.9%/)
  t.match(human.stdout, /hit rate\s+71\.4% \(10 hits, 4 misses; from 1 of 1 metrics endpoints\)/)
})

t.test('get and ttl: value, TTL, missing keys, keys without a TTL, the layer’s indexes', async (t) => {
  const db = await claimDb(t)
  const cache = await cacheOn(t, db)
  await cache.setPermissionCheck(3, 30, 'sync', true)
  await db.redis.set('temp:plain', 'not json') // no TTL: ttl says so
  const key = keys.permission(3, 30, 'sync')

  const value = await runCli(['get', key, '--json', ...redisArgs(db)])
  t.equal(value.code, 0, value.stderr)
  const doc = value.json<{ exists: boolean; type: string; ttl: number; json: boolean; value: unknown }>()
  t.same({ ...doc, ttl: 0 }, { key, exists: true, type: 'string', ttl: 0, json: true, value: { has_access: true } })
  t.ok(doc.ttl > 200 && doc.ttl <= TTL.permission, `ttl ${doc.ttl}`)

  const human = await runCliHere(['get', 'temp:plain', ...redisArgs(db)])
  t.equal(human.code, 0)
  t.match(human.stdout, /temp:plain {2}TTL no TTL.*\(not JSON\)\nnot json/)

  const index = await runCliHere(['get', 'cache:idx:guild:{3}', '--json', ...redisArgs(db)])
  t.match(index.json(), { exists: true, type: 'zset', members: 1 }, 'an index is shown by its size')

  const missing = await runCliHere(['ttl', 'temp:none', '--json', ...redisArgs(db)])
  t.equal(missing.code, 0)
  t.same(missing.json(), { key: 'temp:none', exists: false, ttl: -2, pttl: -2 })

  const ttl = await runCli(['ttl', key, ...redisArgs(db)])
  t.match(ttl.stdout, new RegExp(`^${key} {2}(2\\d\\d|300) s\\n$`), 'in seconds, at most the 300 s it was written with')
})

t.test('never a hang, always a message naming where Redis was configured', async (t) => {
  const port = await freePort()
  const refused = await runCli(['stats', '--metrics', 'none'], { env: { REDIS_URL: `redis://127.0.0.1:${port}/0` } })
  t.equal(refused.code, 1)
  t.match(
    refused.stderr,
    new RegExp(`cannot reach Redis at redis://127\\.0\\.0\\.1:${port}/0: connect ECONNREFUSED.*REDIS_URL / --url`),
  )
  t.equal(refused.stdout, '')

  const json = await runCliHere(['get', 'k', '--json', '--cluster', `127.0.0.1:${port}`])
  t.equal(json.code, 1)
  t.match(
    json.json(),
    { error: /cannot reach Redis at cluster 127\.0\.0\.1:\d+.*REDIS_CLUSTER_NODES \/ --cluster/, exitCode: 1 },
    '--json: the error as a document',
  )

  // A server that accepts the connection and never answers: bounded by --timeout.
  const sockets: import('node:net').Socket[] = []
  const silent = createServer((socket) => void sockets.push(socket))
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
  t.teardown(() => {
    sockets.forEach((s) => s.destroy())
    silent.close()
  })
  const silentPort = (silent.address() as { port: number }).port
  const started = performance.now()
  const hanging = await runCliHere(['ttl', 'k', '--timeout', '300', '--url', `redis://127.0.0.1:${silentPort}/0`])
  const ms = performance.now() - started
  t.equal(hanging.code, 1)
  t.match(
    hanging.stderr,
    /cannot reach Redis at redis:\/\/127\.0\.0\.1:\d+\/0: (no answer within 300 ms|Command timed out)/,
  )
  t.ok(ms < 1_000, `returned within the bound (${ms.toFixed(0)} ms)`)
  const stop = new AbortController()
  setTimeout(() => stop.abort(), 50)
  const interrupted = await runCliHere(
    ['ttl', 'k', '--timeout', '5000', '--url', `redis://127.0.0.1:${silentPort}/0`],
    { signal: stop.signal },
  )
  t.equal(interrupted.code, 130, 'Ctrl-C stops any other command at once')
  t.match(interrupted.stderr, /guild-cache: interrupted/)

  const bad = await runCliHere(['ttl', 'k', '--url', 'http://127.0.0.1:6379'])
  t.equal(bad.code, 1)
  t.match(bad.stderr, /--url is not usable: REDIS_URL must start with redis:\/\//)
  const none = await runCliHere(['stats'])
  t.equal(none.code, 1)
  t.match(none.stderr, /no Redis to talk to: set REDIS_URL/)
})
