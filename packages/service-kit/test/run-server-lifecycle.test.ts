import t from 'tap'
import { spawn, type ChildProcess } from 'node:child_process'
import { createServer } from 'node:net'
import { fileURLToPath } from 'node:url'
import { freePort } from '@guild/testing'
import { ConfigError } from '../src/index.js'
import { describeListenFailure, describeStartupFailure } from '../src/run-server.js'

const FIXTURE = fileURLToPath(new URL('./fixtures/serve.ts', import.meta.url))
const SHARED = [
  'NODE_ENV',
  'LOG_LEVEL',
  'HOST',
  'PORT',
  'DATABASE_URL',
  'DATABASE_POOL_MAX',
  'REDIS_URL',
  'REDIS_CLUSTER_NODES',
  'SERVICE_TOKEN',
]

interface Child {
  process: ChildProcess
  stdout: string[]
  stderr: () => string
  exited: Promise<number | null>
  /** Resolves with the first stdout log line whose msg matches. */
  waitFor: (msg: RegExp) => Promise<Record<string, unknown>>
}

function start(env: Record<string, string>): Child {
  const base = { ...process.env }
  for (const name of SHARED) delete base[name]
  const child = spawn(process.execPath, [...process.execArgv, FIXTURE], {
    env: { ...base, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const stdout: string[] = []
  let stderr = ''
  const waiters: Array<{ msg: RegExp; resolve: (line: Record<string, unknown>) => void }> = []
  let partial = ''
  child.stdout.on('data', (chunk: Buffer) => {
    partial += chunk.toString('utf8')
    const lines = partial.split('\n')
    partial = lines.pop() ?? ''
    for (const line of lines) {
      stdout.push(line)
      let parsed: Record<string, unknown>
      try {
        parsed = JSON.parse(line) as Record<string, unknown>
      } catch {
        continue
      }
      for (const w of [...waiters]) {
        if (typeof parsed.msg === 'string' && w.msg.test(parsed.msg)) {
          waiters.splice(waiters.indexOf(w), 1)
          w.resolve(parsed)
        }
      }
    }
  })
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')))
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  return {
    process: child,
    stdout,
    stderr: () => stderr,
    exited,
    waitFor: async (msg) =>
      await Promise.race([
        new Promise<Record<string, unknown>>((resolve) => waiters.push({ msg, resolve })),
        exited.then((code) => {
          throw new Error(`the fixture exited (${code}) before logging ${msg}: ${stderr}`)
        }),
      ]),
  }
}

const DATABASE_URL = 'postgres://guild:not-used@127.0.0.1:5432/guild'

t.test('answers on HOST:PORT, and on SIGTERM lets an in-flight request finish before exiting 0', async (t) => {
  const port = await freePort()
  const child = start({ PORT: String(port), DATABASE_URL })
  t.teardown(() => child.process.kill('SIGKILL'))

  const listening = await child.waitFor(/listening at/)
  t.equal(listening.msg, `fixture-service listening at http://127.0.0.1:${port}`, 'the URL is logged with the name')

  const inFlight = fetch(`http://127.0.0.1:${port}/slow?ms=700`)
  await child.waitFor(/slow request started/)
  const signalledAt = Date.now()
  child.process.kill('SIGTERM')
  await child.waitFor(/SIGTERM received, closing/)

  const res = await inFlight
  t.equal(res.status, 200, 'the in-flight request finished')
  t.same(await res.json(), { slow: true, ms: 700 })
  t.equal(await child.exited, 0, 'then the process exited 0')
  t.ok(Date.now() - signalledAt >= 500, 'it waited for the request rather than cutting it off')
  t.ok(child.stdout.some((l) => l.includes('fixture-service: closed')))
  await t.rejects(fetch(`http://127.0.0.1:${port}/slow?ms=1`), 'nothing listens afterwards')
})

t.test('a request still running after closeDelayMs does not hold the process: exit 1', async (t) => {
  const port = await freePort()
  const child = start({ PORT: String(port), DATABASE_URL, FIXTURE_CLOSE_DELAY_MS: '300' })
  t.teardown(() => child.process.kill('SIGKILL'))
  await child.waitFor(/listening at/)
  const stuck = fetch(`http://127.0.0.1:${port}/slow?ms=5000`).catch((err: unknown) => err)
  await child.waitFor(/slow request started/)
  const signalledAt = Date.now()
  child.process.kill('SIGINT')
  t.equal(await child.exited, 1)
  const took = Date.now() - signalledAt
  t.ok(took >= 250 && took < 3000, `exited after the delay (${took} ms)`)
  t.ok(child.stdout.some((l) => l.includes('still running after 300 ms')))
  t.type(await stuck, Error, 'the stuck request was cut off')
})

t.test('start-up failures print one line to stderr and exit 1', async (t) => {
  const port = await freePort()
  const holder = createServer()
  await new Promise<void>((resolve) => holder.listen(port, '127.0.0.1', resolve))
  t.teardown(() => holder.close())

  const badConfig = start({
    PORT: String(port),
    DATABASE_URL: 'mysql://guild:db-s3cret-pw@127.0.0.1/guild',
    SERVICE_TOKEN: 'tok-s3cret',
    DATABASE_POOL_MAX: '500',
  })
  const portTaken = start({ PORT: String(port), DATABASE_URL })
  const buggy = start({ PORT: String(port), DATABASE_URL, FIXTURE_BUILD_THROWS: '1' })
  const productionNoToken = start({ PORT: String(port), DATABASE_URL, NODE_ENV: 'production' })
  const [configCode, portCode, buggyCode, productionCode] = await Promise.all([
    badConfig.exited,
    portTaken.exited,
    buggy.exited,
    productionNoToken.exited,
  ])

  t.equal(configCode, 1, 'bad config: exit 1')
  const configErr = badConfig.stderr()
  t.match(configErr, /^fixture-service: invalid configuration: /)
  for (const variable of ['DATABASE_URL', 'SERVICE_TOKEN', 'DATABASE_POOL_MAX']) t.match(configErr, variable)
  t.notOk(configErr.includes('db-s3cret-pw') || configErr.includes('tok-s3cret'), 'no secret is echoed')
  t.notMatch(configErr, /\n\s+at /, 'no stack trace for a config error')
  t.equal(configErr.trim().split('\n').length, 1, 'printed once, on one line')
  t.notOk(
    badConfig.stdout.some((l) => l.includes('s3cret')),
    'nor logged',
  )

  t.equal(portCode, 1, 'port taken: exit 1')
  t.match(
    portTaken.stderr(),
    new RegExp(`port ${port} on 127\\.0\\.0\\.1 is already in use \\(EADDRINUSE\\): set PORT`),
  )

  t.equal(productionCode, 1, 'production without SERVICE_TOKEN: exit 1')
  t.equal(
    productionNoToken.stderr().trim(),
    'fixture-service: invalid configuration: SERVICE_TOKEN is required when NODE_ENV=production ' +
      '(set it to the same secret of at least 16 characters in both services)',
  )

  t.equal(buggyCode, 1, 'a bug in build: exit 1')
  t.match(buggy.stderr(), /fixture-service: failed to start: Error: a bug in build\n\s+at /, 'a bug keeps its stack')
})

t.test('start-up failure messages name what to change', async (t) => {
  const inUse = Object.assign(new Error('listen EADDRINUSE'), { code: 'EADDRINUSE' })
  t.equal(
    describeListenFailure('guild-api', '127.0.0.1', 3000, inUse),
    'guild-api: port 3000 on 127.0.0.1 is already in use (EADDRINUSE): ' +
      'set PORT to a free port or stop the process holding it',
  )
  t.match(describeListenFailure('svc', '0.0.0.0', 80, { code: 'EACCES' }), /\(EACCES\): set PORT/)
  t.match(describeListenFailure('svc', '10.9.9.9', 3001, { code: 'EADDRNOTAVAIL' }), /HOST 10\.9\.9\.9 .*set HOST/)
  t.match(describeListenFailure('svc', 'h', 1, new Error('odd')), /^svc: failed to start: Error: odd\n\s+at /)
  t.equal(describeStartupFailure('svc', 'a string'), 'svc: failed to start: a string')
  t.equal(
    describeStartupFailure('svc', new ConfigError('invalid configuration: PORT must be integer', ['PORT'])),
    'svc: invalid configuration: PORT must be integer',
  )
})
