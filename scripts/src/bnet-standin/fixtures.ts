import { readFile } from 'node:fs/promises'

/** A character that belongs to a fixture user. `realm` is a realm slug. */
export interface FixtureCharacter {
  id: number
  name: string
  realm: string
  level: number
  class_id: number
}

export interface FixtureUser {
  id: number
  battletag: string
  characters: FixtureCharacter[]
}

/**
 * One roster line. When `character_id` names a fixture user's character, that character's name,
 * level, class and realm are used; otherwise the entry carries `name`, `level` and `class_id`
 * itself and its realm is the guild's.
 */
export interface FixtureRosterEntry {
  character_id: number
  rank: number
  name?: string
  level?: number
  class_id?: number
}

export interface FixtureGuild {
  id: number
  name: string
  realm: string
  faction: string
  roster: FixtureRosterEntry[]
}

/** A realm of the realm index. `slug` is how Battle.net addresses it; `name` is how players write it. */
export interface FixtureRealm {
  id: number
  slug: string
  name: string
}

/** Makes requests whose path starts with `path` slow or failing (see fixtures/README.md). */
export interface FixtureFault {
  path: string
  status?: number
  delay_ms?: number
  retry_after?: number
  times?: number
}

export interface Fixtures {
  users: FixtureUser[]
  guilds: FixtureGuild[]
  /** The realm index. Absent: every slug the file uses, named by its words capitalised. */
  realms?: FixtureRealm[]
  /** OAuth clients allowed at /oauth/token, id → secret. Absent: any client id with a non-empty secret. */
  clients?: Record<string, string>
  faults?: FixtureFault[]
}

/** The fixture file cannot be read or does not describe what the stand-in serves. */
export class FixtureError extends Error {
  constructor(
    readonly fixturesPath: string,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(`Battle.net stand-in fixture file ${fixturesPath}: ${detail}`, options)
    this.name = 'FixtureError'
  }
}

/** Reads and checks the fixture file; called on every request so that edits show at once. */
export async function loadFixtures(fixturesPath: string): Promise<Fixtures> {
  let text: string
  try {
    text = await readFile(fixturesPath, 'utf8')
  } catch (err) {
    const reason =
      (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : `cannot be read (${(err as Error).message})`
    throw new FixtureError(fixturesPath, `${reason}; set BNET_STANDIN_FIXTURES to a fixture file`, { cause: err })
  }
  let data: unknown
  try {
    data = JSON.parse(text)
  } catch (err) {
    throw new FixtureError(fixturesPath, `is not valid JSON (${(err as Error).message})`, { cause: err })
  }
  const problem = fixtureProblem(data)
  if (problem) throw new FixtureError(fixturesPath, problem)
  return data as Fixtures
}

type Check = (value: unknown, at: string) => string | undefined

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

const id: Check = (v, at) =>
  Number.isSafeInteger(v) && (v as number) > 0 ? undefined : `${at} must be a positive integer below 2^53`
const text: Check = (v, at) => (typeof v === 'string' && v.length > 0 ? undefined : `${at} must be a non-empty string`)
const intIn =
  (min: number, max: number): Check =>
  (v, at) =>
    Number.isInteger(v) && (v as number) >= min && (v as number) <= max
      ? undefined
      : `${at} must be an integer from ${min} to ${max}`
const slug: Check = (v, at) =>
  typeof v === 'string' && /^[a-z0-9]+(-[a-z0-9]+)*$/.test(v)
    ? undefined
    : `${at} must be a realm slug such as "area-52"`

function fields(
  obj: Record<string, unknown>,
  at: string,
  checks: Record<string, Check>,
  optional = false,
): string | undefined {
  for (const [key, check] of Object.entries(checks)) {
    if (optional && obj[key] === undefined) continue
    const problem = check(obj[key], `${at}.${key}`)
    if (problem) return problem
  }
  return undefined
}

function list(
  value: unknown,
  at: string,
  each: (item: Record<string, unknown>, at: string) => string | undefined,
): string | undefined {
  if (!Array.isArray(value)) return `${at} must be an array`
  for (const [i, item] of value.entries()) {
    if (!isRecord(item)) return `${at}[${i}] must be an object`
    const problem = each(item, `${at}[${i}]`)
    if (problem) return problem
  }
  return undefined
}

const characterChecks = { id, name: text, realm: slug, level: intIn(1, 100), class_id: intIn(1, 99) }
const rosterOwnChecks = { name: text, level: intIn(1, 100), class_id: intIn(1, 99) }

/** The first thing wrong with `data` as fixtures, named by its path in the file; undefined when fine. */
export function fixtureProblem(data: unknown): string | undefined {
  if (!isRecord(data)) return 'must hold a JSON object with "users" and "guilds"'
  const userCharacters = new Set<number>()
  const usersProblem = list(data.users, 'users', (user, at) => {
    const problem = fields(user, at, { id, battletag: text })
    if (problem) return problem
    return list(user.characters, `${at}.characters`, (character, cAt) => {
      userCharacters.add(character.id as number)
      return fields(character, cAt, characterChecks)
    })
  })
  if (usersProblem) return usersProblem
  const guildsProblem = list(data.guilds, 'guilds', (guild, at) => {
    const problem = fields(guild, at, { id, name: text, realm: slug, faction: text })
    if (problem) return problem
    return list(guild.roster, `${at}.roster`, (entry, eAt) => {
      const entryProblem = fields(entry, eAt, { character_id: id, rank: intIn(0, 9) })
      if (entryProblem) return entryProblem
      if (userCharacters.has(entry.character_id as number)) return fields(entry, eAt, rosterOwnChecks, true)
      const own = fields(entry, eAt, rosterOwnChecks)
      return own ? `${own} (character ${String(entry.character_id)} belongs to no fixture user)` : undefined
    })
  })
  if (guildsProblem) return guildsProblem
  if (data.realms !== undefined) {
    const slugs = new Set<unknown>()
    const realmsProblem = list(data.realms, 'realms', (realm, at) => {
      const problem = fields(realm, at, { id, slug, name: text })
      if (problem) return problem
      if (slugs.has(realm.slug)) return `${at}.slug "${String(realm.slug)}" is listed twice`
      slugs.add(realm.slug)
      return undefined
    })
    if (realmsProblem) return realmsProblem
  }
  if (data.clients !== undefined) {
    if (!isRecord(data.clients)) return 'clients must be an object mapping client id to secret'
    for (const [clientId, secret] of Object.entries(data.clients)) {
      const problem = text(secret, `clients.${clientId}`)
      if (problem) return problem
    }
  }
  if (data.faults === undefined) return undefined
  return list(data.faults, 'faults', (fault, at) => {
    if (typeof fault.path !== 'string' || !fault.path.startsWith('/'))
      return `${at}.path must be a path prefix starting with "/"`
    return fields(
      fault,
      at,
      {
        status: intIn(100, 599),
        delay_ms: intIn(0, 600_000),
        retry_after: intIn(0, 86_400),
        times: intIn(1, Number.MAX_SAFE_INTEGER),
      },
      true,
    )
  })
}
