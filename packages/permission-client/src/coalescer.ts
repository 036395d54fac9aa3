import type { CheckItem } from './validate.js'

interface Waiter {
  startedAt: number
  resolve(allowed: boolean): void
  reject(err: unknown): void
}

/**
 * Sends a group of distinct checks (at most `limit`); resolves one outcome per item, in order: the
 * answer, or the error that leaves that item undecided. A rejection leaves the whole group undecided.
 * `startedAt` is when the group's oldest caller asked: its deadline counts from then.
 */
export type SendGroup = (items: CheckItem[], startedAt: number) => Promise<(boolean | Error)[]>

/** What each caller of a coalesced group learns, for metrics: its own wait, its own answer. */
export type OnSettled = (waiter: { startedAt: number }, outcome: { allowed: boolean } | { error: unknown }) => void

/**
 * Gathers the single checks asked during one turn of the event loop and sends them together: one
 * request per turn instead of one per check. Under load many guild-api requests reach their
 * permission preHandler in the same turn (every socket read in one poll phase), and each HTTP
 * exchange costs both processes far more than the check itself.
 *
 * Never a guess: a check joins only a group that has not been sent yet, so every answer is
 * computed after its caller asked. Identical checks in a group share one item and one answer.
 * The group leaves on `setImmediate`, right after the poll phase that gathered it; a lone check
 * waits no timer, only the rest of its own turn.
 */
export class CheckCoalescer {
  #pending = new Map<string, { item: CheckItem; waiters: Waiter[] }>()
  #oldest = 0
  #scheduled = false

  constructor(
    private readonly send: SendGroup,
    private readonly limit: number,
    private readonly onSettled: OnSettled,
  ) {}

  check(item: CheckItem): Promise<boolean> {
    return new Promise<boolean>((resolve, reject) => {
      const startedAt = performance.now()
      const key = `${item.guildId}:${item.bnetId}:${item.tool}`
      let entry = this.#pending.get(key)
      if (entry === undefined) {
        entry = { item, waiters: [] }
        this.#pending.set(key, entry)
      }
      entry.waiters.push({ startedAt, resolve, reject })
      if (!this.#scheduled) {
        this.#scheduled = true
        this.#oldest = startedAt
        setImmediate(this.#flush)
      }
    })
  }

  readonly #flush = (): void => {
    const entries = [...this.#pending.values()]
    const oldest = this.#oldest
    this.#pending = new Map()
    this.#scheduled = false
    for (let i = 0; i < entries.length; i += this.limit) {
      const group = entries.slice(i, i + this.limit)
      this.send(
        group.map((e) => e.item),
        oldest,
      ).then(
        (outcomes) =>
          group.forEach((e, j) => {
            const outcome = outcomes[j]
            this.#settle(e.waiters, outcome instanceof Error ? { error: outcome } : { allowed: outcome === true })
          }),
        (error: unknown) => group.forEach((e) => this.#settle(e.waiters, { error })),
      )
    }
  }

  #settle(waiters: Waiter[], outcome: { allowed: boolean } | { error: unknown }): void {
    for (const waiter of waiters) {
      this.onSettled(waiter, outcome)
      if ('error' in outcome) waiter.reject(outcome.error)
      else waiter.resolve(outcome.allowed)
    }
  }
}
