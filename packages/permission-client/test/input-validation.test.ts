import t from 'tap'
import { createPermissionClient } from '../src/client.js'
import { PermissionInputError } from '../src/errors.js'
import { isValidId, isValidTool, parseId } from '../src/validate.js'
import type { CheckItem } from '../src/validate.js'
import { rejection, startStandInService } from './fixtures/stand-in-permission-service.js'

t.test('bad ids and tools are refused before anything is sent', async (t) => {
  const service = await startStandInService()
  const client = createPermissionClient({ url: service.url, token: service.token })
  t.teardown(async () => {
    await client.close()
    await service.close()
  })
  const badIds: unknown[] = [0, -1, 1.5, 2 ** 53, Number.NaN, Infinity, '1', null, undefined]
  for (const id of badIds) {
    const e1 = await rejection(client.check(id as number, 1, 'roster'))
    t.ok(e1 instanceof PermissionInputError, `guildId ${String(id)}`)
    t.equal((e1 as PermissionInputError).statusCode, 400)
    t.match((e1 as Error).message, /guildId/)
    const e2 = await rejection(client.check(1, id as number, 'roster'))
    t.match((e2 as Error).message, /bnetId/, `bnetId ${String(id)}`)
  }
  const badTools: unknown[] = ['', 'Roster', '1roster', '-x', 'a'.repeat(33), 'ro ster', 'roster\n', 'rösti', 7, null]
  for (const tool of badTools) {
    const err = await rejection(client.check(1, 1, tool as string))
    t.ok(err instanceof PermissionInputError, `tool ${JSON.stringify(tool)}`)
    t.match((err as Error).message, /tool must match/)
  }
  const items: CheckItem[] = [
    { guildId: 1, bnetId: 1, tool: 'roster' },
    { guildId: 1, bnetId: 1, tool: 'BAD' },
  ]
  const batchErr = await rejection(client.checkMany(items))
  t.ok(batchErr instanceof PermissionInputError)
  t.match((batchErr as Error).message, /item 1/, 'names the offending item')
  t.ok((await rejection(client.checkMany([null as unknown as CheckItem]))) instanceof PermissionInputError)
  await t.rejects(client.checkMany('nope' as unknown as CheckItem[]), TypeError)
  t.equal(service.requests.length, 0, 'nothing was sent')
})

t.test('the edges of the contract are accepted', async (t) => {
  const service = await startStandInService()
  const client = createPermissionClient({ url: service.url, token: service.token, deadlineMs: 2000 })
  t.teardown(async () => {
    await client.close()
    await service.close()
  })
  const max = Number.MAX_SAFE_INTEGER
  service.allow(max, 1, 'a')
  service.allow(1, max, 'a'.repeat(32))
  t.equal(await client.check(max, 1, 'a'), true)
  t.equal(await client.check(1, max, 'a'.repeat(32)), true)
  t.equal(await client.check(1, 1, 'raid-plan-2'), false)
})

t.test('parseId reads path parameters strictly', async (t) => {
  t.equal(parseId('9001'), 9001)
  t.equal(parseId(9001), 9001)
  t.equal(parseId(String(Number.MAX_SAFE_INTEGER)), Number.MAX_SAFE_INTEGER)
  for (const bad of [
    '0',
    '-1',
    '01',
    '1.0',
    '1e3',
    ' 1',
    'abc',
    '',
    '9007199254740992',
    '99999999999999999',
    0,
    1.5,
    null,
    undefined,
  ]) {
    t.equal(parseId(bad), undefined, JSON.stringify(bad))
  }
  t.equal(isValidId(1), true)
  t.equal(isValidTool('roster'), true)
  t.equal(isValidTool('Roster'), false)
})

t.test('bad configuration is refused at creation with a message naming the setting', async (t) => {
  t.throws(() => createPermissionClient({ url: 'not a url', token: 't' }), /PERMISSION_SERVICE_URL/)
  t.throws(() => createPermissionClient({ url: 'ftp://127.0.0.1', token: 't' }), /http/)
  t.throws(() => createPermissionClient({ url: 'http://127.0.0.1:3001', token: '' }), /SERVICE_TOKEN/)
  t.throws(() => createPermissionClient({ url: 'http://127.0.0.1:3001', token: 't', deadlineMs: 0 }), /deadlineMs/)
  t.throws(() => createPermissionClient({ url: 'http://127.0.0.1:3001', token: 't', connections: 0 }), /connections/)
  t.throws(
    () => createPermissionClient({ url: 'http://127.0.0.1:3001', token: 't', breaker: { threshold: 0 } }),
    /threshold/,
  )
})
