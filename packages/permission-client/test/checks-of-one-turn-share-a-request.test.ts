import t, { type Test } from 'tap'
import { createPermissionClient, type PermissionClientOptions, type PermissionResultEvent } from '../src/client.js'
import { PermissionUndecidedError } from '../src/errors.js'
import {
  captureLogger,
  rejection,
  startStandInService,
  type StandInService,
} from './fixtures/stand-in-permission-service.js'

async function setup(
  t: Test,
  extra: Partial<PermissionClientOptions> = {},
): Promise<{
  service: StandInService
  client: ReturnType<typeof createPermissionClient>
  events: PermissionResultEvent[]
}> {
  const service = await startStandInService()
  const events: PermissionResultEvent[] = []
  const client = createPermissionClient({
    url: service.url,
    token: service.token,
    logger: captureLogger().logger,
    onResult: (e) => events.push(e),
    ...extra,
  })
  t.teardown(async () => {
    await client.close()
    await service.close()
  })
  return { service, client, events }
}

async function until(condition: () => boolean): Promise<void> {
  const give = Date.now() + 5_000
  while (!condition()) {
    if (Date.now() > give) throw new Error('timed out waiting')
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}

t.test('distinct checks asked in one turn go out as one batch, each caller gets its own answer', async (t) => {
  const { service, client, events } = await setup(t)
  service.allow(1, 2, 'roster')
  service.allow(1, 4, 'sync')
  const answers = await Promise.all([
    client.check(1, 2, 'roster'),
    client.check(1, 3, 'roster'),
    client.check(1, 4, 'sync'),
    client.check(1, 4, 'roster'),
  ])
  t.same(answers, [true, false, true, false])
  t.equal(service.requests.length, 1, 'one request for four checks')
  t.equal(service.requests[0]?.method, 'POST')
  t.equal(service.requests[0]?.url, '/v1/check/batch')
  t.same(service.requests[0]?.body, {
    checks: [
      { guild_id: 1, bnet_id: 2, tool: 'roster' },
      { guild_id: 1, bnet_id: 3, tool: 'roster' },
      { guild_id: 1, bnet_id: 4, tool: 'sync' },
      { guild_id: 1, bnet_id: 4, tool: 'roster' },
    ],
  })
  // Metrics still count checks, one event each, as single checks.
  t.equal(events.length, 4)
  t.ok(events.every((e) => e.op === 'check' && e.items === 1))
  t.equal(events.filter((e) => e.allowed === 1).length, 2)
  t.equal(events.filter((e) => e.denied === 1).length, 2)
})

t.test('identical checks in one turn share one GET and its answer', async (t) => {
  const { service, client } = await setup(t)
  service.allow(7, 8, 'roster')
  const answers = await Promise.all(Array.from({ length: 5 }, () => client.check(7, 8, 'roster')))
  t.same(answers, [true, true, true, true, true])
  t.equal(service.requests.length, 1)
  t.equal(service.requests[0]?.method, 'GET')
  t.match(service.requests[0]?.url, /^\/v1\/check\?guild_id=7&bnet_id=8&tool=roster$/)
})

t.test('a check asked after its group left is never answered from it', async (t) => {
  const { service, client } = await setup(t)
  // The first group is held at the service; a grant lands while it is in flight.
  service.behave({ kind: 'hang' }, 1)
  const first = client.check(1, 2, 'roster')
  await until(() => service.requests.length === 1)
  service.allow(1, 2, 'roster')
  // Same check, asked after the first was sent: it must get an answer of its own, made after it asked.
  const second = await client.check(1, 2, 'roster')
  t.equal(second, true, 'the later caller sees the grant')
  t.equal(service.requests.length, 2, 'it went out on its own')
  t.equal(service.requests[1]?.method, 'GET')
  t.equal(((await rejection(first)) as PermissionUndecidedError).reason, 'timeout')
})

t.test('a failed group leaves every caller in it undecided, never allowed', async (t) => {
  const { service, client, events } = await setup(t)
  service.allow(1, 2, 'roster')
  service.behave({ kind: 'body', body: '{"results":[{"has_access":true}]}' }, 1)
  const settled = await Promise.allSettled([client.check(1, 2, 'roster'), client.check(1, 3, 'roster')])
  for (const s of settled) {
    t.equal(s.status, 'rejected')
    const err = (s as PromiseRejectedResult).reason as PermissionUndecidedError
    t.ok(err instanceof PermissionUndecidedError)
    t.equal(err.reason, 'malformed-answer', 'one result for two checks is no answer')
  }
  t.equal(events.length, 2)
  t.ok(events.every((e) => e.undecided === 'malformed-answer' && e.allowed === 0))
  // The next turn is a fresh group and is answered normally.
  t.same(await Promise.all([client.check(1, 2, 'roster'), client.check(1, 3, 'roster')]), [true, false])
})

t.test('more than 100 distinct checks in a turn go out in batches of at most 100', async (t) => {
  const { service, client } = await setup(t)
  for (let b = 1; b <= 250; b += 3) service.allow(5, b, 'roster')
  const answers = await Promise.all(Array.from({ length: 250 }, (_, i) => client.check(5, i + 1, 'roster')))
  t.same(
    answers,
    Array.from({ length: 250 }, (_, i) => i % 3 === 0),
  )
  const sizes = service.requests.map((r) => (r.body as { checks: unknown[] }).checks.length).sort((a, b) => b - a)
  t.same(sizes, [100, 100, 50])
})

t.test('a group waits no longer than its oldest caller’s deadline', async (t) => {
  const deadlineMs = 200
  const { service, client } = await setup(t, { deadlineMs })
  service.behave({ kind: 'hang' })
  const started = performance.now()
  const errors = await Promise.all([rejection(client.check(1, 2, 'roster')), rejection(client.check(1, 3, 'roster'))])
  const ms = performance.now() - started
  for (const err of errors) t.equal((err as PermissionUndecidedError).reason, 'timeout')
  t.ok(ms >= deadlineMs - 5 && ms < deadlineMs + 1_500, `settled in ${ms.toFixed(0)} ms`)
})

t.test('coalesce: false sends one GET per check', async (t) => {
  const { service, client } = await setup(t, { coalesce: false })
  service.allow(1, 2, 'roster')
  t.same(
    await Promise.all([client.check(1, 2, 'roster'), client.check(1, 3, 'roster'), client.check(1, 2, 'roster')]),
    [true, false, true],
  )
  t.equal(service.requests.length, 3)
  t.ok(service.requests.every((r) => r.method === 'GET'))
})

t.test('a client closed with a group pending answers it undecided (closed)', async (t) => {
  const { service, client } = await setup(t)
  service.allow(1, 2, 'roster')
  const pending = client.check(1, 2, 'roster')
  await client.close()
  t.equal(((await rejection(pending)) as PermissionUndecidedError).reason, 'closed')
  t.equal(service.requests.length, 0, 'nothing was sent')
})

t.test(
  'a batch the service cannot decide (503) is asked again item by item: ' +
    'one undecidable check fails only its own callers',
  async (t) => {
    const { service, client } = await setup(t)
    service.allow(1, 2, 'roster')
    // The batch and then one of the two single checks get 503, the way permission-service answers a
    // check it cannot decide (its database down and the answer not cached).
    service.behave({ kind: 'status', status: 503 }, 2)
    const settled = await Promise.allSettled([client.check(1, 2, 'roster'), client.check(1, 3, 'roster')])
    t.same(
      service.requests.map((r) => r.method),
      ['POST', 'GET', 'GET'],
    )
    const rejected = settled.filter((s): s is PromiseRejectedResult => s.status === 'rejected')
    const fulfilled = settled.filter((s): s is PromiseFulfilledResult<boolean> => s.status === 'fulfilled')
    t.equal(rejected.length, 1, 'the check that got 503 alone is undecided')
    t.equal((rejected[0]?.reason as PermissionUndecidedError).reason, 'server-error')
    t.equal(fulfilled.length, 1, 'the other got its answer')
    const answeredIndex = settled.findIndex((s) => s.status === 'fulfilled')
    t.equal(fulfilled[0]?.value, answeredIndex === 0, 'and it is the right one (1:2 allowed, 1:3 not)')
  },
)

t.test('a group that cannot reach the service is not asked again item by item', async (t) => {
  const { service, client } = await setup(t, { deadlineMs: 150 })
  service.behave({ kind: 'hang' })
  const errors = await Promise.all([rejection(client.check(1, 2, 'roster')), rejection(client.check(1, 3, 'roster'))])
  for (const err of errors) t.equal((err as PermissionUndecidedError).reason, 'timeout')
  t.equal(service.requests.length, 1, 'one batch, no retries past the deadline')
})
