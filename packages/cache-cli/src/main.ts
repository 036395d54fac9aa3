#!/usr/bin/env node
import { run } from './run.js'

// Ctrl-C ends `watch` cleanly (exit 0) and stops any other command (exit 130); a second one exits at once.
const stop = new AbortController()
process.once('SIGINT', () => {
  stop.abort()
  process.once('SIGINT', () => process.exit(130))
})

const code = await run(
  process.argv.slice(2),
  { stdout: process.stdout, stderr: process.stderr },
  process.env,
  stop.signal,
)
// Exit once the output is flushed: a socket to a Redis that hangs may otherwise keep the process alive for a while.
process.stdout.write('', () => process.stderr.write('', () => process.exit(code)))
