import { keyOf, type CheckItem, type CheckResolver, type Purpose } from './check-item.js'
import type { RecentKeys } from './recent-keys.js'

/**
 * Notes what callers asked for past memory (RecentKeys), then hands on. Refresh-ahead reads those notes
 * after an invalidation; background refreshes are not noted.
 */
export class RecentlyAskedResolver implements CheckResolver {
  constructor(
    private readonly next: CheckResolver,
    private readonly recent: RecentKeys,
  ) {}

  resolve(items: readonly CheckItem[], purpose: Purpose = 'answer'): Promise<boolean[]> {
    if (purpose === 'answer') for (const item of items) this.recent.note(keyOf(item))
    return this.next.resolve(items, purpose)
  }
}
