import t from 'tap'
import { createPermissionClient } from '../src/client.js'
import { PermissionDeniedError, PermissionError } from '../src/errors.js'
import { rejection, startStandInService } from './fixtures/stand-in-permission-service.js'

t.test('check answers true and false as permission-service does, with the bearer token', async (t) => {
  const service = await startStandInService()
  const client = createPermissionClient({ url: service.url, token: service.token, deadlineMs: 2000 })
  t.teardown(async () => {
    await client.close()
    await service.close()
  })
  service.allow(9001, 100001, 'roster')

  t.equal(await client.check(9001, 100001, 'roster'), true)
  t.equal(await client.check(9001, 100001, 'settings'), false)
  t.equal(await client.check(9002, 100001, 'roster'), false)

  t.equal(service.requests.length, 3)
  for (const r of service.requests) {
    t.equal(r.authorization, `Bearer ${service.token}`, 'every call carries the service token')
    t.equal(r.method, 'GET')
  }
  t.equal(service.requests[0]?.url, '/v1/check?guild_id=9001&bnet_id=100001&tool=roster')
})

t.test('assert resolves when allowed and throws PermissionDeniedError (403) when not', async (t) => {
  const service = await startStandInService()
  const client = createPermissionClient({ url: service.url, token: service.token, deadlineMs: 2000 })
  t.teardown(async () => {
    await client.close()
    await service.close()
  })
  service.allow(7, 8, 'sync')

  await client.assert(7, 8, 'sync')
  const err = await rejection(client.assert(7, 8, 'permissions'))
  t.ok(err instanceof PermissionDeniedError)
  t.ok(err instanceof PermissionError)
  const denied = err as PermissionDeniedError
  t.equal(denied.statusCode, 403)
  t.same([denied.guildId, denied.bnetId, denied.tool], [7, 8, 'permissions'])
  t.match(denied.message, /permissions/)
})

t.test('a path in the url is kept as a prefix', async (t) => {
  const service = await startStandInService()
  const client = createPermissionClient({ url: `${service.url}/prefixed/`, token: service.token, deadlineMs: 2000 })
  t.teardown(async () => {
    await client.close()
    await service.close()
  })
  service.allow(1, 2, 'roster')
  t.equal(await client.check(1, 2, 'roster'), true)
  t.match(service.requests[0]?.url, /^\/prefixed\/v1\/check\?/)
})

t.test('onResult reports each call for metrics, and a throwing callback changes nothing', async (t) => {
  const service = await startStandInService()
  const events: unknown[] = []
  const client = createPermissionClient({
    url: service.url,
    token: service.token,
    deadlineMs: 2000,
    onResult: (e) => {
      events.push(e)
      throw new Error('metrics sink is broken')
    },
  })
  t.teardown(async () => {
    await client.close()
    await service.close()
  })
  service.allow(1, 2, 'roster')
  t.equal(await client.check(1, 2, 'roster'), true)
  t.same(
    await client.checkMany([
      { guildId: 1, bnetId: 2, tool: 'roster' },
      { guildId: 1, bnetId: 2, tool: 'sync' },
    ]),
    [true, false],
  )
  service.behave({ kind: 'status', status: 503 })
  await rejection(client.check(1, 2, 'roster'))
  t.match(events, [
    { op: 'check', items: 1, allowed: 1, denied: 0 },
    { op: 'batch', items: 2, allowed: 1, denied: 1 },
    { op: 'check', items: 1, allowed: 0, denied: 0, undecided: 'server-error' },
  ])
})
