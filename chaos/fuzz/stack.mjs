// @ts-check
/**
 * What `npm run chaos:fuzz` fuzzes: guild-api and permission-service built from their compiled JS
 * (`buildApp`, in this process, answering `inject`), on a Postgres database and a Redis database index
 * of their own (@guild/testing), with the Battle.net stand-in on a private copy of the demo fixtures.
 * permission-service also listens, since guild-api asks it over HTTP. Sessions come from the real login.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { claimRedisDb, createTestDatabase, freePort } from '@guild/testing'
import { loginThroughBattleNet } from './targets.mjs'

const root = (path) => fileURLToPath(new URL(`../../${path}`, import.meta.url))

export const SERVICE_TOKEN = 'chaos-fuzz-service-token-0123456789'
export const FRONTEND = 'https://app.example'

async function importBuilt(path, what) {
  try {
    return await import(root(path))
  } catch (err) {
    throw new Error(
      `${what} is not built (${path}): run \`npm run build\` first ` +
        `(${err instanceof Error ? err.message : String(err)})`,
      { cause: err },
    )
  }
}

/** Starts everything; `close()` stops it and drops the database and the Redis claim. */
export async function startStack() {
  const [{ buildApp: buildGuildApi }, { buildApp: buildPermissionService }, { buildBnetStandin }] = await Promise.all([
    importBuilt('services/guild-api/dist/app.js', 'guild-api'),
    importBuilt('services/permission-service/dist/app.js', 'permission-service'),
    importBuilt('scripts/dist/bnet-standin/app.js', 'the Battle.net stand-in'),
  ])
  const closers = []
  const close = async () => {
    for (const closer of closers.reverse()) await closer().catch(() => undefined)
  }
  try {
    const pg = await createTestDatabase('fuzz')
    closers.push(() => pg.drop())
    const redis = await claimRedisDb()
    closers.push(() => redis.release())

    const dir = await mkdtemp(join(tmpdir(), 'chaos-fuzz-'))
    closers.push(() => rm(dir, { recursive: true, force: true }))
    const fixturesPath = join(dir, 'fixtures.json')
    await writeFile(fixturesPath, await readFile(root('scripts/fixtures/bnet-demo.json'), 'utf8'))
    const publicUrl = 'http://127.0.0.1:3000'
    // As strict as Battle.net: one region's namespaces, guild-api's callback the one redirect URI.
    const standin = buildBnetStandin({ fixturesPath, region: 'us', redirectUris: [`${publicUrl}/auth/callback`] })
    closers.push(() => standin.close())
    const standinUrl = await standin.listen({ host: '127.0.0.1', port: 0 })

    const shared = {
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      DATABASE_POOL_MAX: '4',
      REDIS_URL: redis.url,
      CACHE_BUS_CHANNEL: redis.channel,
      SERVICE_TOKEN,
    }
    const permPort = await freePort()
    const guildApi = await buildGuildApi({
      env: {
        ...shared,
        DATABASE_URL: pg.url,
        PERMISSION_SERVICE_URL: `http://127.0.0.1:${permPort}`,
        PERMISSION_DEADLINE_MS: '3000',
        PUBLIC_URL: publicUrl,
        CORS_ORIGINS: FRONTEND,
        BNET_CLIENT_ID: 'standin',
        BNET_CLIENT_SECRET: 'standin-secret',
        BNET_OAUTH_URL: standinUrl,
        BNET_API_URL: standinUrl,
        BNET_TIMEOUT_MS: '2000',
        // The fuzzer is after what the routes do, not after the login limit.
        AUTH_RATE_LIMIT_MAX: '1000000',
      },
      bnetBackoffMs: 10,
    })
    closers.push(() => guildApi.close())
    await guildApi.ready() // migrated: permission-service waits for the schema
    const permissionService = await buildPermissionService({
      env: { ...shared, DATABASE_URL: pg.url, PERMISSION_DB_TIMEOUT_MS: '3000' },
    })
    closers.push(() => permissionService.close())
    await permissionService.listen({ host: '127.0.0.1', port: permPort })
    await Promise.race([permissionService.schemaReady, new Promise((resolve) => setTimeout(resolve, 5_000))])

    const login = (hint) => loginThroughBattleNet(guildApi, hint, publicUrl)
    const register = async (token, realm, name) => {
      const res = await guildApi.inject({
        method: 'POST',
        url: '/guilds',
        headers: { authorization: `Bearer ${token}` },
        payload: { realm, name },
      })
      if (res.statusCode !== 201) throw new Error(`registering ${name} answered ${res.statusCode}: ${res.body}`)
    }
    const thrall = await login('Thrall#1234')
    await register(thrall, 'area-52', 'Horde Vanguard')
    const jaina = await login('Jaina#4567')
    await register(jaina, 'proudmoore', 'Kirin Tor Council')
    const sessions = [thrall, jaina, await login('Rokhan#3456'), await login('Chromie#5678')]
    return { guildApi, permissionService, redis: redis.redis, sessions, publicUrl, login, close }
  } catch (err) {
    await close()
    throw err
  }
}
