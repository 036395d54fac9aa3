import t from 'tap'
import { Writable } from 'node:stream'
import Fastify from 'fastify'
import { errorHandlerPlugin, loggerOptions, REDACTED, redactUrl } from '../src/index.js'

const BEARER = 'bearer-token-6f1c2a9e'
const COOKIE = 'sid=session-cookie-93ab77'
const CODE = 'oauth-code-5d21e0'
const STATE = 'oauth-state-aa42b1'
const ACCESS = 'access-token-771fe2'

function captureStream() {
  const lines: string[] = []
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(
        ...chunk
          .toString('utf8')
          .split('\n')
          .filter((l) => l !== ''),
      )
      done()
    },
  })
  return { lines, stream }
}

t.test('bearer tokens, cookies and OAuth codes never reach a log line', async (t) => {
  const { lines, stream } = captureStream()
  const app = Fastify({ logger: { ...loggerOptions('trace'), stream } })
  t.teardown(async () => await app.close())
  await app.register(errorHandlerPlugin)
  app.get('/auth/callback', async (request, reply) => {
    // What careless route code might log: the whole header set, and an object carrying secrets.
    request.log.info({ headers: request.headers }, 'callback headers')
    request.log.info({ upstream: { headers: request.headers } }, 'nested headers')
    request.log.info({ req: request.raw }, 'raw request')
    request.log.info({ tokens: { access_token: ACCESS, token: BEARER }, password: 'pw-9911' }, 'token exchange')
    reply.header('set-cookie', COOKIE)
    request.log.info({ response: { headers: reply.getHeaders() } }, 'response headers')
    return { ok: true }
  })
  app.get('/boom', async () => {
    throw new Error('boom')
  })

  const headers = { authorization: `Bearer ${BEARER}`, cookie: COOKIE }
  const ok = await app.inject({ url: `/auth/callback?code=${CODE}&state=${STATE}&redirect=%2Fme`, headers })
  t.equal(ok.statusCode, 200)
  await app.inject({ url: `/boom?access_token=${ACCESS}`, headers })
  await app.inject({ url: `/missing?token=${BEARER}`, headers })

  t.ok(lines.length >= 8, `lines were captured (${lines.length})`)
  const all = lines.join('\n')
  for (const secret of [BEARER, 'session-cookie-93ab77', CODE, STATE, ACCESS, 'pw-9911']) {
    t.notOk(all.includes(secret), `${secret} is in no log line`)
  }

  const incoming = lines.map((l) => JSON.parse(l) as Record<string, any>).filter((l) => l.msg === 'incoming request')
  t.equal(incoming.length, 3)
  t.equal(
    incoming[0]?.req.url,
    `/auth/callback?code=${REDACTED}&state=${REDACTED}&redirect=%2Fme`,
    'the rest of the URL stays',
  )
  t.notOk('headers' in (incoming[0]?.req ?? {}), 'request headers are not logged by default')
  const logged = lines.map((l) => JSON.parse(l) as Record<string, any>)
  t.equal(logged.find((l) => l.msg === 'callback headers')?.headers.authorization, REDACTED)
  t.equal(logged.find((l) => l.msg === 'nested headers')?.upstream.headers.cookie, REDACTED)
  t.equal(logged.find((l) => l.msg === 'response headers')?.response.headers['set-cookie'], REDACTED)
  const raw = logged.find((l) => l.msg === 'raw request')?.req
  t.match(raw, { method: 'GET', url: `/auth/callback?code=${REDACTED}&state=${REDACTED}&redirect=%2Fme` })
  t.notOk('headers' in raw, 'a raw request is serialized without its headers too')
  t.ok(
    logged.some((l) => l.err?.stack?.includes('boom')),
    'the 500 is logged with its stack',
  )
})

t.test('redactUrl replaces only credential values', async (t) => {
  t.equal(redactUrl('/guilds/1/members'), '/guilds/1/members')
  t.equal(redactUrl('/x?page=2&sort=name'), '/x?page=2&sort=name')
  t.equal(redactUrl('/x?CODE=abc&state'), `/x?CODE=${REDACTED}&state=${REDACTED}`)
  t.equal(redactUrl('/x?a=1&Access_Token=abc#frag'), `/x?a=1&Access_Token=${REDACTED}#frag`)
  t.equal(redactUrl('/x?%63ode=abc'), `/x?%63ode=${REDACTED}`, 'an encoded name is still recognised')
  t.equal(redactUrl('/x?%E0%A4%A=1&code=z'), `/x?%E0%A4%A=1&code=${REDACTED}`, 'a malformed name does not throw')
})

t.test('loggerOptions takes the level', async (t) => {
  t.equal(loggerOptions('warn').level, 'warn')
  t.equal(loggerOptions().level, 'info')
})

t.test('battletags (personal data) are redacted as tokens are: in a URL and in logged fields', async (t) => {
  const { lines, stream } = captureStream()
  const app = Fastify({ logger: { ...loggerOptions('trace'), stream } })
  t.teardown(async () => await app.close())
  app.get('/auth/login', async (request) => {
    request.log.info(
      {
        battletag: 'Thrall#1234',
        user: { battletag: 'Jaina#4567', loginHint: 'Rokhan#3456' },
        login_hint: 'Saurfang#2345',
      },
      'login',
    )
    return { ok: true }
  })
  await app.inject({ url: '/auth/login?login_hint=Thrall%231234&redirect=%2Fme' })
  await app.inject({ url: '/auth/login?battletag=Jaina%234567&LOGIN_HINT=Rokhan%233456' })
  const all = lines.join('\n')
  for (const personal of ['Thrall', 'Jaina', 'Rokhan', 'Saurfang'])
    t.notOk(all.includes(personal), `${personal} is in no log line`)
  const urls = lines
    .map((l) => JSON.parse(l) as Record<string, any>)
    .filter((l) => l.msg === 'incoming request')
    .map((l) => l.req.url)
  t.same(urls, [
    `/auth/login?login_hint=${REDACTED}&redirect=%2Fme`,
    `/auth/login?battletag=${REDACTED}&LOGIN_HINT=${REDACTED}`,
  ])
  t.equal(redactUrl('/auth/login?login_hint=100001'), `/auth/login?login_hint=${REDACTED}`)
})
