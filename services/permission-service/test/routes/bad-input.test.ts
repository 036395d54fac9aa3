import t from 'tap'
import { AUTH, migratedDatabase, startService } from '../helpers/harness.js'

t.test('bad input → 400 with a message naming the field; no token → 401', async (t) => {
  const { pg } = await migratedDatabase(t)
  const app = await startService(t, { DATABASE_URL: pg.url })
  const bad: [string, RegExp][] = [
    ['guild_id=abc&bnet_id=1&tool=roster', /guild_id/],
    ['guild_id=-1&bnet_id=1&tool=roster', /guild_id/],
    ['guild_id=0&bnet_id=1&tool=roster', /guild_id/],
    ['guild_id=1.5&bnet_id=1&tool=roster', /guild_id/],
    ['guild_id=1e3&bnet_id=1&tool=roster', /guild_id/],
    ['guild_id=9007199254740992&bnet_id=1&tool=roster', /guild_id must be a positive integer below 2\^53/],
    ['guild_id=99999999999999999999&bnet_id=1&tool=roster', /guild_id/],
    ['guild_id=1&bnet_id=x&tool=roster', /bnet_id/],
    ['guild_id=1&bnet_id=1&tool=Roster', /tool/],
    ['guild_id=1&bnet_id=1&tool=a*', /tool/],
    ['guild_id=1&bnet_id=1&tool=' + 'a'.repeat(33), /tool/],
    ['guild_id=1&bnet_id=1&tool=%00', /tool/],
    ['guild_id=1&bnet_id=1', /tool/],
    ['bnet_id=1&tool=roster', /guild_id/],
    ['guild_id=1&guild_id=2&bnet_id=1&tool=roster', /guild_id/],
  ]
  for (const [query, field] of bad) {
    const res = await app.inject({ url: `/v1/check?${query}`, headers: AUTH })
    t.equal(res.statusCode, 400, query)
    t.match(res.json(), { statusCode: 400, error: 'Bad Request', message: field }, query)
  }

  const item = { guild_id: 1, bnet_id: 1, tool: 'roster' }
  const badBodies: [unknown, RegExp][] = [
    [{ checks: [] }, /checks/],
    [{ checks: Array.from({ length: 101 }, () => item) }, /checks/],
    [{}, /checks/],
    [{ checks: 'x' }, /checks/],
    [{ checks: [{ ...item, guild_id: -5 }] }, /guild_id/],
    [{ checks: [{ ...item, guild_id: 1.5 }] }, /guild_id/],
    [{ checks: [{ ...item, bnet_id: 2 ** 53 }] }, /bnet_id/],
    [{ checks: [{ ...item, tool: 'x:y' }] }, /tool/],
    [{ checks: [{ guild_id: 1, bnet_id: 1 }] }, /tool/],
    [[item], /object/],
  ]
  for (const [payload, field] of badBodies) {
    const res = await app.inject({ method: 'POST', url: '/v1/check/batch', headers: AUTH, payload: payload as object })
    t.equal(res.statusCode, 400, JSON.stringify(payload).slice(0, 60))
    t.match(res.json().message, field)
  }
  const notJson = await app.inject({
    method: 'POST',
    url: '/v1/check/batch',
    headers: { ...AUTH, 'content-type': 'application/json' },
    payload: '{nope',
  })
  t.equal(notJson.statusCode, 400)
  const huge = await app.inject({
    method: 'POST',
    url: '/v1/check/batch',
    headers: { ...AUTH, 'content-type': 'application/json' },
    payload: JSON.stringify({ checks: [item], pad: 'x'.repeat(70_000) }),
  })
  t.equal(huge.statusCode, 413)
  // Fastify parses text/plain itself; the schema then refuses a body that is not an object.
  const text = await app.inject({
    method: 'POST',
    url: '/v1/check/batch',
    headers: { ...AUTH, 'content-type': 'text/plain' },
    payload: 'x',
  })
  t.equal(text.statusCode, 400)
  const xml = await app.inject({
    method: 'POST',
    url: '/v1/check/batch',
    headers: { ...AUTH, 'content-type': 'application/xml' },
    payload: '<x/>',
  })
  t.equal(xml.statusCode, 415)
  const extra = await app.inject({
    method: 'POST',
    url: '/v1/check/batch',
    headers: AUTH,
    payload: { checks: [{ ...item, extra: 1 }], extra: 1 },
  })
  t.equal(extra.statusCode, 200, 'unknown fields are dropped, not answered')

  for (const headers of [
    {},
    { authorization: 'Bearer wrong-token-wrong-token' },
    { authorization: 'Basic abc' },
    { authorization: 'Bearer ' },
  ]) {
    const res = await app.inject({ url: '/v1/check?guild_id=1&bnet_id=1&tool=roster', headers })
    t.equal(res.statusCode, 401, JSON.stringify(headers))
    t.equal(res.json().error, 'Unauthorized')
    const post = await app.inject({ method: 'POST', url: '/v1/check/batch', headers, payload: { checks: [item] } })
    t.equal(post.statusCode, 401)
  }
})

t.test('health, metrics and docs need no token', async (t) => {
  const { pg } = await migratedDatabase(t)
  const app = await startService(t, { DATABASE_URL: pg.url })
  t.equal((await app.inject('/health/live')).statusCode, 200)
  const ready = await app.inject('/health/ready')
  t.equal(ready.statusCode, 200)
  t.same(ready.json(), { database: 'up', redis: 'disabled' })
  const metrics = await app.inject('/metrics')
  t.equal(metrics.statusCode, 200)
  t.match(metrics.headers['content-type'], /text\/plain/)
  t.match(metrics.body, /cache_redis_up 0/)
  const docs = await app.inject('/docs/json')
  t.equal(docs.statusCode, 200)
  const doc = docs.json()
  t.match(doc.openapi, /^3\./)
  t.ok(doc.paths['/v1/check'], 'the single check is documented')
  t.ok(doc.paths['/v1/check/batch'], 'the batch is documented')
})

t.test('a bad configuration stops start-up with a message naming the variable', async (t) => {
  const { buildApp } = await import('../../src/app.js')
  await t.rejects(buildApp({ env: { LOG_LEVEL: 'silent' } }), { message: /DATABASE_URL/ })
  await t.rejects(buildApp({ env: { DATABASE_URL: 'postgres://x/y', PERMISSION_L1_TTL_MS: 'soon' } }), {
    message: /PERMISSION_L1_TTL_MS/,
  })
  await t.rejects(buildApp({ env: { DATABASE_URL: 'postgres://x/y', NODE_ENV: 'production' } }), {
    message: /SERVICE_TOKEN/,
  })
})

t.test('a kept-alive socket that proved the token once still needs it on every request', async (t) => {
  const { Pool } = await import('undici')
  const { pg } = await migratedDatabase(t)
  const app = await startService(t, { DATABASE_URL: pg.url })
  const address = await app.listen({ host: '127.0.0.1', port: 0 })
  const pool = new Pool(address, { connections: 1 })
  t.teardown(() => pool.close())
  const ask = async (authorization?: string) => {
    const res = await pool.request({
      path: '/v1/check?guild_id=1&bnet_id=1&tool=roster',
      method: 'GET',
      headers: authorization ? { authorization } : {},
    })
    await res.body.dump()
    return res.statusCode
  }
  t.equal(await ask(AUTH.authorization), 200)
  t.equal(await ask('Bearer wrong-token-wrong-token'), 401, 'same socket, wrong token')
  t.equal(await ask(), 401, 'same socket, no token')
  t.equal(await ask(AUTH.authorization), 200)
})
