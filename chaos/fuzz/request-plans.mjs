// @ts-check
/**
 * From one route of an app's catalog (method, path pattern, schema) to an arbitrary of request plans:
 * plain data (JSON-printable, so a failure can be shown and replayed) that `execute.mjs` turns into a
 * request. Inputs follow the route's own schema often enough to get past validation, and are hostile
 * the rest of the time: nothing here is written for one route by name.
 */
import fc from 'fast-check'
import {
  badAuthorization,
  badCookie,
  contentType,
  extraHeaders,
  hostileJson,
  hostileKey,
  hostileString,
  idNumber,
  idText,
  oddBody,
  originPlan,
  toolList,
  toolText,
  validTool,
  validToolList,
} from './hostile-values.mjs'

/** Methods Fastify reads a body for. */
export const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'])

/** The pseudo-route for requests that match no route: any method, any path. */
export const UNROUTED = { method: '*', url: '(unrouted)', schema: undefined, config: undefined, bodyLimit: undefined }

/** A URL component, percent-encoded the way a client would; lone surrogates become U+FFFD first. */
function encoded(text) {
  return encodeURIComponent(text.toWellFormed())
}

/** A URL component as a careless client sends it: printable ASCII raw (`%`, `?`, `#`, `\` included). */
function raw(text) {
  return text.toWellFormed().replace(/[^\x21-\x7e]/gu, (c) => encodeURIComponent(c))
}

const patternCache = new Map()

/** Strings matching a schema pattern, when fast-check can read it; undefined otherwise. */
function matching(pattern) {
  if (!patternCache.has(pattern)) {
    let arb
    try {
      // Ajv reads patterns with the `u` flag (`\p{L}` is a Unicode class, not the letters p{L}); so does this.
      arb = fc.stringMatching(new RegExp(pattern, 'u'))
      fc.sample(arb, { numRuns: 1, seed: 1 })
    } catch {
      arb = undefined
    }
    patternCache.set(pattern, arb)
  }
  return patternCache.get(pattern)
}

/** Redirect targets: local paths, the allowed origins, and every trick for leaving them. */
function redirectText(target) {
  const allowed = target.origins.allowed ?? []
  return fc.oneof(
    fc.constantFrom(
      '/me',
      '/guilds/9001?x=1#y',
      '//evil.example',
      '///evil.example',
      '/\\evil.example',
      '\\\\evil.example',
      'https://evil.example',
      'https:evil.example',
      'http://evil.example:80',
      '%2F%2Fevil.example',
      'javascript:alert(1)',
      'JaVaScRiPt:alert(1)',
      'data:text/html,<script>x</script>',
      '/日本',
      '/ü',
      '/a b',
      '/a\u2028b',
      '/%E0%A4%A',
      '/\t/evil.example',
      ' /me',
      'me',
      '',
      '/',
      '?',
      '#',
      'mailto:a@b',
      'file:///etc/passwd',
      '/.//evil.example',
      '/a/..//evil.example',
      '/%2e//evil.example',
      '/.%2e//evil.example',
      '/%2f%2fevil.example',
      '/%5Cevil.example',
    ),
    fc.constantFrom(...(allowed.length > 0 ? allowed : ['https://app.example'])).chain((origin) => {
      const host = new URL(origin).host
      return fc.constantFrom(
        `${origin}/after`,
        `${origin}.evil.com/`,
        `${origin}@evil.com/`,
        `https://${host}.evil.com`,
        `https://user:pass@${host}/`,
        `https://evil.com\\@${host}`,
        `https://evil.com#@${host}`,
        `https://evil.com?@${host}`,
        `${origin}/日本`,
        `${origin.toUpperCase()}/x`,
        `//${host}/x`,
      )
    }),
    // Local paths with anything in them: unicode, spaces, separators, controls.
    hostileString.map((text) => `/${text}`),
    hostileString,
  )
}

/** Values the target names for a property (`realm`, `name`, …), so that some requests find real data. */
function hinted(name, target) {
  const values = target.hints?.[name]
  return values !== undefined && values.length > 0 ? fc.constantFrom(...values) : undefined
}

