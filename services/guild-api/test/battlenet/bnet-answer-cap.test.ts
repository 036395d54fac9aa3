import { createServer } from 'node:http'
import { createCache } from '@guild/cache'
import t from 'tap'
import { BattleNetClient } from '../../src/battlenet/client.js'
import { BattleNetBadAnswerError } from '../../src/battlenet/errors.js'

t.test('a chunked answer that never ends is dropped at the cap while it streams: 502 and a log line', async (t) => {
  let sent = 0
  let closedByClient = false
  const server = createServer((req, res) => {
    if (req.url?.startsWith('/token')) {
      res.setHeader('content-type', 'application/json')
      res.end(JSON.stringify({ access_token: 'app', token_type: 'bearer', expires_in: 86_400 }))
      return
    }
    // No content-length: chunks of 64 KiB for as long as the reader reads (200 MB at most).
    res.writeHead(200, { 'content-type': 'application/json' })
    const chunk = Buffer.alloc(64 * 1024, 0x20)
    const push = () => {
      while (sent < 200 * 1024 * 1024) {
        sent += chunk.length
        if (!res.write(chunk)) return void res.once('drain', push)
      }
      res.end()
    }
    res.on('close', () => {
      closedByClient = !res.writableFinished
    })
    push()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => server.close())
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`
  const warnings: string[] = []
  const cache = createCache({})
  t.teardown(() => cache.close())
  const client = new BattleNetClient({
    clientId: 'id',
    clientSecret: 'secret',
    oauthUrl: url,
    apiUrl: url,
    region: 'us',
    redirectUri: 'http://127.0.0.1/auth/callback',
    timeoutMs: 10_000,
    maxRetries: 0,
    cache,
    maxBodyBytes: 1024 * 1024,
    log: { warn: (_obj, msg) => void warnings.push(msg) },
  })
  t.teardown(() => client.close())
  const started = Date.now()
  const err = await client.guildRoster('us', 'area-52', 'endless').catch((e: unknown) => e)
  t.type(err, BattleNetBadAnswerError)
  t.equal((err as BattleNetBadAnswerError).statusCode, 502)
  t.match((err as Error).message, /sent more than 1048576 bytes to GET \/data\/wow\/guild\/area-52\/endless\/roster/)
  t.ok(Date.now() - started < 5_000, `dropped at once (${Date.now() - started} ms)`)
  await new Promise((resolve) => setTimeout(resolve, 100))
  t.ok(sent < 32 * 1024 * 1024, `the connection was dropped: ${sent} bytes of 200 MB were ever written`)
  t.ok(closedByClient, 'the reader hung up')
  t.match(warnings.join('\n'), /answer dropped/, 'a log line says so')
})
