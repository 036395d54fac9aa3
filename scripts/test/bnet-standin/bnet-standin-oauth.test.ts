import t from 'tap'
import { CODE_TTL_MS } from '../../src/bnet-standin/grants.js'
import { authorize, basic, CLIENT, exchange, REDIRECT_URI, standinUnderTest } from '../helpers/standin.js'

t.test('authorize with a battletag login_hint redirects with a code and the state', async (t) => {
  const s = await standinUnderTest()
  t.teardown(s.close)
  const query = new URLSearchParams({
    client_id: CLIENT.id,
    redirect_uri: `${REDIRECT_URI}?keep=1`,
    state: 'xyz',
    scope: 'openid wow.profile',
    login_hint: 'Thrall#1234',
  })
  const res = await s.app.inject({ method: 'GET', url: `/oauth/authorize?${query.toString()}` })
  t.equal(res.statusCode, 302)
  const location = new URL(res.headers.location as string)
  t.equal(`${location.origin}${location.pathname}`, REDIRECT_URI)
  t.equal(location.searchParams.get('keep'), '1', 'the redirect_uri query is kept')
  t.equal(location.searchParams.get('state'), 'xyz')
  t.match(location.searchParams.get('code'), /^[A-Za-z0-9_-]{20,}$/)
})

t.test('a login_hint may be the numeric id, and battletags match case-insensitively', async (t) => {
  const s = await standinUnderTest()
  t.teardown(s.close)
  for (const hint of ['100002', 'saurfang#2345']) {
    const code = await authorize(s.app, hint)
    const token = await exchange(s.app, { grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI })
    const me = await s.app.inject({
      url: '/oauth/userinfo',
      headers: { authorization: `Bearer ${token.json().access_token}` },
    })
    t.same(me.json(), { id: 100002, sub: '100002', battletag: 'Saurfang#2345' }, hint)
  }
})

t.test('without a usable login_hint, authorize shows a page of users whose links complete the login', async (t) => {
  const s = await standinUnderTest()
  t.teardown(s.close)
  const query = new URLSearchParams({ client_id: CLIENT.id, redirect_uri: REDIRECT_URI, state: 'st<&>' })
  const page = await s.app.inject({ url: `/oauth/authorize?${query.toString()}` })
  t.equal(page.statusCode, 200)
  t.match(page.headers['content-type'], /text\/html/)
  t.match(page.body, 'Thrall#1234')
  t.match(page.body, 'Chromie#5678')
  t.notMatch(page.body, 'st<&>', 'query values are escaped in the page')
  const hrefs = [...page.body.matchAll(/href="([^"]+)"/g)].map((m) => (m[1] as string).replace(/&amp;/g, '&'))
  t.equal(hrefs.length, (await s.demo()).users.length, 'one link per demo user')
  const follow = await s.app.inject({ url: `/oauth/authorize${hrefs[0]}` })
  t.equal(follow.statusCode, 302)
  const location = new URL(follow.headers.location as string)
  t.equal(location.searchParams.get('state'), 'st<&>')
  t.ok(location.searchParams.get('code'))

  const unknown = await s.app.inject({ url: `/oauth/authorize?${query.toString()}&login_hint=Nobody%239999` })
  t.equal(unknown.statusCode, 200)
  t.match(unknown.body, 'No fixture user matches login_hint <code>Nobody#9999</code>')
})

t.test('authorize refuses a request without client_id or a usable redirect_uri', async (t) => {
  const s = await standinUnderTest()
  t.teardown(s.close)
  const cases: [string, string, RegExp][] = [
    [`redirect_uri=${encodeURIComponent(REDIRECT_URI)}`, 'invalid_request', /client_id/],
    ['client_id=standin', 'invalid_request', /redirect_uri/],
    ['client_id=standin&redirect_uri=%2Frelative', 'invalid_request', /redirect_uri must be an absolute/],
    ['client_id=standin&redirect_uri=ftp%3A%2F%2Fx%2F', 'invalid_request', /redirect_uri must be an absolute/],
    [
      `client_id=a&client_id=b&redirect_uri=${encodeURIComponent(REDIRECT_URI)}`,
      'invalid_request',
      /client_id must be given once/,
    ],
    [
      `client_id=a&response_type=token&redirect_uri=${encodeURIComponent(REDIRECT_URI)}`,
      'unsupported_response_type',
      /code/,
    ],
  ]
  for (const [query, error, description] of cases) {
    const res = await s.app.inject({ url: `/oauth/authorize?${query.toString()}&login_hint=100001` })
    t.equal(res.statusCode, 400, query)
    t.equal(res.json().error, error, query)
    t.match(res.json().error_description, description, query)
  }
})

