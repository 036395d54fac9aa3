import { GUARDED_TOOLS } from '@guild/contract'
import { CliError, reasonOf } from './errors.js'

/**
 * The one place the CLI reads the database, and the one place @guild/cache knows any table: only under
 * `warm --from-db`, with `postgres` loaded only then. It reads what permission-service itself reads for
 * a check: who has a character in the guild's roster (guild_members.bnet_id) and the guild's tool map
 * (guild_tool_permissions), plus the tools guild-api guards itself, which a map may leave out.
 */
export interface Roster {
  members: number[]
  tools: string[]
}

export async function readRoster(databaseUrl: string | undefined, guildId: number, timeoutMs: number): Promise<Roster> {
  if (!databaseUrl)
    throw new CliError('warm --from-db needs the database: set DATABASE_URL or pass --database-url postgres://…')
  const { default: postgres } = await import('postgres')
  let sql
  try {
    sql = postgres(databaseUrl, {
      max: 1,
      connect_timeout: Math.max(1, Math.ceil(timeoutMs / 1_000)),
      idle_timeout: 1,
      onnotice: () => {},
    })
  } catch (err) {
    throw new CliError(`DATABASE_URL / --database-url is not usable: ${reasonOf(err)}`)
  }
  try {
    const [guild] = await sql`select id from guilds where id = ${guildId}`
    if (!guild) throw new CliError(`guild ${guildId} is not registered in that database`)
    const members = await sql<{ bnet_id: string }[]>`
      select distinct bnet_id from guild_members where guild_id = ${guildId} and bnet_id is not null order by bnet_id`
    const tools = await sql<
      { tool: string }[]
    >`select tool from guild_tool_permissions where guild_id = ${guildId} order by tool`
    return {
      members: members.map((m) => Number(m.bnet_id)),
      tools: [...new Set([...GUARDED_TOOLS, ...tools.map((t) => t.tool)])].sort(),
    }
  } catch (err) {
    if (err instanceof CliError) throw err
    throw new CliError(
      `cannot read guild ${guildId} from the database (DATABASE_URL / --database-url): ${reasonOf(err)}`,
      1,
      { cause: err },
    )
  } finally {
    await sql.end({ timeout: 1 })
  }
}
