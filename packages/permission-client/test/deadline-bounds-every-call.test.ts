import t from 'tap'
import { createPermissionClient } from '../src/client.js'
import { PermissionUndecidedError } from '../src/errors.js'
import { captureLogger, rejection, startStandInService } from './fixtures/stand-in-permission-service.js'

// Generous on purpose: a loaded 2-core box may stall timers; the hung service would take forever.
const SLACK_MS = 1500
const DEADLINE_MS = 200

async function timed(promise: Promise<unknown>): Promise<{ err: unknown; ms: number }> {
  const started = performance.now()
  const err = await rejection(promise)
  return { err, ms: performance.now() - started }
}

t.test('a service that hangs is undecided (timeout) by the deadline', async (t) => {
  const service = await startStandInService()
  const client = createPermissionClient({
    url: service.url,
    token: service.token,
    deadlineMs: DEADLINE_MS,
    logger: captureLogger().logger,
  })
  t.teardown(async () => {
    await client.close()
    await service.close()
  })
  service.behave({ kind: 'hang' })
  for (const call of [
    () => client.check(1, 2, 'roster'),
    () => client.checkMany([{ guildId: 1, bnetId: 2, tool: 'roster' }]),
  ]) {
    const { err, ms } = await timed(call())
    t.ok(err instanceof PermissionUndecidedError)
    t.equal((err as PermissionUndecidedError).reason, 'timeout')
    t.ok(ms >= DEADLINE_MS - 5, `not before the deadline (${ms.toFixed(0)} ms)`)
    t.ok(ms < DEADLINE_MS + SLACK_MS, `ends by the deadline + slack (${ms.toFixed(0)} ms)`)
  }
})

t.test('calls queued behind a full pool still end by their deadline', async (t) => {
  const service = await startStandInService()
  // One socket: the second and third calls wait in the pool's queue; their deadline counts from the call.
  const client = createPermissionClient({
    url: service.url,
    token: service.token,
    deadlineMs: DEADLINE_MS,
    connections: 1,
    // One request per check, so the second and third really queue.
    coalesce: false,
    logger: captureLogger().logger,
    breaker: { threshold: 100 },
  })
  t.teardown(async () => {
    await client.close()
    await service.close()
  })
  service.behave({ kind: 'hang' })
  const results = await Promise.all([1, 2, 3].map((b) => timed(client.check(1, b, 'roster'))))
  for (const { err, ms } of results) {
    t.equal((err as PermissionUndecidedError).reason, 'timeout')
    t.ok(ms < DEADLINE_MS + SLACK_MS, `queued call ended in ${ms.toFixed(0)} ms`)
  }
  t.ok(client.stats().pool.connected <= 1, 'never more sockets than allowed')

  // The pool recovers: aborted requests freed their socket.
  service.behave({ kind: 'answer' })
  service.allow(1, 9, 'roster')
  t.equal(await client.check(1, 9, 'roster'), true)
})

t.test('a deadline that passes while the body streams in is a timeout too', async (t) => {
  // The service sends headers at once and then stalls the body.
  const { createServer } = await import('node:http')
  const sockets = new Set<import('node:net').Socket>()
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' })
    res.write('{"has_access":')
  })
  server.on('connection', (s) => {
    sockets.add(s)
    s.on('close', () => sockets.delete(s))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  const port = typeof address === 'object' && address ? address.port : 0
  const client = createPermissionClient({
    url: `http://127.0.0.1:${port}`,
    token: 'x',
    deadlineMs: DEADLINE_MS,
    logger: captureLogger().logger,
  })
  t.teardown(async () => {
    await client.close()
    for (const s of sockets) s.destroy()
    await new Promise((resolve) => server.close(resolve))
  })
  const { err, ms } = await timed(client.check(1, 2, 'roster'))
  t.equal((err as PermissionUndecidedError).reason, 'timeout')
  t.ok(ms < DEADLINE_MS + SLACK_MS, `ended in ${ms.toFixed(0)} ms`)
})
