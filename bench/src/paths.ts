import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url))
export const resultsDir = fileURLToPath(new URL('../results/', import.meta.url))
export const permissionServer = fileURLToPath(
  new URL('../../services/permission-service/dist/server.js', import.meta.url),
)
export const guildApiServer = fileURLToPath(new URL('../../services/guild-api/dist/server.js', import.meta.url))
export const baselineServer = fileURLToPath(new URL('./baseline-server.js', import.meta.url))
export const autocannonBin = fileURLToPath(new URL('../../node_modules/autocannon/autocannon.js', import.meta.url))
export const bnetStandinServer = fileURLToPath(new URL('../../scripts/dist/bnet-standin/server.js', import.meta.url))

/** The compiled servers of one checkout: this one, or another to compare with (`npm run bench:compare`). */
export interface ServerFiles {
  permission: string
  guildApi: string
}

export const thisCheckout: ServerFiles = { permission: permissionServer, guildApi: guildApiServer }

export function serversOf(checkout: string): ServerFiles {
  return {
    permission: resolve(checkout, 'services/permission-service/dist/server.js'),
    guildApi: resolve(checkout, 'services/guild-api/dist/server.js'),
  }
}
