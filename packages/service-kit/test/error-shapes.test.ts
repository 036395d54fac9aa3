import t from 'tap'
import { Writable } from 'node:stream'
import Fastify, { type FastifyInstance, type InjectOptions } from 'fastify'
import { errorHandlerPlugin, GENERIC_SERVER_ERROR_MESSAGE, HttpError, httpError, toErrorBody } from '../src/index.js'

function captureStream() {
  const lines: Array<Record<string, any>> = []
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const l of chunk.toString('utf8').split('\n')) if (l !== '') lines.push(JSON.parse(l) as Record<string, any>)
      done()
    },
  })
  return { lines, stream }
}

async function buildApp(): Promise<{ app: FastifyInstance; lines: Array<Record<string, any>> }> {
  const { lines, stream } = captureStream()
  const app = Fastify({ logger: { level: 'info', stream }, bodyLimit: 1024 })
  await app.register(errorHandlerPlugin)
  app.post(
    '/guilds',
    {
      schema: {
        body: {
          type: 'object',
          required: ['realm', 'name'],
          properties: { realm: { type: 'string' }, name: { type: 'string', minLength: 2 } },
        },
      },
    },
    async (request, reply) => reply.code(201).send(request.body),
  )
  app.get(
    '/guilds/:guild_id',
    { schema: { params: { type: 'object', properties: { guild_id: { type: 'integer', minimum: 1 } } } } },
    async () => ({}),
  )
  app.get('/plain-error', async () => {
    throw new Error('connect ECONNREFUSED 10.1.2.3:5432 password=hunter2')
  })
  app.get('/not-an-error', async () => {
    // eslint-disable-next-line @typescript-eslint/only-throw-error
    throw 'a string'
  })
  app.get('/conflict', async () => {
    throw httpError(409, 'guild 9001 is registered already')
  })
  app.get('/unavailable', async () => {
    throw httpError(503, 'permission check unavailable', { headers: { 'retry-after': '1' } })
  })
  app.get('/teapot', async () => {
    throw Object.assign(new Error('short and stout'), { statusCode: 418 })
  })
  app.get('/library-502', async () => {
    throw Object.assign(new Error('upstream said: internal detail'), { statusCode: 502 })
  })
  app.get('/weird-status', async () => {
    throw Object.assign(new Error('odd'), { statusCode: 200 })
  })
  app.get('/rate-limited', async () => {
    throw Object.assign(new Error('slow down'), { statusCode: 429, headers: { 'retry-after': '5' } })
  })
  await app.ready()
  return { app, lines }
}