/** Text a parameter of this name and schema accepts, as far as it can be told: ids, tools, patterns, hints. */
function plausibleText(name, schema, target) {
  const hint = hinted(name, target)
  if (hint)
    return fc.oneof(
      { arbitrary: hint.map(String), weight: 4 },
      { arbitrary: plausibleText(name, schema, { ...target, hints: {} }), weight: 1 },
    )
  const options = []
  if (/(^|_)id$/.test(name) && target.knownIds.length > 0)
    options.push({ arbitrary: fc.constantFrom(...target.knownIds.map(String)), weight: 4 })
  if (name === 'tool') options.push({ arbitrary: validTool, weight: 4 })
  if (name === 'tools') options.push({ arbitrary: validToolList, weight: 4 })
  if (name === 'redirect') options.push({ arbitrary: redirectText(target), weight: 4 })
  if (schema?.enum) options.push({ arbitrary: fc.constantFrom(...schema.enum.map(String)), weight: 3 })
  const patterned = typeof schema?.pattern === 'string' ? matching(schema.pattern) : undefined
  if (patterned) options.push({ arbitrary: patterned, weight: 2 })
  if (options.length === 0)
    options.push({
      arbitrary: fc.string({ minLength: schema?.minLength ?? 0, maxLength: Math.min(schema?.maxLength ?? 20, 40) }),
      weight: 1,
    })
  return fc.oneof(...options)
}

/** Text for a named path or query parameter: plausible half the time, hostile the other half. */
function textFor(name, schema, target) {
  const hostile = [{ arbitrary: hostileString, weight: 2 }]
  if (/(^|_)id$/.test(name)) hostile.push({ arbitrary: idText, weight: 3 })
  if (name === 'tool') hostile.push({ arbitrary: toolText, weight: 3 })
  if (name === 'tools') hostile.push({ arbitrary: toolList, weight: 3 })
  return fc.oneof(
    { arbitrary: plausibleText(name, schema, target), weight: 1 },
    { arbitrary: fc.oneof(...hostile), weight: 1 },
  )
}

