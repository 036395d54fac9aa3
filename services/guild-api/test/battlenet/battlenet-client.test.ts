import { createCache } from '@guild/cache'
import { freePort } from '@guild/testing'
import Fastify, { type FastifyInstance } from 'fastify'
import t, { type Test } from 'tap'
import { readCharacters, readRoster, readToken, readUser } from '../../src/battlenet/answers.js'
import { AppTokenProvider } from '../../src/battlenet/app-token.js'
import { BattleNetClient } from '../../src/battlenet/client.js'
import {
  BattleNetBadAnswerError,
  BattleNetNotConfiguredError,
  BattleNetUnavailableError,
} from '../../src/battlenet/errors.js'
import { parseRetryAfter } from '../../src/battlenet/http.js'
import { UsedStates } from '../../src/sessions/login-state.js'

const character = (id: number, extra: Record<string, unknown> = {}) => ({
  id,
  name: `C${id}`,
  realm: { slug: 'area-52' },
  level: 80,
  playable_class: { id: 3 },
  ...extra,
})

t.test("Battle.net's answers are read defensively: a field we rely on that is wrong is a 502 naming it", async (t) => {
  const roster = readRoster(
    {
      guild: { id: 9001, name: 'Horde Vanguard', realm: { slug: 'area-52' }, faction: { type: 'HORDE' } },
      members: [
        { character: character(1), rank: 0 },
        { character: character(1), rank: 5 },
        { character: character(2), rank: 9 },
      ],
    },
    'roster',
  )
  t.same(
    roster.members.map((m) => [m.id, m.rank]),
    [
      [1, 0],
      [2, 9],
    ],
    'a character listed twice counts once',
  )
  t.equal(roster.guild.faction, 'HORDE')
  t.equal(readRoster({ guild: { id: 1, name: 'x', realm: { slug: 'r' } }, members: [] }, 'roster').guild.faction, null)

  const bad: Array<[unknown, RegExp]> = [
    [null, /the body is not an object/],
    [{ members: [] }, /guild is not an object/],
    [{ guild: { id: 1, name: 'x', realm: { slug: 'r' } } }, /members is not an array/],
    [
      { guild: { id: 1, name: 'x', realm: { slug: 'r' } }, members: [{ character: character(1), rank: 10 }] },
      /members\[0\]\.rank is not an integer from 0 to 9/,
    ],
    [
      {
        guild: { id: 1, name: 'x', realm: { slug: 'r' } },
        members: [{ character: character(1, { id: 'abc' }), rank: 1 }],
      },
      /members\[0\]\.character\.id/,
    ],
    [
      {
        guild: { id: 1, name: 'x', realm: { slug: 'r' } },
        members: [{ character: character(1, { level: 'max' }), rank: 1 }],
      },
      /character\.level/,
    ],
    [{ guild: { id: 0, name: 'x', realm: { slug: 'r' } }, members: [] }, /guild\.id is not a positive integer id/],
    [{ guild: { id: 1, name: '', realm: { slug: 'r' } }, members: [] }, /guild\.name is not a non-empty string/],
  ]
  for (const [json, message] of bad) {
    t.throws(() => readRoster(json, 'GET /roster'), BattleNetBadAnswerError, String(message))
    try {
      readRoster(json, 'GET /roster')
    } catch (err) {
      t.match((err as Error).message, message)
      t.match((err as Error).message, /GET \/roster/)
      t.equal((err as BattleNetBadAnswerError).statusCode, 502)
    }
  }

  t.same(readCharacters({}, 'p'), [], 'no WoW account: no characters')
  const both = readCharacters(
    { wow_accounts: [{ characters: [character(1)] }, { characters: [character(1), character(2)] }, {}] },
    'p',
  )
  t.same(
    both.map((c) => c.id),
    [1, 2],
  )
  t.same(both[0], { id: 1, name: 'C1', realm: 'area-52', level: 80, classId: 3 })
  t.throws(() => readCharacters({ wow_accounts: {} }, 'p'), /wow_accounts is not an array/)

  t.same(readUser({ sub: '100001', battletag: 'Thrall#1234' }, 'u'), { id: 100001, battletag: 'Thrall#1234' })
  t.throws(() => readUser({ id: 1 }, 'u'), /battletag/)
  t.throws(() => readUser({ sub: 'x', battletag: 'a' }, 'u'), /id is not a positive integer/)
  t.same(readToken({ access_token: 'abc' }, 't'), { accessToken: 'abc', expiresIn: 86_399 })
  t.throws(() => readToken({ token: 'abc' }, 't'), /access_token/)
})

t.test('Retry-After as seconds or as a date', async (t) => {
  const now = Date.parse('2025-01-01T00:00:00Z')
  t.equal(parseRetryAfter('3', now), 3)
  t.equal(parseRetryAfter(['7'], now), 7)
  t.equal(parseRetryAfter('Wed, 01 Jan 2025 00:00:10 GMT', now), 10)
  t.equal(parseRetryAfter('Tue, 31 Dec 2024 00:00:00 GMT', now), 0, 'a date in the past: no wait')
  t.equal(parseRetryAfter('soon', now), undefined)
  t.equal(parseRetryAfter(undefined, now), undefined)
  t.equal(parseRetryAfter(' ', now), undefined)
})

