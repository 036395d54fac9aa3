import t, { type Test } from 'tap'
import { freePort } from '@guild/testing'
import { createPermissionClient } from '../src/client.js'
import { PermissionUndecidedError, type UndecidedReason } from '../src/errors.js'
import {
  captureLogger,
  rejection,
  startStandInService,
  type Behaviour,
} from './fixtures/stand-in-permission-service.js'

async function undecidedReason(t: Test, promise: Promise<unknown>): Promise<UndecidedReason | undefined> {
  const err = await rejection(promise)
  t.ok(err instanceof PermissionUndecidedError, 'a PermissionUndecidedError')
  t.equal((err as PermissionUndecidedError).statusCode, 503)
  return (err as PermissionUndecidedError).reason
}

t.test('anything but a clean 200 with a boolean has_access is undecided', async (t) => {
  const service = await startStandInService()
  const { logger } = captureLogger()
  // A high threshold: this test is about the mapping, the breaker has its own.
  const client = createPermissionClient({
    url: service.url,
    token: service.token,
    deadlineMs: 2000,
    logger,
    breaker: { threshold: 100 },
  })
  t.teardown(async () => {
    await client.close()
    await service.close()
  })
  service.allow(1, 2, 'roster')

  const cases: Array<[Behaviour, UndecidedReason]> = [
    [{ kind: 'status', status: 503 }, 'server-error'],
    [{ kind: 'status', status: 500 }, 'server-error'],
    [{ kind: 'status', status: 404 }, 'server-error'],
    [{ kind: 'status', status: 400 }, 'rejected'],
    [{ kind: 'status', status: 403 }, 'unauthorized'],
    [{ kind: 'body', body: 'not json at all' }, 'malformed-answer'],
    [{ kind: 'body', body: '{"has_access":"true"}' }, 'malformed-answer'],
    [{ kind: 'body', body: '{"has_access":1}' }, 'malformed-answer'],
    [{ kind: 'body', body: '{"allowed":true}' }, 'malformed-answer'],
    [{ kind: 'body', body: '[true]' }, 'malformed-answer'],
    [{ kind: 'body', body: '' }, 'malformed-answer'],
  ]
  for (const [behaviour, reason] of cases) {
    service.behave(behaviour, 1)
    t.equal(await undecidedReason(t, client.check(1, 2, 'roster')), reason, JSON.stringify(behaviour))
  }
  t.equal(await client.check(1, 2, 'roster'), true, 'the same question answers once the service is healthy')
})

t.test('a 401 (wrong SERVICE_TOKEN) is undecided and logged loudly without the token', async (t) => {
  const service = await startStandInService('the-right-token')
  const { logger, logs } = captureLogger()
  const client = createPermissionClient({ url: service.url, token: 'a-wrong-token', deadlineMs: 2000, logger })
  t.teardown(async () => {
    await client.close()
    await service.close()
  })
  service.allow(1, 2, 'roster')
  t.equal(await undecidedReason(t, client.check(1, 2, 'roster')), 'unauthorized')
  t.equal(await undecidedReason(t, client.checkMany([{ guildId: 1, bnetId: 2, tool: 'roster' }])), 'unauthorized')
  const errors = logs.filter((l) => l.level === 'error')
  t.equal(errors.length, 2)
  t.match(errors[0]?.msg, /SERVICE_TOKEN/)
  t.notMatch(JSON.stringify(logs), /a-wrong-token/, 'the secret is never logged')
})

t.test('connection refused is undecided at once, not after the deadline', async (t) => {
  const port = await freePort()
  const { logger } = captureLogger()
  // A long deadline: were the refusal not seen, the reason would be 'timeout'.
  const client = createPermissionClient({ url: `http://127.0.0.1:${port}`, token: 'x', deadlineMs: 20_000, logger })
  t.teardown(() => client.close())
  t.equal(await undecidedReason(t, client.check(1, 2, 'roster')), 'unreachable')
  t.equal(await undecidedReason(t, client.checkMany([{ guildId: 1, bnetId: 2, tool: 'roster' }])), 'unreachable')
})

t.test('a service that drops the socket once is retried once on a fresh socket', async (t) => {
  const service = await startStandInService()
  const client = createPermissionClient({
    url: service.url,
    token: service.token,
    deadlineMs: 5000,
    logger: captureLogger().logger,
  })
  t.teardown(async () => {
    await client.close()
    await service.close()
  })
  service.allow(1, 2, 'roster')
  service.behave({ kind: 'destroy' }, 1)
  t.equal(await client.check(1, 2, 'roster'), true)
  t.equal(service.requests.length, 2, 'one dropped, one answered')
})

t.test('a service that keeps dropping sockets is unreachable after one retry', async (t) => {
  const service = await startStandInService()
  const client = createPermissionClient({
    url: service.url,
    token: service.token,
    deadlineMs: 5000,
    logger: captureLogger().logger,
  })
  t.teardown(async () => {
    await client.close()
    await service.close()
  })
  service.behave({ kind: 'destroy' })
  t.equal(await undecidedReason(t, client.check(1, 2, 'roster')), 'unreachable')
  t.equal(service.requests.length, 2)
})

t.test('a closed client answers undecided, never allowed', async (t) => {
  const service = await startStandInService()
  const client = createPermissionClient({ url: service.url, token: service.token, logger: captureLogger().logger })
  t.teardown(() => service.close())
  service.allow(1, 2, 'roster')
  await client.close()
  await client.close()
  t.equal(await undecidedReason(t, client.check(1, 2, 'roster')), 'closed')
  t.equal(service.requests.length, 0)
})
