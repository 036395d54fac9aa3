import t from 'tap'
import Fastify from 'fastify'
import {
  ConfigError,
  configSchema,
  isConfigError,
  parseClusterNodes,
  registerConfig,
  type SharedConfig,
} from '../src/index.js'

const GOOD_ENV = { DATABASE_URL: 'postgres://guild:pw@127.0.0.1:5432/guild' }

async function load(env: Record<string, string | undefined>, schema = configSchema({ defaultPort: 3001 })) {
  const app = Fastify({ logger: false })
  try {
    return await registerConfig<SharedConfig & Record<string, unknown>>(app, { schema, env })
  } finally {
    await app.close()
  }
}

async function loadError(env: Record<string, string | undefined>, schema = configSchema({ defaultPort: 3001 })) {
  const error = await load(env, schema).then(
    () => undefined,
    (err: unknown) => err,
  )
  if (!(error instanceof ConfigError)) throw new Error(`expected a ConfigError, got ${String(error)}`)
  return error
}

t.test('a good environment gives the defaults the contract names', async (t) => {
  const config = await load(GOOD_ENV)
  t.same(config, {
    NODE_ENV: 'development',
    LOG_LEVEL: 'info',
    HOST: '127.0.0.1',
    PORT: 3001,
    DATABASE_URL: GOOD_ENV.DATABASE_URL,
    DATABASE_POOL_MAX: 10,
  })
})

t.test('values are coerced and every shared variable is read', async (t) => {
  const config = await load({
    ...GOOD_ENV,
    DATABASE_URL: 'postgresql://db.internal/guild',
    NODE_ENV: 'production',
    LOG_LEVEL: 'debug',
    HOST: '0.0.0.0',
    PORT: '8080',
    DATABASE_POOL_MAX: '25',
    REDIS_URL: 'rediss://cache.internal:6380/2',
    REDIS_CLUSTER_NODES: '10.0.0.1:7000, 10.0.0.2:7001',
    SERVICE_TOKEN: 'a-long-enough-shared-secret',
    UNRELATED: 'dropped',
  })
  t.equal(config.PORT, 8080)
  t.equal(config.DATABASE_POOL_MAX, 25)
  t.equal(config.NODE_ENV, 'production')
  t.equal(config.REDIS_URL, 'rediss://cache.internal:6380/2')
  t.equal(config.SERVICE_TOKEN, 'a-long-enough-shared-secret')
  t.notOk('UNRELATED' in config, 'variables outside the schema are not kept')
})

t.test('an empty value counts as unset', async (t) => {
  const config = await load({ ...GOOD_ENV, REDIS_URL: '', SERVICE_TOKEN: '', PORT: '' })
  t.notOk('REDIS_URL' in config)
  t.notOk('SERVICE_TOKEN' in config)
  t.equal(config.PORT, 3001)
  const error = await loadError({ DATABASE_URL: '' })
  t.same(error.variables, ['DATABASE_URL'])
})

t.test('the env object is the only source: process.env does not leak in', async (t) => {
  process.env.DATABASE_POOL_MAX = '77'
  t.teardown(() => {
    delete process.env.DATABASE_POOL_MAX
  })
  const config = await load(GOOD_ENV)
  t.equal(config.DATABASE_POOL_MAX, 10)
})

t.test('without env, process.env is read', async (t) => {
  process.env.DATABASE_URL = 'postgres://from-process-env/db'
  t.teardown(() => {
    delete process.env.DATABASE_URL
  })
  const app = Fastify({ logger: false })
  t.teardown(async () => await app.close())
  const config = await registerConfig(app, { schema: configSchema({ defaultPort: 3000 }) })
  t.equal(config.DATABASE_URL, 'postgres://from-process-env/db')
  t.equal((app as unknown as { config: SharedConfig }).config.PORT, 3000, 'also decorated as app.config')
})

