import t from 'tap'
import {
  buildLaunchPlan,
  CHILD_NAMES,
  type ChildSpec,
  type LaunchPlan,
  parseServicesOption,
} from '../../src/launcher/plan.js'

const options = {
  ownDir: '/repo/scripts/dist',
  ext: '.js' as const,
  repoRoot: '/repo',
  newServiceToken: () => 'fresh-token',
}
const child = (plan: LaunchPlan, name: ChildSpec['name']): ChildSpec => {
  const found = plan.children.find((c) => c.name === name)
  if (!found) throw new Error(`${name} is not in the plan`)
  return found
}

t.test('on an empty environment: embedded Postgres, the stand-in and both services, with wired-up env', async (t) => {
  const plan = buildLaunchPlan({ PATH: '/bin', REDIS_URL: 'redis://127.0.0.1:6379/3', LOG_LEVEL: 'debug' }, options)
  t.same(
    plan.children.map((c) => c.name),
    CHILD_NAMES,
  )

  const pg = child(plan, 'embedded-postgres')
  t.match(pg, {
    script: '/repo/scripts/dist/embedded-postgres.js',
    port: 5433,
    portVariable: 'EMBEDDED_PG_PORT',
    url: 'postgres://postgres@127.0.0.1:5433/postgres',
    ready: { kind: 'tcp', host: '127.0.0.1', port: 5433 },
    stage: 0,
  })
  t.equal(pg.env.EMBEDDED_PG_PORT, '5433')

  const standin = child(plan, 'bnet-standin')
  t.match(standin, {
    script: '/repo/scripts/dist/bnet-standin/server.js',
    port: 3002,
    url: 'http://127.0.0.1:3002',
    stage: 0,
  })
  t.same(standin.ready, {
    kind: 'http',
    urls: ['http://127.0.0.1:3002/health/ready', 'http://127.0.0.1:3002/health/live'],
  })
  t.equal(
    standin.env.BNET_STANDIN_REDIRECT_URIS,
    'http://127.0.0.1:3000/auth/callback',
    "the stand-in accepts guild-api's callback alone",
  )

  const ps = child(plan, 'permission-service')
  t.match(ps, {
    script: '/repo/services/permission-service/dist/server.js',
    port: 3001,
    portVariable: 'PERMISSION_SERVICE_PORT',
    stage: 1,
  })
  t.match(ps.env, {
    PORT: '3001',
    HOST: '127.0.0.1',
    DATABASE_URL: 'postgres://postgres@127.0.0.1:5433/postgres',
    DATABASE_POOL_MAX: '1',
    SERVICE_TOKEN: 'fresh-token',
    REDIS_URL: 'redis://127.0.0.1:6379/3',
    LOG_LEVEL: 'debug',
    PATH: '/bin',
  })
  t.notOk('BNET_CLIENT_ID' in ps.env, 'permission-service does not need Battle.net')

  const api = child(plan, 'guild-api')
  t.match(api, {
    script: '/repo/services/guild-api/dist/server.js',
    port: 3000,
    portVariable: 'GUILD_API_PORT',
    stage: 1,
  })
  t.match(api.env, {
    PORT: '3000',
    DATABASE_URL: 'postgres://postgres@127.0.0.1:5433/postgres',
    DATABASE_POOL_MAX: '1',
    SERVICE_TOKEN: 'fresh-token',
    PERMISSION_SERVICE_URL: 'http://127.0.0.1:3001',
    PUBLIC_URL: 'http://127.0.0.1:3000',
    BNET_CLIENT_ID: 'standin',
    BNET_CLIENT_SECRET: 'standin-secret',
    BNET_OAUTH_URL: 'http://127.0.0.1:3002',
    BNET_API_URL: 'http://127.0.0.1:3002',
  })
  t.equal(api.env.CORS_ORIGINS, 'http://127.0.0.1:3003', "the web app's origin may call guild-api with the cookie")

  const web = child(plan, 'web')
  t.match(web, {
    script: '/repo/services/web/dist/server/main.js',
    port: 3003,
    portVariable: 'WEB_PORT',
    url: 'http://127.0.0.1:3003',
    stage: 1,
  })
  t.match(web.env, { PORT: '3003', HOST: '127.0.0.1', GUILD_API_URL: 'http://127.0.0.1:3000' })
  t.same(web.ready, { kind: 'http', urls: ['http://127.0.0.1:3003/health/live'] })
  t.equal(plan.appUrl, 'http://127.0.0.1:3003/', 'the URL to open')
  // A finished login comes back to the app.
  t.same(plan.loginUrls, [
    { label: 'log in', url: 'http://127.0.0.1:3000/auth/login?redirect=http%3A%2F%2F127.0.0.1%3A3003%2F' },
    {
      label: 'log in as Thrall#1234 (guild master of Horde Vanguard)',
      url: 'http://127.0.0.1:3000/auth/login?login_hint=Thrall%231234&redirect=http%3A%2F%2F127.0.0.1%3A3003%2F',
    },
  ])
})

