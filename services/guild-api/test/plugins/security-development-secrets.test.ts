import { DEV_SERVICE_TOKEN } from '@guild/service-kit'
import t from 'tap'
import { buildApp } from '../../src/app.js'
import { cookieSecret } from '../../src/config.js'
import { startHarness } from '../helpers/harness.js'

const BASE = { LOG_LEVEL: 'silent', DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/never_used' }
const TOKEN = 'a-real-shared-secret-of-our-own-0123'
/** Signs an oauth_state that anyone who read the README could forge. */
const DEV_COOKIE_SECRET = cookieSecret({}, DEV_SERVICE_TOKEN)

/** Where the app can be reached from elsewhere than this machine, though NODE_ENV is not production. */
const EXPOSED: Array<[env: Record<string, string>, reason: string]> = [
  [{ NODE_ENV: 'development', HOST: '0.0.0.0' }, 'HOST=0.0.0.0 is not a loopback address'],
  [{ NODE_ENV: 'test', HOST: '10.0.0.7' }, 'HOST=10.0.0.7 is not a loopback address'],
  [{ NODE_ENV: 'development', PUBLIC_URL: 'https://guild.example' }, 'PUBLIC_URL is https'],
  [{ NODE_ENV: 'production' }, 'NODE_ENV=production'],
]

const refusal = async (env: Record<string, string>) =>
  await buildApp({ env: { ...BASE, ...env } }).then(
    () => undefined,
    (err: unknown) => err as Error,
  )

t.test(
  'the public development SERVICE_TOKEN and cookie secret are refused wherever others can reach the app',
  async (t) => {
    for (const [env, reason] of EXPOSED) {
      const what = JSON.stringify(env)
      t.match(
        await refusal(env),
        { name: 'ConfigError', message: `SERVICE_TOKEN is required when ${reason}` },
        `${what}: no token`,
      )
      t.match(
        await refusal({ ...env, SERVICE_TOKEN: DEV_SERVICE_TOKEN }),
        { message: `public development token, refused when ${reason}` },
        `${what}: the dev token`,
      )
      const cookie = await refusal({ ...env, SERVICE_TOKEN: TOKEN, COOKIE_SECRET: DEV_COOKIE_SECRET })
      t.match(
        cookie,
        { name: 'ConfigError', message: `COOKIE_SECRET is the public development one, refused when ${reason}` },
        `${what}: the dev cookie secret`,
      )
      t.notMatch(cookie?.message, DEV_COOKIE_SECRET, 'the value is not echoed')
    }
  },
)

t.test('plain-http Battle.net URLs are refused there too, unless they are this machine', async (t) => {
  for (const [env, reason] of EXPOSED) {
    const safe = { ...env, SERVICE_TOKEN: TOKEN }
    for (const [variable, url] of [
      ['BNET_OAUTH_URL', 'http://oauth.battle.net'],
      ['BNET_API_URL', 'http://{region}.api.blizzard.com'],
      ['BNET_API_URL', 'http://10.0.0.9:3002'],
      ['BNET_OAUTH_URL', 'http://127.0.0.1.nip.io:3002'],
    ] as const) {
      t.match(
        await refusal({ ...safe, [variable]: url }),
        { name: 'ConfigError', message: `${variable} is plain http:// to another machine, refused when ${reason}` },
        `${variable}=${url}`,
      )
    }
  }
})

t.test(
  'a reachable deployment with its own secrets and https (or loopback) Battle.net starts; ' +
    'a development machine starts on the defaults',
  async (t) => {
    const h = await startHarness(t, { permissionService: false })
    for (const env of [
      { HOST: '0.0.0.0', COOKIE_SECRET: 'c'.repeat(40) },
      {
        PUBLIC_URL: 'https://guild.example',
        BNET_OAUTH_URL: 'https://oauth.battle.net',
        BNET_API_URL: 'https://{region}.api.blizzard.com',
      },
      { HOST: '0.0.0.0', BNET_OAUTH_URL: 'http://localhost:3002', BNET_API_URL: 'http://[::1]:3002' },
    ]) {
      const app = await buildApp({ env: { ...h.env, ...env } })
      t.ok(app, JSON.stringify(env))
      await app.close()
    }
    const { SERVICE_TOKEN: _token, ...withoutToken } = h.env
    const dev = await buildApp({
      env: { ...withoutToken, NODE_ENV: 'development', HOST: '127.0.0.1', BNET_OAUTH_URL: 'http://127.0.0.1:3002' },
    })
    t.ok(dev, 'on loopback the development token is still the fallback')
    await dev.close()
  },
)
