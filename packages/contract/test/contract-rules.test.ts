import t from 'tap'
import {
  BATCH_LIMIT,
  ID_PATTERN,
  defaultToolPermissions,
  isValidId,
  isValidRank,
  isValidTool,
  parseId,
  rankMayUse,
} from '../src/index.js'

t.test('ids are positive safe integers', async (t) => {
  for (const ok of [1, 42, Number.MAX_SAFE_INTEGER]) t.equal(isValidId(ok), true, String(ok))
  for (const bad of [0, -1, 1.5, Number.MAX_SAFE_INTEGER + 1, NaN, Infinity, '1', null, undefined, 1n]) {
    t.equal(isValidId(bad), false, String(bad))
  }
})

t.test('parseId takes plain decimal text only', async (t) => {
  t.equal(parseId('9001'), 9001)
  t.equal(parseId(9001), 9001)
  t.equal(parseId(String(Number.MAX_SAFE_INTEGER)), Number.MAX_SAFE_INTEGER)
  for (const bad of [
    '0',
    '-1',
    '1.5',
    '1e3',
    '0x10',
    ' 7',
    '07',
    '',
    '9007199254740992',
    '99999999999999999',
    'abc',
    0,
    -3,
    2.5,
    null,
    {},
  ]) {
    t.equal(parseId(bad), undefined, JSON.stringify(bad))
  }
})

t.test('the id pattern is the one parseId reads text with', async (t) => {
  for (const ok of ['1', '9001', '9999999999999999']) t.equal(ID_PATTERN.test(ok), true, ok)
  for (const bad of ['0', '07', '-1', '1e3', '1.5', ' 7', '', '12345678901234567'])
    t.equal(ID_PATTERN.test(bad), false, JSON.stringify(bad))
})

t.test('a batch holds at most 100 checks', async (t) => {
  t.equal(BATCH_LIMIT, 100)
})

t.test('tools match the contract pattern', async (t) => {
  for (const ok of ['roster', 'a', 'progress-2', 'a' + 'b'.repeat(31)]) t.equal(isValidTool(ok), true, ok)
  for (const bad of [
    '',
    'Roster',
    '1abc',
    '-a',
    'a_b',
    'a:b',
    'a*',
    'a' + 'b'.repeat(32),
    'rôster',
    'a\u0000',
    5,
    null,
  ]) {
    t.equal(isValidTool(bad), false, JSON.stringify(bad))
  }
})

t.test('ranks are 0 to 9', async (t) => {
  for (const ok of [0, 5, 9]) t.equal(isValidRank(ok), true)
  for (const bad of [-1, 10, 1.5, '1', null]) t.equal(isValidRank(bad), false)
})

t.test('the permission rule', async (t) => {
  t.equal(rankMayUse(0, undefined), true, 'rank 0 may use an absent tool')
  t.equal(rankMayUse(0, 3), true, 'rank 0 may use anything')
  t.equal(rankMayUse(3, 3), true, 'at the tool rank')
  t.equal(rankMayUse(2, 3), true, 'below the tool rank')
  t.equal(rankMayUse(4, 3), false, 'above the tool rank')
  t.equal(rankMayUse(1, undefined), false, 'absent tool is rank 0 only')
  t.equal(rankMayUse(undefined, 9), false, 'no character in the roster')
})

t.test('a new guild starts with the contract defaults, a fresh object each time', async (t) => {
  t.same(defaultToolPermissions(), { roster: 9, settings: 1, sync: 1 })
  const a = defaultToolPermissions()
  a.roster = 0
  t.equal(defaultToolPermissions().roster, 9)
})
