import { lintOpenApi } from '@guild/testing'
import t from 'tap'
import { startHarness } from '../helpers/harness.js'

// The web app's client is generated from this document: it must be one a generator reads cleanly.
t.test('/docs/json passes redocly lint (recommended rules) with no error and no warning', async (t) => {
  const h = await startHarness(t, { permissionService: false })
  const doc = (await h.inject({ url: '/docs/json' })).json<unknown>()
  const problems = await lintOpenApi(doc)
  t.same(
    problems.map((p) => `${p.severity} ${p.rule} ${p.at}: ${p.message}`),
    [],
  )
})
