import { isValidId, isValidRank } from '@guild/contract'
import { BattleNetBadAnswerError } from './errors.js'

/** A WoW character as guild-api keeps it. */
export interface BnetCharacter {
  id: number
  name: string
  realm: string
  level: number
  classId: number
}

export interface BnetUser {
  id: number
  battletag: string
}

export interface BnetRosterMember extends BnetCharacter {
  rank: number
}

export interface BnetRoster {
  guild: { id: number; name: string; realm: string; faction: string | null }
  members: BnetRosterMember[]
}

/** A realm of Battle.net's realm index: its slug, its display name, and every localized name given. */
export interface BnetRealm {
  slug: string
  name: string
  /** The display name in each locale Battle.net sent (one, for a request with a locale). */
  names: string[]
}

export interface BnetTokenAnswer {
  accessToken: string
  expiresIn: number
}

type Json = Record<string, unknown>

/** Reads Battle.net's JSON defensively: a field we rely on that is missing or mistyped is a 502, naming it. */
class Reader {
  constructor(readonly what: string) {}

  fail(path: string, expected: string): never {
    throw new BattleNetBadAnswerError(`Battle.net's answer to ${this.what} is unusable: ${path} is not ${expected}`)
  }

  record(value: unknown, path: string): Json {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) this.fail(path, 'an object')
    return value as Json
  }

  array(value: unknown, path: string): unknown[] {
    if (!Array.isArray(value)) this.fail(path, 'an array')
    return value
  }

  id(value: unknown, path: string): number {
    if (!isValidId(value)) this.fail(path, 'a positive integer id')
    return value
  }

  int(value: unknown, path: string, min: number, max: number): number {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max)
      this.fail(path, `an integer from ${min} to ${max}`)
    return value
  }

  text(value: unknown, path: string): string {
    if (typeof value !== 'string' || value === '' || value.length > 200) this.fail(path, 'a non-empty string')
    return value
  }
}

export function readToken(json: unknown, what: string): BnetTokenAnswer {
  const r: Reader = new Reader(what)
  const body = r.record(json, 'the body')
  return {
    accessToken: r.text(body.access_token, 'access_token'),
    expiresIn: r.int(body.expires_in ?? 86_399, 'expires_in', 1, 10 * 365 * 86_400),
  }
}

export function readUser(json: unknown, what: string): BnetUser {
  const r: Reader = new Reader(what)
  const body = r.record(json, 'the body')
  const id = typeof body.id === 'number' ? body.id : Number(body.sub)
  return { id: r.id(id, 'id'), battletag: r.text(body.battletag, 'battletag') }
}

function readCharacter(r: Reader, value: unknown, path: string): BnetCharacter {
  const c = r.record(value, path)
  return {
    id: r.id(c.id, `${path}.id`),
    name: r.text(c.name, `${path}.name`),
    realm: r.text(r.record(c.realm, `${path}.realm`).slug, `${path}.realm.slug`),
    level: r.int(c.level, `${path}.level`, 0, 1000),
    classId: r.int(r.record(c.playable_class, `${path}.playable_class`).id, `${path}.playable_class.id`, 0, 1000),
  }
}

/** Every character of every WoW account of the user, once each. */
export function readCharacters(json: unknown, what: string): BnetCharacter[] {
  const r: Reader = new Reader(what)
  const body = r.record(json, 'the body')
  const seen = new Map<number, BnetCharacter>()
  r.array(body.wow_accounts ?? [], 'wow_accounts').forEach((account, i) => {
    const characters = r.record(account, `wow_accounts[${i}]`).characters ?? []
    r.array(characters, `wow_accounts[${i}].characters`).forEach((c, j) => {
      const character = readCharacter(r, c, `wow_accounts[${i}].characters[${j}]`)
      if (!seen.has(character.id)) seen.set(character.id, character)
    })
  })
  return [...seen.values()]
}

export function readRoster(json: unknown, what: string): BnetRoster {
  const r: Reader = new Reader(what)
  const body = r.record(json, 'the body')
  const guild = r.record(body.guild, 'guild')
  const faction = guild.faction === undefined ? undefined : r.record(guild.faction, 'guild.faction').type
  const members = new Map<number, BnetRosterMember>()
  r.array(body.members, 'members').forEach((value, i) => {
    const m = r.record(value, `members[${i}]`)
    const character = readCharacter(r, m.character, `members[${i}].character`)
    const rank = m.rank
    if (!isValidRank(rank)) r.fail(`members[${i}].rank`, 'an integer from 0 to 9')
    if (!members.has(character.id)) members.set(character.id, { ...character, rank })
  })
  return {
    guild: {
      id: r.id(guild.id, 'guild.id'),
      name: r.text(guild.name, 'guild.name'),
      realm: r.text(r.record(guild.realm, 'guild.realm').slug, 'guild.realm.slug'),
      faction: typeof faction === 'string' ? faction : null,
    },
    members: [...members.values()],
  }
}

/** A realm's `name`: a string (a request with a locale) or a map of locale to name (without one); en_US first. */
function realmNames(r: Reader, value: unknown, path: string): string[] {
  if (typeof value === 'string') return [r.text(value, path)]
  const byLocale = r.record(value, path)
  const names = Object.entries(byLocale)
    .sort(([a], [b]) => (a === 'en_US' ? -1 : b === 'en_US' ? 1 : 0))
    .flatMap(([locale, name]) => (typeof name === 'string' && name !== '' ? [r.text(name, `${path}.${locale}`)] : []))
  if (names.length === 0) r.fail(path, 'a name or a map of locales to names')
  return names
}

/** `GET /data/wow/realm/index`: every realm of the region, once each by slug. */
export function readRealmIndex(json: unknown, what: string): BnetRealm[] {
  const r: Reader = new Reader(what)
  const body = r.record(json, 'the body')
  const realms = new Map<string, BnetRealm>()
  r.array(body.realms, 'realms').forEach((value, i) => {
    const realm = r.record(value, `realms[${i}]`)
    const slug = r.text(realm.slug, `realms[${i}].slug`)
    const names = realmNames(r, realm.name, `realms[${i}].name`)
    if (!realms.has(slug)) realms.set(slug, { slug, name: names[0] as string, names })
  })
  return [...realms.values()]
}
