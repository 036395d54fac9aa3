import { useVirtualizer } from '@tanstack/react-virtual'
import { useRef } from 'react'
import type { Member } from '../../api/types'
import { classOf } from './classes'
import type { RosterView, SortKey } from './roster-view'

const ROW_PX = 40
const COLUMNS: Array<{ key: SortKey; label: string }> = [
  { key: 'name', label: 'Name' },
  { key: 'level', label: 'Level' },
  { key: 'class', label: 'Class' },
  { key: 'rank', label: 'Rank' },
]

interface Props {
  members: Member[]
  view: RosterView
  onSort: (key: SortKey) => void
}

/**
 * The roster as a real table (headers, aria-sort), rendering only the rows in view: a guild of
 * 1,000 stays as quick to scroll and re-sort as one of 10. Spacer rows keep the scroll height true.
 */
export function RosterTable({ members, view, onSort }: Props) {
  const scroller = useRef<HTMLDivElement>(null)
  /* eslint-disable-next-line react-hooks/incompatible-library
     -- no React Compiler here; the hook re-renders on scroll itself */
  const rows = useVirtualizer({
    count: members.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_PX,
    overscan: 10,
  })
  const items = rows.getVirtualItems()
  const before = items[0]?.start ?? 0
  const after = rows.getTotalSize() - (items.at(-1)?.end ?? 0)
  return (
    <div
      className="table-scroll"
      ref={scroller}
      tabIndex={0}
      role="region"
      aria-label={`Roster, ${members.length} members`}
    >
      <table className="roster" aria-rowcount={members.length + 1}>
        <thead>
          <tr>
            {COLUMNS.map((c) => (
              <th
                key={c.key}
                scope="col"
                aria-sort={view.sort === c.key ? (view.descending ? 'descending' : 'ascending') : 'none'}
              >
                <button type="button" onClick={() => onSort(c.key)}>
                  {c.label}
                  <span aria-hidden="true">{view.sort === c.key ? (view.descending ? ' ▼' : ' ▲') : ''}</span>
                </button>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {before > 0 ? <tr aria-hidden="true" style={{ height: before }} /> : null}
          {items.map((item) => {
            const m = members[item.index] as Member
            const cls = classOf(m.class_id)
            return (
              <tr key={m.character_id} aria-rowindex={item.index + 2} style={{ height: ROW_PX }}>
                <td>{m.name}</td>
                <td>{m.level}</td>
                <td>
                  <span className="swatch" style={{ background: cls.colour }} aria-hidden="true" />
                  {cls.name}
                </td>
                <td>{m.rank}</td>
              </tr>
            )
          })}
          {after > 0 ? <tr aria-hidden="true" style={{ height: after }} /> : null}
        </tbody>
      </table>
    </div>
  )
}