/** A path for the route's pattern, each `:param` (and `*`) filled, encoded or raw. */
function pathFor(route, target, hostile) {
  const params = route.schema?.params?.properties ?? {}
  const parts = route.url.split('/')
  const pieces = parts.map((part) => {
    if (part.startsWith(':')) {
      const name = part.slice(1)
      if (!hostile) return plausibleText(name, params[name], target).map(encoded)
      return fc
        .tuple(textFor(name, params[name], target), fc.boolean())
        .map(([text, enc]) => (enc ? encoded(text) : raw(text)))
    }
    if (part === '*') {
      return fc.oneof(
        fc.constantFrom(
          'index.html',
          '../../package.json',
          '%2e%2e/%2e%2e/package.json',
          '..%2f..%2fpackage.json',
          '',
          'x'.repeat(300),
        ),
        hostileString.map(encoded),
      )
    }
    return fc.constant(part)
  })
  // A route of its own `*` (CORS's OPTIONS *) has no leading slash to keep.
  return fc.tuple(...pieces).map((filled) => `/${filled.join('/')}`.replace(/^\/\//, '/'))
}

/**
 * A query string: the schema's parameters (required ones mostly present, optional ones mostly absent,
 * either sometimes repeated), and now and then unknown ones.
 */
function queryFor(route, target, hostile) {
  const querystring = route.schema?.querystring
  const properties = querystring?.properties ?? {}
  const required = new Set(querystring?.required ?? [])
  if (!hostile) {
    const present = Object.keys(properties).map((name) =>
      fc
        .tuple(required.has(name) ? fc.constant(true) : fc.boolean(), plausibleText(name, properties[name], target))
        .map(([yes, value]) => (yes ? [[name, value]] : [])),
    )
    return fc.tuple(...present).map((groups) => {
      const text = groups
        .flat()
        .map(([name, value]) => `${encoded(name)}=${encoded(value)}`)
        .join('&')
      return text === '' ? '' : `?${text}`
    })
  }
  const known = Object.keys(properties).map((name) => {
    const times = required.has(name) ? fc.constantFrom(0, 1, 1, 1, 1, 1, 1, 2) : fc.constantFrom(0, 0, 0, 1, 1, 2)
    return fc
      .tuple(times, fc.array(textFor(name, properties[name], target), { minLength: 2, maxLength: 2 }))
      .map(([n, values]) => values.slice(0, n).map((value) => [name, value]))
  })
  const unknownPair = fc.tuple(
    fc.oneof(hostileKey, fc.constantFrom('code', 'state', 'redirect', 'tools', 'guild_id')),
    hostileString,
  )
  const unknown = fc.oneof(
    { arbitrary: fc.constant([]), weight: 4 },
    { arbitrary: fc.array(unknownPair, { minLength: 1, maxLength: 2 }), weight: 1 },
  )
  const tail = fc.constantFrom('', '', '', '', '', '&', '&&', '=', '?')
  return fc.tuple(fc.tuple(...known), unknown, fc.boolean(), tail).map(([groups, extra, enc, end]) => {
    const pairs = [...groups.flat(), ...extra]
    const code = enc ? encoded : raw
    const text = pairs.map(([name, value]) => `${code(name)}=${code(value)}`).join('&') + end
    return text === '' ? '' : `?${text}`
  })
}

/**
 * A JSON value shaped like the schema: with `hostile`, any node may be swapped for hostile JSON and maps
 * get hostile names; without it the value keeps to the schema as far as it can be told, so the route's
 * own code runs.
 */
export function valueFor(schema, target, name = '', depth = 0, hostile = true) {
  if (schema === undefined || schema === null || typeof schema !== 'object' || depth > 4)
    return hostile ? hostileJson : fc.jsonValue({ maxDepth: 2 })
  const deeper = (s, key) => valueFor(s, target, key, depth + 1, hostile)
  /** @type {import('fast-check').Arbitrary<unknown>} */
  let shaped
  if (Array.isArray(schema.enum)) {
    shaped = fc.constantFrom(...schema.enum)
  } else if (schema.type === 'object') {
    const properties = schema.properties ?? {}
    const record = fc.record(Object.fromEntries(Object.entries(properties).map(([key, s]) => [key, deeper(s, key)])), {
      requiredKeys: (schema.required ?? []).filter((key) => key in properties),
    })
    const extra = schema.additionalProperties
    const validNames = schema.propertyNames?.pattern
      ? (matching(schema.propertyNames.pattern) ?? validTool)
      : fc.string({ maxLength: 12 })
    const names = hostile ? fc.oneof(validNames, toolText, hostileKey) : validNames
    const maxKeys = Math.min((schema.maxProperties ?? 8) + (hostile ? 2 : 0), hostile ? 250 : 8)
    const more =
      extra === false
        ? hostile
          ? fc.constantFrom({}, {}, {}, { unexpected: 1 })
          : fc.constant({})
        : fc.dictionary(
            names,
            typeof extra === 'object' ? deeper(extra, '') : hostile ? hostileJson : fc.jsonValue({ maxDepth: 3 }),
            {
              maxKeys,
              noNullPrototype: true,
            },
          )
    shaped = fc.tuple(more, record).map(([a, b]) => Object.assign({}, a, b))
  } else if (schema.type === 'array') {
    const max = Math.min(schema.maxItems ?? 6, 200)
    shaped = fc.array(deeper(schema.items, name), {
      minLength: hostile ? 0 : Math.min(schema.minItems ?? 0, max),
      maxLength: hostile ? max + 1 : Math.min(max, 8),
    })
  } else if (schema.type === 'integer' || schema.type === 'number') {
    const min = schema.minimum ?? -1_000_000
    const max = schema.maximum ?? 1_000_000
    const options = [fc.integer({ min: Math.max(min, -(2 ** 31)), max: Math.min(max, 2 ** 31) })]
    if (/(^|_)id$/.test(name) && target.knownIds.length > 0) options.push(fc.constantFrom(...target.knownIds))
    const hint = hinted(name, target)
    if (hint) options.push(hint, hint)
    if (hostile) options.push(fc.constantFrom(min - 1, min, max, max + 1), idNumber)
    shaped = fc.oneof(...options)
  } else if (schema.type === 'string') {
    shaped = hostile
      ? fc.oneof(plausibleText(name, schema, target), name === 'tool' ? toolText : hostileString)
      : plausibleText(name, schema, target)
  } else if (schema.type === 'boolean') {
    shaped = hostile ? fc.oneof(fc.boolean(), fc.constantFrom('true', 1, null)) : fc.boolean()
  } else {
    shaped = hostile ? hostileJson : fc.jsonValue({ maxDepth: 3 })
  }
  return hostile ? fc.oneof({ arbitrary: shaped, weight: 6 }, { arbitrary: hostileJson, weight: 1 }) : shaped
}

/** The body of a request that may carry one: shaped by the schema, any JSON, broken, deep, huge, or none. */
function bodyFor(route, target, hostile) {
  const schema = route.schema?.body
  if (!hostile) return valueFor(schema, target, '', 0, false).map((value) => ({ kind: 'json', value }))
  return fc.oneof(
    {
      arbitrary: valueFor(schema, target, '', 0, false).map((value) => ({ kind: 'json', value })),
      weight: schema === undefined ? 1 : 4,
    },
    {
      arbitrary: valueFor(schema, target).map((value) => ({ kind: 'json', value })),
      weight: schema === undefined ? 1 : 4,
    },
    { arbitrary: hostileJson.map((value) => ({ kind: 'json', value })), weight: 2 },
    { arbitrary: oddBody, weight: 3 },
    { arbitrary: fc.constant(undefined), weight: 1 },
  )
}

/** How the request authenticates: a working credential most of the time, so the route's own code runs. */
function authFor(route, target, hostile) {
  const vias = target.cookieName ? ['bearer', 'bearer', 'cookie'] : ['bearer']
  const working = target.consumesCredential?.(route) ? 'fresh' : 'valid'
  if (!hostile) return fc.record({ kind: fc.constant(working), index: fc.nat(), via: fc.constantFrom(...vias) })
  return fc.oneof(
    { arbitrary: fc.record({ kind: fc.constant(working), index: fc.nat(), via: fc.constantFrom(...vias) }), weight: 8 },
    { arbitrary: fc.constant({ kind: 'none' }), weight: 1 },
    { arbitrary: badAuthorization.map((value) => ({ kind: 'authorization', value })), weight: 1 },
    { arbitrary: badCookie.map((value) => ({ kind: 'cookie', value })), weight: 1 },
  )
}

const ANY_METHOD = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']

/**
 * Request plans for one catalog route. A plan: `{ method, path, query, auth, origin, contentType?, body?,
 * headers, login, loginRedirect? }`. On a route that takes a `state`, `login` asks the target for a
 * genuine OAuth state and its cookie (`state`), or for a whole login up to Battle.net's answer, its code
 * included (`complete`), started with `loginRedirect` (the login may refuse it, and then starts without).
 */
export function requestPlans(route, target) {
  return fc.oneof(
    { arbitrary: plans(route, target, false), weight: 1 },
    { arbitrary: plans(route, target, true), weight: 2 },
  )
}

/**
 * Plausible plans (`hostile` false: every part as the route's schema and the target's hints suggest, so
 * the handler's own code runs on valid data) or hostile ones (any part may be anything).
 */
function plans(route, target, hostile) {
  const unrouted = route === UNROUTED
  const method = unrouted ? fc.constantFrom(...ANY_METHOD) : fc.constant(route.method)
  const path = unrouted
    ? fc
        .array(
          fc.oneof(fc.constantFrom('guilds', 'v1', 'auth', 'docs', '9001', '..', ''), hostileString.map(encoded)),
          { maxLength: 4 },
        )
        .map((p) => `/${p.join('/')}`)
    : pathFor(route, target, hostile)
  const query = unrouted ? fc.constantFrom('', '?a=1') : queryFor(route, target, hostile)
  const takesBody = unrouted || BODY_METHODS.has(route.method)
  return fc.record({
    method,
    path,
    query,
    auth: authFor(route, target, hostile),
    origin: hostile ? originPlan : fc.constantFrom('public', 'allowed', 'referer-public'),
    contentType: hostile
      ? fc.oneof({ arbitrary: fc.constant(undefined), weight: 4 }, { arbitrary: contentType, weight: 1 })
      : fc.constant(undefined),
    body: takesBody ? bodyFor(route, target, hostile) : fc.constant(undefined),
    headers: hostile
      ? fc.oneof({ arbitrary: fc.constant({}), weight: 4 }, { arbitrary: extraHeaders, weight: 1 })
      : fc.constant({}),
    login: target.startLogin ? fc.constantFrom('none', 'state', 'complete', 'complete') : fc.constant('none'),
    loginRedirect: target.startLogin ? fc.option(redirectText(target), { nil: undefined }) : fc.constant(undefined),
  })
}
