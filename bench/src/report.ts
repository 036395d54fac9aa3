import type { LoadFigures } from './context.js'
import { round } from './stats.js'
import { idleNote, type IdleConfig } from './idle-config.js'
import type { HitRateFigures } from './scenarios/hit-rate.js'
import type { InvalidationFigures } from './scenarios/invalidation.js'
import type { StampedeFigures } from './scenarios/stampede.js'
import type { WebRosterFigures } from './scenarios/web-roster.js'

export interface BenchReport {
  scenarios: Record<string, LoadFigures> & {
    stampede?: StampedeFigures
    invalidation?: InvalidationFigures
    hit_rate?: HitRateFigures
    web_roster?: WebRosterFigures
  }
  quick: boolean
  node: string
  cpus: number
  /** How idle CPUs wake (a ratio of a service that waits on another depends on it): see idle-config.ts. */
  idle: IdleConfig
  date: string
}

/** The Markdown tables the README shows. */
export function markdown(report: BenchReport): string {
  const { stampede, invalidation, hit_rate, web_roster, ...load } = report.scenarios
  const out: string[] = []
  if (Object.keys(load).length > 0) {
    out.push(
      '| scenario | req/s | p50 ms | p99 ms | max ms | errors | ratio | each round | compared with ' +
        '| p99 at 2,000 req/s | CPU µs a request | peak RSS MB | CPU stolen % each round |',
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- | ---: | ---: | ---: | --- |',
    )
    /* eslint-disable @typescript-eslint/restrict-template-expressions, @typescript-eslint/no-base-to-string --
       figures read back from results JSON, printed as they are */
    for (const [name, s] of Object.entries<LoadFigures>(load)) {
      const rps = s.checks_per_s !== undefined ? `${s.rps} (${s.checks_per_s} checks/s)` : String(s.rps)
      out.push(
        `| ${name} | ${rps} | ${s.p50_ms} | ${s.p99_ms} | ${s.max_ms} | ${s.errors} | ${s.ratio ?? '—'} ` +
          `| ${Array.isArray(s.ratio_per_round) ? s.ratio_per_round.join(' ') : ''} | ${s.compared_with ?? '—'} ` +
          `| ${s.steady_2k_p99_ms ?? ''} | ${s.cpu_us_per_request ?? ''} | ${s.rss_mb} ` +
          `| ${Array.isArray(s.steal_pct_per_round) ? s.steal_pct_per_round.join(' ') : ''} |`,
      )
    }
    /* eslint-enable @typescript-eslint/restrict-template-expressions, @typescript-eslint/no-base-to-string */
    for (const [name, s] of Object.entries<LoadFigures>(load)) {
      if (typeof s.permission_wait_us !== 'number' || typeof s.permission_exchanges_per_request !== 'number') continue
      const perExchange =
        s.permission_exchanges_per_request > 0 ? round(1 / s.permission_exchanges_per_request, 1) : '—'
      out.push(
        '',
        `**${name}'s permission hop**: over the measured rounds, guild-api waited ${s.permission_wait_us} µs ` +
          `on average for each permission answer and made ${s.permission_exchanges_per_request} exchanges ` +
          `with permission-service a request (${perExchange} requests an exchange)`,
      )
    }
  }
  if (stampede) {
    out.push(
      '',
      `**stampede**: ${stampede.callers} concurrent callers of one cold key over ${stampede.instances} instances ` +
        `→ at most ${stampede.db_queries} database quer${stampede.db_queries === 1 ? 'y' : 'ies'} ` +
        `(the worst of ${stampede.rounds} rounds; each round: ${stampede.db_queries_per_round.join(', ')}; ` +
        `${stampede.errors} errors)`,
    )
  }
  if (invalidation) {
    const i = invalidation
    out.push(
      '',
      `**invalidation** (${i.keyspace.toLocaleString('en')} unrelated keys; ` +
        `medians of ${i.rounds} round${i.rounds === 1 ? '' : 's'}):`,
      '',
      '| what | time ms | each round | worst GET alongside ms | each round |',
      '| --- | ---: | --- | ---: | --- |',
      `| invalidateUser (${i.user_entries} entries) | ${i.user_ms} | ${i.user_ms_per_round.join(' ')} ` +
        `| ${i.max_get_ms.ours} | ${i.max_get_ms.ours_per_round.join(' ')} |`,
      `| invalidateGuild (${i.guild_entries.toLocaleString('en')} entries) | ${i.guild_ms} ` +
        `| ${i.guild_ms_per_round.join(' ')} | ${i.max_get_ms.ours} | ${i.max_get_ms.ours_per_round.join(' ')} |`,
      `| the seed's EVAL of DEL over KEYS, same guild ` +
        `| ${i.seed_recipe_error ? `error: ${i.seed_recipe_error}` : i.seed_recipe_ms} ` +
        `| once | ${i.max_get_ms.seed_recipe} | |`,
    )
  }
  if (hit_rate) {
    out.push(
      '',
      `**hit_rate**: ${(hit_rate.rate * 100).toFixed(2)}% over ${hit_rate.requests.toLocaleString('en')} operations ` +
        `(Zipf s = ${hit_rate.zipf_s}, ${hit_rate.guilds} guilds × ${hit_rate.users_per_guild} users × ` +
        `${hit_rate.tools} tools, ${hit_rate.writes} writes, warmed first; ${hit_rate.errors} errors); ` +
        "an ideal on-demand cache under the seed's rule " +
        `would reach ${(hit_rate.on_demand_ceiling * 100).toFixed(2)}% ` +
        `on the same operations; ${hit_rate.db_queries.toLocaleString('en')} database queries, ` +
        `${hit_rate.refilled.toLocaleString('en')} answers refilled after writes`,
    )
  }
  if (web_roster) {
    const w = web_roster
    out.push(
      '',
      `**web_roster** (Chromium, a guild of ${w.members.toLocaleString('en')} members, medians of ${w.rounds} rounds):`,
      '',
      '| what | ms | each round |',
      '| --- | ---: | --- |',
      `| navigation to a rendered, sortable roster | ${w.load_ms} | ${w.load_ms_per_round.join(' ')} |`,
      `| re-sort by name, click to paint | ${w.resort_ms} | ${w.resort_ms_per_round.join(' ')} |`,
      `| guild-api's GET /guilds/{id}/members, same data | ${w.api_members_ms} ` +
        `| ${w.api_members_ms_per_round.join(' ')} |`,
    )
  }
  const idle = idleNote(report.idle)
  out.push(
    '',
    `node ${report.node}, ${report.cpus} CPUs${idle === '' ? '' : `, ${idle}`}, ` +
      `${report.date}${report.quick ? ', quick pass' : ''}`,
  )
  return out.join('\n')
}
