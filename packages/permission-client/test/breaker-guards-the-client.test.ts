import t from 'tap'
import { createPermissionClient } from '../src/client.js'
import { PermissionUndecidedError } from '../src/errors.js'
import { captureLogger, rejection, startStandInService } from './fixtures/stand-in-permission-service.js'

async function reason(promise: Promise<unknown>): Promise<string | undefined> {
  const err = await rejection(promise)
  return err instanceof PermissionUndecidedError ? err.reason : `not undecided: ${String(err)}`
}

t.test(
  'the breaker opens after N undecided calls, answers at once while open, then half-opens and recovers',
  async (t) => {
    const service = await startStandInService()
    const { logger, logs } = captureLogger()
    let now = 1_000_000
    const client = createPermissionClient({
      url: service.url,
      token: service.token,
      deadlineMs: 2000,
      logger,
      breaker: { threshold: 3, resetMs: 10_000, now: () => now },
    })
    t.teardown(async () => {
      await client.close()
      await service.close()
    })
    service.allow(1, 2, 'roster')
    service.behave({ kind: 'status', status: 503 })

    for (let i = 0; i < 3; i++) t.equal(await reason(client.check(1, 2, 'roster')), 'server-error')
    t.equal(client.stats().breaker, 'open')
    t.equal(service.requests.length, 3)

    // Open: no request reaches the service, batch calls included.
    t.equal(await reason(client.check(1, 2, 'roster')), 'circuit-open')
    t.equal(await reason(client.checkMany([{ guildId: 1, bnetId: 2, tool: 'roster' }])), 'circuit-open')
    t.equal(service.requests.length, 3, 'nothing sent while open')

    // Half-open with the service still failing: the single trial reopens it.
    now += 10_000
    t.equal(await reason(client.check(1, 2, 'roster')), 'server-error')
    t.equal(service.requests.length, 4, 'exactly one trial call')
    t.equal(await reason(client.check(1, 2, 'roster')), 'circuit-open')

    // Half-open with the service healthy: the trial closes it and answers flow again.
    service.behave({ kind: 'answer' })
    now += 10_000
    t.equal(await client.check(1, 2, 'roster'), true)
    t.equal(client.stats().breaker, 'closed')
    t.equal(await client.check(1, 2, 'sync'), false)
    t.same(
      logs.filter((l) => l.level === 'warn').map((l) => (l.obj as { to: string }).to),
      ['open', 'half-open', 'open', 'half-open', 'closed'],
      'each state change is logged',
    )
  },
)

t.test('denied answers and input errors never open the breaker', async (t) => {
  const service = await startStandInService()
  const client = createPermissionClient({
    url: service.url,
    token: service.token,
    deadlineMs: 2000,
    logger: captureLogger().logger,
    breaker: { threshold: 2, resetMs: 60_000 },
  })
  t.teardown(async () => {
    await client.close()
    await service.close()
  })
  for (let i = 0; i < 5; i++) t.equal(await client.check(1, 2, 'roster'), false)
  for (let i = 0; i < 5; i++) await t.rejects(client.check(0, 2, 'roster'))
  t.equal(client.stats().breaker, 'closed')
  t.equal(client.stats().consecutiveFailures, 0)
})
