import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useApi } from './api-context'
import { unwrap } from './client'
import type { Settings, ToolMap } from './types'

/** Query keys: one place, so that a mutation invalidates exactly what it changed. */
export const keys = {
  me: ['me'] as const,
  realms: ['realms'] as const,
  guild: (id: string) => ['guild', id] as const,
  members: (id: string) => ['guild', id, 'members'] as const,
  permissions: (id: string) => ['guild', id, 'permissions'] as const,
  myTools: (id: string, tools: readonly string[]) => ['guild', id, 'my-tools', [...tools].sort().join(',')] as const,
  settings: (id: string) => ['guild', id, 'settings'] as const,
}

/** The tools guild-api guards itself; others (progress, …) are the frontend's, found in the map. */
export const API_TOOLS = ['roster', 'sync', 'permissions', 'settings'] as const

const path = (guildId: string) => ({ params: { path: { guild_id: guildId } } })

export function useMe() {
  const { client } = useApi()
  return useQuery({ queryKey: keys.me, queryFn: () => unwrap(client.GET('/me')) })
}

export function useGuild(guildId: string) {
  const { client } = useApi()
  return useQuery({
    queryKey: keys.guild(guildId),
    queryFn: () => unwrap(client.GET('/guilds/{guild_id}', path(guildId))),
  })
}

export function useMembers(guildId: string) {
  const { client } = useApi()
  return useQuery({
    queryKey: keys.members(guildId),
    queryFn: () => unwrap(client.GET('/guilds/{guild_id}/members', path(guildId))),
    // The roster is behind the `roster` tool: once its screen is left, no copy outlives it, so coming back
    // shows it only after guild-api allowed it again, never a cached one while guild-api is down.
    gcTime: 0,
  })
}

export function usePermissions(guildId: string) {
  const { client } = useApi()
  return useQuery({
    queryKey: keys.permissions(guildId),
    queryFn: () => unwrap(client.GET('/guilds/{guild_id}/permissions', path(guildId))),
  })
}

export function useMyTools(guildId: string, tools: readonly string[], enabled = true) {
  const { client } = useApi()
  return useQuery({
    queryKey: keys.myTools(guildId, tools),
    enabled: enabled && tools.length > 0,
    queryFn: () =>
      unwrap(
        client.GET('/guilds/{guild_id}/me/tools', {
          params: { path: { guild_id: guildId }, query: { tools: [...tools].sort().join(',') } },
        }),
      ),
  })
}

export function useSettings(guildId: string) {
  const { client } = useApi()
  return useQuery({
    queryKey: keys.settings(guildId),
    queryFn: () => unwrap(client.GET('/guilds/{guild_id}/settings', path(guildId))),
  })
}

/** GET /realms: the region's realms from Battle.net's index, for the register screen's picker. */
export function useRealms() {
  const { client } = useApi()
  return useQuery({
    queryKey: keys.realms,
    // Battle.net's realm list changes with a patch, not within a visit.
    staleTime: 60 * 60_000,
    queryFn: () => unwrap(client.GET('/realms')),
  })
}

export function useRegisterGuild() {
  const { client } = useApi()
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: (body: { realm: string; name: string }) => unwrap(client.POST('/guilds', { body })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: keys.me }),
  })
}

export function useSync(guildId: string) {
  const { client } = useApi()
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: () => unwrap(client.POST('/guilds/{guild_id}/sync', path(guildId))),
    // Ranks moved: the roster, the summary's synced_at and everyone's tools may have changed.
    onSuccess: () => queryClient.invalidateQueries({ queryKey: keys.guild(guildId) }),
  })
}

export function usePutPermissions(guildId: string) {
  const { client } = useApi()
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: (tools: ToolMap) =>
      unwrap(client.PUT('/guilds/{guild_id}/permissions', { ...path(guildId), body: { tools } })),
    onSuccess: (answer) => {
      queryClient.setQueryData(keys.permissions(guildId), answer)
      return queryClient.invalidateQueries({ queryKey: keys.guild(guildId) })
    },
  })
}

export function usePutSettings(guildId: string) {
  const { client } = useApi()
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: (settings: Settings) =>
      unwrap(client.PUT('/guilds/{guild_id}/settings', { ...path(guildId), body: settings })),
    onSuccess: (answer) => queryClient.setQueryData(keys.settings(guildId), answer),
  })
}

export function useLogout() {
  const { client } = useApi()
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: () => unwrap(client.POST('/auth/logout')),
    // Nothing private stays in memory for the back button to show.
    onSettled: () => queryClient.clear(),
  })
}
