import { execFile } from 'node:child_process'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { promisify } from 'node:util'
import Fastify from 'fastify'
import t from 'tap'
import { expectAccessible, launchChromium, screenshot, signIn } from './helpers/browser.js'
import { REPO_ROOT, startSystem } from './helpers/system.js'

// One system (npm start's launcher) and one browser for the journeys below, which build on each other
// as a guild's evening would: each begins at the stand-in's login page and goes on by clicks.
const system = await startSystem(t)
const browser = await launchChromium(t)
const { appUrl, apiUrl } = system
const DESKTOP = { viewport: { width: 1280, height: 800 } }
const gm = await (await browser.newContext(DESKTOP)).newPage()
const officer = await (await browser.newContext(DESKTOP)).newPage()
const raider = await (await browser.newContext({ viewport: { width: 360, height: 740 } })).newPage()
for (const page of [gm, officer, raider]) page.setDefaultTimeout(15_000)

t.test('the client is generated from the live /docs/json (nothing written by hand has drifted)', async (t) => {
  const run = promisify(execFile)
  const { stdout } = await run(process.execPath, [
    join(REPO_ROOT, 'services/web/scripts/generate-api.mjs'),
    '--check',
    apiUrl,
  ])
  t.match(stdout, /matches/)
})

t.test('signed out: the sign-in page; an officer who is not the guild master cannot register it', async (t) => {
  await officer.goto(appUrl)
  await officer.getByRole('heading', { name: 'Guild tools' }).waitFor()
  await expectAccessible(t, officer, 'sign-in')
  await screenshot(officer, 'sign-in')
  await signIn(officer, appUrl, 'Saurfang#2345')
  await officer.getByRole('heading', { name: 'Welcome, Saurfang' }).waitFor()
  await officer.getByRole('link', { name: 'Register a guild I lead' }).click()
  await officer.getByLabel('Guild name').fill('Horde Vanguard')
  await officer.getByRole('button', { name: 'Register' }).click()
  const refusal = officer.getByRole('alert')
  await refusal.waitFor()
  t.match(await refusal.textContent(), /You are not the guild master of “Horde Vanguard”/)
})

t.test('the guild master signs in, registers the guild through the realm picker, sees the roster', async (t) => {
  await signIn(gm, appUrl, 'Thrall#1234')
  await gm.getByRole('heading', { name: 'Welcome, Thrall' }).waitFor()
  await gm.getByRole('link', { name: 'Register a guild I lead' }).click()
  await gm.getByLabel('Search realms').fill('area')
  await gm.getByLabel('Realm', { exact: true }).selectOption({ label: 'Area 52 (my characters)' })
  await gm.getByLabel('Guild name').fill('No Such Guild')
  await gm.getByRole('button', { name: 'Register' }).click()
  t.match(
    await gm.getByRole('alert').textContent(),
    /Battle\.net (knows no guild|does not know)/,
    'an unknown guild, said plainly',
  )
  await expectAccessible(t, gm, 'register')
  await screenshot(gm, 'register')
  await gm.getByLabel('Guild name').fill('Horde Vanguard')
  await gm.getByRole('button', { name: 'Register' }).click()
  await gm.getByRole('link', { name: 'See the roster' }).click()
  const rows = gm.getByRole('row')
  await gm.getByRole('cell', { name: 'Eitrigg' }).waitFor()
  t.equal(await rows.count(), 9, 'a header and the 8 members')
  t.match(await rows.nth(1).textContent(), /Thrall80Shaman0/, 'by rank: the guild master first')
  await gm.getByRole('button', { name: 'Name' }).click()
  // The click returns before React re-renders: wait for the first row to change, then check it.
  await rows
    .nth(1)
    .filter({ hasText: /^Eitrigg/ })
    .waitFor({ timeout: 5_000 })
  t.match(await rows.nth(1).textContent(), /^Eitrigg/, 'sorted by name')
  await gm.getByLabel('Class').selectOption({ label: 'Hunter' })
  await gm.getByText('2 of 8 members').waitFor()
  await gm.getByLabel('Class').selectOption({ label: 'All classes' })
  await gm.getByRole('button', { name: 'Rank' }).click()
  await expectAccessible(t, gm, 'roster')
  await screenshot(gm, 'roster')

  // Once registered, again: 409.
  await gm.goto(`${appUrl}/register`)
  await gm.getByLabel('Guild name').fill('Horde Vanguard')
  await gm.getByRole('button', { name: 'Register' }).click()
  t.match(await gm.getByRole('alert').textContent(), /registered already/)
})

