import type { Member } from '../../api/types'
import { classOf } from './classes'

export type SortKey = 'name' | 'level' | 'class' | 'rank'
export interface RosterView {
  sort: SortKey
  descending: boolean
  search: string
  classId: number | null
  maxRank: number | null
}

const compareBy: Record<SortKey, (a: Member, b: Member) => number> = {
  name: (a, b) => a.name.localeCompare(b.name),
  level: (a, b) => a.level - b.level,
  class: (a, b) => classOf(a.class_id).name.localeCompare(classOf(b.class_id).name),
  rank: (a, b) => a.rank - b.rank,
}

/** The members to show, filtered then sorted (ties by name, so the order is stable). */
export function viewRoster(members: readonly Member[], view: RosterView): Member[] {
  const q = view.search.trim().toLowerCase()
  const kept = members.filter(
    (m) =>
      (q === '' || m.name.toLowerCase().includes(q)) &&
      (view.classId === null || m.class_id === view.classId) &&
      (view.maxRank === null || m.rank <= view.maxRank),
  )
  const by = compareBy[view.sort]
  const sign = view.descending ? -1 : 1
  return kept.sort((a, b) => sign * by(a, b) || compareBy.name(a, b))
}
