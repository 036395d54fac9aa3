import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { buildApp } from '../server/app.js'

async function site(t: Test): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'web-static-'))
  t.teardown(() => rm(root, { recursive: true, force: true }))
  await mkdir(join(root, 'assets'))
  await writeFile(join(root, 'index.html'), '<!doctype html><title>app</title>')
  await writeFile(join(root, 'assets', 'index-abc123.js'), 'console.log(1)')
  return root
}

t.test(
  'serves the built app: config from the environment, a year for hashed assets, the page for any route',
  async (t) => {
    const app = await buildApp({
      env: { LOG_LEVEL: 'silent', GUILD_API_URL: 'https://api.example.com/', WEB_ROOT: await site(t) },
    })
    t.teardown(() => app.close())

    const config = await app.inject('/config.json')
    t.same(config.json(), { apiUrl: 'https://api.example.com' })
    t.equal(config.headers['cache-control'], 'no-store')
    t.match(config.headers['content-security-policy'], /connect-src 'self' https:\/\/api\.example\.com;/)
    t.match(config.headers['content-security-policy'], /frame-ancestors 'none'/)

    const asset = await app.inject('/assets/index-abc123.js')
    t.equal(asset.statusCode, 200)
    t.equal(asset.headers['cache-control'], 'public, max-age=31536000, immutable')

    for (const url of ['/', '/guilds/9001/roster', '/register?x=1']) {
      const page = await app.inject({ url, headers: { accept: 'text/html,application/xhtml+xml' } })
      t.equal(page.statusCode, 200, url)
      t.match(page.body, /<title>app<\/title>/, `${url} is the app`)
      t.equal(page.headers['cache-control'], 'no-cache', `${url} is revalidated`)
    }

    const missingAsset = await app.inject({ url: '/assets/index-old.js', headers: { accept: 'text/html' } })
    t.equal(missingAsset.statusCode, 404, 'an asset of an older build is a 404, not the page')
    const api = await app.inject({ url: '/me', headers: { accept: 'application/json' } })
    t.equal(api.statusCode, 404, 'only a request for a page gets the page')
    t.equal((await app.inject('/health/live')).statusCode, 200)
  },
)

t.test('a bad GUILD_API_URL stops start-up with a message naming it', async (t) => {
  await t.rejects(buildApp({ env: { LOG_LEVEL: 'silent', GUILD_API_URL: 'api.example.com' } }), {
    message: /GUILD_API_URL/,
  })
  await t.rejects(buildApp({ env: { LOG_LEVEL: 'silent', PORT: 'web' } }), { message: /PORT/ })
})
