import t from 'tap'
import { createCache } from '../src/index.js'

/*
 * Settings whose safety depends on each other are refused together, when the cache is created, with an
 * error naming both (issue 16, item 7). No Redis is needed: validation runs before any connection.
 */

t.test('the propagation timeout must be above three heartbeats', async (t) => {
  t.throws(() => createCache({ heartbeatMs: 100, propagationTimeoutMs: 300 }), {
    name: 'CacheInputError',
    message: /propagationTimeoutMs \(300 ms\) must be above three heartbeats, 3 × heartbeatMs \(300 ms\)/,
  })
  t.throws(
    () => createCache({ heartbeatMs: 400 }),
    { message: /propagationTimeoutMs \(500 ms\).*heartbeatMs \(1200 ms\)/ },
    'a slower heartbeat against the default timeout',
  )
  t.throws(
    () => createCache({ propagationTimeoutMs: 0 }),
    { message: /propagationTimeoutMs \(0 ms\)/ },
    'not waiting at all is no longer a setting',
  )
  t.doesNotThrow(() => createCache({ heartbeatMs: 100, propagationTimeoutMs: 301 }))
})

t.test('the recovery grace must be above the reconnect backoff cap and the breaker probe interval', async (t) => {
  t.throws(() => createCache({ recoveryGraceMs: 400 }), {
    name: 'CacheInputError',
    message: /recoveryGraceMs \(400 ms\) must be above the reconnect backoff cap, reconnectMaxDelayMs \(400 ms\)/,
  })
  t.throws(() => createCache({ recoveryGraceMs: 1_000, reconnectMaxDelayMs: 2_000 }), {
    message: /recoveryGraceMs \(1000 ms\).*reconnectMaxDelayMs \(2000 ms\)/,
  })
  t.throws(() => createCache({ recoveryGraceMs: 1_000, breakerProbeIntervalMs: 1_000 }), {
    message: /recoveryGraceMs \(1000 ms\) must be above the breaker probe interval, breakerProbeIntervalMs \(1000 ms\)/,
  })
  t.throws(() => createCache({ reconnectMaxDelayMs: 0 }), {
    message: /reconnectMaxDelayMs must be a whole number >= 1/,
  })
  t.doesNotThrow(() => createCache({ recoveryGraceMs: 401 }))
  t.doesNotThrow(() => createCache(), 'the defaults hold each other')
})
