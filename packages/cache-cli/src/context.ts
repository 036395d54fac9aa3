import type { RedisClient } from '@guild/cache/admin'
import type { Cache, CacheLogger } from '@guild/cache'
import type { Env, Invocation, RedisTarget } from './args.js'
import { CliError, reasonOf } from './errors.js'
import type { Output } from './output.js'
import { checkTarget, connectAdmin, openCache } from './redis-admin.js'

/** What a command gets: its parsed invocation, the output, and Redis opened on first use (closed by `close`). */
export class CliContext {
  #admin: Promise<RedisClient> | undefined
  #cache: Promise<Cache> | undefined
  /** Errors the cache logged: a purge that met any did not complete, whatever it returned. */
  readonly cacheErrors: string[] = []
  #closing: (() => Promise<void>)[] = []

  constructor(
    readonly inv: Invocation,
    readonly out: Output,
    readonly env: Env,
  ) {}

  get target(): RedisTarget {
    return checkTarget(this.inv.redis)
  }

  /** A bounded connection for reads. */
  admin(): Promise<RedisClient> {
    this.#admin ??= connectAdmin(this.target, this.inv.timeoutMs).then((client) => {
      this.#closing.push(async () => {
        await client.quit().catch(() => undefined)
        client.disconnect()
      })
      return client
    })
    return this.#admin
  }

  /**
   * The cache, for purges; reachability is checked first, so an unreachable Redis is reported, not retried in the
   * background.
   */
  cache(): Promise<Cache> {
    this.#cache ??= this.admin().then(async () => {
      const cache = await openCache(this.target, this.inv.timeoutMs, this.inv.busChannel, this.#logger())
      this.#closing.push(() => cache.close())
      return cache
    })
    return this.#cache
  }

  /** Throws when the cache met a Redis error during the command. */
  assertCacheClean(what: string): void {
    if (this.cacheErrors.length > 0)
      throw new CliError(`${what} did not complete: ${this.cacheErrors[0]}; run it again once Redis answers`)
  }

  async close(): Promise<void> {
    for (const close of this.#closing.splice(0).reverse()) await close()
  }

  #logger(): CacheLogger {
    const quiet = () => {}
    return {
      debug: quiet,
      info: quiet,
      warn: quiet,
      error: (obj, msg) => {
        const err = (obj as { err?: unknown }).err
        this.cacheErrors.push(`${msg ?? 'redis error'}${err ? ` (${reasonOf(err)})` : ''}`)
      },
    }
  }
}
