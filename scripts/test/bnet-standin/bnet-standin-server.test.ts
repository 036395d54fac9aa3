import { createServer } from 'node:net'
import { freePort } from '@guild/testing'
import t from 'tap'
import { cleanEnv, runNode } from '../helpers/node-process.js'

t.test('run alone: serves the demo fixtures on BNET_STANDIN_PORT, exits 0 on SIGTERM', async (t) => {
  const port = await freePort()
  const proc = runNode('bnet-standin/server.ts', cleanEnv({ BNET_STANDIN_PORT: String(port), LOG_LEVEL: 'info' }))
  t.teardown(() => proc.child.kill('SIGKILL'))
  await proc.waitFor(
    /bnet-standin ready on http:\/\/127\.0\.0\.1:\d+ \(fixtures: .*scripts\/fixtures\/bnet-demo\.json\)/,
  )
  const res = await fetch(
    `http://127.0.0.1:${port}/oauth/authorize?client_id=c` +
      '&redirect_uri=http%3A%2F%2F127.0.0.1%2Fcb&login_hint=Thrall%231234',
    {
      redirect: 'manual',
    },
  )
  t.equal(res.status, 302)
  await proc.waitFor(/GET \/oauth\/authorize → 302/)
  proc.child.kill('SIGTERM')
  t.same(await proc.exited, { code: 0, signal: null })
})

t.test('run alone on a port in use: names BNET_STANDIN_PORT and exits 1', async (t) => {
  const blocker = createServer()
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>((resolve) => blocker.close(() => resolve())))
  const port = (blocker.address() as { port: number }).port
  const proc = runNode('bnet-standin/server.ts', cleanEnv({ BNET_STANDIN_PORT: String(port) }))
  t.equal((await proc.exited).code, 1)
  t.match(
    proc.output(),
    `bnet-standin: port ${port} on 127.0.0.1 is already in use: set BNET_STANDIN_PORT to a free port`,
  )
})
