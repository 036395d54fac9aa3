import type { Cache } from '@guild/cache'
import type { DbHandle } from '@guild/db'
import type { Registry } from 'prom-client'
import { buildCheckChain, type ChainOptions } from './check-chain.js'
import type { CheckItem, CheckResolver } from './check-item.js'
import { CheckCounters } from './counters.js'
import type { DbResolver } from './db-resolver.js'
import type { L1Resolver } from './l1-resolver.js'

export type CheckOptions = ChainOptions

/**
 * The check command: the resolver chain (check-chain.ts) behind one door. Routes validate input and call
 * `peek`, `check` or `checkMany`; they never reach a layer directly.
 */
export class CheckCommand {
  readonly counters: CheckCounters
  readonly db: DbResolver
  readonly l1: L1Resolver | undefined
  readonly #first: CheckResolver

  constructor(cache: Cache, db: DbHandle, registry: Registry, options: CheckOptions) {
    this.counters = new CheckCounters(registry)
    const chain = buildCheckChain(cache, db, this.counters, options)
    this.db = chain.db
    this.l1 = chain.l1
    this.#first = chain.first
  }

  /** A check answered without waiting, or undefined when it needs the chain's other layers. */
  peek(item: CheckItem): boolean | undefined {
    return this.#first.peek?.(item)
  }

  async check(item: CheckItem): Promise<boolean> {
    const [answer] = await this.#first.resolve([item])
    return answer === true
  }

  checkMany(items: readonly CheckItem[]): Promise<boolean[]> {
    return this.#first.resolve(items)
  }
}
