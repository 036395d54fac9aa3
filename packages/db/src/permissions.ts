import { ID_RULE, isValidId, isValidTool, rankMayUse, TOOL_PATTERN, type CheckItem } from '@guild/contract'
import type { DbHandle } from './client.js'
import { InvalidPermissionCheckError, PermissionQueryError, describeError } from './errors.js'

/** The contract's check item. */
export type PermissionCheck = CheckItem

/**
 * Answers each check, in input order, with ONE query for the whole batch: the items go in as three
 * arrays, and per item an index-only lookup on guild_members (guild_id, bnet_id, rank) finds the
 * user's best rank while the primary key of guild_tool_permissions finds the tool's. The contract's
 * rule is then `rankMayUse` from @guild/contract, so it lives in one place. An unknown guild or a
 * user without a character in it gets no best rank, hence false.
 *
 * @throws InvalidPermissionCheckError before any query when an item breaks the contract.
 * @throws PermissionQueryError when the database cannot answer: the caller must not guess.
 */
export async function checkPermissions(handle: DbHandle, items: readonly PermissionCheck[]): Promise<boolean[]> {
  if (!Array.isArray(items)) throw new InvalidPermissionCheckError('checkPermissions: items must be an array', 'items')
  items.forEach((item, i) => assertCheck(item, `items[${i}].`))
  return await queryPermissions(handle, items)
}

/** One check; see `checkPermissions`. */
export async function checkPermission(
  handle: DbHandle,
  guildId: number,
  bnetId: number,
  tool: string,
): Promise<boolean> {
  const item = { guildId, bnetId, tool }
  assertCheck(item, '')
  const [answer] = await queryPermissions(handle, [item])
  return answer === true
}

async function queryPermissions(handle: DbHandle, items: readonly PermissionCheck[]): Promise<boolean[]> {
  if (items.length === 0) return []
  const guildIds = items.map((item) => item.guildId)
  const bnetIds = items.map((item) => item.bnetId)
  const tools = items.map((item) => item.tool)
  handle.stats.permissionQueries++
  const started = performance.now()
  let rows: { ord: number; best_rank: number | null; max_rank: number | null }[]
  try {
    rows = await handle.sql`
      select i.ord::int as ord, m.best_rank, p.max_rank
      from unnest(${guildIds}::bigint[], ${bnetIds}::bigint[], ${tools}::text[])
        with ordinality as i(guild_id, bnet_id, tool, ord)
      left join lateral (
        select min(gm.rank) as best_rank
        from guild_members gm
        where gm.guild_id = i.guild_id and gm.bnet_id = i.bnet_id
      ) m on true
      left join guild_tool_permissions p on p.guild_id = i.guild_id and p.tool = i.tool
    `
  } catch (error) {
    handle.onPermissionQuery?.({ items: items.length, durationMs: performance.now() - started, ok: false })
    throw new PermissionQueryError(
      `the permission query for ${items.length} check(s) failed: ${describeError(error)}`,
      {
        cause: error,
      },
    )
  }
  handle.onPermissionQuery?.({ items: items.length, durationMs: performance.now() - started, ok: true })
  // Rows come back in any order; `ord` puts each answer back at its item's position.
  const answers = new Array<boolean>(items.length).fill(false)
  for (const row of rows) answers[row.ord - 1] = rankMayUse(row.best_rank ?? undefined, row.max_rank ?? undefined)
  return answers
}

function assertCheck(item: unknown, prefix: string): asserts item is PermissionCheck {
  if (typeof item !== 'object' || item === null) {
    throw new InvalidPermissionCheckError(
      `${prefix || 'check '}must be an object with guildId, bnetId and tool`,
      prefix.slice(0, -1) || 'check',
    )
  }
  const { guildId, bnetId, tool } = item as Record<string, unknown>
  if (!isValidId(guildId))
    throw new InvalidPermissionCheckError(
      `${prefix}guildId must be ${ID_RULE}, got ${show(guildId)}`,
      `${prefix}guildId`,
    )
  if (!isValidId(bnetId))
    throw new InvalidPermissionCheckError(`${prefix}bnetId must be ${ID_RULE}, got ${show(bnetId)}`, `${prefix}bnetId`)
  if (!isValidTool(tool)) {
    throw new InvalidPermissionCheckError(
      `${prefix}tool must match ${TOOL_PATTERN.source}, got ${show(tool)}`,
      `${prefix}tool`,
    )
  }
}

function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)
  if (typeof value === 'bigint') return `${value}n`
  if (value === null || typeof value !== 'object') return String(value)
  return Array.isArray(value) ? 'an array' : 'an object'
}
