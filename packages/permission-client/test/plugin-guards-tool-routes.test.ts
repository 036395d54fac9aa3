import t from 'tap'
import Fastify, { type FastifyInstance } from 'fastify'
import { createPermissionClient, type PermissionClient } from '../src/client.js'
import { PermissionUndecidedError } from '../src/errors.js'
import { permissionClientPlugin } from '../src/plugin.js'
import {
  captureLogger,
  rejection,
  startStandInService,
  type StandInService,
} from './fixtures/stand-in-permission-service.js'

/** A guild-api-shaped app: a session hook sets request.user from a test header. */
async function buildApp(service: StandInService, extra: Record<string, unknown> = {}): Promise<FastifyInstance> {
  const app = Fastify({ logger: false })
  app.decorateRequest('user', null)
  app.addHook('onRequest', async (request) => {
    const id = request.headers['x-test-user']
    ;(request as unknown as { user: unknown }).user = typeof id === 'string' ? { bnetId: Number(id) } : null
  })
  // Declared before the plugin on purpose: the guard must still apply.
  app.get('/guilds/:guild_id/early', { config: { tool: 'roster' } }, async () => ({ early: true }))
  await app.register(permissionClientPlugin, {
    url: service.url,
    token: service.token,
    deadlineMs: 2000,
    breaker: { threshold: 100 },
    logger: captureLogger().logger,
    ...extra,
  })
  app.get('/guilds/:guild_id/members', { config: { tool: 'roster' } }, async (request) => ({
    guild: (request.params as { guild_id: string }).guild_id,
  }))
  app.get('/guilds/:guild_id', async () => ({ open: true }))
  await app.register(async (child) => {
    child.put('/guilds/:guild_id/settings', { config: { tool: 'settings' } }, async () => ({ saved: true }))
  })
  await app.ready()
  return app
}

t.test('a route with config.tool answers 200 / 403 / 401 / 400 / 503 as the contract says', async (t) => {
  const service = await startStandInService()
  const app = await buildApp(service)
  t.teardown(async () => {
    await app.close()
    await service.close()
  })
  service.allow(9001, 100001, 'roster')

  const ok = await app.inject({ url: '/guilds/9001/members', headers: { 'x-test-user': '100001' } })
  t.equal(ok.statusCode, 200)
  t.same(ok.json(), { guild: '9001' })

  const denied = await app.inject({ url: '/guilds/9001/members', headers: { 'x-test-user': '100002' } })
  t.equal(denied.statusCode, 403)
  t.match(denied.json(), { statusCode: 403, error: 'Forbidden', message: /roster/ })

  const anonymous = await app.inject({ url: '/guilds/9001/members' })
  t.equal(anonymous.statusCode, 401)
  t.match(anonymous.json(), { statusCode: 401, error: 'Unauthorized' })

  for (const bad of ['abc', '0', '-5', '1.5', '9007199254740993']) {
    const res = await app.inject({ url: `/guilds/${bad}/members`, headers: { 'x-test-user': '100001' } })
    t.equal(res.statusCode, 400, `guild_id ${bad}`)
    t.match(res.json(), { statusCode: 400, error: 'Bad Request', message: /guild_id/ })
  }

  service.behave({ kind: 'status', status: 503 })
  const unavailable = await app.inject({ url: '/guilds/9001/members', headers: { 'x-test-user': '100001' } })
  t.equal(unavailable.statusCode, 503)
  t.same(unavailable.json(), { statusCode: 503, error: 'Service Unavailable', message: 'permission check unavailable' })

  service.behave({ kind: 'hang' }, 1)
  const slow = await app.inject({ url: '/guilds/9001/members', headers: { 'x-test-user': '100001' } })
  t.equal(slow.statusCode, 503, 'a peer slow past the deadline is a 503, never a pass')
})

t.test('the guard covers routes declared before the plugin and in child contexts; others are untouched', async (t) => {
  const service = await startStandInService()
  const app = await buildApp(service)
  t.teardown(async () => {
    await app.close()
    await service.close()
  })
  service.allow(7, 1, 'settings')

  const early = await app.inject({ url: '/guilds/7/early', headers: { 'x-test-user': '1' } })
  t.equal(early.statusCode, 403)
  const settings = await app.inject({ method: 'PUT', url: '/guilds/7/settings', headers: { 'x-test-user': '1' } })
  t.equal(settings.statusCode, 200)
  const other = await app.inject({ method: 'PUT', url: '/guilds/7/settings', headers: { 'x-test-user': '2' } })
  t.equal(other.statusCode, 403)

  const before = service.requests.length
  const open = await app.inject({ url: '/guilds/7' })
  t.equal(open.statusCode, 200, 'no tool, no check')
  t.equal(service.requests.length, before)
})

