import { createCache } from '@guild/cache'
import { startOwnCluster } from '@guild/testing'
import t from 'tap'
import { silentLogger } from './fixtures/harness.js'
import { runCliHere } from './fixtures/cli.js'

/* The CLI on a private cluster of three masters (this file always makes its own, in both runs). */
const cluster = await startOwnCluster()
t.teardown(() => cluster.stop())

t.test('the CLI on a cluster: --cluster, every master read', async (t) => {
  const cache = createCache({
    clusterNodes: cluster.nodes,
    busChannel: 'cache:test:cluster-cli',
    logger: silentLogger(),
    operationTimeoutMs: 2_000,
  })
  t.teardown(() => cache.close())
  await cache.ready
  for (let u = 1; u <= 20; u++) await cache.setPermissionCheck(8, u, 'roster', true)
  const stats = await runCliHere(['stats', '--json', '--cluster', cluster.nodes, '--metrics', 'none'])
  t.equal(stats.code, 0, stats.stderr)
  t.match(stats.json(), {
    redis: { mode: 'cluster', masters: 3 },
    keys: { exact: true, namespaces: { permission: { estimated: 20 } } },
  })
  const purge = await runCliHere(
    [
      'purge',
      'pattern',
      'permission:8:*',
      '--yes',
      '--json',
      '--cluster',
      cluster.nodes,
      '--bus-channel',
      'cache:test:cluster-cli',
    ],
    {
      env: { REDIS_URL: 'redis://127.0.0.1:1/0' },
    },
  )
  t.same(
    purge.json(),
    { pattern: 'permission:8:*', matched: 20, deleted: 20, dryRun: false },
    '--cluster wins over REDIS_URL',
  )
})
