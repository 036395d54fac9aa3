import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { boundOnce, RecordedHistogram, type HistogramRecorder } from '@guild/metrics'
import { collectDefaultMetrics, Registry } from 'prom-client'

declare module 'fastify' {
  interface FastifyInstance {
    /** The service's own metrics registry, served by GET /metrics: register service metrics here. */
    metricsRegistry: Registry
  }
}

export interface MetricsPluginOptions {
  /** More registries to serve with the kit's own (e.g. the cache's). Metric names must not clash. */
  registries?: Registry[]
  /** Prepended to every metric this plugin creates, default metrics and the HTTP histogram alike. */
  prefix?: string
}

/** The route label of a request that matched no route: the raw URL would be unbounded. */
export const UNMATCHED_ROUTE = 'unmatched'

/**
 * Seconds; from an in-memory permission check (a tenth of a millisecond) to a request that timed out on a dependency
 * (several s).
 */
const DURATION_BUCKETS = [
  0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
]

/** Throws a message naming the clash, so a service finds it at start-up rather than at a scrape. */
export function assertMergeable(registries: readonly Registry[]): void {
  const contentType = registries[0]?.contentType
  const seen = new Set<string>()
  for (const registry of registries) {
    if (registry.contentType !== contentType) {
      throw new Error('metrics: every registry must use the same content type (Prometheus or OpenMetrics)')
    }
    for (const metric of registry.getMetricsAsArray()) {
      const name = (metric as unknown as { name: string }).name
      if (seen.has(name))
        throw new Error(`metrics: the metric ${name} is registered in two registries served by /metrics`)
      seen.add(name)
    }
  }
}

async function metrics(fastify: FastifyInstance, options: MetricsPluginOptions): Promise<void> {
  const prefix = options.prefix ?? ''
  const registry = new Registry()
  collectDefaultMetrics({ register: registry, prefix })

  const duration = new RecordedHistogram({
    name: `${prefix}http_request_duration_seconds`,
    help: 'HTTP request duration in seconds, by method, route pattern and status code',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: DURATION_BUCKETS,
    registers: [registry],
  })

  // Concatenating each registry's own text (rather than Registry.merge) keeps their default labels.
  const served = [...new Set([registry, ...(options.registries ?? [])])]

  fastify.decorate('metricsRegistry', registry)

  fastify.addHook('onReady', async () => assertMergeable(served))

  // Label sets are few (routes × methods × statuses): each gets its recorder once, so a request costs
  // three Map lookups and a bucket count instead of prom-client checking and hashing a label object.
  // The lookups are by the route's, the method's and the status' own values: a key built per request
  // (a template string) would be a new string to hash every time.
  const recorders = new Map<string, Map<string, Map<number, HistogramRecorder>>>()
  const recorderFor = (route: string, method: string, status: number): HistogramRecorder => {
    const byMethod = boundOnce(recorders, route, () => new Map<string, Map<number, HistogramRecorder>>())
    const byStatus = boundOnce(byMethod, method, () => new Map<number, HistogramRecorder>())
    return boundOnce(byStatus, status, () => duration.recorder({ method, route, status_code: status }))
  }
  // A callback hook, not an async one: no promise per request on the hot path.
  fastify.addHook('onResponse', (request, reply, done) => {
    // The pattern (/guilds/:guild_id), never the URL: ids in labels would grow without bound.
    const route = request.routeOptions.url ?? UNMATCHED_ROUTE
    const recorder =
      recorders.get(route)?.get(request.method)?.get(reply.statusCode) ??
      recorderFor(route, request.method, reply.statusCode)
    recorder.observe(reply.elapsedTime / 1000)
    done()
  })

  fastify.get(
    '/metrics',
    {
      // Scraped every few seconds: like the health probes, kept out of the info log.
      logLevel: 'warn',
      schema: {
        tags: ['metrics'],
        operationId: 'getMetrics',
        summary: 'Prometheus metrics in the text exposition format',
        security: [],
        response: {
          200: {
            description: 'every metric of the service, in the Prometheus text format',
            content: { 'text/plain': { schema: { type: 'string' } } },
          },
        },
      },
    },
    async (request, reply) => {
      assertMergeable(served)
      const texts = await Promise.all(served.map(async (r) => await r.metrics()))
      return reply.type(registry.contentType).send(texts.filter((t) => t !== '').join('\n'))
    },
  )
}

/**
 * GET /metrics and the `http_request_duration_seconds` histogram. Register it on the root instance
 * (fastify-plugin keeps its hook there) so that it times every route.
 */
export const metricsPlugin = fp(metrics, { name: '@guild/service-kit/metrics', fastify: '5.x' })
