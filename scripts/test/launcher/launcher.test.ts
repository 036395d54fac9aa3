import { execFileSync } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort } from '@guild/testing'
import postgres from 'postgres'
import t from 'tap'
import { preflight } from '../../src/launcher/run.js'
import type { ChildSpec } from '../../src/launcher/plan.js'
import { portInUse } from '../../src/port-free.js'
import { cleanEnv, runNode } from '../helpers/node-process.js'

const childPids = (pid: number): number[] => {
  try {
    return execFileSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' })
      .trim()
      .split('\n')
      .filter(Boolean)
      .map(Number)
  } catch {
    return []
  }
}

t.test(
  '--services embedded-postgres,bnet-standin: both start, ready lines and URLs print, SIGTERM stops all, exit 0',
  async (t) => {
    const dataDir = await mkdtemp(join(tmpdir(), 'launcher-pg-'))
    t.teardown(() => rm(dataDir, { recursive: true, force: true }))
    const pgPort = await freePort()
    const standinPort = await freePort()
    const launcher = runNode(
      'start.ts',
      cleanEnv({
        EMBEDDED_PG_PORT: String(pgPort),
        BNET_STANDIN_PORT: String(standinPort),
        EMBEDDED_PG_DATA_DIR: dataDir,
      }),
      ['--services', 'embedded-postgres,bnet-standin'],
    )
    t.teardown(() => launcher.child.kill('SIGKILL'))
    await launcher.waitFor(/Ctrl-C stops everything/, 60_000)
    // The launcher judges Postgres ready by its port, which opens just before the child prints its own
    // ready line: on a busy machine that line can come after the launcher's list.
    await launcher.waitFor(/\[embedded-postgres\] embedded-postgres ready on/, 10_000)
    const out = launcher.output()
    t.match(out, /\[start\] +embedded-postgres is ready \(\d+\.\d s\)/)
    t.match(out, /\[start\] +bnet-standin is ready/)
    t.match(out, /\[embedded-postgres\] embedded-postgres ready on/, "each child's lines carry its name")
    t.match(out, new RegExp(`embedded Postgres +postgres://postgres@127\\.0\\.0\\.1:${pgPort}/postgres`))
    t.match(out, new RegExp(`Battle.net stand-in +http://127\\.0\\.0\\.1:${standinPort}`))
    t.notMatch(out, /guild-api|log in/, 'only what was asked for')
    t.equal(
      out.match(new RegExp(`http://127\\.0\\.0\\.1:${standinPort}\\b`, 'g'))?.length,
      2,
      'the stand-in URL: its own ready line and the launcher list',
    )

    const health = await fetch(`http://127.0.0.1:${standinPort}/health/ready`)
    t.equal(health.status, 200)
    const sql = postgres(`postgres://postgres@127.0.0.1:${pgPort}/postgres`, { max: 1 })
    t.equal((await sql`SELECT 1 + 1 AS two`)[0]?.two, 2)
    await sql.end()

    const pid = launcher.child.pid as number
    const children = childPids(pid)
    t.equal(children.length, 2, 'two children')
    launcher.child.kill('SIGTERM')
    launcher.child.kill('SIGTERM') // as when npm forwards the terminal's Ctrl-C: not a request to kill at once
    const exit = await launcher.exited
    t.same(exit, { code: 0, signal: null })
    const after = launcher.output()
    const standinStop = after.indexOf('stopping bnet-standin')
    const pgStop = after.indexOf('stopping embedded-postgres')
    t.ok(standinStop > 0 && pgStop > standinStop, 'the stand-in stops before the database')
    t.match(after, 'embedded-postgres: stopped')
    t.match(after, 'everything is stopped')
    for (const child of children) t.throws(() => process.kill(child, 0), { code: 'ESRCH' }, `child ${child} is gone`)
    t.equal(await portInUse('127.0.0.1', pgPort), false)
    t.equal(await portInUse('127.0.0.1', standinPort), false)
  },
)

t.test('a port in use: a message naming the variable, nothing started, exit 1', async (t) => {
  const blocker = createServer()
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>((resolve) => blocker.close(() => resolve())))
  const port = (blocker.address() as { port: number }).port
  const launcher = runNode('start.ts', cleanEnv({ BNET_STANDIN_PORT: String(port) }), ['--services', 'bnet-standin'])
  t.equal((await launcher.exited).code, 1)
  t.match(
    launcher.output(),
    `port ${port} on 127.0.0.1 (for bnet-standin) is already in use: ` +
      'stop what listens there or set BNET_STANDIN_PORT to a free port',
  )
  t.notMatch(launcher.output(), '[bnet-standin]')
})

