import type { FastifyBaseLogger } from 'fastify'

type Method = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal'

interface PinoLike extends FastifyBaseLogger {
  levels?: { values: Record<string, number> }
}

type MakeChild = (bindings: Record<string, unknown>, options: object) => FastifyBaseLogger

/**
 * A request's logger, made only when something is logged at an enabled level. Fastify gives every
 * request a pino child bound to its request id; with redaction configured, pino serializes those
 * bindings through the redactor at creation, which costs more than a permission check answered from
 * memory (figures: docs/performance.md). A request that logs nothing (a check route at `warn`) now
 * costs one small object.
 */
class LazyChildLogger {
  #child: FastifyBaseLogger | undefined

  constructor(
    private readonly parent: PinoLike,
    private readonly makeChild: MakeChild,
    private readonly bindings: Record<string, unknown>,
    private readonly options: { level?: string },
  ) {}

  get level(): string {
    return this.#child?.level ?? this.options.level ?? this.parent.level
  }

  set level(level: string) {
    this.#make().level = level
  }

  isLevelEnabled(level: string): boolean {
    const values = this.parent.levels?.values
    if (!values) return true
    const threshold = values[this.level]
    const wanted = values[level]
    // 'silent' has no value: nothing is enabled.
    return threshold !== undefined && wanted !== undefined && wanted >= threshold
  }

  child(bindings: Record<string, unknown>, options?: object): FastifyBaseLogger {
    return this.#make().child(bindings, options)
  }

  trace(...args: unknown[]): void {
    this.#log('trace', args)
  }
  debug(...args: unknown[]): void {
    this.#log('debug', args)
  }
  info(...args: unknown[]): void {
    this.#log('info', args)
  }
  warn(...args: unknown[]): void {
    this.#log('warn', args)
  }
  error(...args: unknown[]): void {
    this.#log('error', args)
  }
  fatal(...args: unknown[]): void {
    this.#log('fatal', args)
  }
  silent(): void {}

  #log(method: Method, args: unknown[]): void {
    if (!this.isLevelEnabled(method)) return
    /* eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion
       -- tsc needs it: the union of seven log signatures takes no spread */
    ;(this.#make()[method] as (...a: unknown[]) => void)(...args)
  }

  #make(): FastifyBaseLogger {
    this.#child ??= this.makeChild(this.bindings, this.options)
    return this.#child
  }
}

/**
 * Makes every child of `log` lazy, Fastify's per-request loggers included: call it on `app.log` right
 * after `Fastify()`. It replaces the root's own `child` rather than setting Fastify's
 * `childLoggerFactory`, because Fastify checks the logger a custom factory returns (seven method
 * lookups and two arrays) on every request, and trusts its default factory's.
 */
export function lazyChildLoggers(log: FastifyBaseLogger): void {
  const root = log as PinoLike
  /* eslint-disable-next-line @typescript-eslint/unbound-method, @typescript-eslint/no-unnecessary-type-assertion
     -- called with `.call(root, …)` below; the cast names its `this` */
  const pinoChild = root.child as (
    this: PinoLike,
    bindings: Record<string, unknown>,
    options?: object,
  ) => FastifyBaseLogger
  const makeChild: MakeChild = (bindings, options) => pinoChild.call(root, bindings, options)
  function child(this: PinoLike, bindings: Record<string, unknown>, options?: object): FastifyBaseLogger {
    // pino's children inherit from their parent (Object.create), this property too: theirs stay pino's
    // own, or a grandchild would lose its parent's bindings.
    if (this !== root) return pinoChild.call(this, bindings, options)
    /* eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion
       -- what makes a LazyChildLogger a FastifyBaseLogger */
    return new LazyChildLogger(
      root,
      makeChild,
      bindings,
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion -- keeps the type tsc checks against
      (options ?? {}) as { level?: string },
    ) as unknown as FastifyBaseLogger
  }
  Object.defineProperty(log, 'child', { value: child, configurable: true, writable: true })
}