t.test('the guild master lets rank 4 use progress; the raider sees it after a reload', async (t) => {
  await signIn(raider, appUrl, 'Rokhan#3456')
  const card = raider.getByRole('article', { name: 'Horde Vanguard' })
  await card.getByText('roster').waitFor()
  t.equal(await card.getByText('progress').count(), 0, 'no progress yet')

  await gm.goto(`${appUrl}/`)
  await gm
    .getByRole('article', { name: 'Horde Vanguard' })
    .getByRole('link', { name: 'Permissions', exact: true })
    .click()
  await gm.getByLabel('Add a tool').fill('Progress!')
  await gm.getByRole('button', { name: 'Add', exact: true }).click()
  await gm.getByText(/A tool name is a lower-case letter/).waitFor()
  await gm.getByLabel('Add a tool').fill('progress')
  await gm.getByRole('button', { name: 'Add', exact: true }).click()
  await gm.getByLabel('progress: ranks 0 to 4').check()
  // The roster for ranks 0-5 only: a raider demoted below that loses it.
  await gm.getByLabel('roster: ranks 0 to 5').check()
  await gm.getByRole('button', { name: 'Save permissions' }).click()
  await gm.getByRole('status').filter({ hasText: 'Saved.' }).waitFor()
  await expectAccessible(t, gm, 'permissions')
  await screenshot(gm, 'permissions')

  await raider.reload()
  await card.getByRole('link', { name: 'progress' }).click()
  await raider.getByRole('heading', { name: 'Progress' }).waitFor()
  await raider.getByRole('link', { name: 'Roster' }).click()
  await raider.getByRole('cell', { name: 'Rokhan' }).waitFor()
  t.equal(await raider.getByRole('button', { name: 'Sync now' }).count(), 0, 'no sync for rank 4')
  await expectAccessible(t, raider, 'roster at 360 px')
  await screenshot(raider, 'roster-mobile')
})

t.test('the fixture demotes the raider, the guild master syncs, the raider loses the roster on reload', async (t) => {
  await system.editFixtures((f) => {
    for (const m of f.guilds[0]?.roster ?? []) {
      if (m.character_id === 5201) m.rank = 7
      if (m.character_id === 5202) m.rank = 8
    }
  })
  await gm.goto(`${appUrl}/guilds/9001/roster`)
  await gm.getByRole('button', { name: 'Sync now' }).click()
  const changed = gm.getByRole('status').filter({ hasText: 'Synced:' })
  await changed.waitFor()
  t.match(await changed.textContent(), /0 added, 0 removed, 2 rank changed/)
  await raider.reload()
  await raider.getByRole('heading', { name: 'Not allowed' }).waitFor()
  t.match(await raider.getByRole('alert').textContent(), /needs the roster tool/)
  t.equal(await raider.getByRole('cell', { name: 'Rexxar' }).count(), 0, 'no member is shown')
  await expectAccessible(t, raider, 'not allowed')
})