/** A Battle.net that misbehaves on purpose, as a real HTTP peer. */
async function oddBattleNet(t: Test, routes: (app: FastifyInstance) => void): Promise<string> {
  const app = Fastify()
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) =>
    done(null, body),
  )
  routes(app)
  const port = await freePort()
  await app.listen({ host: '127.0.0.1', port })
  t.teardown(() => app.close())
  return `http://127.0.0.1:${port}`
}

function client(
  t: Test,
  url: string,
  extra: Partial<ConstructorParameters<typeof BattleNetClient>[0]> = {},
): BattleNetClient {
  const cache = createCache({})
  const c = new BattleNetClient({
    clientId: 'id',
    clientSecret: 'secret',
    oauthUrl: url,
    apiUrl: url,
    region: 'eu',
    redirectUri: 'http://127.0.0.1/auth/callback',
    timeoutMs: 300,
    maxRetries: 1,
    cache,
    backoffMs: 5,
    ...extra,
  })
  t.teardown(async () => {
    await c.close()
    await cache.close()
  })
  return c
}

t.test('odd answers from Battle.net become 502, silence becomes 503', async (t) => {
  let rosterCalls = 0
  const url = await oddBattleNet(t, (app) => {
    app.get('/userinfo', async (_req, reply) => reply.type('text/html').send('<html>maintenance</html>'))
    app.get('/profile/user/wow', async (req, reply) => {
      t.equal((req.query as { namespace: string }).namespace, 'profile-eu', 'the region picks the namespace')
      return reply.code(404).send({ code: 404 })
    })
    app.post('/token', async (req, reply) => {
      // eslint-disable-next-line @typescript-eslint/no-base-to-string -- the form body arrives as a string here
      const body = String(req.body ?? '')
      if (body.includes('authorization_code')) return reply.code(418).send({ error: 'teapot' })
      return { access_token: 'app', expires_in: 3600 }
    })
    app.get('/data/wow/guild/:realm/:name/roster', async (_req, reply) => {
      rosterCalls++
      return reply.code(500).send({})
    })
  })
  const c = client(t, url)
  await t.rejects(c.userInfo('token'), { statusCode: 502, message: /not JSON/ })
  t.same(await c.characters('token'), [], 'no WoW profile (404): no characters')
  await t.rejects(c.exchangeCode('code'), {
    statusCode: 502,
    message: /answered 418 to POST \/token \(authorization_code\)/,
  })
  await t.rejects(c.guildRoster('eu', 'area-52', 'x'), BattleNetUnavailableError)
  t.equal(rosterCalls, 2, 'one retry (BNET_MAX_RETRIES=1)')

  const refused = client(t, `http://127.0.0.1:${await freePort()}`)
  await t.rejects(refused.exchangeCode('code'), { statusCode: 503, message: /did not answer \(ECONNREFUSED\)/ })

  const unconfigured = client(t, url, { clientId: undefined })
  t.equal(unconfigured.configured, false)
  t.throws(() => unconfigured.authorizeUrl('state'), BattleNetNotConfiguredError)
  await t.rejects(unconfigured.guildRoster('us', 'a', 'b'), { statusCode: 503, message: /BNET_CLIENT_ID/ })
})

t.test('the application token: one fetch for concurrent callers, a new one before it expires', async (t) => {
  const cache = createCache({})
  t.teardown(() => cache.close())
  let now = 1_000_000
  let fetches = 0
  const provider = new AppTokenProvider(
    cache,
    'cache:bnet:app-token:test',
    async () => {
      fetches++
      await new Promise((r) => setTimeout(r, 20))
      return { accessToken: `token-${fetches}`, expiresIn: 3600 }
    },
    () => now,
  )
  const tokens = await Promise.all([provider.get(), provider.get(), provider.get()])
  t.same(tokens, ['token-1', 'token-1', 'token-1'])
  t.equal(fetches, 1)
  now += 3_500_000 // 100 s before expiry: still good
  t.equal(await provider.get(), 'token-1')
  now += 50_000 // 50 s before expiry: too close
  t.equal(await provider.get(), 'token-2')
  await provider.drop()
  t.equal(await provider.get(), 'token-3', 'dropped: fetched again')
})

t.test('a login state is accepted once', async (t) => {
  const used = new UsedStates(2)
  t.equal(used.consume('a', 2_000, 1_000), true)
  t.equal(used.consume('a', 2_000, 1_000), false, 'replay')
  t.equal(used.consume('b', 2_500, 1_000), true)
  t.equal(used.consume('c', 2_500, 1_000), true, 'full: the oldest makes room')
  t.equal(used.consume('b', 2_500, 1_000), false)
  t.equal(used.consume('d', 3_000, 2_600), true, 'expired entries leave')
})
