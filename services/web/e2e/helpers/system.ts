import { type ChildProcess, spawn } from 'node:child_process'
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { claimRedisDb, createTestDatabase, freePort } from '@guild/testing'
import type { Test } from 'tap'

export const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url))

export interface System {
  /** The web app, as `npm start` prints it ("open the app"). */
  appUrl: string
  apiUrl: string
  /** The stand-in's fixture file, a copy of the demo's that a test may edit (the stand-in rereads it). */
  fixtures: string
  editFixtures(change: (fixtures: DemoFixtures) => void): Promise<void>
  /** Stops everything (SIGTERM, as Ctrl-C); resolves when the launcher has exited. */
  stop(): Promise<void>
  output(): string
}

export interface DemoFixtures {
  users: Array<{ id: number; battletag: string; characters: Array<{ id: number; name: string; realm: string; level: number; class_id: number }> }>
  guilds: Array<{ id: number; name: string; realm: string; roster: Array<{ character_id: number; rank: number; name?: string; level?: number; class_id?: number }> }>
}

/**
 * The whole system as `npm start` runs it (the launcher, from the built workspaces), on free ports,
 * over a Postgres database, a Redis database index and a bus channel of this test file's own, with
 * the stand-in on a fixture file the test may edit. Torn down with the test.
 */
export async function startSystem(t: Test, options: { fixtures?: DemoFixtures } = {}): Promise<System> {
  const [pg, redis] = await Promise.all([createTestDatabase('web'), claimRedisDb()])
  const dir = await mkdtemp(join(tmpdir(), 'web-e2e-'))
  const fixtures = join(dir, 'bnet.json')
  if (options.fixtures) await writeFile(fixtures, JSON.stringify(options.fixtures))
  else await copyFile(join(REPO_ROOT, 'scripts/fixtures/bnet-demo.json'), fixtures)
  const ports = { api: await freePort(), perm: await freePort(), standin: await freePort(), web: await freePort() }
  const child: ChildProcess = spawn(process.execPath, [join(REPO_ROOT, 'scripts/dist/start.js')], {
    cwd: REPO_ROOT,
    env: {
      PATH: process.env.PATH,
      DATABASE_URL: pg.url,
      REDIS_URL: redis.url,
      CACHE_BUS_CHANNEL: redis.channel,
      GUILD_API_PORT: String(ports.api),
      PERMISSION_SERVICE_PORT: String(ports.perm),
      BNET_STANDIN_PORT: String(ports.standin),
      WEB_PORT: String(ports.web),
      BNET_STANDIN_FIXTURES: fixtures,
      AUTH_RATE_LIMIT_MAX: '10000',
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()))
  child.stderr?.on('data', (chunk: Buffer) => (out += chunk.toString()))
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  let stopped = false
  const stop = async () => {
    if (!stopped) {
      stopped = true
      child.kill('SIGTERM')
    }
    await exited
  }
  t.teardown(async () => {
    await stop()
    await Promise.all([pg.drop(), redis.release(), rm(dir, { recursive: true, force: true })])
  })

  const appUrl = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the system did not start within 120 s:\n${out}`)), 120_000)
    const look = () => {
      const found = /open the app: (\S+)/.exec(out)
      if (found?.[1]) {
        clearTimeout(timer)
        resolve(found[1].replace(/\/$/, ''))
      }
    }
    child.stdout?.on('data', look)
    void exited.then(() => reject(new Error(`the launcher exited before it was ready:\n${out}`)))
  })
  return {
    appUrl,
    apiUrl: `http://127.0.0.1:${ports.api}`,
    fixtures,
    async editFixtures(change) {
      const current = JSON.parse(await readFile(fixtures, 'utf8')) as DemoFixtures
      change(current)
      await writeFile(fixtures, JSON.stringify(current))
    },
    stop,
    output: () => out,
  }
}
