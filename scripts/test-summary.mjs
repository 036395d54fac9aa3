#!/usr/bin/env node
// Adds up the `# { total, pass, fail, … }` lines that each workspace's tap run ends with, and
// prints one closing line CI can read: "N passed, N failed" (", N skipped" when any were).
import { readFileSync } from 'node:fs'

const log = readFileSync(process.argv[2] ?? 0, 'utf8')
let pass = 0
let fail = 0
let skip = 0
let runs = 0
for (const match of log.matchAll(/^# (\{ total: .*\})\s*$/gm)) {
  runs++
  const counts = Object.fromEntries(
    [...match[1].matchAll(/(\w+): (\d+)/g)].map(([, key, value]) => [key, Number(value)]),
  )
  pass += counts.pass ?? 0
  fail += counts.fail ?? 0
  skip += (counts.skip ?? 0) + (counts.todo ?? 0)
}
if (runs === 0) {
  console.log('0 passed, 1 failed')
  console.error('test-summary: no tap summary line found in the log')
  process.exit(1)
}
console.log(`${pass} passed, ${fail} failed${skip ? `, ${skip} skipped` : ''}`)
