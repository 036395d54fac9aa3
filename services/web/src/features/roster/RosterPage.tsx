import { useDeferredValue, useMemo, useState } from 'react'
import { useGuild, useMembers } from '../../api/queries'
import { usePageTitle } from '../../app/usePageTitle'
import { ErrorView } from '../../components/ErrorView'
import { Loading } from '../../components/Loading'
import { useGuildId } from '../guild/GuildLayout'
import { CLASSES } from './classes'
import { RosterTable } from './RosterTable'
import { viewRoster, type RosterView, type SortKey } from './roster-view'
import { SyncPanel } from './SyncPanel'

export function RosterPage() {
  usePageTitle('Roster')
  const guildId = useGuildId()
  const guild = useGuild(guildId)
  const members = useMembers(guildId)
  const [view, setView] = useState<RosterView>({
    sort: 'rank',
    descending: false,
    search: '',
    classId: null,
    maxRank: null,
  })
  const deferred = useDeferredValue(view)
  const shown = useMemo(() => viewRoster(members.data ?? [], deferred), [members.data, deferred])
  const sortBy = (sort: SortKey) =>
    setView((v) => ({ ...v, sort, descending: v.sort === sort ? !v.descending : false }))

  if (members.error) return <ErrorView error={members.error} tool="roster" onRetry={() => void members.refetch()} />
  if (!members.data || !guild.data) return <Loading what="the roster" />
  return (
    <section aria-labelledby="roster-title">
      <h2 id="roster-title">Roster</h2>
      <SyncPanel guild={guild.data} />
      <div className="filters">
        <div className="field">
          <label htmlFor="roster-search">Filter by name</label>
          <input
            id="roster-search"
            type="search"
            value={view.search}
            onChange={(e) => setView({ ...view, search: e.target.value })}
          />
        </div>
        <div className="field">
          <label htmlFor="roster-class">Class</label>
          <select
            id="roster-class"
            value={view.classId ?? ''}
            onChange={(e) => setView({ ...view, classId: e.target.value === '' ? null : Number(e.target.value) })}
          >
            <option value="">All classes</option>
            {Object.entries(CLASSES).map(([id, c]) => (
              <option key={id} value={id}>
                {c.name}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="roster-rank">Ranks</label>
          <select
            id="roster-rank"
            value={view.maxRank ?? ''}
            onChange={(e) => setView({ ...view, maxRank: e.target.value === '' ? null : Number(e.target.value) })}
          >
            <option value="">All ranks</option>
            {Array.from({ length: 10 }, (_, r) => (
              <option key={r} value={r}>
                Ranks 0–{r}
              </option>
            ))}
          </select>
        </div>
      </div>
      <p className="muted" aria-live="polite">
        {shown.length} of {members.data.length} members
      </p>
      <RosterTable members={shown} view={view} onSort={sortBy} />
    </section>
  )
}
