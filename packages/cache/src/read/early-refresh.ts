/**
 * Probabilistic early expiration (XFetch, Vattani et al. 2015): a read refreshes a key before it
 * expires with a probability that grows as expiry nears and with how long a load takes:
 * refresh when `delta · β · −ln(rand) ≥ time left`. A hot key is then reloaded by one reader shortly
 * before it expires, and its expiry causes no spike of misses.
 */
export class EarlyRefresh {
  /** Recent load time per namespace (ms), smoothed: keys of one namespace cost alike to compute. */
  readonly #deltaMs = new Map<string, number>()

  constructor(
    private readonly beta: number,
    private readonly random: () => number = Math.random,
  ) {}

  get enabled(): boolean {
    return this.beta > 0
  }

  recordLoad(namespace: string, ms: number): void {
    const previous = this.#deltaMs.get(namespace)
    this.#deltaMs.set(namespace, previous === undefined ? ms : previous * 0.8 + ms * 0.2)
  }

  /**
   * How close to expiry a key of `namespace` must be before a read could refresh it at all: past 20 load
   * times (β-scaled) the chance is e^-20. Undefined when no load was timed here yet (no refresh can start).
   * Reads further away need not ask Redis for the time left.
   */
  horizonMs(namespace: string): number | undefined {
    const delta = this.#deltaMs.get(namespace)
    return this.beta > 0 && delta ? delta * this.beta * 20 : undefined
  }

  shouldRefresh(namespace: string, msLeft: number): boolean {
    if (this.beta <= 0 || msLeft <= 0) return false
    const delta = this.#deltaMs.get(namespace)
    if (!delta) return false
    return delta * this.beta * -Math.log(this.random()) >= msLeft
  }
}
