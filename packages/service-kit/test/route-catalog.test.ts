import t from 'tap'
import Fastify from 'fastify'
import { openApiPlugin, routeCatalogPlugin } from '../src/index.js'

t.test('routeCatalog lists every route declared after it, one entry per method, hidden ones included', async (t) => {
  const app = Fastify({ logger: false })
  t.teardown(async () => await app.close())
  await app.register(routeCatalogPlugin)
  const params = { type: 'object', properties: { id: { type: 'string' } } }
  app.get('/things/:id', { schema: { params }, config: { tool: 'roster' } }, async () => ({}))
  app.route({ method: ['PUT', 'DELETE'], url: '/things/:id', bodyLimit: 10, handler: async () => ({}) })
  app.get('/hidden', { schema: { hide: true } }, async () => ({}))
  await app.register(
    async (child) => {
      child.post('/nested', async () => ({}))
    },
    { prefix: '/scope' },
  )
  await app.ready()

  const listed = app.routeCatalog.map((r) => `${r.method} ${r.url}`)
  t.same(listed, [
    'GET /things/:id',
    'HEAD /things/:id',
    'PUT /things/:id',
    'DELETE /things/:id',
    'GET /hidden',
    'HEAD /hidden',
    'POST /scope/nested',
  ])
  const get = app.routeCatalog[0]
  t.same(get?.schema?.params, params, 'the schema as declared')
  t.same(get?.config, { tool: 'roster' }, 'the config as declared')
  t.equal(app.routeCatalog.find((r) => r.method === 'PUT')?.bodyLimit, 10)
  t.equal(get?.bodyLimit, undefined, 'no route limit: the server one applies')
})

t.test('openApiPlugin brings the catalog along, and registering both keeps one catalog', async (t) => {
  const app = Fastify({ logger: false })
  t.teardown(async () => await app.close())
  await app.register(openApiPlugin, { title: 'x', version: '1.0.0' })
  await app.register(routeCatalogPlugin)
  app.get('/v1/check', async () => ({}))
  await app.ready()
  const urls = app.routeCatalog.map((r) => `${r.method} ${r.url}`)
  t.ok(urls.includes('GET /v1/check'))
  t.ok(urls.includes('GET /docs/json'), "the docs' own routes are there too")
  t.equal(urls.filter((u) => u === 'GET /v1/check').length, 1, 'each route once')
})
