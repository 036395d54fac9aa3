import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { freePort } from '../src/free-port.js'
import { launchSystem } from '../src/launched-system.js'

t.test('launches npm start, reads its ready list, stops it', async (t) => {
  const port = await freePort()
  const system = await launchSystem({ BNET_STANDIN_PORT: String(port) }, ['--services', 'bnet-standin'])
  t.teardown(() => system.stop())
  t.same(system.urls, { 'Battle.net stand-in': `http://127.0.0.1:${port}` })
  t.equal(system.appUrl, undefined, 'no web app asked for')
  t.ok(system.pid > 0)
  t.equal((await fetch(`http://127.0.0.1:${port}/health/live`)).status, 200)
  await system.stop()
  t.match(system.output(), /everything is stopped/)
  await system.stop()
})

t.test('a launcher that cannot start rejects with its output', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'launched-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  await t.rejects(launchSystem({ BNET_STANDIN_PORT: 'nope' }, ['--services', 'bnet-standin']), {
    message: /exited before it was ready[\s\S]*BNET_STANDIN_PORT/,
  })
  await t.rejects(
    launchSystem(
      { BNET_STANDIN_PORT: String(await freePort()), BNET_STANDIN_FIXTURES: join(dir, 'none.json') },
      ['--services', 'bnet-standin'],
      60_000,
    ),
    { message: /exited before it was ready/ },
  )
})

t.test('a launcher still starting past the timeout is stopped', async (t) => {
  await t.rejects(launchSystem({ BNET_STANDIN_PORT: String(await freePort()) }, ['--services', 'bnet-standin'], 1), {
    message: /not ready within/,
  })
})