t.test(
  'an officer without permissions sees the matrix read-only, and a forged request from the page is refused',
  async (t) => {
    await officer.goto(`${appUrl}/guilds/9001/permissions`)
    await officer.getByText('Read-only: changing permissions needs the permissions tool.').waitFor()
    t.ok(await officer.getByLabel('progress: ranks 0 to 4').isDisabled(), 'the radios are disabled')
    t.ok(await officer.getByLabel('progress: ranks 0 to 4').isChecked(), 'and show the map')
    t.equal(await officer.getByRole('button', { name: 'Save permissions' }).count(), 0)
    await expectAccessible(t, officer, 'permissions, read-only')
    const forged = await officer.evaluate(async (api) => {
      const res = await fetch(`${api}/guilds/9001/permissions`, {
        method: 'PUT',
        credentials: 'include',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ tools: { permissions: 9 } }),
      })
      return { status: res.status, body: (await res.json()) as { message: string } }
    }, apiUrl)
    t.equal(forged.status, 403, 'guild-api refuses the officer, whatever the page lets through')
    await officer.reload()
    await officer.getByText('Read-only: changing permissions needs the permissions tool.').waitFor()
  },
)

t.test("settings: the officer edits them; guild-api's validation message sits beside the field", async (t) => {
  await officer.getByRole('link', { name: 'Settings' }).click()
  await officer.getByLabel('New setting').fill('motd')
  await officer.getByRole('button', { name: 'Add', exact: true }).click()
  await officer.getByLabel('motd').fill('Raid at 8\u0000')
  await officer.getByRole('button', { name: 'Save settings' }).click()
  const problem = officer.locator('#setting-motd-problem')
  await problem.waitFor()
  t.match(await problem.textContent(), /body\/motd must not contain a NUL character/)
  t.equal(await officer.getByLabel('motd').getAttribute('aria-invalid'), 'true')
  await officer.getByLabel('motd').fill('Raid at 8')
  await officer.getByRole('button', { name: 'Save settings' }).click()
  await officer.getByRole('status').filter({ hasText: 'Saved.' }).waitFor()
  await officer.reload()
  t.equal(await officer.getByLabel('motd').inputValue(), 'Raid at 8')
  await expectAccessible(t, officer, 'settings')
  await screenshot(officer, 'settings')
})

t.test('home, 404, and sign-out: the back button shows nothing private', async (t) => {
  await gm.goto(`${appUrl}/`)
  await gm.getByRole('article', { name: 'Horde Vanguard' }).getByRole('link', { name: 'progress' }).waitFor()
  await expectAccessible(t, gm, 'home')
  await screenshot(gm, 'home')

  await gm.goto(`${appUrl}/guilds/424242/roster`)
  await gm.getByRole('heading', { name: 'Not found' }).waitFor()
  t.match(await gm.getByRole('alert').textContent(), /guild 424242 is not registered/)
  await gm.goto(`${appUrl}/no/such/page`)
  await gm.getByRole('heading', { name: 'Not found' }).waitFor()

  await gm.goto(`${appUrl}/guilds/9001/roster`)
  await gm.getByRole('cell', { name: 'Rexxar' }).waitFor()
  await gm.getByRole('button', { name: 'Sign out' }).click()
  await gm.getByRole('link', { name: 'Sign in with Battle.net' }).waitFor()
  await gm.goBack()
  await gm.getByRole('heading', { name: 'Please sign in again' }).waitFor()
  t.equal(await gm.getByText('Rexxar').count(), 0, 'no member after the back button')
  t.equal(await gm.getByText('Thrall#1234').count(), 0, 'nor who was signed in')
  // Signing in again from there comes back to the same page.
  await gm.getByRole('link', { name: 'Sign in with Battle.net' }).click()
  await gm.getByRole('link', { name: 'Thrall#1234' }).click()
  await gm.waitForURL(`${appUrl}/guilds/9001/roster`)
  await gm.getByRole('cell', { name: 'Rexxar' }).waitFor()
})

