// @ts-check
/**
 * The fuzz loop both the tap tests (a few dozen inputs a route) and `npm run chaos:fuzz` (thousands) run:
 * for every route of the app's catalog, seeded plans → requests → answers, tallied by status class.
 * A failure is a 5xx, a request that throws or hangs, an error answer without the contract's shape,
 * or an app that stops answering /health/live; after each route the Redis database is SCANned and every
 * key that breaks the contract is put down to that route.
 */
import fc from 'fast-check'
import { describePlan, toRequest } from './execute.mjs'
import { scanKeyViolations } from './key-contract.mjs'
import { UNROUTED, requestPlans } from './request-plans.mjs'

/** FNV-1a: a route's seed depends on its name, so adding a route leaves the others' inputs as they were. */
function hash(text) {
  let h = 0x811c9dc5
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  return h >>> 0
}

export function routeName(route) {
  return route === UNROUTED ? '(no route: any method, any path)' : `${route.method} ${route.url}`
}

/** The routes to fuzz: every one in the catalog, plus requests that match none. */
export function routesToFuzz(catalog) {
  return [...catalog, UNROUTED]
}

function withTimeout(promise, ms) {
  let timer
  const timeout = new Promise((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms)
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}

/** Whether an error answer keeps `{"statusCode", "error", "message"}` (HEAD answers carry no body). */
function hasErrorShape(method, res) {
  if (method === 'HEAD' || res.statusCode < 400) return true
  try {
    const body = JSON.parse(res.body)
    return body.statusCode === res.statusCode && typeof body.error === 'string' && typeof body.message === 'string'
  } catch {
    return false
  }
}

/**
 * Runs `runs` seeded plans against every route. `target`: `{ name, inject, knownIds, credentials, origins,
 * cookieName?, freshCredential?, consumesCredential?, startLogin? }`; `redis`: an ioredis client on the
 * database the app writes to (optional). Resolves with `{ seed, runs, routes: [...] }`.
 */
export async function fuzzRoutes({ target, routes, runs, seed, redis, timeoutMs = 15_000, maxExamples = 5, onRoute }) {
  const results = []
  for (const route of routes) {
    const name = routeName(route)
    const routeSeed = (seed ^ hash(`${target.name} ${name}`)) | 0
    const plans = fc.sample(requestPlans(route, target), { seed: routeSeed, numRuns: runs })
    const result = {
      service: target.name,
      route: name,
      seed: routeSeed,
      tried: 0,
      statuses: {},
      s2xx: 0,
      s3xx: 0,
      s4xx: 0,
      s5xx: 0,
      crashes: 0,
      badShapes: 0,
      keysOutside: [],
      failures: [],
      ms: 0,
    }
    const started = Date.now()
    const fail = (plan, kind, detail) => {
      if (result.failures.length < maxExamples) result.failures.push({ kind, detail, plan: describePlan(plan) })
    }
    for (const plan of plans) {
      result.tried++
      let res
      try {
        res = await withTimeout(
          toRequest(route, plan, target).then((request) => target.inject(request)),
          timeoutMs,
        )
      } catch (err) {
        result.crashes++
        fail(plan, 'crash', err instanceof Error ? `${err.name}: ${err.message}` : String(err))
        continue
      }
      const status = res.statusCode
      result.statuses[status] = (result.statuses[status] ?? 0) + 1
      if (status >= 500) {
        result.s5xx++
        fail(plan, `status ${status}`, res.body.slice(0, 300))
      } else if (status >= 400) result.s4xx++
      else if (status >= 300) result.s3xx++
      else result.s2xx++
      if (!hasErrorShape(plan.method, res)) {
        result.badShapes++
        fail(plan, `status ${status} without the error shape`, res.body.slice(0, 300))
      }
    }
    const live = await withTimeout(target.inject({ method: 'GET', url: '/health/live' }), timeoutMs).catch(
      () => undefined,
    )
    if (live?.statusCode !== 200) {
      result.crashes++
      result.failures.push({
        kind: 'dead',
        detail: `/health/live answered ${live?.statusCode ?? 'nothing'} after this route`,
        plan: '',
      })
    }
    if (redis !== undefined) {
      const seen = new Set(results.flatMap((r) => r.keysOutside.map((v) => v.key)))
      result.keysOutside = (await scanKeyViolations(redis)).filter((v) => !seen.has(v.key))
    }
    result.ms = Date.now() - started
    results.push(result)
    onRoute?.(result)
  }
  return { service: target.name, seed, runs, routes: results }
}

/**
 * Characters that would garble a report line (controls, line and paragraph separators, bidi overrides, lone
 * surrogates), escaped.
 */
function printable(text) {
  return text.replace(
    /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]|\p{Cs}/gu,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  )
}

/** Every failure of a run as lines a person can read (empty when there is none). */
export function failureReport(run) {
  const lines = []
  for (const r of run.routes) {
    for (const f of r.failures)
      lines.push(
        `${run.service} ${r.route} [seed ${r.seed}]: ${f.kind}: ${printable(f.detail)}\n  plan: ${printable(f.plan)}`,
      )
    for (const k of r.keysOutside)
      lines.push(`${run.service} ${r.route}: key ${printable(JSON.stringify(k.key))} (PTTL ${k.ttlMs} ms): ${k.reason}`)
  }
  return lines
}