t.test('a child that exits unexpectedly stops the launcher with a message naming it, exit 1', async (t) => {
  const port = await freePort()
  const launcher = runNode(
    'start.ts',
    cleanEnv({ BNET_STANDIN_PORT: String(port), BNET_STANDIN_FIXTURES: '/nonexistent/fixtures.json' }),
    ['--services', 'bnet-standin'],
  )
  const exit = await launcher.exited
  t.equal(exit.code, 1)
  t.match(launcher.output(), /\[bnet-standin\] +bnet-standin: .*\/nonexistent\/fixtures\.json: does not exist/)
  t.match(launcher.output(), 'bnet-standin exited unexpectedly (exit code 1); stopping the rest')
})

t.test('a child killed after start: the launcher stops the rest and exits 1', async (t) => {
  const launcher = runNode('start.ts', cleanEnv({ BNET_STANDIN_PORT: String(await freePort()) }), [
    '--services',
    'bnet-standin',
  ])
  t.teardown(() => launcher.child.kill('SIGKILL'))
  await launcher.waitFor(/Ctrl-C stops everything/, 30_000)
  const [standin] = childPids(launcher.child.pid as number)
  t.ok(standin)
  process.kill(standin as number, 'SIGKILL')
  t.equal((await launcher.exited).code, 1)
  t.match(launcher.output(), 'bnet-standin exited unexpectedly (killed by SIGKILL); stopping the rest')
})

t.test('bad options: an unknown --services name or port value exits 2 naming it; --help exits 0', async (t) => {
  const [unknown, badPort, badFlag, help] = [
    runNode('start.ts', cleanEnv({}), ['--services', 'redis']),
    runNode('start.ts', cleanEnv({ GUILD_API_PORT: 'x' }), []),
    runNode('start.ts', cleanEnv({}), ['--nope']),
    runNode('start.ts', cleanEnv({}), ['--help']),
  ]
  const [unknownExit, badPortExit, badFlagExit, helpExit] = await Promise.all(
    [unknown, badPort, badFlag, help].map((p) => p.exited),
  )
  t.equal(unknownExit?.code, 2)
  t.match(
    unknown.output(),
    '--services takes a comma-separated list of ' +
      'embedded-postgres, bnet-standin, permission-service, guild-api, web; got "redis"',
  )
  t.equal(badPortExit?.code, 2)
  t.match(badPort.output(), 'GUILD_API_PORT must be a TCP port')
  t.equal(badFlagExit?.code, 2)
  t.match(badFlag.output(), /Unknown option '--nope'[\s\S]*Usage: npm start/)
  t.equal(helpExit?.code, 0)
  t.match(help.output(), 'Usage: npm start')
})

t.test('preflight: entry files not built, two children on one port, a taken port', async (t) => {
  const blocker = createServer()
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>((resolve) => blocker.close(() => resolve())))
  const taken = (blocker.address() as { port: number }).port
  const free = await freePort()
  const spec = (
    name: ChildSpec['name'],
    port: number,
    portVariable: string,
    script = import.meta.filename,
  ): ChildSpec => ({
    name,
    script,
    env: {},
    host: '127.0.0.1',
    port,
    portVariable,
    url: '',
    ready: { kind: 'tcp', host: '127.0.0.1', port },
    stage: 1,
  })
  t.same(await preflight([spec('guild-api', free, 'GUILD_API_PORT')]), [])
  const problems = await preflight([
    spec('guild-api', free, 'GUILD_API_PORT', '/repo/services/guild-api/dist/server.js'),
    spec('permission-service', free, 'PERMISSION_SERVICE_PORT'),
    spec('bnet-standin', taken, 'BNET_STANDIN_PORT'),
  ])
  t.same(problems, [
    'guild-api: /repo/services/guild-api/dist/server.js does not exist; ' +
      'build first with "npm run build" (npm start does)',
    `GUILD_API_PORT and PERMISSION_SERVICE_PORT are both ${free}: give each its own port`,
    `port ${taken} on 127.0.0.1 (for bnet-standin) is already in use: ` +
      'stop what listens there or set BNET_STANDIN_PORT to a free port',
  ])
})
