import { createServer, type Server } from 'node:net'
import { createServer as createHttpServer } from 'node:http'
import { freePort } from '@guild/testing'
import t from 'tap'
import { ReadyTimeoutError, waitUntilReady } from '../../src/launcher/wait-ready.js'

const listen = async (server: Server | ReturnType<typeof createHttpServer>): Promise<number> => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return (server.address() as { port: number }).port
}

t.test('tcp: resolves once something listens; times out naming the child and the last problem', async (t) => {
  const port = await freePort()
  await t.rejects(
    waitUntilReady('embedded-postgres', { kind: 'tcp', host: '127.0.0.1', port }, { timeoutMs: 300, intervalMs: 50 }),
    {
      name: 'ReadyTimeoutError',
      message: /^embedded-postgres did not answer within 0 s \(last: connect ECONNREFUSED/,
    },
  )
  const server = createServer((socket) => socket.end())
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())))
  setTimeout(() => server.listen(port, '127.0.0.1'), 150)
  await waitUntilReady(
    'embedded-postgres',
    { kind: 'tcp', host: '127.0.0.1', port },
    { timeoutMs: 5000, intervalMs: 50 },
  )
  t.pass('ready once listening')
})

t.test('http: 503 means not yet, 200 means ready, a 404 on the first URL falls back to the next', async (t) => {
  let readyStatus = 503
  const server = createHttpServer((req, res) => {
    if (req.url === '/health/ready') res.statusCode = readyStatus
    else if (req.url === '/health/live') res.statusCode = 200
    else res.statusCode = 404
    res.end('{}')
  })
  const port = await listen(server)
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())))
  const base = `http://127.0.0.1:${port}`
  const ready = { kind: 'http' as const, urls: [`${base}/health/ready`, `${base}/health/live`] }

  const err = await waitUntilReady('guild-api', ready, { timeoutMs: 200, intervalMs: 50 }).catch((e: unknown) => e)
  t.ok(err instanceof ReadyTimeoutError)
  t.match((err as Error).message, /GET .*\/health\/ready answered 503/)

  setTimeout(() => (readyStatus = 200), 100)
  await waitUntilReady('guild-api', ready, { timeoutMs: 5000, intervalMs: 50 })
  t.equal(readyStatus, 200)

  readyStatus = 404
  await waitUntilReady('guild-api', ready, { timeoutMs: 1000, intervalMs: 50 })
  t.pass('a service without /health/ready is judged by /health/live')

  await t.rejects(
    waitUntilReady('x', { kind: 'http', urls: [`${base}/a`, `${base}/b`] }, { timeoutMs: 100, intervalMs: 50 }),
    { message: /answered 404/ },
  )
})

t.test('an aborted signal stops the wait at once with its reason', async (t) => {
  const controller = new AbortController()
  const port = await freePort()
  setTimeout(() => controller.abort(new Error('guild-api exited before it was ready')), 100)
  const t0 = Date.now()
  await t.rejects(
    waitUntilReady(
      'guild-api',
      { kind: 'tcp', host: '127.0.0.1', port },
      { timeoutMs: 10_000, intervalMs: 1000, signal: controller.signal },
    ),
    { message: 'guild-api exited before it was ready' },
  )
  t.ok(Date.now() - t0 < 2000)
})
