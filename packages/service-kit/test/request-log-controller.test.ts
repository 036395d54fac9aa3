import t from 'tap'
import { Writable } from 'node:stream'
import Fastify from 'fastify'
import { errorHandlerPlugin, lazyChildLoggers, loggerOptions, RequestLogController } from '../src/index.js'

async function app(level: string) {
  const lines: Record<string, unknown>[] = []
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n'))
        if (line !== '') lines.push(JSON.parse(line) as Record<string, unknown>)
      done()
    },
  })
  const fastify = Fastify({ logger: { ...loggerOptions(level), stream }, logController: new RequestLogController() })
  lazyChildLoggers(fastify.log)
  await fastify.register(errorHandlerPlugin)
  fastify.get('/check', { logLevel: 'warn' }, async () => ({ ok: true }))
  fastify.get('/page', async () => ({ ok: true }))
  fastify.get('/broken', { logLevel: 'warn' }, async () => {
    throw new Error('kaput')
  })
  await fastify.ready()
  return { fastify, lines }
}

t.test('a route at warn writes no request lines; a route at info writes both', async (t) => {
  const { fastify, lines } = await app('info')
  t.teardown(() => fastify.close())
  t.equal((await fastify.inject('/check')).statusCode, 200)
  t.same(lines, [], 'nothing for the quiet route')
  t.equal((await fastify.inject('/page')).statusCode, 200)
  t.same(
    lines.map((l) => l.msg),
    ['incoming request', 'request completed'],
  )
  t.equal(
    lines[1]?.res && (lines[1].res as { statusCode: number }).statusCode,
    200,
    'the completed line is Fastify’s own, status and all',
  )
  t.type(lines[1]?.responseTime, 'number')
})

t.test('a service at LOG_LEVEL=warn writes no request lines anywhere', async (t) => {
  const { fastify, lines } = await app('warn')
  t.teardown(() => fastify.close())
  await fastify.inject('/page')
  await fastify.inject('/check')
  t.same(lines, [])
})

t.test('a failing request on a quiet route is still logged as an error', async (t) => {
  const { fastify, lines } = await app('info')
  t.teardown(() => fastify.close())
  t.equal((await fastify.inject('/broken')).statusCode, 500)
  const errors = lines.filter((l) => (l.level as number) >= 50)
  t.ok(errors.length >= 1, `an error line was written (${lines.map((l) => l.msg).join(', ')})`)
  t.notOk(
    lines.some((l) => l.msg === 'incoming request'),
    'but no request lines',
  )
})
