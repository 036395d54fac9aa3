import t from 'tap'
import { allowed, batch, migratedDatabase, seedGuild, startService } from '../helpers/harness.js'

t.test('the contract’s permission rules, answered over HTTP', async (t) => {
  const { pg, db } = await migratedDatabase(t)
  await seedGuild(
    db,
    9001,
    [
      { characterId: 1, bnetId: 100, rank: 0 }, // guild master
      { characterId: 2, bnetId: 101, rank: 1 }, // officer
      { characterId: 3, bnetId: 102, rank: 4 }, // raider
      { characterId: 4, bnetId: 103, rank: 7 }, // an alt at rank 7 …
      { characterId: 5, bnetId: 103, rank: 2 }, // … and a main at rank 2: the best rank counts
      { characterId: 6, bnetId: null, rank: 5 }, // a character no user owns
    ],
    { roster: 9, settings: 1, sync: 1, progress: 4 },
  )
  await seedGuild(db, 9002, [{ characterId: 7, bnetId: 104, rank: 0 }], { roster: 9 })
  const app = await startService(t, { DATABASE_URL: pg.url })

  t.equal(await allowed(app, 9001, 100, 'roster'), true, 'guild master: roster')
  t.equal(await allowed(app, 9001, 100, 'permissions'), true, 'rank 0 may use a tool absent from the map')
  t.equal(await allowed(app, 9001, 100, 'anything-else'), true, 'rank 0 may use every tool')
  t.equal(await allowed(app, 9001, 101, 'settings'), true, 'officer at the tool rank')
  t.equal(await allowed(app, 9001, 101, 'permissions'), false, 'an absent tool is for rank 0 alone')
  t.equal(await allowed(app, 9001, 102, 'progress'), true, 'raider at the tool rank (4 ≤ 4)')
  t.equal(await allowed(app, 9001, 102, 'sync'), false, 'raider above the tool rank')
  t.equal(await allowed(app, 9001, 102, 'roster'), true)
  t.equal(await allowed(app, 9001, 103, 'progress'), true, 'a user with several characters uses their best rank')
  t.equal(await allowed(app, 9001, 103, 'settings'), false)
  t.equal(await allowed(app, 9001, 104, 'roster'), false, 'a member of another guild is nobody here')
  t.equal(await allowed(app, 9001, 999, 'roster'), false, 'a user with no character in the roster may use nothing')
  t.equal(await allowed(app, 12345, 100, 'roster'), false, 'an unknown guild allows nothing')

  const res = await batch(app, [
    { guild_id: 9001, bnet_id: 102, tool: 'sync' },
    { guild_id: 9001, bnet_id: 100, tool: 'sync' },
    { guild_id: 9002, bnet_id: 104, tool: 'settings' },
    { guild_id: 9001, bnet_id: 102, tool: 'sync' },
  ])
  t.equal(res.statusCode, 200)
  t.same(
    res.json(),
    { results: [{ has_access: false }, { has_access: true }, { has_access: true }, { has_access: false }] },
    'in request order',
  )
})
