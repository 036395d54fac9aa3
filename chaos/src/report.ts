import { writeResults } from '@guild/testing'
import { resultsDir } from './paths.js'
import type { FaultFigures } from './scenarios/figures.js'
import type { RaceReport } from './scenarios/revocation-race.js'

export interface ChaosReport {
  faults: Record<string, FaultFigures>
  race?: RaceReport
  /** Every invariant held, every race count was 0. */
  ok: boolean
  quick: boolean
  postgres: string
  node: string
  cpus: number
  date: string
}

/** chaos/results/latest.json and a dated copy. */
export function writeReport(report: ChaosReport): string {
  return writeResults(resultsDir, report)
}

const trio = (a: number, b: number, c: number) => `${a} / ${b} / ${c}`
const rate = (r: number | null) => (r === null ? '—' : `${(r * 100).toFixed(1)}%`)

/** The tables the README explains. */
export function markdown(report: ChaosReport): string {
  const out: string[] = []
  const faults = Object.entries(report.faults)
  if (faults.length > 0) {
    out.push(
      '### Faults under load',
      '',
      '| fault | outage s | target | non-2xx before / during / after | p99 ms before / during / after ' +
        '| max ms during | hit rate before → during | hit rate back s | all 2xx again s |',
      '| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    )
    for (const [, f] of faults) {
      for (const [target, s] of Object.entries(f.targets)) {
        out.push(
          `| ${f.fault} | ${f.outage_s} | ${target} | ${trio(s.before.non2xx, s.during.non2xx, s.after.non2xx)} ` +
            `| ${trio(s.before.p99_ms, s.during.p99_ms, s.after.p99_ms)} | ${s.during.max_ms} ` +
            `| ${rate(s.hit_rate_before)} → ${rate(s.hit_rate_during)} | ${s.hit_rate_back_s ?? '—'} ` +
            `| ${s.all_2xx_after_s} |`,
        )
      }
    }
    const stalls = faults.map(
      ([name, f]) => `${name} ${f.conditions?.runner_max_lag_ms ?? '?'} ms, ${f.conditions?.load_average ?? '?'}`,
    )
    out.push('', `Conditions (the runner's worst event-loop stall, the machine's load average): ${stalls.join('; ')}.`)
    out.push(
      '',
      '### What each fault must not break',
      '',
      '| fault | check | observed | aim | |',
      '| --- | --- | --- | --- | --- |',
    )
    for (const [, f] of faults) {
      for (const i of f.invariants)
        out.push(`| ${f.fault} | ${i.check} | ${i.observed} | ${i.aim} | ${i.ok ? 'ok' : '**FAIL**'} |`)
    }
  }
  if (report.race) {
    out.push(
      '',
      '### The revocation race (2 permission-services, 200 checkers)',
      '',
      '| change | cycles | checks (per s) | stale allows after the answer (aim 0) | cycles with one ' +
        '| in-flight allows after the answer | window after the answer ms p50 / p99 / max ' +
        '| change answered ms p50 / p99 / max | stale denials after restore | check errors | failed changes |',
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    )
    const { conditions, ...kinds } = report.race
    for (const [name, r] of Object.entries(kinds)) {
      const label = name === 'permissions' ? 'PUT /permissions' : 'sync (rank)'
      out.push(
        `| ${label} | ${r.cycles} | ${r.checks} (${r.checks_per_s}) | ${r.stale_allows_after_answer} ` +
          `| ${r.stale_cycles} | ${r.in_flight_allows} | ${trio(r.window_ms.p50, r.window_ms.p99, r.window_ms.max)} ` +
          `| ${trio(r.change_ms.p50, r.change_ms.p99, r.change_ms.max)} | ${r.stale_denials_after_answer} ` +
          `| ${r.check_errors} | ${r.failed_changes} |`,
      )
    }
    if (conditions)
      out.push(
        '',
        `Conditions: the runner's worst event-loop stall ${conditions.runner_max_lag_ms} ms, ` +
          `the machine's load average ${conditions.load_average}.`,
      )
  }
  out.push(
    '',
    `${report.ok ? 'every check held' : '**some checks failed**'}; node ${report.node}, ${report.cpus} CPUs, ` +
      `${report.postgres}, ${report.date}${report.quick ? ', quick pass' : ''}`,
  )
  return out.join('\n')
}