t.test('a page from an origin outside CORS_ORIGINS can neither read nor change anything with the cookie', async (t) => {
  const evil = Fastify()
  evil.get('/', async (_request, reply) =>
    reply.type('text/html').send('<!doctype html><title>elsewhere</title><h1>elsewhere</h1>'),
  )
  await evil.listen({ host: '127.0.0.1', port: 0 })
  t.teardown(() => evil.close())
  const summary = async () =>
    (await gm.evaluate(
      async (api) => (await fetch(`${api}/guilds/9001`, { credentials: 'include' })).json(),
      apiUrl,
    )) as { synced_at: string }
  const before = await summary()

  // The same browser, the same cookie (127.0.0.1 is one site for SameSite), another origin.
  const page = await gm.context().newPage()
  await page.goto(`http://127.0.0.1:${(evil.server.address() as AddressInfo).port}/`)
  const attempts = await page.evaluate(async (api) => {
    const outcome = async (request: Promise<Response>) => {
      try {
        const res = await request
        return res.type === 'opaque' ? 'sent, answer unreadable' : `read ${res.status}: ${await res.text()}`
      } catch {
        return 'blocked'
      }
    }
    return {
      readMe: await outcome(fetch(`${api}/me`, { credentials: 'include' })),
      putPermissions: await outcome(
        fetch(`${api}/guilds/9001/permissions`, {
          method: 'PUT',
          credentials: 'include',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ tools: { permissions: 9 } }),
        }),
      ),
      // A "simple" request goes out without a preflight, cookie and all: guild-api's CSRF check must refuse it.
      postSync: await outcome(
        fetch(`${api}/guilds/9001/sync`, { method: 'POST', credentials: 'include', mode: 'no-cors' }),
      ),
    }
  }, apiUrl)
  t.same(
    attempts,
    { readMe: 'blocked', putPermissions: 'blocked', postSync: 'sent, answer unreadable' },
    'CORS keeps every answer from the page',
  )
  await page.close()

  const after = await summary()
  t.equal(after.synced_at, before.synced_at, 'the forged sync changed nothing')
  await gm.goto(`${appUrl}/guilds/9001/permissions`)
  t.notOk(await gm.getByLabel('permissions: ranks 0 to 9').isChecked(), 'nor the permissions')
})

t.test('the permission check unavailable: said plainly, and nothing shown as if allowed', async (t) => {
  // Paused, not stopped: guild-api's calls hang until its deadline, then it answers 503.
  const permissionService = system.pidOf('permission-service')
  process.kill(permissionService, 'SIGSTOP')
  t.teardown(() => process.kill(permissionService, 'SIGCONT'))
  await gm.goto(`${appUrl}/guilds/9001/roster`)
  await gm.getByRole('heading', { name: 'The permission check is unavailable' }).waitFor({ timeout: 30_000 })
  t.equal(await gm.getByRole('cell', { name: 'Rexxar' }).count(), 0, 'no roster')
  await expectAccessible(t, gm, 'permission check unavailable')
  process.kill(permissionService, 'SIGCONT')
  await gm.getByRole('button', { name: 'Try again' }).click()
  await gm.getByRole('cell', { name: 'Rexxar' }).waitFor({ timeout: 30_000 })
})

t.test('guild-api down: a banner, and nothing stale passed off as allowed', async (t) => {
  await system.stop()
  await gm.getByRole('link', { name: 'Permissions' }).click()
  await gm.getByText('guild-api is not answering').waitFor({ timeout: 30_000 })
  await gm.getByRole('heading', { name: 'guild-api cannot be reached' }).waitFor({ timeout: 30_000 })
  // The roster is in the page's cache from before; asked again, guild-api does not answer.
  await gm.getByRole('link', { name: 'Roster' }).click()
  await gm.getByRole('heading', { name: 'guild-api cannot be reached' }).waitFor({ timeout: 30_000 })
  t.equal(await gm.getByRole('cell', { name: 'Rexxar' }).count(), 0, 'the cached roster is not shown as if allowed')
  await expectAccessible(t, gm, 'guild-api down')
})
