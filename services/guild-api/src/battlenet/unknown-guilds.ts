import type { Cache } from '@guild/cache'
import type { BnetRegion } from '../config.js'

/** How long Battle.net's 404 for a guild is believed without asking again. */
export const UNKNOWN_GUILD_TTL_S = 60
const MEMORY_MAX = 1_000

/**
 * Guilds Battle.net just answered 404 for, remembered briefly so that retrying a typo (or a disbanded
 * guild's sync) costs no call: in Redis for every instance (`cache:bnet:unknown-guild:…`, 60 s), and in
 * this process's memory, which is all there is without Redis.
 */
export class UnknownGuilds {
  readonly #memory = new Map<string, number>()

  constructor(
    private readonly cache: Cache,
    private readonly now: () => number = Date.now,
  ) {}

  async has(region: BnetRegion, realmSlug: string, nameSlug: string): Promise<boolean> {
    const key = unknownGuildKey(region, realmSlug, nameSlug)
    const until = this.#memory.get(key)
    if (until !== undefined) {
      if (until > this.now()) return true
      this.#memory.delete(key)
    }
    return (await this.cache.get<number>(key).catch(() => null)) !== null
  }

  async remember(region: BnetRegion, realmSlug: string, nameSlug: string): Promise<void> {
    const key = unknownGuildKey(region, realmSlug, nameSlug)
    // Oldest first out: a Map iterates in insertion order.
    if (this.#memory.size >= MEMORY_MAX) this.#memory.delete(this.#memory.keys().next().value as string)
    this.#memory.set(key, this.now() + UNKNOWN_GUILD_TTL_S * 1000)
    await this.cache.set(key, 1, UNKNOWN_GUILD_TTL_S).catch(() => false)
  }
}

/** Slugs are user input, but only ever a key's tail, never a pattern. */
export function unknownGuildKey(region: BnetRegion, realmSlug: string, nameSlug: string): string {
  return `cache:bnet:unknown-guild:${region}:${realmSlug}:${nameSlug}`
}
