import type { paths } from './schema'

type Json<T> = T extends { content: { 'application/json': infer B } } ? B : never

/** The 2xx body of a route, from the generated document types. */
export type Answer<P extends keyof paths, M extends 'get' | 'post' | 'put'> = paths[P][M] extends {
  responses: infer R
}
  ? Json<R[keyof R & (200 | 201)]>
  : never

export type Me = Answer<'/me', 'get'>
export type Member = Answer<'/guilds/{guild_id}/members', 'get'>[number]
export type GuildSummary = Answer<'/guilds/{guild_id}', 'get'>
export type ToolMap = Answer<'/guilds/{guild_id}/permissions', 'get'>['tools']
export type Settings = Answer<'/guilds/{guild_id}/settings', 'get'>
export type SyncResult = Answer<'/guilds/{guild_id}/sync', 'post'>
export type Realm = Answer<'/realms', 'get'>[number]
