import type { Cache } from '@guild/cache'
import { httpError } from '@guild/service-kit'
import type { BnetRegion } from '../config.js'
import type { BnetRealm } from './answers.js'
import { realmKey } from './slugs.js'

/** Realms come and go a few times a year: a day in Redis (the contract's longest TTL). */
export const REALM_INDEX_TTL_S = 86_400
/** And an hour in each process on top, so that a copy is never much older than a day. */
export const REALM_INDEX_MEMORY_MS = 3_600_000

/** The Redis key of a region's realm index (a `cache:` key: the contract does not name it). */
export function realmIndexKey(region: BnetRegion): string {
  return `cache:bnet:realms:${region}`
}

export interface RealmChoice {
  slug: string
  name: string
}

interface Loaded {
  expiresAt: number
  /** What GET /realms answers: by name, as a picker shows them. */
  choices: RealmChoice[]
  bySlug: Map<string, BnetRealm>
  /** `realmKey` of every slug and localized name → the realms it may mean. */
  byKey: Map<string, BnetRealm[]>
}

function index(realms: BnetRealm[], expiresAt: number): Loaded {
  const byKey = new Map<string, BnetRealm[]>()
  const add = (key: string, realm: BnetRealm) => {
    const found = byKey.get(key) ?? []
    if (!found.includes(realm)) found.push(realm)
    byKey.set(key, found)
  }
  for (const realm of realms) for (const text of [realm.slug, ...realm.names]) add(realmKey(text), realm)
  const choices = realms
    .map((realm) => ({ slug: realm.slug, name: realm.name }))
    .sort((a, b) => a.name.localeCompare(b.name, 'en', { sensitivity: 'base' }) || a.slug.localeCompare(b.slug))
  return { expiresAt, choices, bySlug: new Map(realms.map((realm) => [realm.slug, realm])), byKey }
}

/**
 * Battle.net's realm index of a region, through `@guild/cache` (`cache:bnet:realms:{region}`, a day,
 * with its in-process tier and single flight) and held in this process for an hour, so that a Redis
 * outage does not turn every registration into a Battle.net call. `resolve` turns what a player
 * typed (a slug, or a display name in any case, with or without accents, apostrophes, parentheses)
 * into the realm's slug, or a 400 naming it.
 */
export class RealmIndex {
  readonly #memory = new Map<BnetRegion, Loaded>()

  constructor(
    private readonly cache: Cache,
    private readonly load: (region: BnetRegion) => Promise<BnetRealm[]>,
    private readonly now: () => number = Date.now,
  ) {}

  async list(region: BnetRegion): Promise<RealmChoice[]> {
    return (await this.#loaded(region)).choices
  }

  /** The slug of the realm `text` names in `region`; 400 when it names none, or several. */
  async resolve(region: BnetRegion, text: string): Promise<string> {
    const loaded = await this.#loaded(region)
    const exact = loaded.bySlug.get(text)
    if (exact !== undefined) return exact.slug
    const found = loaded.byKey.get(realmKey(text)) ?? []
    if (found.length === 1) return (found[0] as BnetRealm).slug
    const shown = JSON.stringify(text.slice(0, 64))
    if (found.length === 0)
      throw httpError(400, `body/realm ${shown} is no realm of Battle.net region ${region}; GET /realms lists them`)
    throw httpError(
      400,
      `body/realm ${shown} may be any of ${found.map((realm) => realm.slug).join(', ')}: give the realm's slug`,
    )
  }

  async #loaded(region: BnetRegion): Promise<Loaded> {
    const held = this.#memory.get(region)
    if (held !== undefined && held.expiresAt > this.now()) return held
    const realms = await this.cache.getOrSet(
      realmIndexKey(region),
      async () => await this.load(region),
      REALM_INDEX_TTL_S,
    )
    const loaded = index(realms, this.now() + REALM_INDEX_MEMORY_MS)
    this.#memory.set(region, loaded)
    return loaded
  }
}