t.test('each bad value is named in the error, with what was expected', async (t) => {
  const cases: Array<[string, Record<string, string | undefined>, RegExp]> = [
    [
      'DATABASE_URL',
      { DATABASE_URL: undefined },
      /DATABASE_URL is required but not set \(expected a postgres:\/\/ or postgresql:\/\/ URL\)/,
    ],
    ['DATABASE_URL', { DATABASE_URL: 'mysql://db/guild' }, /DATABASE_URL is not valid \(expected a postgres/],
    ['DATABASE_URL', { DATABASE_URL: 'not a url' }, /DATABASE_URL is not valid/],
    [
      'DATABASE_POOL_MAX',
      { DATABASE_POOL_MAX: '0' },
      /DATABASE_POOL_MAX must be >= 1 \(expected an integer from 1 to 100\)/,
    ],
    ['DATABASE_POOL_MAX', { DATABASE_POOL_MAX: '101' }, /DATABASE_POOL_MAX must be <= 100/],
    ['DATABASE_POOL_MAX', { DATABASE_POOL_MAX: 'ten' }, /DATABASE_POOL_MAX must be integer/],
    ['PORT', { PORT: '70000' }, /PORT must be <= 65535/],
    ['PORT', { PORT: 'http' }, /PORT must be integer/],
    ['LOG_LEVEL', { LOG_LEVEL: 'verbose' }, /LOG_LEVEL must be one of: fatal, error, warn, info, debug, trace, silent/],
    ['NODE_ENV', { NODE_ENV: 'prod' }, /NODE_ENV must be one of: development, production, test/],
    [
      'REDIS_URL',
      { REDIS_URL: 'http://cache:6379' },
      /REDIS_URL is not valid \(expected a redis:\/\/ or rediss:\/\/ URL\)/,
    ],
    [
      'REDIS_CLUSTER_NODES',
      { REDIS_CLUSTER_NODES: '10.0.0.1:7000,10.0.0.2' },
      /REDIS_CLUSTER_NODES is not valid \(expected host:port/,
    ],
    ['REDIS_CLUSTER_NODES', { REDIS_CLUSTER_NODES: 'a:99999' }, /REDIS_CLUSTER_NODES is not valid/],
    ['SERVICE_TOKEN', { SERVICE_TOKEN: 'short' }, /SERVICE_TOKEN must NOT have fewer than 16 characters/],
  ]
  for (const [variable, env, message] of cases) {
    const error = await loadError({ ...GOOD_ENV, ...env })
    t.same(error.variables, [variable], `${JSON.stringify(env)} names ${variable}`)
    t.match(error.message, message)
    t.ok(isConfigError(error))
  }
})

t.test('several bad values are all named at once', async (t) => {
  const error = await loadError({ PORT: '-1', LOG_LEVEL: 'loud' })
  t.same(new Set(error.variables), new Set(['DATABASE_URL', 'PORT', 'LOG_LEVEL']))
  t.match(error.message, /^invalid configuration: /)
})

t.test('a secret is never echoed in the error', async (t) => {
  const secrets = {
    SERVICE_TOKEN: 'hunter2-short',
    DATABASE_URL: 'mysql://guild:pg-password-s3cret@db.internal/guild',
    BNET_CLIENT_SECRET: 'bnet-s3cret',
  }
  const schema = configSchema({
    defaultPort: 3000,
    properties: { BNET_CLIENT_SECRET: { type: 'string', minLength: 32, description: 'the OAuth client secret' } },
    required: ['BNET_CLIENT_SECRET'],
  })
  const error = await loadError(secrets, schema)
  t.same(new Set(error.variables), new Set(['SERVICE_TOKEN', 'DATABASE_URL', 'BNET_CLIENT_SECRET']))
  const everything =
    `${error.message}\n${error.stack ?? ''}\n` + `${JSON.stringify(error)}\n${JSON.stringify(error.cause ?? null)}`
  for (const value of ['hunter2', 'pg-password-s3cret', 'bnet-s3cret', 'db.internal']) {
    t.notOk(everything.includes(value), `${value} is not in the error`)
  }

  // The same holds for a valid-looking URL whose other parts are wrong.
  const pool = await loadError({ DATABASE_URL: 'postgres://u:pool-s3cret@h/db', DATABASE_POOL_MAX: 'x' })
  t.notOk(pool.message.includes('pool-s3cret'))
})

t.test('a service adds its own variables and required ones', async (t) => {
  const schema = configSchema({
    defaultPort: 3000,
    properties: { BNET_REGION: { type: 'string', enum: ['us', 'eu', 'kr', 'tw'], default: 'us' } },
  })
  t.equal((await load(GOOD_ENV, schema)).BNET_REGION, 'us')
  const error = await loadError({ ...GOOD_ENV, BNET_REGION: 'mars' }, schema)
  t.match(error.message, /BNET_REGION must be one of: us, eu, kr, tw/)
  t.same(schema.required, ['DATABASE_URL'])
})

t.test('an error that is not a validation failure passes through', async (t) => {
  const app = Fastify({ logger: false })
  t.teardown(async () => await app.close())
  const bad = { type: 'object', required: [], properties: { X: { type: 'no-such-type' } } } as never
  const error = await registerConfig(app, { schema: bad, env: {} }).catch((err: unknown) => err)
  t.type(error, Error)
  t.notOk(isConfigError(error), 'a broken schema is a bug, not a configuration mistake')
})

t.test('parseClusterNodes reads host:port lists, IPv6 included', async (t) => {
  t.same(parseClusterNodes('a:7000,[::1]:7001, b.local:7002'), [
    { host: 'a', port: 7000 },
    { host: '::1', port: 7001 },
    { host: 'b.local', port: 7002 },
  ])
  t.throws(() => parseClusterNodes('a:7000,b'), { name: 'ConfigError', message: /entry 2/ })
  t.throws(() => parseClusterNodes('a:0'), { name: 'ConfigError' })
})
