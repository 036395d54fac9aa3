import t from 'tap'
import { Writable } from 'node:stream'
import Fastify, { type FastifyBaseLogger } from 'fastify'

/** What pino's loggers (and the lazy ones) offer beyond Fastify's base type. */
type Logger = FastifyBaseLogger & { isLevelEnabled(level: string): boolean }
import { lazyChildLoggers, loggerOptions } from '../src/index.js'

function captured() {
  const lines: Record<string, unknown>[] = []
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n'))
        if (line !== '') lines.push(JSON.parse(line) as Record<string, unknown>)
      done()
    },
  })
  return { lines, stream }
}

/** An app whose root logger counts the pino children it really makes. */
async function app(level = 'info') {
  const { lines, stream } = captured()
  const fastify = Fastify({ logger: { ...loggerOptions(level), stream } })
  type Child = (this: unknown, ...args: unknown[]) => FastifyBaseLogger
  const root = fastify.log as unknown as { child: Child }
  const pinoChild = root.child
  const made = { count: 0 }
  root.child = function (this: unknown, ...args: unknown[]) {
    made.count++
    return pinoChild.apply(this, args)
  }
  lazyChildLoggers(fastify.log)
  fastify.get('/quiet', { logLevel: 'warn' }, async (request) => {
    request.log.info('not at this level')
    return { ok: true }
  })
  fastify.get('/warns', { logLevel: 'warn' }, async (request) => {
    request.log.warn({ detail: 1 }, 'something odd')
    return { ok: true }
  })
  fastify.get('/talks', async (request) => {
    request.log.info('handled')
    return { ok: true }
  })
  await fastify.ready()
  return { fastify, lines, made }
}

t.test('a request that logs nothing makes no pino child', async (t) => {
  const { fastify, lines, made } = await app()
  t.teardown(() => fastify.close())
  for (let i = 0; i < 5; i++) t.equal((await fastify.inject('/quiet')).statusCode, 200)
  t.equal(made.count, 0, 'no child was made for five quiet requests')
  t.same(lines, [], 'nothing was logged: info is below the route level')
})

t.test('a request that logs gets one child, bound to its request id, at its route level', async (t) => {
  const { fastify, lines, made } = await app()
  t.teardown(() => fastify.close())
  await fastify.inject('/warns')
  t.equal(made.count, 1)
  const warn = lines.find((l) => l.msg === 'something odd')
  t.equal(warn?.level, 40)
  t.match(warn?.reqId, /^req-/, 'the line carries the request id')
  t.equal(warn?.detail, 1)
  t.notOk(
    lines.some((l) => l.msg === 'incoming request'),
    'request logging follows the route level (warn)',
  )

  lines.length = 0
  await fastify.inject('/talks')
  const reqIds = new Set(lines.map((l) => l.reqId))
  t.same(
    lines.map((l) => l.msg),
    ['incoming request', 'handled', 'request completed'],
  )
  t.equal(reqIds.size, 1, 'every line of one request carries the same id')
  t.notOk(reqIds.has(warn?.reqId), 'and it is not the earlier request’s')
})

t.test('children of the root stay full loggers: bindings, levels, children of their own', async (t) => {
  const { fastify, lines } = await app()
  t.teardown(() => fastify.close())
  const component = fastify.log.child({ component: 'cache' }) as Logger
  t.equal(component.level, 'info', 'a child reads its level from the root until it has its own')
  t.equal(component.isLevelEnabled('debug'), false)
  component.debug('hidden')
  component.info('shown')
  component.level = 'debug'
  component.debug('now shown')
  component.child({ part: 'bus' }).warn('nested')
  fastify.log.level = 'error'
  fastify.log.child({ component: 'late' }).warn('below the root level now')

  t.same(
    lines.map((l) => [l.msg, l.component, l.part]),
    [
      ['shown', 'cache', undefined],
      ['now shown', 'cache', undefined],
      ['nested', 'cache', 'bus'],
    ],
  )
})

t.test('a silent child enables nothing', async (t) => {
  const { fastify, lines } = await app()
  t.teardown(() => fastify.close())
  const silent = fastify.log.child({}, { level: 'silent' }) as Logger
  t.equal(silent.isLevelEnabled('fatal'), false)
  silent.fatal('never')
  ;(silent.silent as () => void)()
  t.same(lines, [])
})
