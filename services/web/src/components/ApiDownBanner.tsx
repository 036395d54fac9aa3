import { useQueryClient } from '@tanstack/react-query'
import { useSyncExternalStore } from 'react'
import { ApiUnreachableError } from '../api/errors'

/**
 * "guild-api is down" across the app: shown while the latest query failed to reach guild-api at all,
 * gone with the next answer (whatever its status).
 */
export function ApiDownBanner() {
  const queryCache = useQueryClient().getQueryCache()
  const down = useSyncExternalStore(
    (notify) => queryCache.subscribe(notify),
    () => latestFailedToConnect(queryCache.getAll()),
  )
  if (!down) return null
  return (
    <div className="banner" role="status">
      guild-api is not answering: what you see may be out of date. It will be retried.
    </div>
  )
}

function latestFailedToConnect(
  queries: { state: { dataUpdatedAt: number; errorUpdatedAt: number; error: unknown } }[],
): boolean {
  let latest: { at: number; down: boolean } = { at: 0, down: false }
  for (const { state } of queries) {
    if (state.dataUpdatedAt > latest.at) latest = { at: state.dataUpdatedAt, down: false }
    if (state.errorUpdatedAt > latest.at)
      latest = { at: state.errorUpdatedAt, down: state.error instanceof ApiUnreachableError }
  }
  return latest.down
}
