import { readFile } from 'node:fs/promises'
import { gzipSync } from 'node:zlib'
import { fileURLToPath } from 'node:url'
import t from 'tap'

/** What the first load's JavaScript and CSS may weigh, gzipped (the budget: 150 kB). */
const BUDGET_BYTES = 150 * 1000
const APP = fileURLToPath(new URL('../dist/app/', import.meta.url))

/** The files index.html makes the browser fetch before the app runs: scripts, module preloads, styles. */
function firstLoadFiles(html: string): string[] {
  const refs = [...html.matchAll(/<(?:script|link)\b[^>]*?\b(?:src|href)="\/([^"]+\.(?:js|css))"/g)].map(
    (m) => m[1] as string,
  )
  return [...new Set(refs)]
}

t.test('the built app (npm run build -w @guild/web) keeps its first load within 150 kB gzipped', async (t) => {
  const html = await readFile(`${APP}index.html`, 'utf8').catch(() => {
    throw new Error('services/web/dist/app is not built: run `npm run build -w @guild/web` (the test script does)')
  })
  const files = firstLoadFiles(html)
  t.ok(
    files.some((f) => f.endsWith('.js')),
    `index.html loads a script (${files.join(', ')})`,
  )
  t.ok(
    files.some((f) => f.endsWith('.css')),
    'and a stylesheet',
  )
  let total = 0
  for (const file of files) {
    const gz = gzipSync(await readFile(`${APP}${file}`), { level: 9 }).length
    t.comment(`${file}: ${(gz / 1000).toFixed(1)} kB gzipped`)
    total += gz
  }
  t.comment(`first load: ${(total / 1000).toFixed(1)} kB gzipped of ${BUDGET_BYTES / 1000} kB`)
  t.ok(total <= BUDGET_BYTES, `first load ${(total / 1000).toFixed(1)} kB gzipped ≤ ${BUDGET_BYTES / 1000} kB`)
})

t.test('the file list reads script, preload and stylesheet tags', async (t) => {
  t.same(
    firstLoadFiles(
      '<script type="module" crossorigin src="/assets/a-1.js"></script>' +
        '<link rel="modulepreload" href="/assets/b-2.js"><link rel="stylesheet" href="/assets/c-3.css">' +
        '<link rel="icon" href="/favicon.ico">',
    ),
    ['assets/a-1.js', 'assets/b-2.js', 'assets/c-3.css'],
  )
})
