import { existsSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { claimRedisDb, createTestDatabase, freePort, launchSystem, loginThroughStandin } from '@guild/testing'
import { chromium } from 'playwright-core'
import { repoRoot } from '../paths.js'
import { median, round } from '../stats.js'

export interface WebRosterFigures {
  members: number
  rounds: number
  /** From navigation to a rendered roster whose sort buttons work, in Chromium (the page's own clock). */
  load_ms: number
  load_ms_per_round: number[]
  /** From a click on "Name" to the re-sorted rows painted. */
  resort_ms: number
  resort_ms_per_round: number[]
  /** guild-api's own time for the same data: GET /guilds/{id}/members, as a client measures it. */
  api_members_ms: number
  api_members_ms_per_round: number[]
}

const MEMBERS = 1000
export const WEB_APP_BUILT = join(repoRoot, 'services/web/dist/app/index.html')
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

/** A guild of 1,000: Thrall (a fixture user) leads 999 characters with varied names, levels, classes, ranks. */
function bigGuildFixtures(): object {
  const syllables = ['ka', 'zul', 'mor', 'thi', 'gra', 'ven', 'lo', 'rak', 'shi', 'dun', 'el', 'vor']
  const nameOf = (i: number) => {
    const parts = [syllables[i % 12], syllables[Math.floor(i / 12) % 12], syllables[Math.floor(i / 144) % 12]].join('')
    return `${parts.charAt(0).toUpperCase()}${parts.slice(1)}${i}`
  }
  const roster = [{ character_id: 5001, rank: 0 }]
  for (let i = 1; i < MEMBERS; i++)
    roster.push({
      character_id: 100_000 + i,
      rank: 1 + (i % 9),
      name: nameOf(i),
      level: 60 + (i % 21),
      class_id: 1 + (i % 13),
    } as never)
  return {
    users: [
      {
        id: 100001,
        battletag: 'Thrall#1234',
        characters: [{ id: 5001, name: 'Thrall', realm: 'area-52', level: 80, class_id: 7 }],
      },
    ],
    guilds: [{ id: 9001, name: 'Horde Vanguard', realm: 'area-52', faction: 'HORDE', roster }],
  }
}

/**
 * web_roster: the whole system as `npm start` runs it, a registered guild of 1,000 members, and
 * Chromium opening its roster page (signed in by the session cookie) `rounds` times; each round also
 * re-sorts by name. Beside it, guild-api's own time for the members the page shows.
 */
export async function webRoster(log: (line: string) => void, rounds: number): Promise<WebRosterFigures | undefined> {
  if (!existsSync(WEB_APP_BUILT) || !existsSync(CHROMIUM)) {
    log(`web_roster: needs the built web app (npm run build) and Chromium at ${CHROMIUM}; skipped`)
    return undefined
  }
  const [pg, redis] = await Promise.all([createTestDatabase('bench_web'), claimRedisDb()])
  const dir = await mkdtemp(join(tmpdir(), 'bench-web-'))
  const fixtures = join(dir, 'bnet.json')
  await writeFile(fixtures, JSON.stringify(bigGuildFixtures()))
  const apiPort = await freePort()
  const apiUrl = `http://127.0.0.1:${apiPort}`
  const system = await launchSystem({
    NODE_ENV: 'production',
    DATABASE_URL: pg.url,
    REDIS_URL: redis.url,
    CACHE_BUS_CHANNEL: redis.channel,
    GUILD_API_PORT: String(apiPort),
    PERMISSION_SERVICE_PORT: String(await freePort()),
    BNET_STANDIN_PORT: String(await freePort()),
    WEB_PORT: String(await freePort()),
    BNET_STANDIN_FIXTURES: fixtures,
    LOG_LEVEL: 'warn',
  })
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  })
  try {
    const token = await loginThroughStandin(apiUrl, 'Thrall#1234')
    const auth = { authorization: `Bearer ${token}` }
    const registered = await fetch(`${apiUrl}/guilds`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ realm: 'area-52', name: 'Horde Vanguard' }),
    })
    if (registered.status !== 201) throw new Error(`web_roster: registering the guild answered ${registered.status}`)
    const members = (await (await fetch(`${apiUrl}/guilds/9001/members`, { headers: auth })).json()) as Array<{
      name: string
    }>
    if (members.length !== MEMBERS)
      throw new Error(`web_roster: the roster has ${members.length} members, not ${MEMBERS}`)
    const firstByName = [...members].map((m) => m.name).sort((a, b) => a.localeCompare(b))[0] as string

    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } })
    await context.addCookies([{ name: 'sid', value: token, url: apiUrl, httpOnly: true, sameSite: 'Lax' }])
    const load: number[] = []
    const resort: number[] = []
    const api: number[] = []
    // One round unmeasured: Chromium's and the services' first-use costs are not the page's.
    for (let r = 0; r <= rounds; r++) {
      const page = await context.newPage()
      await page.goto(`${system.appUrl}/guilds/9001/roster`)
      await page.getByRole('button', { name: 'Name' }).waitFor({ timeout: 30_000 })
      await page.locator('tbody tr[aria-rowindex]').first().waitFor()
      const loadedAt = await page.evaluate<number>('performance.now()')
      // Runs in the page (as text: this workspace is typed for Node, not the DOM).
      const resortMs = await page.evaluate<number>(`(async () => {
        const t0 = performance.now()
        document.querySelector('thead th button').click()
        await new Promise((resolve) => {
          const check = () =>
            document.querySelector('tbody tr[aria-rowindex] td')?.textContent === ${JSON.stringify(firstByName)}
              ? resolve()
              : requestAnimationFrame(check)
          check()
        })
        await new Promise((resolve) => requestAnimationFrame(resolve))
        return performance.now() - t0
      })()`)
      await page.close()
      const t0 = performance.now()
      const res = await fetch(`${apiUrl}/guilds/9001/members`, { headers: auth })
      await res.arrayBuffer()
      const apiMs = performance.now() - t0
      if (r === 0) continue
      load.push(round(loadedAt, 1))
      resort.push(round(resortMs, 1))
      api.push(round(apiMs, 2))
      log(
        `web_roster round ${r}: load ${round(loadedAt, 1)} ms, re-sort ${round(resortMs, 1)} ms, ` +
          `API ${round(apiMs, 2)} ms`,
      )
    }
    return {
      members: MEMBERS,
      rounds,
      load_ms: round(median(load), 1),
      load_ms_per_round: load,
      resort_ms: round(median(resort), 1),
      resort_ms_per_round: resort,
      api_members_ms: round(median(api), 2),
      api_members_ms_per_round: api,
    }
  } finally {
    await browser.close()
    await system.stop()
    await Promise.all([pg.drop(), redis.release(), rm(dir, { recursive: true, force: true })])
  }
}
