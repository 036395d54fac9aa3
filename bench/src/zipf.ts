/**
 * Draws ranks 0..n-1 with probability ∝ 1/(rank+1)^s (Zipf), from a precomputed CDF and a seeded
 * generator, so a run can be repeated exactly.
 */
export class Zipf {
  readonly #cdf: Float64Array

  constructor(
    n: number,
    s: number,
    private readonly random: () => number,
  ) {
    this.#cdf = new Float64Array(n)
    let sum = 0
    for (let i = 0; i < n; i++) {
      sum += 1 / (i + 1) ** s
      this.#cdf[i] = sum
    }
    for (let i = 0; i < n; i++) this.#cdf[i] = (this.#cdf[i] as number) / sum
  }

  next(): number {
    const u = this.random()
    let lo = 0
    let hi = this.#cdf.length - 1
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if ((this.#cdf[mid] as number) < u) lo = mid + 1
      else hi = mid
    }
    return lo
  }
}

/** mulberry32: a small seeded PRNG; Math.random cannot be seeded. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
