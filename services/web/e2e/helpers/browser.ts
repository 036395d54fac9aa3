import { existsSync } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import AxeBuilder from '@axe-core/playwright'
import { type Browser, chromium, type Page } from 'playwright-core'
import type { Test } from 'tap'
import { REPO_ROOT } from './system.js'

/**
 * Debian's Chromium (`CHROMIUM_PATH`, default /usr/bin/chromium): Playwright's own browser download
 * cannot be reached on CI. Without it (a laptop), Playwright's own Chromium from
 * `npx playwright-core install chromium`.
 */
export async function launchChromium(t: Test): Promise<Browser> {
  const path = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
  const browser = await chromium.launch({
    ...(existsSync(path) ? { executablePath: path } : {}),
    // Root needs --no-sandbox; without the background services off, Chromium's own calls home fail and stall.
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  })
  t.teardown(() => browser.close())
  return browser
}

/** Signs in through the app's button and the stand-in's page, by clicks; resolves on the app's home. */
export async function signIn(page: Page, appUrl: string, battletag: string, path = '/'): Promise<void> {
  await page.goto(`${appUrl}${path}`)
  await page.getByRole('link', { name: 'Sign in with Battle.net' }).first().click()
  await page.getByRole('link', { name: battletag }).click()
  await page.waitForURL(`${appUrl}/**`)
}

/** axe-core on the page as it is: no serious or critical violation. */
export async function expectAccessible(t: Test, page: Page, screen: string): Promise<void> {
  const results = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'])
    .analyze()
  const bad = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
  t.same(
    bad.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`),
    [],
    `${screen}: no serious or critical accessibility violation (axe-core, ${results.passes.length} rules passed)`,
  )
}

const SHOTS = join(REPO_ROOT, 'docs', 'screenshots')

/** A screenshot for the README, under docs/screenshots/. */
export async function screenshot(page: Page, name: string): Promise<void> {
  await mkdir(SHOTS, { recursive: true })
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true })
}
