import { loginThroughStandin } from '@guild/testing'
import type { BenchContext } from '../context.js'
import { bnetStandinServer, thisCheckout, type ServerFiles } from '../paths.js'
import { metricIn, metricsText } from '../metrics-scrape.js'
import type { HopReadings, Target } from './load.js'

/** The demo fixtures' guild master and guild (scripts/fixtures/bnet-demo.json). */
const LOGIN_HINT = 'Thrall#1234'
const GUILD = { id: 9001, realm: 'area-52', name: 'Horde Vanguard' }

/**
 * guild-api's `GET /guilds/{id}/members` as the frontend calls it: a session (from the real OAuth flow
 * against the Battle.net stand-in), cached members, and the permission hop to permission-service.
 */
export async function apiMembersTarget(ctx: BenchContext, servers: ServerFiles = thisCheckout): Promise<Target> {
  const standin = await ctx.launch(bnetStandinServer, (port) => ({ BNET_STANDIN_PORT: String(port) }), '/health/ready')
  const permissions = await ctx.launch(servers.permission, ctx.serviceEnv({ REDIS_URL: ctx.data.redis.url }))
  const guildApi = await ctx.launch(servers.guildApi, (port) =>
    ctx.serviceEnv({
      REDIS_URL: ctx.data.redis.url,
      PERMISSION_SERVICE_URL: permissions.url,
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      BNET_CLIENT_ID: 'bench',
      BNET_CLIENT_SECRET: 'bench-secret',
      BNET_OAUTH_URL: standin.url,
      BNET_API_URL: standin.url,
    }),
  )
  const token = await loginThroughStandin(guildApi.url, LOGIN_HINT)
  const auth = { authorization: `Bearer ${token}` }
  const registered = await fetch(`${guildApi.url}/guilds`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json' },
    body: JSON.stringify({ realm: GUILD.realm, name: GUILD.name }),
  })
  if (registered.status !== 201 && registered.status !== 409)
    throw new Error(`registering the demo guild answered ${registered.status}: ${await registered.text()}`)
  const url = `${guildApi.url}/guilds/${GUILD.id}/members`
  const first = await fetch(url, { headers: auth })
  if (first.status !== 200) throw new Error(`GET members answered ${first.status}: ${await first.text()}`)
  const readings = async (): Promise<HopReadings> => {
    const [api, perm] = await Promise.all([metricsText(guildApi.url), metricsText(permissions.url)])
    return {
      waits: metricIn(api, 'guild_api_permission_check_duration_seconds_count', 'op="check"'),
      waitedS: metricIn(api, 'guild_api_permission_check_duration_seconds_sum', 'op="check"'),
      exchanges:
        metricIn(perm, 'http_request_duration_seconds_count', 'route="/v1/check"') +
        metricIn(perm, 'http_request_duration_seconds_count', 'route="/v1/check/batch"'),
    }
  }
  return {
    process: guildApi,
    alsoCosts: [permissions],
    load: { url, headers: auth },
    perRequest: 1,
    against: 'baseline',
    readings,
  }
}