t.test(
  'WEB_PORT moves the app, its origin joins any CORS_ORIGINS given; without the app, logins end on /me',
  async (t) => {
    const plan = buildLaunchPlan(
      { WEB_PORT: '4003', CORS_ORIGINS: 'https://tools.example, http://127.0.0.1:4003' },
      options,
    )
    t.equal(child(plan, 'web').env.PORT, '4003')
    t.equal(child(plan, 'guild-api').env.CORS_ORIGINS, 'https://tools.example,http://127.0.0.1:4003', 'once each')
    t.equal(plan.appUrl, 'http://127.0.0.1:4003/')
    const noApp = buildLaunchPlan({}, { ...options, only: ['guild-api', 'permission-service'] })
    t.equal(noApp.appUrl, undefined)
    t.equal(noApp.loginUrls[0]?.url, 'http://127.0.0.1:3000/auth/login')
  },
)

t.test('one SERVICE_TOKEN per plan, the same for both services; a given one is kept', async (t) => {
  let n = 0
  const plan = buildLaunchPlan({}, { ...options, newServiceToken: () => `token-${++n}` })
  t.equal(n, 1)
  t.equal(child(plan, 'guild-api').env.SERVICE_TOKEN, 'token-1')
  t.equal(child(plan, 'permission-service').env.SERVICE_TOKEN, 'token-1')
  const given = buildLaunchPlan(
    { SERVICE_TOKEN: 'mine' },
    { ...options, newServiceToken: () => t.fail('not asked') as never },
  )
  t.equal(child(given, 'guild-api').env.SERVICE_TOKEN, 'mine')
})

t.test('DATABASE_URL set: no embedded Postgres, the URL and pool size pass through', async (t) => {
  const plan = buildLaunchPlan({ DATABASE_URL: 'postgres://u:p@db:5432/guild', DATABASE_POOL_MAX: '7' }, options)
  t.notOk(plan.children.some((c) => c.name === 'embedded-postgres'))
  t.match(child(plan, 'guild-api').env, { DATABASE_URL: 'postgres://u:p@db:5432/guild', DATABASE_POOL_MAX: '7' })
  t.equal(child(plan, 'permission-service').env.DATABASE_URL, 'postgres://u:p@db:5432/guild')
})

t.test('the embedded Postgres forces a pool of one, whatever DATABASE_POOL_MAX says', async (t) => {
  const plan = buildLaunchPlan({ DATABASE_POOL_MAX: '10' }, options)
  t.equal(child(plan, 'guild-api').env.DATABASE_POOL_MAX, '1')
})

t.test('BNET_CLIENT_ID set: no stand-in, Battle.net variables pass through untouched, no hint URL', async (t) => {
  const plan = buildLaunchPlan(
    { BNET_CLIENT_ID: 'real', BNET_CLIENT_SECRET: 'shh', BNET_REGION: 'eu', PUBLIC_URL: 'https://guild.example/' },
    options,
  )
  t.notOk(plan.children.some((c) => c.name === 'bnet-standin'))
  const env = child(plan, 'guild-api').env
  t.match(env, {
    BNET_CLIENT_ID: 'real',
    BNET_CLIENT_SECRET: 'shh',
    BNET_REGION: 'eu',
    PUBLIC_URL: 'https://guild.example/',
  })
  t.notOk('BNET_OAUTH_URL' in env)
  t.same(
    plan.loginUrls,
    [{ label: 'log in', url: 'https://guild.example/auth/login?redirect=http%3A%2F%2F127.0.0.1%3A3003%2F' }],
    'PUBLIC_URL without its trailing slash',
  )
  t.equal(
    child(plan, 'web').env.GUILD_API_URL,
    'https://guild.example',
    'the app calls guild-api where browsers reach it',
  )
})

