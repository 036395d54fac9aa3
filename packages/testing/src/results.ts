import { mkdirSync, writeFileSync } from 'node:fs'

/**
 * Writes a run's report as `latest.json` in `dir` and a copy named for its date (and `-quick` for a short
 * pass), as the benchmark and the chaos suite both keep them. Resolves the latest file's path.
 */
export function writeResults(dir: string, report: { date: string; quick: boolean }): string {
  mkdirSync(dir, { recursive: true })
  const json = JSON.stringify(report, null, 2) + '\n'
  const latest = `${dir}latest.json`
  writeFileSync(latest, json)
  writeFileSync(`${dir}${report.date.replace(/[:.]/g, '-')}${report.quick ? '-quick' : ''}.json`, json)
  return latest
}
