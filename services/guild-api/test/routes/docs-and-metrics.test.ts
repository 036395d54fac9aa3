import t from 'tap'
import { registerHordeVanguard, startHarness } from '../helpers/harness.js'

interface Operation {
  parameters?: Array<{ in: string; name: string }>
  requestBody?: unknown
  responses: Record<string, unknown>
  security?: unknown[]
}

const ROUTES: Array<[method: string, path: string, success: string]> = [
  ['get', '/auth/login', '302'],
  ['get', '/auth/callback', '302'],
  ['post', '/auth/logout', '204'],
  ['get', '/me', '200'],
  ['post', '/guilds', '201'],
  ['get', '/guilds/{guild_id}', '200'],
  ['get', '/guilds/{guild_id}/members', '200'],
  ['get', '/guilds/{guild_id}/permissions', '200'],
  ['put', '/guilds/{guild_id}/permissions', '200'],
  ['get', '/guilds/{guild_id}/settings', '200'],
  ['put', '/guilds/{guild_id}/settings', '200'],
  ['post', '/guilds/{guild_id}/sync', '200'],
  ['get', '/guilds/{guild_id}/me/tools', '200'],
  ['get', '/health/live', '200'],
  ['get', '/health/ready', '200'],
  ['get', '/metrics', '200'],
]

t.test('/docs documents every route with its request and its answers, without a session', async (t) => {
  const h = await startHarness(t, { permissionService: false })
  const res = await h.inject({ url: '/docs/json' })
  t.equal(res.statusCode, 200)
  const doc = res.json<{
    openapi: string
    paths: Record<string, Record<string, Operation>>
    components: { securitySchemes: object }
  }>()
  t.equal(doc.openapi, '3.0.3')
  t.same(Object.keys(doc.components.securitySchemes).sort(), ['bearerAuth', 'cookieAuth'])
  for (const [method, path, success] of ROUTES) {
    const op = doc.paths[path]?.[method]
    t.ok(op, `${method.toUpperCase()} ${path} is documented`)
    if (op === undefined) continue
    t.ok(op.responses[success], `${method.toUpperCase()} ${path} documents ${success}`)
    if (path.includes('{guild_id}'))
      t.ok(
        op.parameters?.some((p) => p.in === 'path' && p.name === 'guild_id'),
        `${path}: guild_id`,
      )
    if (method === 'put' || path === '/guilds') t.ok(op.requestBody, `${method.toUpperCase()} ${path}: request body`)
    if (
      !path.startsWith('/health') &&
      !path.startsWith('/metrics') &&
      path !== '/auth/login' &&
      path !== '/auth/callback'
    ) {
      t.ok(op.responses['401'], `${method.toUpperCase()} ${path} documents 401`)
      t.ok(op.security && op.security.length > 0, `${method.toUpperCase()} ${path} names its security`)
    }
  }
  t.ok(doc.paths['/guilds/{guild_id}/me/tools']?.get?.parameters?.some((p) => p.in === 'query' && p.name === 'tools'))
  const ui = await h.inject({ url: '/docs' })
  t.ok(ui.statusCode === 200 || ui.statusCode === 302, `the UI answers (${ui.statusCode})`)
})

t.test('/metrics serves the HTTP, cache and permission-check metrics without a session', async (t) => {
  const h = await startHarness(t)
  const gm = h.as(await registerHordeVanguard(h))
  await gm.get('/guilds/9001/members')
  await gm.get('/guilds/9001/members')
  const res = await h.inject({ url: '/metrics' })
  t.equal(res.statusCode, 200)
  t.match(res.headers['content-type'], /text\/plain/)
  t.match(res.body, /http_request_duration_seconds_bucket\{[^}]*route="\/guilds\/:guild_id\/members"/)
  t.match(res.body, /cache_requests_total\{namespace="guild",result="hit"\} [1-9]/)
  t.match(res.body, /guild_api_permission_checks_total\{op="check",result="allowed"\} [1-9]/)
  // Both members requests waited for permission-service: two decided checks, none undecided, some time.
  t.match(res.body, /guild_api_permission_check_duration_seconds_count\{op="check",outcome="decided"\} 2\n/)
  t.match(res.body, /guild_api_permission_check_duration_seconds_count\{op="check",outcome="undecided"\} 0\n/)
  const waitedS = Number(
    /guild_api_permission_check_duration_seconds_sum\{op="check",outcome="decided"\} (\S+)/.exec(res.body)?.[1],
  )
  t.ok(waitedS > 0 && waitedS < 1, `the two waits add up to some time under a second (${waitedS} s)`)
  t.match(res.body, /guild_api_permission_check_duration_seconds_bucket\{le="0\.0001",op="check",outcome="decided"\}/)
  t.match(res.body, /process_cpu_user_seconds_total/)
})
