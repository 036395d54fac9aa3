import t from 'tap'
import { onlyOf, option, positiveOption, reportFailure, UsageError } from '../src/cli-args.js'

const KNOWN = ['load', 'stampede', 'invalidation', 'hit_rate'] as const

t.test('option reads --name value and --name=value, and refuses a missing value', async (t) => {
  t.equal(option(['--against', '/tmp/x'], 'against'), '/tmp/x')
  t.equal(option(['--against=/tmp/y'], 'against'), '/tmp/y')
  t.equal(option(['--quick'], 'against'), undefined)
  t.throws(() => option(['--against'], 'against'), /--against needs a value/)
  t.throws(() => option(['--against', '--quick'], 'against'), /--against needs a value/)
})

t.test('onlyOf keeps the named scenarios, all of them without --only', async (t) => {
  t.equal(onlyOf(['--quick'], KNOWN), undefined, 'no --only: every scenario')
  t.same([...(onlyOf(['--only', 'load,hit_rate'], KNOWN) ?? [])], ['load', 'hit_rate'])
  t.same([...(onlyOf(['--only=stampede'], KNOWN) ?? [])], ['stampede'])
})

t.test('onlyOf refuses a name it does not know, naming the ones it does', async (t) => {
  // A scenario inside a group (api_members is part of load) ran nothing and wrote an empty report before.
  t.throws(() => onlyOf(['--only', 'api_members'], KNOWN), { message: '--only: api_members is not one of load, stampede, invalidation, hit_rate' })
  t.throws(() => onlyOf(['--only', 'load,stampedee'], KNOWN), /stampedee is not one of/)
  t.throws(() => onlyOf(['--only', ','], KNOWN), /--only needs one or more of load/)
})

t.test('positiveOption takes positive integers only', async (t) => {
  t.equal(positiveOption([], 'rounds', 8), 8)
  t.equal(positiveOption(['--rounds', '3'], 'rounds', 8), 3)
  for (const bad of ['0', '-1', '2.5', 'ten']) t.throws(() => positiveOption(['--rounds', bad], 'rounds', 8), /--rounds must be a positive integer/)
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
  t.ok(onlyOfThrowsUsage(), 'the parsers throw UsageError')
})

function onlyOfThrowsUsage(): boolean {
  try {
    onlyOf(['--only', 'nope'], KNOWN)
    return false
  } catch (err) {
    return err instanceof UsageError
  }
}
