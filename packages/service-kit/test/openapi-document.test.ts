import t from 'tap'
import Fastify from 'fastify'
import {
  BEARER_SCHEME,
  COOKIE_SCHEME,
  errorHandlerPlugin,
  healthPlugin,
  metricsPlugin,
  openApiPlugin,
} from '../src/index.js'

t.test('/docs/json is an OpenAPI 3 document listing the routes registered after the plugin', async (t) => {
  const app = Fastify({ logger: false })
  t.teardown(async () => await app.close())
  await app.register(errorHandlerPlugin)
  await app.register(openApiPlugin, {
    title: 'permission-service',
    version: '1.2.3',
    description: 'may user B use tool T in guild G?',
    security: { bearer: { description: 'SERVICE_TOKEN' }, cookie: 'sid' },
  })
  await app.register(metricsPlugin)
  await app.register(healthPlugin, { database: async () => true, redis: () => 'disabled' })
  app.get(
    '/v1/check',
    {
      schema: {
        summary: 'one permission check',
        security: [{ [BEARER_SCHEME]: [] }],
        querystring: {
          type: 'object',
          required: ['guild_id', 'bnet_id', 'tool'],
          properties: { guild_id: { type: 'integer' }, bnet_id: { type: 'integer' }, tool: { type: 'string' } },
        },
        response: { 200: { type: 'object', properties: { has_access: { type: 'boolean' } } } },
      },
    },
    async () => ({ has_access: true }),
  )
  await app.ready()

  const res = await app.inject({ url: '/docs/json' })
  t.equal(res.statusCode, 200)
  const doc = res.json<{
    openapi: string
    info: Record<string, string>
    paths: Record<string, Record<string, any>>
    components: { securitySchemes: Record<string, unknown> }
  }>()
  t.match(doc.openapi, /^3\./)
  t.same(doc.info, { title: 'permission-service', version: '1.2.3', description: 'may user B use tool T in guild G?' })
  t.ok(doc.paths['/v1/check']?.get, 'the test route is listed')
  t.same(doc.paths['/v1/check']?.get.security, [{ [BEARER_SCHEME]: [] }])
  t.same(doc.paths['/v1/check']?.get.parameters.map((p: { name: string }) => p.name).sort(), [
    'bnet_id',
    'guild_id',
    'tool',
  ])
  t.same(doc.components.securitySchemes, {
    [BEARER_SCHEME]: { type: 'http', scheme: 'bearer', description: 'SERVICE_TOKEN' },
    [COOKIE_SCHEME]: { type: 'apiKey', in: 'cookie', name: 'sid' },
  })

  t.ok(doc.paths['/health/live']?.get, 'health routes are documented')
  t.same(Object.keys(doc.paths['/health/ready']?.get.responses).sort(), ['200', '503'], 'with both readiness answers')
  t.ok(doc.paths['/metrics']?.get.responses['200'].content['text/plain'], '/metrics is documented as text')
  t.notOk(doc.paths['/docs/json'], 'the docs routes document nothing')

  const ui = await app.inject({ url: '/docs' })
  t.ok(ui.statusCode === 200 || ui.statusCode === 302, `the UI answers (${ui.statusCode})`)
})

t.test('security schemes are optional', async (t) => {
  const app = Fastify({ logger: false })
  t.teardown(async () => await app.close())
  await app.register(openApiPlugin, {
    title: 't',
    version: '0',
    security: { bearer: true, cookie: { name: 'sid', description: 'session' } },
  })
  await app.ready()
  const doc = (await app.inject({ url: '/docs/json' })).json<{
    info: object
    components: { securitySchemes: object }
  }>()
  t.same(doc.info, { title: 't', version: '0' })
  t.same(doc.components.securitySchemes, {
    [BEARER_SCHEME]: { type: 'http', scheme: 'bearer' },
    [COOKIE_SCHEME]: { type: 'apiKey', in: 'cookie', name: 'sid', description: 'session' },
  })

  const bare = Fastify({ logger: false })
  t.teardown(async () => await bare.close())
  await bare.register(openApiPlugin, { title: 'b', version: '1' })
  await bare.ready()
  t.same(
    (await bare.inject({ url: '/docs/json' })).json<{ components: { securitySchemes: object } }>().components
      .securitySchemes,
    {},
  )
})

t.test(
  'the document is OpenAPI 3.0: servers named, public routes say so, 2020-12 keywords kept as x- extensions',
  async (t) => {
    const app = Fastify({ logger: false })
    t.teardown(async () => await app.close())
    await app.register(openApiPlugin, { title: 't', version: '0', servers: [{ url: 'https://api.example' }] })
    await app.register(healthPlugin, { database: async () => true, redis: () => 'disabled' })
    await app.register(metricsPlugin)
    const tools = { type: 'object', propertyNames: { pattern: '^[a-z]+$' }, additionalProperties: { type: 'integer' } }
    app.put<{ Body: { tools: Record<string, number> } }>(
      '/tools',
      {
        schema: {
          operationId: 'putTools',
          // A property that happens to be named like a keyword is data, never renamed.
          body: { type: 'object', properties: { tools, propertyNames: { type: 'string' } } },
        },
      },
      async (request) => request.body,
    )
    await app.ready()
    const doc = (await app.inject({ url: '/docs/json' })).json<{
      servers: unknown
      paths: Record<string, Record<string, any>>
    }>()
    t.same(doc.servers, [{ url: 'https://api.example' }])
    for (const path of ['/health/live', '/health/ready', '/metrics'])
      t.same(doc.paths[path]?.get.security, [], `${path} is public`)
    t.same(
      Object.keys(doc.paths['/health/live']?.get).filter((k) => k === 'operationId').length,
      1,
      'health routes carry an operationId',
    )
    const body = doc.paths['/tools']?.put.requestBody.content['application/json'].schema
    t.equal(doc.paths['/tools']?.put.operationId, 'putTools')
    t.same(body.properties.tools['x-propertyNames'], { pattern: '^[a-z]+$' })
    t.notOk('propertyNames' in body.properties.tools, 'no keyword OpenAPI 3.0 lacks')
    t.same(body.properties.propertyNames, { type: 'string' })
    // The route still validates with the keyword itself.
    const bad = await app.inject({ method: 'PUT', url: '/tools', payload: { tools: { 'Bad Name': 1 } } })
    t.equal(bad.statusCode, 400)

    const bare = Fastify({ logger: false })
    t.teardown(async () => await bare.close())
    await bare.register(openApiPlugin, { title: 'b', version: '1' })
    await bare.ready()
    t.same((await bare.inject({ url: '/docs/json' })).json<{ servers: unknown }>().servers, [
      { url: '/', description: 'the origin serving this document' },
    ])
  },
)