t.test('every error answers JSON {statusCode, error, message}', async (t) => {
  const { app, lines } = await buildApp()
  t.teardown(async () => await app.close())

  const cases: Array<{ name: string; inject: InjectOptions; status: number; message: RegExp }> = [
    {
      name: 'validation names the missing field',
      inject: { method: 'POST', url: '/guilds', payload: { realm: 'area-52' } },
      status: 400,
      message: /body must have required property 'name'/,
    },
    {
      name: 'validation names the bad field',
      inject: { method: 'POST', url: '/guilds', payload: { realm: 'area-52', name: 'x' } },
      status: 400,
      message: /body\/name must NOT have fewer than 2 characters/,
    },
    { name: 'bad param', inject: { url: '/guilds/abc' }, status: 400, message: /params\/guild_id must be integer/ },
    {
      name: 'invalid JSON',
      inject: { method: 'POST', url: '/guilds', payload: '{"realm":', headers: { 'content-type': 'application/json' } },
      status: 400,
      message: /JSON/i,
    },
    {
      name: 'body too large',
      inject: { method: 'POST', url: '/guilds', payload: { realm: 'x'.repeat(2000), name: 'ab' } },
      status: 413,
      message: /too large/i,
    },
    {
      name: 'unsupported media type',
      inject: { method: 'POST', url: '/guilds', payload: '<guild/>', headers: { 'content-type': 'application/xml' } },
      status: 415,
      message: /media type/i,
    },
    {
      name: 'unknown route',
      inject: { url: '/nowhere?code=secret-code' },
      status: 404,
      message: /^Route GET:\/nowhere not found$/,
    },
    { name: 'httpError 409', inject: { url: '/conflict' }, status: 409, message: /^guild 9001 is registered already$/ },
    {
      name: 'httpError 503 keeps its message',
      inject: { url: '/unavailable' },
      status: 503,
      message: /^permission check unavailable$/,
    },
    { name: 'a 4xx statusCode is kept', inject: { url: '/teapot' }, status: 418, message: /^short and stout$/ },
    {
      name: 'a plain Error is a generic 500',
      inject: { url: '/plain-error' },
      status: 500,
      message: /^an unexpected error/,
    },
    {
      name: 'a thrown non-error is a generic 500',
      inject: { url: '/not-an-error' },
      status: 500,
      message: /^an unexpected error/,
    },
    {
      name: 'a 5xx from a library hides its message',
      inject: { url: '/library-502' },
      status: 502,
      message: /^an unexpected error/,
    },
    {
      name: 'a nonsense statusCode is a 500',
      inject: { url: '/weird-status' },
      status: 500,
      message: /^an unexpected error/,
    },
  ]
  for (const c of cases) {
    const res = await app.inject(c.inject)
    t.equal(res.statusCode, c.status, `${c.name}: status`)
    t.match(res.headers['content-type'], /^application\/json/, `${c.name}: JSON`)
    const body = res.json<Record<string, unknown>>()
    t.same(Object.keys(body).sort(), ['error', 'message', 'statusCode'], `${c.name}: exactly the three fields`)
    t.equal(body.statusCode, c.status, `${c.name}: statusCode field`)
    t.type(body.error, 'string')
    t.match(body.message, c.message, `${c.name}: message`)
  }

  const plain = await app.inject({ url: '/plain-error' })
  t.same(plain.json(), { statusCode: 500, error: 'Internal Server Error', message: GENERIC_SERVER_ERROR_MESSAGE })
  t.notOk(plain.body.includes('hunter2') || plain.body.includes('10.1.2.3'), 'no internals leak to the client')
  const logged = lines.find((l) => l.err?.message?.includes('ECONNREFUSED'))
  t.ok(logged, 'the 500 is logged')
  t.equal(logged?.level, 50, 'at error level')
  t.match(logged?.err.stack, /plain-error|error-shapes/, 'with its stack')

  t.equal((await app.inject({ url: '/unavailable' })).headers['retry-after'], '1', 'httpError headers are sent')
  t.equal((await app.inject({ url: '/rate-limited' })).headers['retry-after'], '5', 'a 4xx error’s headers are sent')
  t.same((await app.inject({ url: '/conflict' })).json(), {
    statusCode: 409,
    error: 'Conflict',
    message: 'guild 9001 is registered already',
  })
})

t.test('httpError only takes error statuses', async (t) => {
  t.throws(() => httpError(200, 'fine'), TypeError)
  t.throws(() => httpError(600, 'odd'), TypeError)
  t.throws(() => httpError(404.5, 'odd'), TypeError)
  const cause = new Error('root')
  const err = httpError(404, 'guild 1 not found', { cause })
  t.ok(err instanceof HttpError && err instanceof Error)
  t.equal(err.statusCode, 404)
  t.equal(err.cause, cause)
})

t.test('toErrorBody copes with anything thrown', async (t) => {
  t.same(toErrorBody(null).body, {
    statusCode: 500,
    error: 'Internal Server Error',
    message: GENERIC_SERVER_ERROR_MESSAGE,
  })
  t.same(toErrorBody({ statusCode: 404 }).body, { statusCode: 404, error: 'Not Found', message: '' })
  t.same(
    toErrorBody({ statusCode: 499, message: 'client closed' }).body.error,
    'Error',
    'an unnamed status still has an error field',
  )
})
