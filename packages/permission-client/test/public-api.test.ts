import t from 'tap'
import * as api from '../src/index.js'

t.test('the package exports what guild-api uses', async (t) => {
  for (const name of [
    'createPermissionClient',
    'permissionClientPlugin',
    'PermissionDeniedError',
    'PermissionUndecidedError',
    'PermissionInputError',
    'PermissionError',
    'CircuitBreaker',
    'isPermissionDenied',
    'isPermissionUndecided',
  ]) {
    t.ok(name in api, name)
  }
  t.equal(api.BATCH_LIMIT, 100)
})

t.test('the type guards tell denied from undecided, which a caller maps to 403 and 503', async (t) => {
  const denied = new api.PermissionDeniedError(1, 2, 'roster')
  const undecided = new api.PermissionUndecidedError('timeout', 'slow')
  t.equal(api.isPermissionDenied(denied), true)
  t.equal(api.isPermissionDenied(undecided), false)
  t.equal(api.isPermissionUndecided(undecided), true)
  t.equal(api.isPermissionUndecided(new Error('other')), false)
  t.equal(denied.statusCode, 403)
  t.equal(undecided.statusCode, 503)
  t.equal(new api.PermissionInputError('bad').statusCode, 400)
  t.equal(denied.name, 'PermissionDeniedError')
  t.match(undecided.message, /timeout/)
})
