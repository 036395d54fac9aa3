import t from 'tap'
import { parseInvocation, DEFAULT_METRICS } from '../src/args.js'
import { sampleNamespace } from '../src/commands/stats.js'
import { parseRequests } from '../src/metrics-endpoints.js'
import { bytes, table } from '../src/output.js'
import { progressBar, renderBar } from '../src/progress.js'
import { runCliHere } from './fixtures/cli.js'

t.test('usage: help, unknown commands and bad flags are exit code 2 with a message', async (t) => {
  const help = await runCliHere(['--help'])
  t.equal(help.code, 0)
  t.match(help.stdout, /usage: guild-cache <command> \[options\]/)
  t.match(help.stdout, /purge pattern P/)
  for (const [args, message] of [
    [[], /no command given/],
    [['flush'], /unknown command "flush"; commands: stats, get, ttl, purge, warm, watch/],
    [['stats', '--bogus'], /Unknown option '--bogus'/],
    [['get', '--url', 'redis://x', '--cluster', 'a:1'], /give --url or --cluster, not both/],
    [['stats', '--sample', '0'], /--sample must be a whole number >= 1/],
    [['stats', '--timeout', '1.5'], /--timeout must be a whole number/],
    [['stats', '--metrics', 'ftp://x'], /--metrics: "ftp:\/\/x" is not an http\(s\) URL/],
    [['get', '--url', 'redis://127.0.0.1:1/0'], /usage: guild-cache get KEY/],
    [['purge', 'everything', 'x', '--url', 'redis://127.0.0.1:1/0'], /usage: guild-cache purge guild G/],
    [
      ['purge', 'guild', '0', '--url', 'redis://127.0.0.1:1/0'],
      /guild_id must be a positive integer below 2\^53, got "0"/,
    ],
    [['purge', 'user', '12x', '--url', 'redis://127.0.0.1:1/0'], /bnet_id must be a positive integer/],
    [['warm', 'user', '1'], /usage: guild-cache warm guild G/],
  ] as const) {
    const run = await runCliHere([...args])
    t.equal(run.code, 2, args.join(' '))
    t.match(run.stderr, message)
  }
  const json = await runCliHere(['nope', '--json'])
  t.same(json.json(), { error: 'unknown command "nope"; commands: stats, get, ttl, purge, warm, watch', exitCode: 2 })
})

t.test('where Redis is: flags, then REDIS_CLUSTER_NODES over REDIS_URL, as the services read them', async (t) => {
  const env = { REDIS_URL: 'redis://a:1/0', REDIS_CLUSTER_NODES: 'b:2,c:3' }
  t.match(parseInvocation(['stats'], env).redis, { kind: 'cluster', nodes: 'b:2,c:3', source: 'REDIS_CLUSTER_NODES' })
  t.match(parseInvocation(['stats'], { REDIS_URL: 'redis://a:1/0' }).redis, { kind: 'single', source: 'REDIS_URL' })
  t.match(parseInvocation(['stats', '--url', 'redis://d:4/0'], env).redis, {
    kind: 'single',
    url: 'redis://d:4/0',
    source: '--url',
  })
  t.match(parseInvocation(['stats', '--cluster', 'e:5'], env).redis, { kind: 'cluster', source: '--cluster' })
  t.equal(parseInvocation(['stats'], { REDIS_URL: ' ' }).redis, undefined, 'blank is unset')
  const defaults = parseInvocation(['watch'], {})
  t.same(defaults.metrics, DEFAULT_METRICS)
  t.equal(defaults.busChannel, 'cache:bus')
  t.equal(parseInvocation(['watch'], { CACHE_BUS_CHANNEL: 'cache:other' }).busChannel, 'cache:other')
  t.same(parseInvocation(['stats', '--metrics', 'none'], {}).metrics, [])
  t.equal(parseInvocation(['warm'], {}).permissionServiceUrl, 'http://127.0.0.1:3001')
})

t.test('Prometheus text: cache_requests_total by namespace and result, anything else ignored', async (t) => {
  const text = [
    '# HELP cache_requests_total Cache reads',
    '# TYPE cache_requests_total counter',
    'cache_requests_total{namespace="permission",result="hit"} 12',
    'cache_requests_total{result="miss",namespace="permission"} 3',
    'cache_requests_total{namespace="guild",result="hit",service="x"} 1e3',
    'cache_requests_total{namespace="guild",result="other"} 5',
    'cache_requests_total{result="hit"} 9',
    'cache_errors_total{operation="get"} 4',
    'cache_requests_total{namespace="user",result="miss"} NaN',
  ].join('\n')
  t.same(
    [...parseRequests(text)],
    [
      ['permission', { hits: 12, misses: 3 }],
      ['guild', { hits: 1000, misses: 0 }],
    ],
  )
})

t.test('the progress bar, the sample namespaces and the formatting helpers', async (t) => {
  t.equal(renderBar('deleting', 0, 10), `deleting [${'-'.repeat(30)}] 0/10 0%`)
  t.equal(renderBar('deleting', 5, 10), `deleting [${'#'.repeat(15)}${'-'.repeat(15)}] 5/10 50%`)
  t.equal(renderBar('deleting', 12, 10), `deleting [${'#'.repeat(30)}] 12/10 100%`, 'never past full')
  t.equal(renderBar('x', 0, 0), `x [${'#'.repeat(30)}] 0/0 100%`)
  let written = ''
  const stream = { write: (s: string) => ((written += s), true) } as unknown as NodeJS.WritableStream
  const bar = progressBar(stream, true, 'warming', 4)
  bar.update(2)
  bar.update(2)
  bar.done()
  t.equal(
    written,
    `\r\x1b[K${renderBar('warming', 0, 4)}\r\x1b[K${renderBar('warming', 2, 4)}\n`,
    'redrawn in place, only when it changes',
  )
  const off = progressBar(stream, false, 'x', 1)
  off.update(1)
  off.done()
  t.equal(
    written.length,
    `\r\x1b[K${renderBar('warming', 0, 4)}\r\x1b[K${renderBar('warming', 2, 4)}\n`.length,
    'off: writes nothing',
  )
  t.equal(sampleNamespace('permission:1:2:roster'), 'permission')
  t.equal(sampleNamespace('cache:idx:guild:{1}'), 'cache:idx')
  t.equal(sampleNamespace('cache:x'), 'cache')
  t.equal(sampleNamespace('plain'), '(no namespace)')
  t.equal(bytes(512), '512 B')
  t.equal(bytes(1536), '1.5 KiB')
  t.equal(
    table(
      ['a', 'b'],
      [
        ['xx', '1'],
        ['y', '22'],
      ],
    ),
    'a    b\nxx   1\ny   22',
  )
})
