import { lintOpenApi } from '@guild/testing'
import t from 'tap'
import { migratedDatabase, startService } from '../helpers/harness.js'

// Clients are generated from this document: it must be one a generator reads cleanly.
t.test('/docs/json passes redocly lint (recommended rules) with no error and no warning', async (t) => {
  const { pg } = await migratedDatabase(t)
  const app = await startService(t, { DATABASE_URL: pg.url })
  const doc = (await app.inject('/docs/json')).json<unknown>()
  const problems = await lintOpenApi(doc)
  t.same(
    problems.map((p) => `${p.severity} ${p.rule} ${p.at}: ${p.message}`),
    [],
  )
})
