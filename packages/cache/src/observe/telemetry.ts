import { metrics, SpanStatusCode, trace, type Attributes, type Counter, type Span } from '@opentelemetry/api'

const SCOPE = '@guild/cache'

/**
 * OpenTelemetry through `@opentelemetry/api` only: spans around loads and invalidations, counters of
 * hits, misses and stale answers. Until the application registers an SDK every call here is the API's
 * no-op. Instruments are made lazily, at first use, so a provider registered after createCache counts.
 * The Prometheus metrics (metrics.ts) stay as they are.
 */
export class CacheTelemetry {
  #hits: Counter | undefined
  #misses: Counter | undefined
  #stale: Counter | undefined
  // One attribute object per namespace: a hit must not allocate.
  readonly #attributes = new Map<string, Attributes>()

  hit(namespace: string): void {
    ;(this.#hits ??= meter().createCounter('cache.hits', { description: 'Reads answered by the cache' })).add(
      1,
      this.#attrs(namespace),
    )
  }

  miss(namespace: string): void {
    ;(this.#misses ??= meter().createCounter('cache.misses', { description: 'Reads the cache could not answer' })).add(
      1,
      this.#attrs(namespace),
    )
  }

  stale(namespace: string): void {
    ;(this.#stale ??= meter().createCounter('cache.stale_served', {
      description: 'Reads answered with a stale (grace) copy',
    })).add(1, this.#attrs(namespace))
  }

  /** Runs `work` inside a span named `name`; a rejection is recorded on the span and rethrown. */
  async span<R>(name: string, attributes: Attributes, work: (span: Span) => Promise<R>): Promise<R> {
    return await trace.getTracer(SCOPE).startActiveSpan(name, { attributes }, async (span) => {
      try {
        return await work(span)
      } catch (err) {
        span.recordException(err as Error)
        span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error)?.message })
        throw err
      } finally {
        span.end()
      }
    })
  }

  #attrs(namespace: string): Attributes {
    let attrs = this.#attributes.get(namespace)
    if (attrs === undefined) {
      attrs = { 'cache.namespace': namespace }
      this.#attributes.set(namespace, attrs)
    }
    return attrs
  }
}

function meter() {
  return metrics.getMeter(SCOPE)
}
