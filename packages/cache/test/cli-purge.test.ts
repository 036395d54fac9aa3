import { freePort } from '@guild/testing'
import t from 'tap'
import { keys, TTL, type InvalidationEvent } from '../src/index.js'
import { allKeys, busListeners, cacheOn, claimDb, eventually } from './fixtures/harness.js'
import { redisArgs, runCli, runCliHere } from './fixtures/cli.js'

t.test('purge guild: through invalidateGuild, and every service process has heard it when the CLI exits', async (t) => {
  const db = await claimDb(t)
  const service = await cacheOn(t, db)
  await service.setPermissionCheck(5, 50, 'roster', true)
  await service.setPermissionCheck(5, 51, 'sync', false)
  await service.set(keys.guildMembers(5), [1], TTL.members)
  await service.setPermissionCheck(6, 50, 'roster', true)
  // Listening from here: each set above announced its own key (direct-write.test.ts).
  const heard: InvalidationEvent[] = []
  service.onInvalidate((e) => heard.push(e))
  t.ok(await eventually(async () => (await busListeners(db)) >= 1), 'the service listens on the bus')

  const run = await runCli(['purge', 'guild', '5', '--json', ...redisArgs(db)])
  t.equal(run.code, 0, run.stderr)
  t.same(run.json(), { scope: 'guild', id: 5, removed: 3 })
  t.equal(heard.length, 1, 'acknowledged on the bus before the CLI returned')
  t.match(heard[0], { scope: 'guild', id: 5 })
  t.same([...((heard[0] as { removed?: string[] }).removed ?? [])].sort(), ['guild:5:members', 'permission:5:50:roster', 'permission:5:51:sync'], 'naming what it removed')
  t.same(await Promise.all([keys.permission(5, 50, 'roster'), keys.guildMembers(5), keys.permission(6, 50, 'roster')].map((k) => db.redis.exists(k))), [0, 0, 1])

  const user = await runCliHere(['purge', 'user', '50', ...redisArgs(db)])
  t.equal(user.code, 0, user.stderr)
  t.equal(user.stdout, 'purged user 50: 1 entries removed; the services were told on the bus\n')
  t.equal(await db.redis.exists(keys.permission(6, 50, 'roster')), 0)
})

t.test('purge pattern: a dry run counts and deletes nothing; --yes deletes, sparing cache: keys', async (t) => {
  const db = await claimDb(t)
  const service = await cacheOn(t, db)
  for (let u = 1; u <= 40; u++) await service.setPermissionCheck(9, u, 'roster', true)
  await service.setPermissionCheck(10, 1, 'roster', true)
  const before = (await allKeys(db)).length

  const dry = await runCli(['purge', 'pattern', 'permission:9:*', ...redisArgs(db)])
  t.equal(dry.code, 0, dry.stderr)
  t.equal(dry.stdout, '40 keys match permission:9:* (a dry run: nothing deleted; add --yes to delete them)\n')
  t.equal((await allKeys(db)).length, before, 'nothing deleted')
  const dryJson = await runCliHere(['purge', 'pattern', 'permission:9:*', '--json', ...redisArgs(db)])
  t.same(dryJson.json(), { pattern: 'permission:9:*', matched: 40, deleted: 0, dryRun: true })
  const spared = await runCliHere(['purge', 'pattern', 'cache:*', '--json', ...redisArgs(db)])
  t.same(spared.json(), { pattern: 'cache:*', matched: 0, deleted: 0, dryRun: true }, 'the layer’s own keys are never counted')

  const heard: InvalidationEvent[] = []
  service.onInvalidate((e) => heard.push(e))
  const real = await runCliHere(['purge', 'pattern', 'permission:9:*', '--yes', ...redisArgs(db)], { stderrIsTTY: true })
  t.equal(real.code, 0, real.stderr)
  t.equal(real.stdout, 'deleted 40 keys matching permission:9:*; the services were told on the bus\n')
  t.match(real.stderr, /\r\x1b\[Kdeleting permission:9:\* \[#{30}\] 40\/40 100%\n$/, 'a progress bar on a terminal')
  t.same(heard, [{ scope: 'pattern', pattern: 'permission:9:*' }])
  const left = await allKeys(db)
  t.notOk(left.some((k) => k.startsWith('permission:9:')), 'all gone')
  t.ok(left.includes(keys.permission(10, 1, 'roster')), 'others kept')
  t.ok(left.includes('cache:idx:guild:{9}'), 'indexes kept')
})

t.test('a purge with Redis unreachable fails with exit code 1 and deletes nothing anywhere', async (t) => {
  const port = await freePort()
  const run = await runCliHere(['purge', 'guild', '1', '--url', `redis://127.0.0.1:${port}/0`])
  t.equal(run.code, 1)
  t.match(run.stderr, /cannot reach Redis at redis:\/\/127\.0\.0\.1:\d+\/0: connect ECONNREFUSED .*; check REDIS_URL \/ --url/)
  t.equal(run.stdout, '')
})
