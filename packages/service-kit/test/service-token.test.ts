import t from 'tap'
import { ConfigError, DEV_SERVICE_TOKEN, exposureReason, isLoopbackHost, resolveServiceToken } from '../src/index.js'

function recordingLog() {
  const warnings: string[] = []
  return { warnings, log: { warn: (message: string) => void warnings.push(message) } }
}

t.test('a set SERVICE_TOKEN is returned as is, without a warning', async (t) => {
  for (const NODE_ENV of ['production', 'development', 'test']) {
    const { warnings, log } = recordingLog()
    t.equal(
      resolveServiceToken({ NODE_ENV, SERVICE_TOKEN: 'a-real-shared-secret-value' }, log),
      'a-real-shared-secret-value',
    )
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

t.test(
  'wherever others can reach the service, the development token is refused even without NODE_ENV=production',
  async (t) => {
    const { warnings, log } = recordingLog()
    const exposed: Array<[config: Record<string, string>, reason: RegExp]> = [
      [{ NODE_ENV: 'development', HOST: '0.0.0.0' }, /when HOST=0\.0\.0\.0 is not a loopback address/],
      [{ NODE_ENV: 'test', HOST: '10.1.2.3' }, /when HOST=10\.1\.2\.3 is not a loopback address/],
      [{ HOST: '::' }, /when HOST=:: is not a loopback address/],
      [{ HOST: 'guild.example' }, /when HOST=guild\.example is not a loopback address/],
      [{ NODE_ENV: 'development', PUBLIC_URL: 'https://guild.example' }, /when PUBLIC_URL is https/],
      [{ HOST: '127.0.0.1', PUBLIC_URL: 'https://127.0.0.1:3000' }, /when PUBLIC_URL is https/],
    ]
    for (const [config, reason] of exposed) {
      for (const SERVICE_TOKEN of [undefined, '']) {
        t.throws(
          () => resolveServiceToken({ ...config, ...(SERVICE_TOKEN === undefined ? {} : { SERVICE_TOKEN }) }, log),
          {
            name: 'ConfigError',
            message: new RegExp(`SERVICE_TOKEN is required ${reason.source}`),
            variables: ['SERVICE_TOKEN'],
          },
          JSON.stringify(config),
        )
      }
      t.throws(() => resolveServiceToken({ ...config, SERVICE_TOKEN: DEV_SERVICE_TOKEN }, log), {
        message: /public development token, refused/,
      })
      t.equal(
        resolveServiceToken({ ...config, SERVICE_TOKEN: 'a-real-shared-secret-value' }, log),
        'a-real-shared-secret-value',
      )
    }
    t.same(warnings, [], 'nothing fell back to the development token')
    for (const HOST of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]', '::ffff:127.0.0.1', 'api.localhost']) {
      t.equal(
        resolveServiceToken({ HOST, PUBLIC_URL: 'http://127.0.0.1:3000' }, log),
        DEV_SERVICE_TOKEN,
        `${HOST} serves this machine alone`,
      )
    }
  },
)

t.test('isLoopbackHost and exposureReason', async (t) => {
  for (const host of ['127.0.0.1', '127.255.255.254', 'LOCALHOST', '::1', '[::1]', '::ffff:127.0.0.1'])
    t.ok(isLoopbackHost(host), host)
  for (const host of [
    '0.0.0.0',
    '::',
    '10.0.0.1',
    '128.0.0.1',
    '127.0.0.1.evil.example',
    'localhost.evil.example',
    '::2',
    '',
  ])
    t.notOk(isLoopbackHost(host), host)
  t.equal(exposureReason({}), undefined)
  t.equal(exposureReason({ HOST: '', PUBLIC_URL: 'not a url' }), undefined)
  t.equal(exposureReason({ NODE_ENV: 'production', HOST: '0.0.0.0' }), 'NODE_ENV=production', 'the first reason')
})
