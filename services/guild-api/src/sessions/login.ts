import type { Cache } from '@guild/cache'
import type { DbHandle } from '@guild/db'
import type { BattleNetClient } from '../battlenet/client.js'
import { deliverInvalidations } from '../invalidation/outbox.js'
import { recordLogin } from '../users/login-record.js'
import type { SessionStore } from './session-store.js'

export interface LoginDeps {
  db: DbHandle
  cache: Cache
  bnet: BattleNetClient
  sessions: SessionStore
}

export interface CompletedLogin {
  bnetId: number
  token: string
  expiresAt: Date
}

/**
 * The callback's work once the state is checked: everything is asked of Battle.net first, so a
 * failure there writes nothing; then the user, their characters and guild links in one transaction;
 * then the cached data that no longer holds is dropped; then the session opens.
 */
export async function completeLogin(deps: LoginDeps, code: string): Promise<CompletedLogin> {
  const accessToken = await deps.bnet.exchangeCode(code)
  const user = await deps.bnet.userInfo(accessToken)
  const characters = await deps.bnet.characters(accessToken)
  const { owed } = await recordLogin(deps.db, deps.cache, user, characters)
  await deliverInvalidations(deps, owed)
  const session = await deps.sessions.open(user.id)
  return { bnetId: user.id, ...session }
}
