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
 * Gathers single checks and sends them together: one request for many checks instead of one each.
 * Under load many guild-api requests reach their permission preHandler in the same turn (every socket
 * read in one poll phase), and each HTTP exchange costs both processes far more than the check itself.
 *
 * A group leaves on `setImmediate`, right after the poll phase that gathered it; a lone check waits no
 * timer, only the rest of its own turn. While a group is in flight, the checks asked meanwhile wait
 * for it to land (at most `holdMs` after the first of them was asked) and then leave together: under
 * load that is one exchange per round trip, however many requests arrive during it (a group commit).
 * A group that does not land in time (a slow or hung service) holds nobody longer than `holdMs`.
 *
 * Never a guess: a check joins only a group that has not been sent yet, so every answer is computed
 * after its caller asked. Identical checks in a group share one item and one answer.
 */
export class CheckCoalescer {
  #pending = new Map<string, { item: CheckItem; waiters: Waiter[] }>()
  /** When the first pending check was asked: the group's deadline counts from then. */
  #oldest = 0
  #scheduled = false
  /** Groups of checks sent together (one flush) and not all landed yet. */
  #inFlight = 0
  #holdTimer: NodeJS.Timeout | undefined

  constructor(
    private readonly send: SendGroup,
    private readonly limit: number,
    private readonly onSettled: OnSettled,
    private readonly holdMs: number,
  ) {}

  check(item: CheckItem): Promise<boolean> {
    return new Promise<boolean>((resolve, reject) => {
      const startedAt = performance.now()
      const key = `${item.guildId}:${item.bnetId}:${item.tool}`
      let entry = this.#pending.get(key)
      if (entry === undefined) {
        if (this.#pending.size === 0) this.#oldest = startedAt
        entry = { item, waiters: [] }
        this.#pending.set(key, entry)
      }
      entry.waiters.push({ startedAt, resolve, reject })
      if (!this.#scheduled && this.#holdTimer === undefined) {
        this.#scheduled = true
        setImmediate(this.#flush)
      }
    })
  }

  readonly #flush = (): void => {
    this.#scheduled = false
    if (this.#inFlight > 0) {
      // Held for the group in flight: it sends these when it lands, or the timer does.
      const held = performance.now() - this.#oldest
      if (held < this.holdMs) {
        this.#holdTimer = setTimeout(this.#sendPending, this.holdMs - held)
        this.#holdTimer.unref()
        return
      }
    }
    this.#sendPending()
  }

  readonly #sendPending = (): void => {
    clearTimeout(this.#holdTimer)
    this.#holdTimer = undefined
    if (this.#pending.size === 0) return
    const entries = [...this.#pending.values()]
    const oldest = this.#oldest
    this.#pending = new Map()
    this.#inFlight++
    let unsettled = Math.ceil(entries.length / this.limit)
    const landed = () => {
      if (--unsettled > 0) return
      this.#inFlight--
      if (this.#inFlight === 0 && this.#pending.size > 0 && !this.#scheduled) this.#sendPending()
    }
    for (let i = 0; i < entries.length; i += this.limit) {
      const group = entries.slice(i, i + this.limit)
      this.send(
        group.map((e) => e.item),
        oldest,
      ).then(
        (outcomes) => {
          group.forEach((e, j) => {
            const outcome = outcomes[j]
            this.#settle(e.waiters, outcome instanceof Error ? { error: outcome } : { allowed: outcome === true })
          })
          landed()
        },
        (error: unknown) => {
          group.forEach((e) => this.#settle(e.waiters, { error }))
          landed()
        },
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
