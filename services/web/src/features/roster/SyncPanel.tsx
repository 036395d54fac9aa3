import { useState } from 'react'
import { useMyTools, useSync } from '../../api/queries'
import type { GuildSummary, SyncResult } from '../../api/types'
import { ErrorView } from '../../components/ErrorView'

const when = (iso: string | null | undefined): string => (iso ? new Date(iso).toLocaleString() : 'never')

/** When the roster was last synced, and "Sync now" for those with the sync tool. */
export function SyncPanel({ guild }: { guild: GuildSummary }) {
  const guildId = String(guild.guild_id)
  const may = useMyTools(guildId, ['sync'])
  const sync = useSync(guildId)
  const [last, setLast] = useState<SyncResult | null>(null)
  return (
    <section className="sync" aria-label="Roster sync">
      <p>
        Last synced from Battle.net: <time dateTime={guild.synced_at ?? undefined}>{when(guild.synced_at)}</time>
      </p>
      {may.data?.tools.sync ? (
        <button type="button" onClick={() => sync.mutate(undefined, { onSuccess: setLast })} disabled={sync.isPending}>
          {sync.isPending ? 'Syncing…' : 'Sync now'}
        </button>
      ) : null}
      {last ? (
        <p role="status" className="success">
          Synced: {last.added} added, {last.removed} removed, {last.rank_changed} rank changed.
        </p>
      ) : null}
      {sync.isError ? <ErrorView error={sync.error} tool="sync" /> : null}
    </section>
  )
}
