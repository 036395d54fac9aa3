import { fileURLToPath } from 'node:url'

export const resultsDir = fileURLToPath(new URL('../results/', import.meta.url))
export const permissionServer = fileURLToPath(
  new URL('../../services/permission-service/dist/server.js', import.meta.url),
)
export const guildApiServer = fileURLToPath(new URL('../../services/guild-api/dist/server.js', import.meta.url))
export const bnetStandinServer = fileURLToPath(new URL('../../scripts/dist/bnet-standin/server.js', import.meta.url))
export const demoFixtures = fileURLToPath(new URL('../../scripts/fixtures/bnet-demo.json', import.meta.url))
