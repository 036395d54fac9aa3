import t, { type Test } from 'tap'
import { claimDb } from './fixtures/harness.js'
import { httpServer, redisArgs, runCli, runCliHere } from './fixtures/cli.js'

/** A metrics endpoint whose counters grow by 3 hits and 1 miss per scrape: a 75 % hit rate in every interval. */
async function growingMetrics(t: Test) {
  let scrapes = 0
  const server = await httpServer((_req, res) => {
    scrapes++
    res.end(
      [
        `cache_requests_total{namespace="permission",result="hit"} ${scrapes * 3}`,
        `cache_requests_total{namespace="permission",result="miss"} ${scrapes}`,
      ].join('\n'),
    )
  })
  t.teardown(() => server.close())
  return `${server.url}/metrics`
}

t.test('watch --json: one document per update with ops/s and hit rates over the interval', async (t) => {
  const db = await claimDb(t)
  const metrics = await growingMetrics(t)
  const run = await runCli([
    'watch',
    '--json',
    '--count',
    '2',
    '--interval',
    '200',
    '--metrics',
    metrics,
    ...redisArgs(db),
  ])
  t.equal(run.code, 0, run.stderr)
  const ticks = run.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>)
  t.equal(ticks.length, 2)
  for (const tick of ticks) {
    t.match(tick, {
      time: /^\d{4}-\d\d-\d\dT/,
      opsPerSec: Number,
      cacheHitRate: 0.75,
      usedBytes: Number,
      connectedClients: Number,
      endpointsUp: 1,
    })
    t.ok((tick.opsPerSec as number) > 0, 'INFO itself is a command')
    t.ok((tick.cacheRequestsPerSec as number) > 0)
  }
})

t.test('watch stops on Ctrl-C with exit code 0', async (t) => {
  const db = await claimDb(t)
  const run = await runCli(['watch', '--interval', '100', '--metrics', 'none', ...redisArgs(db)], {
    onOutput: (child) => child.kill('SIGINT'),
  })
  t.equal(run.code, 0, run.stderr)
  t.match(
    run.stdout,
    new RegExp(
      /^\d\d:\d\d:\d\d {2}ops\/s \d+ {2}cache hit — \(0 req\/s, 0 endpoints\)/.source +
        / {2}redis hit .+ {2}mem [\d.]+ \w*B {2}clients \d+\n/.source,
    ),
  )
})

t.test('watch on a terminal redraws one line', async (t) => {
  const db = await claimDb(t)
  const metrics = await growingMetrics(t)
  const run = await runCliHere(['watch', '--count', '2', '--interval', '50', '--metrics', metrics, ...redisArgs(db)], {
    stdoutIsTTY: true,
  })
  t.equal(run.code, 0, run.stderr)
  t.match(run.stdout, /^\r\x1b\[K\d\d:\d\d:\d\d .*cache hit 75\.0%.*\r\x1b\[K.*\n$/)
  t.equal(run.stdout.split('\n').length, 2, 'one line, redrawn')
  const stop = new AbortController()
  setTimeout(() => stop.abort(), 150)
  const interrupted = await runCliHere(['watch', '--interval', '50', '--metrics', 'none', ...redisArgs(db)], {
    signal: stop.signal,
  })
  t.equal(interrupted.code, 0, 'Ctrl-C while watching is a normal end')
})
