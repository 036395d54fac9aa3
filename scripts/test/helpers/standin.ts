import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { buildBnetStandin, type BnetStandinOptions } from '../../src/bnet-standin/app.js'
import type { Fixtures } from '../../src/bnet-standin/fixtures.js'
import { DEMO_FIXTURES } from '../../src/paths.js'

export const REDIRECT_URI = 'http://127.0.0.1:3000/auth/callback'
export const CLIENT = { id: 'standin', secret: 'standin-secret' }

export interface StandinUnderTest {
  app: FastifyInstance
  fixturesPath: string
  /** Replaces the fixture file's content (the next request reads it). */
  write(fixtures: unknown): Promise<void>
  /** The bundled demo fixtures, parsed afresh. */
  demo(): Promise<Fixtures>
  /** Moves the stand-in's clock on. */
  advance(ms: number): void
  close: () => Promise<void>
}

/** A stand-in on its own temporary copy of the demo fixtures, with a clock the test moves. */
export async function standinUnderTest(
  fixtures?: unknown,
  options: Pick<BnetStandinOptions, 'region' | 'redirectUris'> = {},
): Promise<StandinUnderTest> {
  const dir = await mkdtemp(join(tmpdir(), 'bnet-standin-'))
  const fixturesPath = join(dir, 'fixtures.json')
  const demo = async () => JSON.parse(await readFile(DEMO_FIXTURES, 'utf8')) as Fixtures
  const write = async (value: unknown) =>
    writeFile(fixturesPath, typeof value === 'string' ? value : JSON.stringify(value))
  await write(fixtures ?? (await demo()))
  let offset = 0
  const app = buildBnetStandin({ fixturesPath, clock: () => Date.now() + offset, ...options })
  return {
    app,
    fixturesPath,
    write,
    demo,
    advance: (ms) => {
      offset += ms
    },
    close: async () => {
      await app.close()
      await rm(dir, { recursive: true, force: true })
    },
  }
}

export const basic = (id: string, secret: string): string =>
  `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`

/** GET /oauth/authorize with a login_hint; answers the code from the redirect. */
export async function authorize(
  app: FastifyInstance,
  loginHint: string,
  extra: Record<string, string> = {},
): Promise<string> {
  const query = new URLSearchParams({
    client_id: CLIENT.id,
    redirect_uri: REDIRECT_URI,
    state: 's1',
    login_hint: loginHint,
    scope: 'openid wow.profile',
    ...extra,
  })
  const res = await app.inject({ method: 'GET', url: `/oauth/authorize?${query.toString()}` })
  if (res.statusCode !== 302) throw new Error(`authorize answered ${res.statusCode}: ${res.body}`)
  const code = new URL(res.headers.location as string).searchParams.get('code')
  if (!code) throw new Error('no code in the redirect')
  return code
}

/** POST /oauth/token, form-encoded, client by HTTP Basic. */
export async function exchange(app: FastifyInstance, fields: Record<string, string>) {
  return await app.inject({
    method: 'POST',
    url: '/oauth/token',
    headers: { authorization: basic(CLIENT.id, CLIENT.secret), 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams(fields).toString(),
  })
}

/** A user access token for the fixture user the hint names. */
export async function userToken(app: FastifyInstance, loginHint: string): Promise<string> {
  const code = await authorize(app, loginHint)
  const res = await exchange(app, { grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI })
  if (res.statusCode !== 200) throw new Error(`token answered ${res.statusCode}: ${res.body}`)
  return res.json<{ access_token: string }>().access_token
}

export async function clientToken(app: FastifyInstance): Promise<string> {
  const res = await exchange(app, { grant_type: 'client_credentials' })
  if (res.statusCode !== 200) throw new Error(`token answered ${res.statusCode}: ${res.body}`)
  return res.json<{ access_token: string }>().access_token
}
