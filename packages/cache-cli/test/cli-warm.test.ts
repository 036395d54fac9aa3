import { createTestDatabase, freePort } from '@guild/testing'
import t, { type Test } from 'tap'
import { keys, TTL } from '@guild/cache'
import { bodyOf, httpServer, redisArgs, runCli, runCliHere } from './fixtures/cli.js'
import { cacheOn, claimDb, type TestDb } from './fixtures/harness.js'
import { addGuildFixture } from './fixtures/roster-db.js'

const TOKEN = 'test-service-token'

/**
 * permission-service's batch route as the contract states it, storing its answers the way the real one
 * does (getOrSetMany: indexes, leases, the write guard). Its rule: even bnet_ids may, odd may not.
 */
async function standInPermissionService(t: Test, db: TestDb, answer: 'rule' | 503 = 'rule') {
  const cache = await cacheOn(t, db)
  const batches: number[] = []
  const server = await httpServer(async (req, res) => {
    if (req.method !== 'POST' || req.url !== '/v1/check/batch') return void res.writeHead(404).end()
    if (req.headers.authorization !== `Bearer ${TOKEN}`) return void res.writeHead(401).end('{"statusCode":401}')
    if (answer === 503) return void res.writeHead(503).end('{"statusCode":503}')
    const { checks } = JSON.parse(await bodyOf(req)) as {
      checks: { guild_id: number; bnet_id: number; tool: string }[]
    }
    batches.push(checks.length)
    const byKey = new Map(checks.map((c) => [keys.permission(c.guild_id, c.bnet_id, c.tool), c]))
    const results = await cache.getOrSetMany(
      checks.map((c) => keys.permission(c.guild_id, c.bnet_id, c.tool)),
      async (missing) => missing.map((k) => ({ has_access: (byKey.get(k)?.bnet_id ?? 1) % 2 === 0 })),
      TTL.permission,
    )
    res.setHeader('content-type', 'application/json')
    res.end(JSON.stringify({ results }))
  })
  t.teardown(() => server.close())
  return { url: server.url, batches }
}