t.test('fastify.permissions is the client and the pool closes with the app', async (t) => {
  const service = await startStandInService()
  const app = await buildApp(service)
  t.teardown(() => service.close())
  service.allow(1, 2, 'sync')
  t.equal(await app.permissions.check(1, 2, 'sync'), true)
  await app.close()
  const err = await rejection(app.permissions.check(1, 2, 'sync'))
  t.equal((err as PermissionUndecidedError).reason, 'closed')
})

t.test('a given client and getUser are used; the app does not close a client it did not make', async (t) => {
  const service = await startStandInService()
  const client = createPermissionClient({ url: service.url, token: service.token, deadlineMs: 2000 })
  t.teardown(async () => {
    await client.close()
    await service.close()
  })
  service.allow(3, 42, 'roster')
  const app = Fastify({ logger: false })
  await app.register(permissionClientPlugin, {
    client,
    getUser: (request) => (request.headers['x-bnet'] === 'forty-two' ? 42 : null),
  })
  app.get('/guilds/:guild_id/members', { config: { tool: 'roster' } }, async () => 'members')
  const ok = await app.inject({ url: '/guilds/3/members', headers: { 'x-bnet': 'forty-two' } })
  t.equal(ok.statusCode, 200)
  t.equal(ok.body, 'members')
  t.equal((await app.inject({ url: '/guilds/3/members' })).statusCode, 401)
  t.equal(app.permissions, client)
  await app.close()
  t.equal(await client.check(3, 42, 'roster'), true, 'still open')
})

t.test('a getUser returning something that is not an id is a 500, never a pass', async (t) => {
  const service = await startStandInService()
  const app = Fastify({ logger: false })
  t.teardown(async () => {
    await app.close()
    await service.close()
  })
  await app.register(permissionClientPlugin, {
    url: service.url,
    token: service.token,
    getUser: () => -1,
  })
  app.get('/guilds/:guild_id/members', { config: { tool: 'roster' } }, async () => 'members')
  const res = await app.inject({ url: '/guilds/3/members' })
  t.equal(res.statusCode, 500)
  t.match(res.json(), { statusCode: 500, error: 'Internal Server Error' })
  t.equal(service.requests.length, 0)
})

t.test('a client failing in a way it never should is a 500 through the error handler, never a pass', async (t) => {
  for (const failure of [new TypeError('a bug in a custom client'), 'not even an Error']) {
    const client = {
      /* eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
         -- the test's point: a non-Error rejection */
      check: async () => await Promise.reject(failure),
    } as unknown as PermissionClient
    const app = Fastify({ logger: false })
    const seen: unknown[] = []
    app.decorateRequest('user', null)
    app.addHook('onRequest', async (request) => {
      ;(request as unknown as { user: unknown }).user = { bnetId: 42 }
    })
    app.setErrorHandler((err, _request, reply) => {
      seen.push(err)
      return reply.code(500).send({ statusCode: 500, error: 'Internal Server Error', message: 'unexpected' })
    })
    await app.register(permissionClientPlugin, { client })
    let handled = 0
    app.get('/guilds/:guild_id/members', { config: { tool: 'roster' } }, async () => {
      handled++
      return 'members'
    })
    const res = await app.inject({ url: '/guilds/3/members' })
    await app.close()
    t.equal(res.statusCode, 500, `${String(failure)}: a 500`)
    t.equal(handled, 0, 'the handler never ran')
    t.equal(seen.length, 1, 'the error handler saw it once')
    t.equal(seen[0], failure, 'the failure itself, for the service’s error handler to log')
  }
})

t.test('a guarded route that cannot be checked fails at start-up', async (t) => {
  const app = Fastify({ logger: false })
  t.teardown(() => app.close())
  await app.register(permissionClientPlugin, { url: 'http://127.0.0.1:1', token: 't' })
  t.throws(
    () => app.get('/guilds/:guild_id/x', { config: { tool: 'Bad Tool' } }, async () => 'x'),
    /config\.tool must match/,
  )
  t.throws(() => app.get('/guilds/:id/x', { config: { tool: 'roster' } }, async () => 'x'), /:guild_id/)
  t.throws(() => app.get('/guilds/:guild_idx/x', { config: { tool: 'roster' } }, async () => 'x'), /:guild_id/)
})
