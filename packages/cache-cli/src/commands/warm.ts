import { isValidTool, TOOL_PATTERN } from '@guild/contract'
import { keys } from '@guild/cache'
import { idArgument } from '../args.js'
import type { CliContext } from '../context.js'
import { CliError, reasonOf, UsageError } from '../errors.js'
import { count } from '../output.js'
import { readRoster } from '../warm-roster-db.js'

/** The contract's batch limit for POST /v1/check/batch. */
const BATCH = 100

interface Check {
  guild_id: number
  bnet_id: number
  tool: string
}

export interface WarmReport {
  guild: number
  members: number
  tools: string[]
  checks: number
  allowed: number
  denied: number
  /** Checks permission-service could not decide (503): not stored by it either. */
  undecided: number
  /** Entries present in Redis afterwards, when Redis was given; null otherwise. */
  cached: number | null
}

/**
 * The seed's cache warming: every member's permission entry for every tool of the guild. The cache knows
 * no schema and no rule, so the answers come from permission-service, which computes them from the
 * database and stores them under its write guard, exactly as for a request.
 */
export async function warm(ctx: CliContext): Promise<void> {
  const [scope, arg, ...rest] = ctx.inv.args
  if (scope !== 'guild' || rest.length > 0)
    throw new UsageError('usage: guild-cache warm guild G [--members B,... --tools T,...] [--from-db]')
  const guildId = idArgument(arg, 'guild_id')
  const { inv } = ctx
  if (!inv.serviceToken)
    throw new CliError('warm asks permission-service, which needs its token: set SERVICE_TOKEN or pass --service-token')
  const serviceUrl = checkedServiceUrl(inv.permissionServiceUrl)
  let members = inv.members === undefined ? undefined : memberList(inv.members)
  let tools = inv.tools === undefined ? undefined : toolList(inv.tools)
  if (!members || !tools) {
    if (!inv.fromDb)
      throw new UsageError(
        `warm guild ${guildId}: give --members and --tools, or --from-db to read them from the database`,
      )
    const roster = await readRoster(inv.databaseUrl, guildId, inv.timeoutMs)
    members ??= roster.members
    tools ??= roster.tools
  }
  const checks: Check[] = members.flatMap((bnet_id) => tools.map((tool) => ({ guild_id: guildId, bnet_id, tool })))
  const report: WarmReport = {
    guild: guildId,
    members: members.length,
    tools,
    checks: checks.length,
    allowed: 0,
    denied: 0,
    undecided: 0,
    cached: null,
  }
  const bar = ctx.out.progress(`warming guild ${guildId}`, checks.length)
  for (let i = 0; i < checks.length; i += BATCH) {
    const batch = checks.slice(i, i + BATCH)
    const answers = await askBatch(serviceUrl, inv.serviceToken, batch, inv.timeoutMs)
    if (answers === 'undecided') report.undecided += batch.length
    else
      for (const a of answers) {
        if (a) report.allowed++
        else report.denied++
      }
    bar.update(Math.min(checks.length, i + BATCH))
  }
  bar.done()
  if (inv.redis) report.cached = await countCached(ctx, checks)
  ctx.out.result(report, () => render(report))
  if (report.undecided > 0)
    throw new CliError(
      `${count(report.undecided)} checks could not be decided by permission-service (503); run warm again`,
    )
}

function checkedServiceUrl(url: string): string {
  if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) {
    throw new CliError(
      `PERMISSION_SERVICE_URL / --permission-service-url must be an http(s) URL, got ${JSON.stringify(url)}`,
    )
  }
  return url.replace(/\/+$/, '')
}

function memberList(spec: string): number[] {
  const list = spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => idArgument(s, '--members entry'))
  if (list.length === 0) throw new UsageError('--members names no member')
  return [...new Set(list)]
}

function toolList(spec: string): string[] {
  const list = spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
  for (const tool of list)
    if (!isValidTool(tool))
      throw new UsageError(`--tools: ${JSON.stringify(tool)} does not match ${TOOL_PATTERN.source}`)
  if (list.length === 0) throw new UsageError('--tools names no tool')
  return [...new Set(list)]
}

/** One POST /v1/check/batch: the answers in order, 'undecided' on 503, an error for anything else. */
async function askBatch(
  serviceUrl: string,
  token: string,
  checks: Check[],
  timeoutMs: number,
): Promise<boolean[] | 'undecided'> {
  const url = `${serviceUrl}/v1/check/batch`
  let res: Response
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ checks }),
      signal: AbortSignal.timeout(timeoutMs),
    })
  } catch (err) {
    throw new CliError(
      `cannot reach permission-service at ${url}: ` +
        `${reasonOf(err instanceof Error && err.cause ? err.cause : err)}; ` +
        'check PERMISSION_SERVICE_URL / --permission-service-url',
    )
  }
  if (res.status === 503) return 'undecided'
  if (res.status === 401)
    throw new CliError('permission-service refused the token (401): check SERVICE_TOKEN / --service-token')
  if (!res.ok)
    throw new CliError(`permission-service answered ${res.status} to ${url}: ${(await res.text()).slice(0, 200)}`)
  const body = (await res.json()) as { results?: { has_access?: unknown }[] }
  if (!Array.isArray(body.results) || body.results.length !== checks.length) {
    throw new CliError(
      `permission-service answered ${checks.length} checks ` +
        `with ${Array.isArray(body.results) ? body.results.length : 'no'} results`,
    )
  }
  return body.results.map((r) => r.has_access === true)
}

/** How many of the warmed entries Redis now holds: EXISTS per key, batched. */
async function countCached(ctx: CliContext, checks: Check[]): Promise<number> {
  const client = await ctx.admin()
  let cached = 0
  for (let i = 0; i < checks.length; i += 500) {
    const found = await Promise.all(
      checks.slice(i, i + 500).map((c) => client.exists(keys.permission(c.guild_id, c.bnet_id, c.tool))),
    )
    cached += found.reduce((a, b) => a + b, 0)
  }
  return cached
}

function render(r: WarmReport): string {
  const lines = [
    `warmed guild ${r.guild}: ${count(r.checks)} checks ` +
      `(${count(r.members)} members × ${r.tools.length} tools: ${r.tools.join(', ')})`,
    `  ${count(r.allowed)} allowed, ${count(r.denied)} denied` +
      (r.undecided > 0 ? `, ${count(r.undecided)} undecided` : ''),
  ]
  if (r.cached !== null)
    lines.push(
      `  ${count(r.cached)} of ${count(r.checks)} entries now in Redis` +
        (r.cached < r.checks
          ? ' (the rest: answered from permission-service’s in-process memory, or it uses no Redis or another one)'
          : ''),
    )
  return lines.join('\n')
}
