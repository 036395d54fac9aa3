import t from 'tap'
import { ConfigError, DEV_SERVICE_TOKEN, resolveServiceToken } from '../src/index.js'

function recordingLog() {
  const warnings: string[] = []
  return { warnings, log: { warn: (message: string) => void warnings.push(message) } }
}

t.test('a set SERVICE_TOKEN is returned as is, without a warning', async (t) => {
  for (const NODE_ENV of ['production', 'development', 'test']) {
    const { warnings, log } = recordingLog()
    t.equal(resolveServiceToken({ NODE_ENV, SERVICE_TOKEN: 'a-real-shared-secret-value' }, log), 'a-real-shared-secret-value')
    t.same(warnings, [])
  }
})

t.test('production without SERVICE_TOKEN refuses to start, naming the variable', async (t) => {
  const { log } = recordingLog()
  for (const SERVICE_TOKEN of [undefined, '']) {
    t.throws(() => resolveServiceToken({ NODE_ENV: 'production', SERVICE_TOKEN }, log), {
      name: 'ConfigError',
      message: /SERVICE_TOKEN is required when NODE_ENV=production/,
      variables: ['SERVICE_TOKEN'],
    })
  }
  const error = (() => {
    try {
      resolveServiceToken({ NODE_ENV: 'production' }, log)
    } catch (err) {
      return err
    }
  })()
  t.ok(error instanceof ConfigError)
})

t.test('production refuses the public development token', async (t) => {
  const { log } = recordingLog()
  t.throws(() => resolveServiceToken({ NODE_ENV: 'production', SERVICE_TOKEN: DEV_SERVICE_TOKEN }, log), {
    name: 'ConfigError',
    message: /public development token/,
  })
})

t.test('outside production an unset token falls back to the development token, warning once', async (t) => {
  const { warnings, log } = recordingLog()
  t.equal(resolveServiceToken({ NODE_ENV: 'development' }, log), DEV_SERVICE_TOKEN)
  t.equal(resolveServiceToken({ NODE_ENV: 'test' }, log), DEV_SERVICE_TOKEN)
  t.equal(resolveServiceToken({}, log), DEV_SERVICE_TOKEN)
  t.equal(warnings.length, 1, 'one warning for the logger, however often it is asked')
  t.match(warnings[0], /SERVICE_TOKEN is not set/)
  t.ok(DEV_SERVICE_TOKEN.length >= 16, 'the development token passes the SERVICE_TOKEN schema')
})