t.test('warm guild with --members and --tools: the real answers, stored by permission-service', async (t) => {
  const db = await claimDb(t)
  const service = await standInPermissionService(t, db)
  const env = { SERVICE_TOKEN: TOKEN, PERMISSION_SERVICE_URL: service.url }
  const run = await runCli(
    ['warm', 'guild', '5', '--members', '1,2,3', '--tools', 'roster,sync', '--json', ...redisArgs(db)],
    { env },
  )
  t.equal(run.code, 0, run.stderr)
  t.same(run.json(), {
    guild: 5,
    members: 3,
    tools: ['roster', 'sync'],
    checks: 6,
    allowed: 2,
    denied: 4,
    undecided: 0,
    cached: 6,
  })
  t.equal(await db.redis.get(keys.permission(5, 2, 'sync')), '{"has_access":true}')
  t.equal(await db.redis.get(keys.permission(5, 3, 'roster')), '{"has_access":false}')
  const ttl = await db.redis.ttl(keys.permission(5, 1, 'roster'))
  t.ok(ttl > 200 && ttl <= TTL.permission, `written with the contract's TTL (${ttl})`)

  // 120 members: two batches, as the contract allows at most 100 checks per request.
  const members = Array.from({ length: 120 }, (_, i) => i + 1).join(',')
  const big = await runCliHere(['warm', 'guild', '6', '--members', members, '--tools', 'roster', ...redisArgs(db)], {
    env,
    stderrIsTTY: true,
  })
  t.equal(big.code, 0, big.stderr)
  t.same(service.batches.slice(1), [100, 20])
  t.match(
    big.stdout,
    new RegExp(
      /warmed guild 6: 120 checks \(120 members × 1 tools: roster\)\n {2}60 allowed, 60 denied\n/.source +
        / {2}120 of 120 entries now in Redis/.source,
    ),
  )
  t.match(big.stderr, /warming guild 6 \[#{30}\] 120\/120 100%\n$/)

  const noRedis = await runCliHere(['warm', 'guild', '7', '--members', '2', '--tools', 'roster', '--json'], { env })
  t.match(noRedis.json(), { checks: 1, allowed: 1, cached: null }, 'Redis is optional: the service does the writing')
})

t.test('warm guild --from-db reads the roster and the tool map, and nothing else needs the schema', async (t) => {
  const db = await claimDb(t)
  const service = await standInPermissionService(t, db)
  const pg = await createTestDatabase('cache_cli_warm')
  t.teardown(() => pg.drop())
  await addGuildFixture(pg.url, {
    guildId: 9,
    tools: { roster: 9, progress: 3 },
    members: [
      { bnetId: 12, rank: 1 },
      { bnetId: 11, rank: 4 },
      { bnetId: 12, rank: 6 },
      { bnetId: null, rank: 2 },
    ],
  })
  const env = { SERVICE_TOKEN: TOKEN, PERMISSION_SERVICE_URL: service.url, DATABASE_URL: pg.url }

  const run = await runCliHere(['warm', 'guild', '9', '--from-db', '--json', ...redisArgs(db)], { env })
  t.equal(run.code, 0, run.stderr)
  t.same(
    run.json(),
    {
      guild: 9,
      members: 2,
      tools: ['permissions', 'progress', 'roster', 'settings', 'sync'],
      checks: 10,
      allowed: 5,
      denied: 5,
      undecided: 0,
      cached: 10,
    },
    'members with an account (each once) × the map’s tools and the guarded ones',
  )
  t.equal(await db.redis.get(keys.permission(9, 12, 'progress')), '{"has_access":true}')

  const onlyMembers = await runCliHere(
    ['warm', 'guild', '9', '--from-db', '--tools', 'raids', '--json', ...redisArgs(db)],
    { env },
  )
  t.match(onlyMembers.json(), { members: 2, tools: ['raids'], checks: 2 }, 'a flag wins over the database for its part')

  const unknown = await runCliHere(['warm', 'guild', '404', '--from-db'], { env })
  t.equal(unknown.code, 1)
  t.match(unknown.stderr, /guild 404 is not registered in that database/)
  const noDb = await runCliHere(['warm', 'guild', '9', '--from-db'], { env: { SERVICE_TOKEN: TOKEN } })
  t.match(noDb.stderr, /warm --from-db needs the database: set DATABASE_URL or pass --database-url/)
  const neither = await runCliHere(['warm', 'guild', '9', '--members', '1'], { env })
  t.equal(neither.code, 2)
  t.match(neither.stderr, /give --members and --tools, or --from-db/)
})

t.test('warm: a refused token, an undecided check, an unreachable service are errors (exit 1)', async (t) => {
  const db = await claimDb(t)
  const service = await standInPermissionService(t, db)
  const args = ['warm', 'guild', '5', '--members', '2', '--tools', 'roster']
  const noToken = await runCliHere(args, { env: { PERMISSION_SERVICE_URL: service.url } })
  t.match(noToken.stderr, /set SERVICE_TOKEN or pass --service-token/)
  const wrong = await runCliHere([...args, '--service-token', 'nope', '--permission-service-url', service.url])
  t.equal(wrong.code, 1)
  t.match(wrong.stderr, /permission-service refused the token \(401\): check SERVICE_TOKEN/)
  const port = await freePort()
  const down = await runCliHere([
    ...args,
    '--service-token',
    TOKEN,
    '--permission-service-url',
    `http://127.0.0.1:${port}/`,
  ])
  t.equal(down.code, 1)
  t.match(
    down.stderr,
    new RegExp(`cannot reach permission-service at http://127\\.0\\.0\\.1:${port}/v1/check/batch: .*ECONNREFUSED`),
  )
  const badUrl = await runCliHere([...args, '--service-token', TOKEN, '--permission-service-url', 'ftp://x'])
  t.match(badUrl.stderr, /PERMISSION_SERVICE_URL \/ --permission-service-url must be an http\(s\) URL/)
  const badTool = await runCliHere([
    'warm',
    'guild',
    '5',
    '--members',
    '2',
    '--tools',
    'Roster',
    '--service-token',
    TOKEN,
  ])
  t.equal(badTool.code, 2)
  t.match(badTool.stderr, /--tools: "Roster" does not match/)

  const undecided = await standInPermissionService(t, db, 503)
  const run = await runCliHere([...args, '--json', '--service-token', TOKEN, '--permission-service-url', undecided.url])
  t.equal(run.code, 1)
  t.match(run.stdout.split('\n')[0], /"undecided":1/)
  t.match(run.stderr, /1 checks could not be decided by permission-service \(503\); run warm again/)
})
