// @ts-check
/** A request plan (plain data) → the options of one `app.inject` call, credentials and bodies resolved. */
import { headerSafe } from './hostile-values.mjs'

/** The origin (or referer) a plan asks for, from the target's own and allowed origins. */
function originHeaders(plan, target) {
  const own = target.origins.public
  const allowed = target.origins.allowed?.[0] ?? own
  switch (plan) {
    case 'public':
      return { origin: own }
    case 'allowed':
      return { origin: allowed }
    case 'evil':
      return { origin: 'https://evil.example' }
    case 'null':
      return { origin: 'null' }
    case 'lookalike':
      return { origin: `${own}.evil.example` }
    case 'garbage':
      return { origin: 'not a url' }
    case 'referer-public':
      return { referer: `${own}/some/page?x=1` }
    case 'referer-evil':
      return { referer: 'https://evil.example/page' }
    default:
      return {}
  }
}

/** A body the plan describes: a JSON value, or text built only now (huge and deep ones are not kept in plans). */
export function bodyText(body) {
  if (body === undefined) return undefined
  switch (body.kind) {
    case 'json':
      return JSON.stringify(body.value) ?? 'null'
    case 'text':
      return body.text
    case 'deep':
      if (body.shape === 'array') return '['.repeat(body.depth) + ']'.repeat(body.depth)
      if (body.shape === 'object') return '{"a":'.repeat(body.depth) + '1' + '}'.repeat(body.depth)
      return `{"tools":{"roster":1},"nested":${'['.repeat(body.depth)}${']'.repeat(body.depth)}}`
    case 'huge':
      return `{"blob":"${'x'.repeat(body.bytes)}"}`
    case 'wide':
      return JSON.stringify(Object.fromEntries(Array.from({ length: body.keys }, (_, i) => [`tool-${i}`, i % 10])))
    default:
      throw new Error(`unknown body kind ${String(body.kind)}`)
  }
}

/** Sets query parameters, dropping every pair of the same names (and of the `drop` names) already there. */
function withParams(query, params, drop = []) {
  const names = Object.keys(params)
  const rest = query
    .replace(/^\?/, '')
    .split('&')
    .filter((pair) => pair !== '' && ![...names, ...drop].includes(pair.split('=', 1)[0]))
  return `?${[...rest, ...names.map((name) => `${name}=${encodeURIComponent(params[name])}`)].join('&')}`
}

/**
 * The inject options for a plan. `valid` credentials come from the target's list, `fresh` ones are made
 * for the request (a logout uses its credential up), bad ones are sent as they are.
 */
export async function toRequest(route, plan, target) {
  /** @type {Record<string, string>} */
  const headers = {}
  for (const [name, value] of Object.entries(plan.headers)) headers[name] = headerSafe(value)
  const cookies = []
  let credential
  if (plan.auth.kind === 'valid') credential = target.credentials[plan.auth.index % target.credentials.length]
  if (plan.auth.kind === 'fresh')
    credential = target.freshCredential ? await target.freshCredential() : target.credentials[0]
  if (credential !== undefined) {
    if (plan.auth.via === 'cookie' && target.cookieName) cookies.push(`${target.cookieName}=${credential}`)
    else headers.authorization = `Bearer ${credential}`
  }
  if (plan.auth.kind === 'authorization') headers.authorization = headerSafe(plan.auth.value)
  if (plan.auth.kind === 'cookie') cookies.push(headerSafe(plan.auth.value))
  Object.assign(headers, originHeaders(plan.origin, target))

  let query = plan.query
  if (plan.login !== 'none' && target.startLogin && route.schema?.querystring?.properties?.state) {
    const login = await target.startLogin({ redirect: plan.loginRedirect, complete: plan.login === 'complete' })
    // Battle.net's answer carries a code or an error, not both: a completed login drops the error.
    query =
      login.code === undefined
        ? withParams(query, { state: login.state })
        : withParams(query, { state: login.state, code: login.code }, ['error'])
    cookies.push(login.cookie)
  }
  if (cookies.length > 0) headers.cookie = cookies.join('; ')

  const payload = bodyText(plan.body)
  const type = plan.contentType ?? (payload === undefined ? undefined : 'application/json')
  if (type !== undefined) headers['content-type'] = headerSafe(type)
  return { method: plan.method, url: plan.path + query, headers, ...(payload === undefined ? {} : { payload }) }
}

/** A plan as one short line for a report: huge strings cut down. */
export function describePlan(plan) {
  return JSON.stringify(plan, (_key, value) =>
    typeof value === 'string' && value.length > 120 ? `${value.slice(0, 60)}…(${value.length} chars)` : value,
  )
}