t.test('authorize → token → userinfo, with a form body and HTTP Basic', async (t) => {
  const s = await standinUnderTest()
  t.teardown(s.close)
  const code = await authorize(s.app, 'Thrall#1234', { scope: 'wow.profile' })
  const res = await exchange(s.app, { grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI })
  t.equal(res.statusCode, 200)
  t.equal(res.headers['cache-control'], 'no-store')
  const body = res.json()
  t.match(body, { token_type: 'bearer', expires_in: 86_399, scope: 'wow.profile' })
  t.type(body.access_token, 'string')
  const me = await s.app.inject({ url: '/oauth/userinfo', headers: { authorization: `Bearer ${body.access_token}` } })
  t.equal(me.statusCode, 200)
  t.same(me.json(), { id: 100001, sub: '100001', battletag: 'Thrall#1234' })
})

t.test('token takes a JSON body with client_id and client_secret fields', async (t) => {
  const s = await standinUnderTest()
  t.teardown(s.close)
  const code = await authorize(s.app, '100003', { scope: '' })
  const res = await s.app.inject({
    method: 'POST',
    url: '/oauth/token',
    payload: {
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECT_URI,
      client_id: CLIENT.id,
      client_secret: CLIENT.secret,
    },
  })
  t.equal(res.statusCode, 200)
  t.notOk('scope' in res.json(), 'no scope was asked for')
  const me = await s.app.inject({
    url: '/oauth/userinfo',
    headers: { authorization: `bearer ${res.json().access_token}` },
  })
  t.equal(me.json().battletag, 'Rokhan#3456')
})

t.test('the root aliases /authorize, /token and /userinfo behave as the /oauth paths', async (t) => {
  const s = await standinUnderTest()
  t.teardown(s.close)
  const query = new URLSearchParams({ client_id: CLIENT.id, redirect_uri: REDIRECT_URI, login_hint: '100001' })
  const auth = await s.app.inject({ url: `/authorize?${query.toString()}` })
  const code = new URL(auth.headers.location as string).searchParams.get('code') as string
  const token = await s.app.inject({
    method: 'POST',
    url: '/token',
    headers: { authorization: basic(CLIENT.id, CLIENT.secret) },
    payload: { grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI },
  })
  const me = await s.app.inject({ url: '/userinfo', headers: { authorization: `Bearer ${token.json().access_token}` } })
  t.equal(me.json().id, 100001)
})

t.test('a code works once: reuse, unknown codes and expired codes are invalid_grant', async (t) => {
  const s = await standinUnderTest()
  t.teardown(s.close)
  const code = await authorize(s.app, 'Thrall#1234')
  t.equal(
    (await exchange(s.app, { grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI })).statusCode,
    200,
  )
  const again = await exchange(s.app, { grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI })
  t.equal(again.statusCode, 400)
  t.equal(again.json().error, 'invalid_grant')

  const unknown = await exchange(s.app, {
    grant_type: 'authorization_code',
    code: 'made-up',
    redirect_uri: REDIRECT_URI,
  })
  t.equal(unknown.json().error, 'invalid_grant')

  const fresh = await authorize(s.app, 'Thrall#1234')
  s.advance(CODE_TTL_MS - 1000)
  const stillGood = await authorize(s.app, 'Thrall#1234')
  s.advance(1001)
  const expired = await exchange(s.app, { grant_type: 'authorization_code', code: fresh, redirect_uri: REDIRECT_URI })
  t.equal(expired.statusCode, 400)
  t.equal(expired.json().error, 'invalid_grant', 'a code older than 5 minutes')
  const young = await exchange(s.app, { grant_type: 'authorization_code', code: stillGood, redirect_uri: REDIRECT_URI })
  t.equal(young.statusCode, 200, 'a code issued later is still good')
})

t.test('the redirect_uri and client at the token call must be those of the authorize call', async (t) => {
  const s = await standinUnderTest()
  t.teardown(s.close)
  const code = await authorize(s.app, 'Thrall#1234')
  const mismatch = await exchange(s.app, {
    grant_type: 'authorization_code',
    code,
    redirect_uri: 'http://127.0.0.1:3000/other',
  })
  t.equal(mismatch.statusCode, 400)
  t.equal(mismatch.json().error, 'invalid_grant')
  t.match(mismatch.json().error_description, /redirect_uri/)

  const other = await authorize(s.app, 'Thrall#1234')
  const res = await s.app.inject({
    method: 'POST',
    url: '/oauth/token',
    headers: { authorization: basic('another-client', 'secret') },
    payload: { grant_type: 'authorization_code', code: other, redirect_uri: REDIRECT_URI },
  })
  t.equal(res.statusCode, 400)
  t.match(res.json(), { error: 'invalid_grant', error_description: /another client/ })
})

