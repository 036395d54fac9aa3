import t from 'tap'
import { lintOpenApi } from '../src/openapi-lint.js'

const ok = { description: 'ok', content: { 'application/json': { schema: { type: 'object' } } } }
const bad = { description: 'bad', content: { 'application/json': { schema: { type: 'object' } } } }

function document(extra: Record<string, unknown>): Record<string, unknown> {
  return {
    openapi: '3.0.3',
    info: { title: 't', version: '1', description: 'd' },
    servers: [{ url: '/' }],
    security: [],
    paths: {},
    ...extra,
  }
}

t.test('a clean document has no problem; the accepted warnings are left out', async (t) => {
  const problems = await lintOpenApi(
    document({
      paths: {
        '/things': { get: { operationId: 'listThings', summary: 's', security: [], responses: { 200: ok, 400: bad } } },
        '/health/live': { get: { operationId: 'live', summary: 's', security: [], responses: { 200: ok } } },
        '/auth/login': {
          get: { operationId: 'login', summary: 's', security: [], responses: { 302: { description: 'r' }, 400: bad } },
        },
      },
    }),
  )
  t.same(problems, [])
})

t.test('errors and other warnings are reported with their rule and place', async (t) => {
  const problems = await lintOpenApi(
    document({
      servers: [],
      paths: {
        '/things': {
          get: {
            summary: 's',
            security: [],
            responses: {
              200: {
                description: 'ok',
                content: { 'application/json': { schema: { type: 'object', propertyNames: { pattern: '^a$' } } } },
              },
              400: bad,
            },
          },
        },
        '/health/live': { get: { summary: 's', security: [], responses: { 200: ok } } },
      },
    }),
  )
  const seen = problems.map((p) => `${p.severity} ${p.rule} ${p.at}`)
  t.ok(
    seen.includes('error no-empty-servers #/openapi') || seen.some((s) => s.startsWith('error no-empty-servers')),
    seen.join('\n'),
  )
  t.ok(
    seen.some((s) => s.startsWith('error struct') && s.includes('propertyNames')),
    'propertyNames is not OpenAPI 3.0',
  )
  t.ok(seen.includes('warn operation-operationId #/paths/~1things/get/operationId'))
  t.ok(
    seen.includes('warn operation-operationId #/paths/~1health~1live/get/operationId'),
    'only the 4xx warning of health is accepted',
  )
  t.notOk(
    seen.some((s) => s.includes('operation-4xx-response')),
    'health answers no 4xx: accepted',
  )
  t.ok(problems.every((p) => p.message.length > 0))
})
