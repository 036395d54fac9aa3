import { createConfig, lintFromString } from '@redocly/openapi-core'

export interface OpenApiProblem {
  severity: 'error' | 'warn'
  rule: string
  message: string
  /** The JSON pointer of where the problem is (space-separated, were it in several places). */
  at: string
}

/**
 * Warnings of the recommended rules that describe what a route is, not a fault of its document:
 * the workspaces are private (no licence to name), health and metrics answer 200 or 503 and nothing
 * a client can get wrong (no 4xx), and the login routes answer by redirecting (no 2xx).
 */
const ACCEPTED: Array<{ rule: string; at: RegExp }> = [
  { rule: 'info-license', at: /^#\/info$/ },
  { rule: 'operation-4xx-response', at: /^#\/paths\/~1(health~1(live|ready)|metrics)\/get\/responses$/ },
  { rule: 'operation-2xx-response', at: /^#\/paths\/~1auth~1(login|callback)\/get\/responses$/ },
]

/**
 * What `redocly lint` (its `recommended` rules) reports on an OpenAPI document, through the library
 * the command runs on, less the accepted warnings above: a service's `/docs/json` is what its
 * generated clients are made from.
 */
export async function lintOpenApi(document: unknown): Promise<OpenApiProblem[]> {
  const config = await createConfig({ extends: ['recommended'] })
  const problems = await lintFromString({ source: JSON.stringify(document), absoluteRef: 'openapi.json', config })
  return problems
    .filter((p) => p.severity === 'error' || p.severity === 'warn')
    .map((p) => ({
      severity: p.severity,
      rule: p.ruleId,
      message: p.message,
      at: p.location.map((l) => l.pointer).join(' '),
    }))
    .filter((p) => p.severity === 'error' || !ACCEPTED.some((a) => a.rule === p.rule && a.at.test(p.at)))
}
