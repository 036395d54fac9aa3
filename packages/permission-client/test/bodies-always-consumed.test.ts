import t from 'tap'
import { createPermissionClient } from '../src/client.js'
import { PermissionUndecidedError } from '../src/errors.js'
import {
  captureLogger,
  rejection,
  startStandInService,
  type Behaviour,
} from './fixtures/stand-in-permission-service.js'

t.test('error and garbage bodies are consumed: sockets are reused, never stuck', async (t) => {
  const service = await startStandInService()
  const client = createPermissionClient({
    url: service.url,
    token: service.token,
    deadlineMs: 5000,
    connections: 2,
    logger: captureLogger().logger,
    breaker: { threshold: 1000 },
  })
  t.teardown(async () => {
    await client.close()
    await service.close()
  })
  service.allow(3, 4, 'roster')

  // The error bodies are bigger than undici's 64 KiB buffer: were one left unread, its socket
  // would stay busy, and with two sockets the third such call would queue into a timeout.
  const pad = 100 * 1024
  const failures: Behaviour[] = [
    { kind: 'status', status: 503, padBytes: pad },
    { kind: 'status', status: 401, padBytes: pad },
    { kind: 'status', status: 500, padBytes: pad },
    { kind: 'body', body: '{"has_access": "maybe"}' },
  ]
  for (let round = 0; round < 10; round++) {
    for (const behaviour of failures) {
      service.behave(behaviour, 1)
      const err = await rejection(client.check(3, 4, 'roster'))
      t.not((err as PermissionUndecidedError).reason, 'timeout')
    }
    t.equal(await client.check(3, 4, 'roster'), true)
  }
  t.equal(service.requests.length, 50)
  t.ok(service.connections().total <= 2, `keep-alive reuse: ${service.connections().total} connection(s) for 50 calls`)
  const stats = client.stats().pool
  t.ok(stats.connected <= 2, 'pool never exceeds its connections')
  t.equal(stats.running, 0, 'nothing left running')
  t.equal(stats.pending, 0, 'nothing left pending')
})

t.test('concurrent calls stay within the pool and all complete', async (t) => {
  const service = await startStandInService()
  const client = createPermissionClient({
    url: service.url,
    token: service.token,
    deadlineMs: 10_000,
    connections: 4,
    // One request per check, so the pool has 100 to juggle.
    coalesce: false,
    logger: captureLogger().logger,
  })
  t.teardown(async () => {
    await client.close()
    await service.close()
  })
  for (let b = 1; b <= 100; b += 2) service.allow(1, b, 'roster')
  const answers = await Promise.all(Array.from({ length: 100 }, (_, i) => client.check(1, i + 1, 'roster')))
  t.same(
    answers,
    Array.from({ length: 100 }, (_, i) => (i + 1) % 2 === 1),
  )
  t.ok(service.connections().total <= 4, `${service.connections().total} connection(s)`)
  t.equal(client.stats().pool.size, 0)
})

t.test('a 200 whose body passes the 1 MiB an answer may have is undecided, and the pool carries on', async (t) => {
  const service = await startStandInService()
  const client = createPermissionClient({
    url: service.url,
    token: service.token,
    deadlineMs: 5000,
    connections: 1,
    logger: captureLogger().logger,
  })
  t.teardown(async () => {
    await client.close()
    await service.close()
  })
  service.allow(3, 4, 'roster')
  service.behave({ kind: 'body', body: `{"has_access":true,"pad":"${'x'.repeat(2 * 1024 * 1024)}"}` }, 1)
  const err = await rejection(client.check(3, 4, 'roster'))
  t.equal((err as PermissionUndecidedError).reason, 'malformed-answer', 'never read as an allow')
  t.equal(await client.check(3, 4, 'roster'), true, 'the next call is answered (the aborted socket was replaced)')
})