t.test('the port variables and HOST move every URL', async (t) => {
  const plan = buildLaunchPlan(
    {
      HOST: '0.0.0.0',
      GUILD_API_PORT: '4000',
      PERMISSION_SERVICE_PORT: '4001',
      BNET_STANDIN_PORT: '4002',
      EMBEDDED_PG_PORT: '6543',
    },
    options,
  )
  t.match(child(plan, 'embedded-postgres'), { host: '0.0.0.0', port: 6543, ready: { host: '127.0.0.1', port: 6543 } })
  t.equal(child(plan, 'embedded-postgres').env.HOST, '0.0.0.0', 'binds where HOST says')
  t.match(child(plan, 'guild-api').env, {
    HOST: '0.0.0.0',
    PORT: '4000',
    DATABASE_URL: 'postgres://postgres@127.0.0.1:6543/postgres',
    PERMISSION_SERVICE_URL: 'http://127.0.0.1:4001',
    PUBLIC_URL: 'http://127.0.0.1:4000',
    BNET_OAUTH_URL: 'http://127.0.0.1:4002',
  })
  t.equal(child(plan, 'bnet-standin').env.BNET_STANDIN_PORT, '4002')
  t.equal(child(plan, 'permission-service').env.PORT, '4001')
  const v6 = buildLaunchPlan({ HOST: '::1' }, options)
  t.equal(child(v6, 'guild-api').url, 'http://[::1]:3000')
  t.match(child(v6, 'embedded-postgres').ready, { host: '::1' })
})

t.test('a bad port names its variable', async (t) => {
  t.throws(() => buildLaunchPlan({ GUILD_API_PORT: 'abc' }, options), {
    name: 'PortConfigError',
    message: /GUILD_API_PORT must be a TCP port/,
  })
  t.throws(() => buildLaunchPlan({ EMBEDDED_PG_PORT: '70000' }, options), { message: /EMBEDDED_PG_PORT/ })
  t.throws(() => buildLaunchPlan({ BNET_STANDIN_PORT: '0' }, options), { message: /BNET_STANDIN_PORT/ })
})

t.test('only: runs a subset with the same environment; no login URLs without guild-api', async (t) => {
  const plan = buildLaunchPlan({}, { ...options, only: ['bnet-standin', 'embedded-postgres'] })
  t.same(
    plan.children.map((c) => c.name),
    ['embedded-postgres', 'bnet-standin'],
    'start order kept',
  )
  t.same(plan.loginUrls, [])
  const api = buildLaunchPlan({}, { ...options, only: ['guild-api'] })
  t.equal(child(api, 'guild-api').env.DATABASE_URL, 'postgres://postgres@127.0.0.1:5433/postgres')
  t.equal(api.loginUrls.length, 2)
})

t.test('source mode: the workspace entry files with the .ts extension', async (t) => {
  const plan = buildLaunchPlan({}, { ...options, ownDir: '/repo/scripts/src', ext: '.ts' })
  t.equal(child(plan, 'embedded-postgres').script, '/repo/scripts/src/embedded-postgres.ts')
  t.equal(child(plan, 'bnet-standin').script, '/repo/scripts/src/bnet-standin/server.ts')
  t.equal(child(plan, 'guild-api').script, '/repo/services/guild-api/dist/server.js', 'services always run compiled')
})

t.test('parseServicesOption', async (t) => {
  t.same(parseServicesOption('embedded-postgres, bnet-standin'), ['embedded-postgres', 'bnet-standin'])
  t.throws(() => parseServicesOption('guild-api,redis'), {
    name: 'LaunchConfigError',
    message: /--services takes .* got "guild-api,redis"/,
  })
  t.throws(() => parseServicesOption(' , '), { message: /--services/ })
})