t.test('token refuses missing client authentication, fields and unknown grant types', async (t) => {
  const s = await standinUnderTest()
  t.teardown(s.close)
  const noClient = await s.app.inject({
    method: 'POST',
    url: '/oauth/token',
    payload: { grant_type: 'client_credentials' },
  })
  t.equal(noClient.statusCode, 401)
  t.equal(noClient.json().error, 'invalid_client')
  t.match(noClient.headers['www-authenticate'], /^Basic/)

  const badBasic = await s.app.inject({
    method: 'POST',
    url: '/oauth/token',
    headers: { authorization: `Basic ${Buffer.from('no-colon').toString('base64')}` },
    payload: { grant_type: 'client_credentials' },
  })
  t.equal(badBasic.statusCode, 401)
  const badEncoding = await s.app.inject({
    method: 'POST',
    url: '/oauth/token',
    headers: { authorization: basic('%E0%A4%A', 'x') },
    payload: { grant_type: 'client_credentials' },
  })
  t.equal(badEncoding.statusCode, 401)
  const empty = await s.app.inject({
    method: 'POST',
    url: '/oauth/token',
    headers: { authorization: basic('id', '') },
    payload: { grant_type: 'client_credentials' },
  })
  t.equal(empty.statusCode, 401)

  const noGrant = await exchange(s.app, {})
  t.equal(noGrant.statusCode, 400)
  t.match(noGrant.json(), { error: 'invalid_request', error_description: /grant_type/ })
  const password = await exchange(s.app, { grant_type: 'password' })
  t.equal(password.json().error, 'unsupported_grant_type')
  const noCode = await exchange(s.app, { grant_type: 'authorization_code', redirect_uri: REDIRECT_URI })
  t.match(noCode.json(), { error: 'invalid_request', error_description: /code/ })
  const noRedirect = await exchange(s.app, { grant_type: 'authorization_code', code: 'x' })
  t.match(noRedirect.json(), { error: 'invalid_request', error_description: /redirect_uri/ })
  const notForm = await s.app.inject({
    method: 'POST',
    url: '/oauth/token',
    headers: { authorization: basic(CLIENT.id, CLIENT.secret), 'content-type': 'application/xml' },
    payload: '<grant_type>client_credentials</grant_type>',
  })
  t.equal(notForm.statusCode, 415, 'only form and JSON bodies')
  t.match(notForm.json(), { statusCode: 415, error: 'Unsupported Media Type' })
})

t.test('a "clients" map in the fixtures restricts who may ask for tokens', async (t) => {
  const s = await standinUnderTest()
  t.teardown(s.close)
  await s.write({ ...(await s.demo()), clients: { [CLIENT.id]: CLIENT.secret } })
  t.equal((await exchange(s.app, { grant_type: 'client_credentials' })).statusCode, 200)
  const wrong = await s.app.inject({
    method: 'POST',
    url: '/oauth/token',
    headers: { authorization: basic(CLIENT.id, 'wrong') },
    payload: { grant_type: 'client_credentials' },
  })
  t.equal(wrong.statusCode, 401)
  t.match(wrong.json(), { error: 'invalid_client', error_description: /standin/ })
  const unknownClient = await s.app.inject({
    url: `/oauth/authorize?client_id=stranger&redirect_uri=${encodeURIComponent(REDIRECT_URI)}&login_hint=100001`,
  })
  t.equal(unknownClient.statusCode, 400)
  t.match(unknownClient.json(), { error: 'invalid_request', error_description: /client_id stranger/ })
  t.ok(await authorize(s.app, '100001'), 'the listed client may authorize')
})

t.test('client_credentials gives a token, with the scope asked for', async (t) => {
  const s = await standinUnderTest()
  t.teardown(s.close)
  const res = await exchange(s.app, { grant_type: 'client_credentials', scope: 'wow' })
  t.equal(res.statusCode, 200)
  t.match(res.json(), { token_type: 'bearer', expires_in: 86_399, scope: 'wow', access_token: /\S{20,}/ })
})

t.test('userinfo wants a live user token', async (t) => {
  const s = await standinUnderTest()
  t.teardown(s.close)
  const none = await s.app.inject({ url: '/oauth/userinfo' })
  t.equal(none.statusCode, 401)
  t.match(none.json(), { error: 'invalid_token' })
  t.match(none.headers['www-authenticate'], /^Bearer/)
  t.equal((await s.app.inject({ url: '/oauth/userinfo', headers: { authorization: 'Bearer nope' } })).statusCode, 401)

  const client = (await exchange(s.app, { grant_type: 'client_credentials' })).json().access_token
  t.equal(
    (await s.app.inject({ url: '/oauth/userinfo', headers: { authorization: `Bearer ${client}` } })).statusCode,
    401,
    'not a client token',
  )

  const code = await authorize(s.app, 'Thrall#1234')
  const token = (await exchange(s.app, { grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI })).json()
    .access_token
  s.advance(86_400 * 1000)
  t.equal(
    (await s.app.inject({ url: '/oauth/userinfo', headers: { authorization: `Bearer ${token}` } })).statusCode,
    401,
    'expired',
  )
})

t.test('a user removed from the fixtures after authorize cannot get a token', async (t) => {
  const s = await standinUnderTest()
  t.teardown(s.close)
  const code = await authorize(s.app, 'Chromie#5678')
  const demo = await s.demo()
  await s.write({ ...demo, users: demo.users.filter((u) => u.id !== 100005) })
  const res = await exchange(s.app, { grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI })
  t.equal(res.statusCode, 400)
  t.match(res.json(), { error: 'invalid_grant', error_description: /100005/ })
})
