import { urlHost } from '../url-host.js'
import { portFromEnv } from '../port-env.js'
import { buildBnetStandin } from './app.js'
import { DEMO_FIXTURES } from '../paths.js'
import { loadFixtures } from './fixtures.js'
import { REGIONS, type Region } from './namespace.js'

/** BNET_REGION, as guild-api reads it: the namespaces the stand-in accepts. Unset: any region. */
function regionFromEnv(value: string | undefined): Region | undefined {
  if (value === undefined || value === '') return undefined
  if (!(REGIONS as readonly string[]).includes(value))
    throw new Error(`BNET_REGION must be one of ${REGIONS.join(', ')}`)
  return value as Region
}

async function main(): Promise<void> {
  const port = portFromEnv(process.env, 'BNET_STANDIN_PORT', 3002)
  const host = process.env.HOST || '127.0.0.1'
  const fixturesPath = process.env.BNET_STANDIN_FIXTURES || DEMO_FIXTURES
  // Fail at start on a fixture file that cannot serve anything; later edits are read per request.
  await loadFixtures(fixturesPath)
  const region = regionFromEnv(process.env.BNET_REGION)
  // The OAuth client's registered redirect URIs, comma-separated (npm start sets guild-api's callback).
  const redirectUris = process.env.BNET_STANDIN_REDIRECT_URIS?.split(',')
    .map((uri) => uri.trim())
    .filter((uri) => uri !== '')
  const app = buildBnetStandin({
    fixturesPath,
    logger: { level: process.env.LOG_LEVEL || 'info' },
    ...(region === undefined ? {} : { region }),
    ...(redirectUris === undefined || redirectUris.length === 0 ? {} : { redirectUris }),
  })
  try {
    await app.listen({ port, host })
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new Error(`port ${port} on ${host} is already in use: set BNET_STANDIN_PORT to a free port`, {
        cause: err,
      })
    }
    throw err
  }
  const shutdown = (signal: string) => {
    app.log.info(`${signal}: closing the Battle.net stand-in`)
    app.close().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(err)
        process.exit(1)
      },
    )
  }
  process.once('SIGTERM', shutdown)
  process.once('SIGINT', shutdown)
  console.log(`bnet-standin ready on http://${urlHost(host)}:${port} (fixtures: ${fixturesPath})`)
}

main().catch((err: unknown) => {
  console.error(`bnet-standin: ${(err as Error).message}`)
  process.exit(1)
})
