import { freePort } from '@guild/testing'
import t from 'tap'
import { internalKeys, keys, TTL, type InvalidationEvent } from '@guild/cache'
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

  const dry = await runCliHere(['purge', 'guild', '5', '--json', ...redisArgs(db)])
  t.same(dry.json(), { scope: 'guild', id: 5, matched: 3, removed: 0, dryRun: true }, 'without --yes, a dry run')
  t.equal(heard.length, 0, 'that tells nobody')
  t.equal(await db.redis.exists(keys.permission(5, 50, 'roster')), 1, 'and removes nothing')

  const run = await runCli(['purge', 'guild', '5', '--yes', '--json', ...redisArgs(db)])
  t.equal(run.code, 0, run.stderr)
  t.same(run.json(), { scope: 'guild', id: 5, matched: 3, removed: 3, dryRun: false })
  t.equal(heard.length, 3, 'acknowledged on the bus before the CLI returned: the guild and its two patterns')
  t.match(heard[0], { scope: 'guild', id: 5 })
  t.same(heard.slice(1), [
    { scope: 'pattern', pattern: 'permission:5:*' },
    { scope: 'pattern', pattern: 'guild:5:*' },
  ])
  t.same(
    [...((heard[0] as { removed?: string[] }).removed ?? [])].sort(),
    ['guild:5:members', 'permission:5:50:roster', 'permission:5:51:sync'],
    'naming what it removed',
  )
  t.same(
    await Promise.all(
      [keys.permission(5, 50, 'roster'), keys.guildMembers(5), keys.permission(6, 50, 'roster')].map((k) =>
        db.redis.exists(k),
      ),
    ),
    [0, 0, 1],
  )

  const user = await runCliHere(['purge', 'user', '50', '--yes', ...redisArgs(db)])
  t.equal(user.code, 0, user.stderr)
  t.equal(user.stdout, 'purged user 50: 1 entries removed; the services were told on the bus\n')
  t.equal(await db.redis.exists(keys.permission(6, 50, 'roster')), 0)
})

t.test('purge guild and purge user find every entry, indexed or not', async (t) => {
  const db = await claimDb(t)
  const service = await cacheOn(t, db)
  // Written before the indexes existed (or listed by an index LRU evicted): no index names them.
  for (let u = 1; u <= 500; u++) await db.redis.set(keys.permission(21, u, 'roster'), '{"has_access":true}', 'EX', 300)
  await db.redis.set(keys.guildSettings(21), '{}', 'EX', 600)
  await db.redis.set(keys.userProfile(7), '{"bnet_id":7}', 'EX', 600)
  await db.redis.set(keys.permission(22, 7, 'roster'), '{"has_access":true}', 'EX', 300)
  // And indexed ones, a session among them (its key does not name its user: only the index does).
  await service.setPermissionCheck(21, 501, 'sync', true)
  await service.set(keys.userSession('d'.repeat(64)), { bnet_id: 7 }, 600, { user: 7 })
  await service.setPermissionCheck(23, 8, 'roster', true)

  const dry = await runCliHere(['purge', 'guild', '21', '--json', ...redisArgs(db)])
  t.same(dry.json(), { scope: 'guild', id: 21, matched: 502, removed: 0, dryRun: true })
  // User 7's: profile, session, permission:22:7 and permission:21:7 (the guild's too).
  const dryText = await runCliHere(['purge', 'user', '7', ...redisArgs(db)])
  t.equal(dryText.stdout, '4 entries of user 7 (a dry run: nothing removed; add --yes to remove them)\n')
  t.equal((await allKeys(db)).filter((k) => !k.startsWith('cache:')).length, 506, 'nothing removed')

  const guild = await runCliHere(['purge', 'guild', '21', '--yes', '--json', ...redisArgs(db)])
  t.same(guild.json(), { scope: 'guild', id: 21, matched: 502, removed: 502, dryRun: false })
  const user = await runCliHere(['purge', 'user', '7', '--yes', '--json', ...redisArgs(db)])
  t.same(
    user.json(),
    { scope: 'user', id: 7, matched: 3, removed: 3, dryRun: false },
    'permission:21:7 went with its guild',
  )
  t.same(
    (await allKeys(db)).filter((k) => !k.startsWith('cache:')),
    [keys.permission(23, 8, 'roster')],
    'only the other guild’s entry is left',
  )
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
  t.same(
    spared.json(),
    { pattern: 'cache:*', matched: 0, deleted: 0, dryRun: true },
    'the layer’s own keys are never counted',
  )

  const heard: InvalidationEvent[] = []
  service.onInvalidate((e) => heard.push(e))
  const real = await runCliHere(['purge', 'pattern', 'permission:9:*', '--yes', ...redisArgs(db)], {
    stderrIsTTY: true,
  })
  t.equal(real.code, 0, real.stderr)
  t.equal(real.stdout, 'deleted 40 keys matching permission:9:*; the services were told on the bus\n')
  t.match(real.stderr, /\r\x1b\[Kdeleting permission:9:\* \[#{30}\] 40\/40 100%\n$/, 'a progress bar on a terminal')
  t.same(heard, [{ scope: 'pattern', pattern: 'permission:9:*' }])
  const left = await allKeys(db)
  t.notOk(
    left.some((k) => k.startsWith('permission:9:')),
    'all gone',
  )
  t.ok(left.includes(keys.permission(10, 1, 'roster')), 'others kept')
  t.ok(left.includes('cache:idx:guild:{9}'), 'indexes kept')
})

t.test('a purge with Redis unreachable fails with exit code 1 and deletes nothing anywhere', async (t) => {
  const port = await freePort()
  const run = await runCliHere(['purge', 'guild', '1', '--url', `redis://127.0.0.1:${port}/0`])
  t.equal(run.code, 1)
  t.match(
    run.stderr,
    /cannot reach Redis at redis:\/\/127\.0\.0\.1:\d+\/0: connect ECONNREFUSED .*; check REDIS_URL \/ --url/,
  )
  t.equal(run.stdout, '')
})

t.test('purge guild --yes removes stale copies, those of expired entries too', async (t) => {
  const db = await claimDb(t)
  const cache = await cacheOn(t, db)
  const live = keys.permission(21, 1, 'roster')
  const expired = keys.permission(21, 2, 'roster')
  await cache.setPermissionCheck(21, 1, 'roster', true)
  for (const k of [live, expired]) await db.redis.set(internalKeys.stale(k), JSON.stringify('old'), 'PX', 60_000)
  const run = await runCliHere(['purge', 'guild', '21', '--yes', '--json', ...redisArgs(db)])
  t.equal(run.code, 0, run.stderr)
  for (const k of [live, internalKeys.stale(live), internalKeys.stale(expired)])
    t.equal(await db.redis.exists(k), 0, `${k} gone`)
})
