import t from 'tap'
import * as kit from '../src/index.js'

t.test('every piece is exported from the package entry', async (t) => {
  for (const name of [
    'registerConfig',
    'configSchema',
    'envFragments',
    'portFragment',
    'resolveServiceToken',
    'exposureReason',
    'isLoopbackHost',
    'DEV_SERVICE_TOKEN',
    'ConfigError',
    'loggerOptions',
    'errorHandlerPlugin',
    'httpError',
    'HttpError',
    'healthPlugin',
    'metricsPlugin',
    'openApiPlugin',
    'runServer',
    'safeEqual',
    'routeCatalogPlugin',
  ]) {
    t.ok(name in kit, name)
  }
})

t.test('every plugin is a named fastify-plugin, so it decorates the instance it is given', async (t) => {
  for (const [plugin, name] of [
    [kit.errorHandlerPlugin, '@guild/service-kit/errors'],
    [kit.healthPlugin, '@guild/service-kit/health'],
    [kit.metricsPlugin, '@guild/service-kit/metrics'],
    [kit.openApiPlugin, '@guild/service-kit/openapi'],
    [kit.routeCatalogPlugin, '@guild/service-kit/route-catalog'],
  ] as const) {
    const meta = (plugin as unknown as Record<symbol, { name?: string }>)[Symbol.for('plugin-meta')]
    t.equal(meta?.name, name)
    t.equal(
      (plugin as unknown as Record<symbol, boolean>)[Symbol.for('skip-override')],
      true,
      `${name} skips encapsulation`,
    )
  }
})
