import t from 'tap'
import { registerHordeVanguard, startHarness } from '../helpers/harness.js'

t.test('the database out of reach: 503 with a message, ready says so, and it comes back by itself', async (t) => {
  const h = await startHarness(t, { databaseProxy: true })
  const gm = h.as(await registerHordeVanguard(h))
  t.equal((await gm.get('/me')).statusCode, 200, 'warms the cached session and profile')

  await h.dbProxy?.cut()
  const guild = await gm.get('/guilds/9001')
  t.equal(guild.statusCode, 503)
  t.same(guild.json(), {
    statusCode: 503,
    error: 'Service Unavailable',
    message: 'the database is unavailable; try again shortly',
  })
  t.equal((await gm.get('/me')).statusCode, 200, 'what is cached is still served')
  const unknownSession = await h.as('B'.repeat(43)).get('/me')
  t.equal(unknownSession.statusCode, 503, 'a session that must be looked up: 503, not 401 or 500')
  const ready = await h.inject({ url: '/health/ready' })
  t.equal(ready.statusCode, 503)
  t.same(ready.json(), { database: 'down', redis: 'up' })

  await h.dbProxy?.restore()
  let back = 0
  for (let i = 0; i < 50 && back !== 200; i++) {
    back = (await gm.get('/guilds/9001')).statusCode
    if (back !== 200) await new Promise((r) => setTimeout(r, 100))
  }
  t.equal(back, 200, 'back once the database is')
})
