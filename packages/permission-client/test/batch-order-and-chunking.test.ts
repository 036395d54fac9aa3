import t from 'tap'
import { BATCH_LIMIT, createPermissionClient } from '../src/client.js'
import { PermissionUndecidedError } from '../src/errors.js'
import type { CheckItem } from '../src/validate.js'
import { captureLogger, rejection, startStandInService } from './fixtures/stand-in-permission-service.js'

t.test('checkMany answers in request order, one batch call for up to 100 items', async (t) => {
  const service = await startStandInService()
  const client = createPermissionClient({
    url: service.url,
    token: service.token,
    deadlineMs: 2000,
    logger: captureLogger().logger,
  })
  t.teardown(async () => {
    await client.close()
    await service.close()
  })
  service.allow(1, 10, 'roster')
  service.allow(1, 10, 'progress')
  const items: CheckItem[] = [
    { guildId: 1, bnetId: 10, tool: 'roster' },
    { guildId: 1, bnetId: 10, tool: 'settings' },
    { guildId: 1, bnetId: 10, tool: 'progress' },
    { guildId: 2, bnetId: 10, tool: 'roster' },
  ]
  t.same(await client.checkMany(items), [true, false, true, false])
  t.equal(service.requests.length, 1)
  const sent = service.requests[0]
  t.equal(sent?.method, 'POST')
  t.equal(sent?.url, '/v1/check/batch')
  t.equal(sent?.authorization, `Bearer ${service.token}`)
  t.same(sent?.body, {
    checks: items.map((i) => ({ guild_id: i.guildId, bnet_id: i.bnetId, tool: i.tool })),
  })
})

t.test('more than 100 items go out as batches of 100 and come back in order', async (t) => {
  const service = await startStandInService()
  const client = createPermissionClient({ url: service.url, token: service.token, deadlineMs: 5000 })
  t.teardown(async () => {
    await client.close()
    await service.close()
  })
  const items: CheckItem[] = []
  const expected: boolean[] = []
  for (let i = 0; i < 250; i++) {
    // Every third bnet id is allowed, so a shuffled or shifted chunk would show.
    const item = { guildId: 5, bnetId: 1000 + i, tool: 'roster' }
    items.push(item)
    expected.push(i % 3 === 0)
    if (i % 3 === 0) service.allow(5, 1000 + i, 'roster')
  }
  t.same(await client.checkMany(items), expected)
  const sizes = service.requests.map((r) => (r.body as { checks: unknown[] }).checks.length).sort((a, b) => b - a)
  t.same(sizes, [BATCH_LIMIT, BATCH_LIMIT, 50])
  const firstIds = service.requests
    .map((r) => (r.body as { checks: Array<{ bnet_id: number }> }).checks[0]?.bnet_id)
    .sort((a, b) => (a ?? 0) - (b ?? 0))
  t.same(firstIds, [1000, 1100, 1200], 'each chunk is a contiguous slice')
})

t.test('an empty checkMany sends nothing', async (t) => {
  const service = await startStandInService()
  const client = createPermissionClient({ url: service.url, token: service.token })
  t.teardown(async () => {
    await client.close()
    await service.close()
  })
  t.same(await client.checkMany([]), [])
  t.equal(service.requests.length, 0)
})

t.test('a batch answer that does not match the request is undecided, never a guess', async (t) => {
  const service = await startStandInService()
  const client = createPermissionClient({
    url: service.url,
    token: service.token,
    deadlineMs: 2000,
    logger: captureLogger().logger,
  })
  t.teardown(async () => {
    await client.close()
    await service.close()
  })
  const two: CheckItem[] = [
    { guildId: 1, bnetId: 2, tool: 'roster' },
    { guildId: 1, bnetId: 3, tool: 'roster' },
  ]
  const answers = [
    '{"results":[{"has_access":true}]}',
    '{"results":[{"has_access":true},{"has_access":"yes"}]}',
    '{"results":{"has_access":true}}',
    '{"has_access":true}',
    'null',
  ]
  for (const body of answers) {
    service.behave({ kind: 'body', body }, 1)
    const err = await rejection(client.checkMany(two))
    t.ok(err instanceof PermissionUndecidedError, body)
    t.equal((err as PermissionUndecidedError).reason, 'malformed-answer', body)
  }
})

t.test('one failed chunk makes the whole checkMany undecided', async (t) => {
  const service = await startStandInService()
  const client = createPermissionClient({
    url: service.url,
    token: service.token,
    deadlineMs: 2000,
    logger: captureLogger().logger,
  })
  t.teardown(async () => {
    await client.close()
    await service.close()
  })
  const items: CheckItem[] = Array.from({ length: 150 }, (_, i) => ({ guildId: 1, bnetId: i + 1, tool: 'roster' }))
  service.behave({ kind: 'status', status: 503 }, 1)
  const err = await rejection(client.checkMany(items))
  t.ok(err instanceof PermissionUndecidedError)
  t.equal((err as PermissionUndecidedError).statusCode, 503)
})
