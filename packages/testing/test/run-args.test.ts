import t from 'tap'
import { onlyOf, positiveOption, reportFailure, runOptions, UsageError } from '../src/run-args.js'

const KNOWN = ['load', 'stampede', 'invalidation', 'hit_rate'] as const
const OPTIONS = { against: { type: 'string' }, only: { type: 'string' }, quick: { type: 'boolean' } } as const

t.test('runOptions reads --name value and --name=value, and flags', async (t) => {
  t.same(runOptions(['--against', '/tmp/x', '--quick'], OPTIONS), { against: '/tmp/x', quick: true })
  t.same(runOptions(['--against=/tmp/y'], OPTIONS), { against: '/tmp/y' })
  t.same(runOptions([], OPTIONS), {})
})

t.test('runOptions refuses a missing value, an unknown option and a stray argument, as usage errors', async (t) => {
  t.throws(() => runOptions(['--against'], OPTIONS), new UsageError("Option '--against <value>' argument missing"))
  t.throws(() => runOptions(['--against', '--quick'], OPTIONS), {
    name: 'UsageError',
    message: /^Option '--against' argument is ambiguous/,
  })
  t.throws(() => runOptions(['--rounds', '3'], OPTIONS), new UsageError("Unknown option '--rounds'"))
  t.throws(() => runOptions(['load'], OPTIONS), { name: 'UsageError', message: /^Unexpected argument 'load'/ })
})

t.test('onlyOf keeps the named scenarios, all of them without --only', async (t) => {
  t.equal(onlyOf(undefined, KNOWN), undefined, 'no --only: every scenario')
  t.same([...(onlyOf('load,hit_rate', KNOWN) ?? [])], ['load', 'hit_rate'])
  t.same([...(onlyOf(runOptions(['--only=stampede'], OPTIONS).only, KNOWN) ?? [])], ['stampede'])
})

t.test('onlyOf refuses a name it does not know, naming the ones it does', async (t) => {
  // A scenario inside a group (api_members is part of load) ran nothing and wrote an empty report before.
  t.throws(
    () => onlyOf('api_members', KNOWN),
    new UsageError('--only: api_members is not one of load, stampede, invalidation, hit_rate'),
  )
  t.throws(() => onlyOf('load,stampedee', KNOWN), /stampedee is not one of/)
  t.throws(() => onlyOf(',', KNOWN), /--only needs one or more of load/)
})

t.test('positiveOption takes positive integers only', async (t) => {
  t.equal(positiveOption(undefined, 'rounds', 8), 8)
  t.equal(positiveOption('3', 'rounds', 8), 3)
  for (const bad of ['0', '-1', '2.5', 'ten'])
    t.throws(() => positiveOption(bad, 'rounds', 8), /--rounds must be a positive integer/)
})

t.test('reportFailure shows a usage error by its message and anything else with its stack', async (t) => {
  const lines: string[] = []
  const error = console.error
  console.error = (line: string) => lines.push(line)
  const exitCode = process.exitCode
  try {
    reportFailure(new UsageError('--only: x is not one of load'))
    reportFailure(new Error('redis went away'))
    reportFailure('a string')
    t.equal(process.exitCode, 1)
  } finally {
    console.error = error
    process.exitCode = exitCode
  }
  t.equal(lines[0], '--only: x is not one of load')
  t.match(lines[1], /^Error: redis went away\n\s+at /, 'the stack, for a failure that is not the user’s')
  t.equal(lines[2], 'a string')
})
