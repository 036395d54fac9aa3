import { execFileSync } from 'node:child_process'
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { claimRedisDb, createTestDatabase, freePort, launchSystem } from '@guild/testing'
import type { Test } from 'tap'

export const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url))

export interface System {
  /** The web app, as `npm start` prints it ("open the app"). */
  appUrl: string
  apiUrl: string
  /** The stand-in's fixture file, a copy of the demo's that a test may edit (the stand-in rereads it). */
  fixtures: string
  editFixtures(change: (fixtures: DemoFixtures) => void): Promise<void>
  /** The process id of one of the services the launcher runs. */
  pidOf(service: 'permission-service' | 'guild-api' | 'web'): number
  /** Stops everything (SIGTERM, as Ctrl-C); resolves when the launcher has exited. */
  stop: () => Promise<void>
  output: () => string
}

export interface DemoFixtures {
  users: Array<{
    id: number
    battletag: string
    characters: Array<{ id: number; name: string; realm: string; level: number; class_id: number }>
  }>
  guilds: Array<{
    id: number
    name: string
    realm: string
    roster: Array<{ character_id: number; rank: number; name?: string; level?: number; class_id?: number }>
  }>
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
  const cleanup = () => Promise.all([pg.drop(), redis.release(), rm(dir, { recursive: true, force: true })])
  if (options.fixtures) await writeFile(fixtures, JSON.stringify(options.fixtures))
  else await copyFile(join(REPO_ROOT, 'scripts/fixtures/bnet-demo.json'), fixtures)
  const ports = { api: await freePort(), perm: await freePort(), standin: await freePort(), web: await freePort() }
  const launched = await launchSystem({
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
  }).catch(async (err: unknown) => {
    await cleanup()
    throw err
  })
  t.teardown(async () => {
    await launched.stop()
    await cleanup()
  })
  const appUrl = launched.appUrl as string
  return {
    appUrl,
    apiUrl: `http://127.0.0.1:${ports.api}`,
    fixtures,
    async editFixtures(change) {
      const current = JSON.parse(await readFile(fixtures, 'utf8')) as DemoFixtures
      change(current)
      await writeFile(fixtures, JSON.stringify(current))
    },
    pidOf(service) {
      const script = {
        'permission-service': 'services/permission-service/dist/server.js',
        'guild-api': 'services/guild-api/dist/server.js',
        web: 'services/web/dist/server/main.js',
      }[service]
      const pid = Number(
        execFileSync('pgrep', ['-P', String(launched.pid), '-f', script], { encoding: 'utf8' })
          .trim()
          .split('\n')[0],
      )
      if (!(pid > 0)) throw new Error(`${service} is not running under the launcher`)
      return pid
    },
    stop: launched.stop,
    output: launched.output,
  }
}
