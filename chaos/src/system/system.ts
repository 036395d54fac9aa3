import { randomBytes } from 'node:crypto'
import { freePort, startOwnRedis, type OwnRedisServer } from '@guild/testing'
import { Redis } from 'ioredis'
import postgres from 'postgres'
import { bnetStandinServer, guildApiServer, permissionServer } from '../paths.js'
import { fixtureFile, type FixtureFile } from './fixture-file.js'
import type { OwnPostgres } from './own-postgres.js'
import { loginThroughStandin as login, startServiceProcess as startService, type ServiceProcess } from '@guild/testing'

/** The demo fixtures' guild and the users the scenarios play (scripts/fixtures/bnet-demo.json). */
export const GUILD = 9001
export const USERS = {
  /** Rank 0: the guild master. */
  thrall: { bnetId: 100001, hint: 'Thrall#1234', characterId: 5001 },
  /** Rank 1: an officer; the user whose access the scenarios revoke and restore. */
  saurfang: { bnetId: 100002, hint: 'Saurfang#2345', characterId: 5101 },
  /** Ranks 4 and 6 (two characters). */
  rokhan: { bnetId: 100003, hint: 'Rokhan#3456', characterId: 5201 },
  /** No character in the guild. */
  chromie: { bnetId: 100005, hint: 'Chromie#5678', characterId: 5401 },
} as const
/** The tool map every scenario starts from: `progress` up to rank 3, so Saurfang (rank 1) may use it. */
export const TOOLS = { roster: 9, settings: 1, sync: 1, progress: 3 } as const
export const CHANNEL = 'cache:bus:chaos'

export interface ChaosSystem {
  dbUrl: string
  redis: OwnRedisServer
  fixtures: FixtureFile
  guildApi: ServiceProcess
  /** permission-service instances; guild-api asks the first. */
  permissions: ServiceProcess[]
  serviceToken: string
  /** Thrall's session token (the guild master). */
  gmToken: string
  /** For checks of what the database holds. */
  sql: postgres.Sql
  /** An admin connection to the system's own Redis (CLIENT PAUSE, reads). */
  redisAdmin(): Redis
  close(): Promise<void>
}

/**
 * A whole system for one scenario, as production runs it: a fresh database on the suite's own Postgres,
 * an own redis-server, the Battle.net stand-in on a private fixture copy, guild-api and
 * `permissionInstances` permission-services (compiled JS, NODE_ENV=production). The demo guild is
 * registered by its guild master, the officer logs in (linking his character), and the tool map is set.
 */
export async function startSystem(pg: OwnPostgres, label: string, permissionInstances = 1): Promise<ChaosSystem> {
  const started: { stop(): Promise<void> }[] = []
  const admins: Redis[] = []
  const dbUrl = await pg.createDatabase(`${label}_${randomBytes(4).toString('hex')}`)
  const sql = postgres(dbUrl, { max: 2, onnotice: () => {}, connect_timeout: 2 })
  const redis = await startOwnRedis()
  const fixtures = fixtureFile()
  const close = async () => {
    for (const admin of admins) admin.disconnect()
    for (const s of started.reverse()) await s.stop().catch(() => undefined)
    await sql.end({ timeout: 1 }).catch(() => undefined)
    await redis.stop()
    fixtures.remove()
  }
  try {
    const serviceToken = randomBytes(24).toString('hex')
    const shared = {
      DATABASE_URL: dbUrl,
      REDIS_URL: redis.url,
      SERVICE_TOKEN: serviceToken,
      CACHE_BUS_CHANNEL: CHANNEL,
      DATABASE_POOL_MAX: '10',
    }
    const standinPort = await freePort()
    const standin = await startService(
      bnetStandinServer,
      standinPort,
      { BNET_STANDIN_FIXTURES: fixtures.path, BNET_STANDIN_PORT: String(standinPort) },
      '/health/ready',
    )
    started.push(standin)
    const permPorts = await Promise.all(Array.from({ length: permissionInstances }, () => freePort()))
    const apiPort = await freePort()
    const guildApi = await startService(guildApiServer, apiPort, {
      ...shared,
      PERMISSION_SERVICE_URL: `http://127.0.0.1:${permPorts[0]}`,
      PUBLIC_URL: `http://127.0.0.1:${apiPort}`,
      BNET_CLIENT_ID: 'chaos',
      BNET_CLIENT_SECRET: 'chaos-secret',
      BNET_OAUTH_URL: standin.url,
      BNET_API_URL: standin.url,
      // The revocation race syncs the guild twice a cycle as one guild master: a person's 10 a minute
      // (guild-api's default) would refuse most of them with 429, and the race would measure nothing.
      GUILD_WRITE_RATE_LIMIT_MAX: '1000000',
    })
    started.push(guildApi)
    const permissions: ServiceProcess[] = []
    for (const port of permPorts) {
      const p = await startService(permissionServer, port, shared)
      started.push(p)
      permissions.push(p)
    }
    const gmToken = await login(guildApi.url, USERS.thrall.hint)
    const auth = { authorization: `Bearer ${gmToken}`, 'content-type': 'application/json' }
    const registered = await fetch(`${guildApi.url}/guilds`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ realm: 'area-52', name: 'Horde Vanguard' }),
    })
    if (registered.status !== 201)
      throw new Error(`registering the demo guild answered ${registered.status}: ${await registered.text()}`)
    for (const user of [USERS.saurfang, USERS.rokhan, USERS.chromie]) await login(guildApi.url, user.hint)
    const put = await fetch(`${guildApi.url}/guilds/${GUILD}/permissions`, {
      method: 'PUT',
      headers: auth,
      body: JSON.stringify({ tools: TOOLS }),
    })
    if (put.status !== 200) throw new Error(`setting the tool map answered ${put.status}: ${await put.text()}`)
    return {
      dbUrl,
      redis,
      fixtures,
      guildApi,
      permissions,
      serviceToken,
      gmToken,
      sql,
      redisAdmin: () => {
        const admin = new Redis(redis.port, '127.0.0.1', { maxRetriesPerRequest: 1, lazyConnect: false })
        admin.on('error', () => undefined)
        admins.push(admin)
        return admin
      },
      close,
    }
  } catch (err) {
    await close()
    throw err
  }
}

/** The path of a permission-service check. */
export function checkPath(bnetId: number, tool: string, guildId: number = GUILD): string {
  return `/v1/check?guild_id=${guildId}&bnet_id=${bnetId}&tool=${tool}`
}
