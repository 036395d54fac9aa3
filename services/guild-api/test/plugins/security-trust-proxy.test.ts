import t, { type Test } from 'tap'
import { buildApp } from '../../src/app.js'
import { trustProxyOption } from '../../src/trust-proxy.js'
import { keysMatching, startHarness, type Harness } from '../helpers/harness.js'

const BASE = { LOG_LEVEL: 'silent', DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/never_used' }

/** What Fastify made of a request's forwarding headers, through a probe route on a public prefix. */
async function probeApp(t: Test, h: Harness, trustProxy: string | undefined) {
  const env = { ...h.env, ...(trustProxy === undefined ? {} : { TRUST_PROXY: trustProxy }) }
  const app = await buildApp({ env, bnetBackoffMs: 10 })
  t.teardown(() => app.close())
  app.get('/health/probe', async (request) => ({ ip: request.ip, protocol: request.protocol }))
  return async (remoteAddress: string, headers: Record<string, string> = {}) =>
    (await app.inject({ url: '/health/probe', remoteAddress, headers })).json<{ ip: string; protocol: string }>()
}

const FORWARDED = { 'x-forwarded-for': '203.0.113.9', 'x-forwarded-proto': 'https' }

t.test('request.ip and request.protocol follow X-Forwarded-* only from a trusted hop', async (t) => {
  const h = await startHarness(t, { permissionService: false })
  const none = await probeApp(t, h, undefined)
  t.same(await none('127.0.0.1', FORWARDED), { ip: '127.0.0.1', protocol: 'http' }, 'unset: nobody is believed')

  const listed = await probeApp(t, h, '127.0.0.1, 10.0.0.0/8')
  t.same(await listed('127.0.0.1', FORWARDED), { ip: '203.0.113.9', protocol: 'https' }, 'from a listed address')
  t.same(await listed('10.20.30.40', FORWARDED), { ip: '203.0.113.9', protocol: 'https' }, 'from a listed CIDR')
  t.same(
    await listed('198.51.100.7', FORWARDED),
    { ip: '198.51.100.7', protocol: 'http' },
    'a client elsewhere cannot claim another address',
  )
  t.same(
    await listed('10.0.0.1', { 'x-forwarded-for': '192.0.2.66, 203.0.113.9, 10.0.0.2' }),
    { ip: '203.0.113.9', protocol: 'http' },
    'a chain of trusted proxies: the first address outside them',
  )

  const hops = await probeApp(t, h, '1')
  t.same(
    await hops('10.9.9.9', { 'x-forwarded-for': '192.0.2.66, 203.0.113.5', 'x-forwarded-proto': 'https' }),
    {
      ip: '203.0.113.5',
      protocol: 'https',
    },
    'a hop count: the address the one proxy in front saw',
  )
  t.same(await hops('10.9.9.9'), { ip: '10.9.9.9', protocol: 'http' }, 'no header: the socket')
  const two = await probeApp(t, h, '2')
  t.same(await two('10.9.9.9', { 'x-forwarded-for': '192.0.2.66, 203.0.113.5' }), {
    ip: '192.0.2.66',
    protocol: 'http',
  })
})

t.test('behind a trusted proxy the auth rate limit counts each client, not the proxy', async (t) => {
  const h = await startHarness(t, {
    permissionService: false,
    env: { TRUST_PROXY: '127.0.0.1', AUTH_RATE_LIMIT_MAX: '3' },
  })
  const login = (remoteAddress: string, client?: string) =>
    h.inject({
      url: '/auth/login?login_hint=Thrall%231234',
      remoteAddress,
      headers: client === undefined ? {} : { 'x-forwarded-for': client },
    })
  for (let i = 0; i < 3; i++) t.equal((await login('127.0.0.1', '203.0.113.1')).statusCode, 302)
  t.equal((await login('127.0.0.1', '203.0.113.1')).statusCode, 429, 'the first client is limited')
  for (let i = 0; i < 3; i++)
    t.equal(
      (await login('127.0.0.1', '203.0.113.2')).statusCode,
      302,
      'another client behind the same proxy has its own budget',
    )
  t.same(
    (await keysMatching(h, 'cache:ratelimit:*')).sort(),
    ['cache:ratelimit:203.0.113.1', 'cache:ratelimit:203.0.113.2'],
    'counted in Redis per client',
  )

  // A client that reaches guild-api directly cannot pick its budget with the header.
  for (let i = 0; i < 3; i++) t.equal((await login('198.51.100.7', `192.0.2.${i}`)).statusCode, 302)
  t.equal((await login('198.51.100.7', '192.0.2.99')).statusCode, 429)
  t.equal(await h.redis?.redis.get('cache:ratelimit:198.51.100.7'), '4')
})

t.test('a bad TRUST_PROXY stops the start, naming it', async (t) => {
  for (const value of [
    'true',
    'yes',
    '10.0.0.0/33',
    '::1/129',
    '1.2.3.4,',
    '1.2.3.4,,5.6.7.8',
    'example.com',
    '-1',
    '1.2.3.4/8/8',
    '1000',
    '10.0.0.1/x',
  ]) {
    t.throws(
      () => trustProxyOption(value),
      { name: 'ConfigError', message: /TRUST_PROXY is not valid/, variables: ['TRUST_PROXY'] },
      value,
    )
    const err = await buildApp({ env: { ...BASE, TRUST_PROXY: value } }).catch((e: unknown) => e as Error)
    t.match(err, { message: /TRUST_PROXY is not valid/ }, value)
  }
  t.equal(trustProxyOption(undefined), false)
  t.equal(trustProxyOption(' '), false)
  t.equal(trustProxyOption('0'), false)
  t.same(trustProxyOption('10.0.0.0/8, ::1, fd00::/8, loopback'), ['10.0.0.0/8', '::1', 'fd00::/8', 'loopback'])
  const two = trustProxyOption('2') as (address: string, hop: number) => boolean
  t.same([two('x', 0), two('x', 1), two('x', 2)], [true, true, false])
})
