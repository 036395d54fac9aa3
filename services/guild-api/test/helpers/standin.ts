import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { freePort } from '@guild/testing'
// The stand-in's compiled JS, as npm start runs it (guild-api does not depend on the scripts workspace).
import { buildBnetStandin } from '../../../../scripts/dist/bnet-standin/app.js'

export const DEMO_FIXTURES = fileURLToPath(new URL('../../../../scripts/fixtures/bnet-demo.json', import.meta.url))

// The fixture format is the stand-in's own: one definition for both.
export type { FixtureFault, Fixtures } from '../../../../scripts/dist/bnet-standin/fixtures.js'
import type { FixtureFault, Fixtures } from '../../../../scripts/dist/bnet-standin/fixtures.js'

/**
 * What the stand-in handed out: OAuth codes and access tokens (user and client), for tests that hunt for them in logs.
 */
export interface IssuedSecrets {
  codes: string[]
  accessTokens: string[]
}

/** One request the stand-in received: when (ms since the epoch), and its method and path. */
export interface StandinCall {
  at: number
  method: string
  path: string
}

export interface Standin {
  url: string
  issued: IssuedSecrets
  /** Every request it received (health probes aside), in order: what a test counts Battle.net calls with. */
  calls: StandinCall[]
  /** Reads the fixture file, lets `change` edit it, writes it back: the stand-in's next request sees it. */
  edit(change: (fixtures: Fixtures) => void): Promise<void>
  /** Sets the fixture file's faults (an empty list removes them). */
  faults(faults: FixtureFault[]): Promise<void>
  /** Restarts it on the same port: it forgets every code and token it issued, as a revocation would. */
  restart(): Promise<void>
  close(): Promise<void>
}

export interface StandinOptions {
  /** The OAuth client's registered redirect URIs: authorize refuses any other, as Battle.net does. */
  redirectUris?: string[]
  /** The region whose namespaces the API accepts (default: any). */
  region?: 'us' | 'eu' | 'kr' | 'tw'
}

/** The Battle.net stand-in on a free port, serving its own temporary copy of the demo fixtures. */
export async function startStandin(options: StandinOptions = {}): Promise<Standin> {
  const dir = await mkdtemp(join(tmpdir(), 'guild-api-bnet-'))
  const fixturesPath = join(dir, 'fixtures.json')
  const read = async () => JSON.parse(await readFile(fixturesPath, 'utf8')) as Fixtures
  await writeFile(fixturesPath, await readFile(DEMO_FIXTURES, 'utf8'))
  const issued: IssuedSecrets = { codes: [], accessTokens: [] }
  const calls: StandinCall[] = []
  const build = () => {
    const built = buildBnetStandin({ fixturesPath, ...options })
    // On arrival, before the stand-in's own hooks (an injected delay among them) run.
    built.server.prependListener('request', (req: { method?: string; url?: string }) => {
      const path = (req.url ?? '').split('?', 1)[0] as string
      if (!path.startsWith('/health/')) calls.push({ at: Date.now(), method: req.method ?? '', path })
    })
    // Codes leave in the authorize redirect, tokens in the token endpoint's body.
    built.addHook('onSend', async (request, reply, payload) => {
      const location = reply.getHeader('location')
      if (typeof location === 'string') {
        const code = new URL(location).searchParams.get('code')
        if (code !== null) issued.codes.push(code)
      }
      if (request.routeOptions.url?.endsWith('/token') && typeof payload === 'string' && reply.statusCode === 200) {
        const token = (JSON.parse(payload) as { access_token?: unknown }).access_token
        if (typeof token === 'string') issued.accessTokens.push(token)
      }
      return payload
    })
    return built
  }
  let app = build()
  const port = await freePort()
  await app.listen({ host: '127.0.0.1', port })
  const edit = async (change: (fixtures: Fixtures) => void) => {
    const fixtures = await read()
    change(fixtures)
    await writeFile(fixturesPath, JSON.stringify(fixtures))
  }
  return {
    url: `http://127.0.0.1:${port}`,
    issued,
    calls,
    edit,
    faults: (faults) =>
      edit((f) => {
        f.faults = faults
      }),
    restart: async () => {
      await app.close()
      app = build()
      await app.listen({ host: '127.0.0.1', port })
    },
    close: async () => {
      await app.close()
      await rm(dir, { recursive: true, force: true })
    },
  }
}
