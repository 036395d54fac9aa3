import { useId, useMemo, useState } from 'react'
import type { Realm } from '../../api/types'

interface Props {
  realms: Realm[]
  /** Slugs of my characters' realms: listed first, the first one chosen to begin with. */
  mine: string[]
  value: string
  onChange: (slug: string) => void
}

/** A searchable realm list: type to narrow it, pick with the mouse or the arrow keys. */
export function RealmPicker({ realms, mine, value, onChange }: Props) {
  const id = useId()
  const [search, setSearch] = useState('')
  const shown = useMemo(() => {
    const q = search.trim().toLowerCase()
    const matching = realms.filter((r) => q === '' || r.name.toLowerCase().includes(q) || r.slug.includes(q))
    const first = matching.filter((r) => mine.includes(r.slug))
    return [...first, ...matching.filter((r) => !mine.includes(r.slug))]
  }, [realms, mine, search])
  return (
    <div className="field">
      <label htmlFor={`${id}-search`}>Search realms</label>
      <input
        id={`${id}-search`}
        type="search"
        value={search}
        onChange={(e) => setSearch(e.target.value)}
        autoComplete="off"
      />
      <label htmlFor={`${id}-realm`}>Realm</label>
      <select
        id={`${id}-realm`}
        size={Math.min(8, Math.max(2, shown.length))}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        required
      >
        {shown.map((r) => (
          <option key={r.slug} value={r.slug}>
            {r.name}
            {mine.includes(r.slug) ? ' (my characters)' : ''}
          </option>
        ))}
      </select>
      {shown.length === 0 ? <p className="muted">No realm matches “{search}”.</p> : null}
    </div>
  )
}
