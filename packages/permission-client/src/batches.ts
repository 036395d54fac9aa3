import type { CheckRequests } from './check-requests.js'
import { PermissionUndecidedError } from './errors.js'
import type { ServiceExchange } from './exchange.js'
import { undecidedOf } from './undecided.js'
import type { CheckItem } from './validate.js'
import type { DeadlineSignal } from '@guild/resilience'

import { BATCH_LIMIT } from '@guild/contract'

export { BATCH_LIMIT }

export function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = []
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size))
  return out
}

/** `checkMany`'s work: batches of 100 in parallel under one signal, the answers in request order. */
export async function askInBatches(
  requests: CheckRequests,
  items: readonly CheckItem[],
  signal: DeadlineSignal,
): Promise<boolean[]> {
  return (await Promise.all(chunk(items, BATCH_LIMIT).map((part) => requests.batch(part, signal)))).flat()
}

/**
 * A coalesced group: one GET, or one batch. permission-service answers a whole batch or nothing, so
 * one item it cannot decide (503) would fail checks it could answer; then each is asked alone.
 */
export async function askGroup(
  exchange: ServiceExchange,
  requests: CheckRequests,
  items: readonly CheckItem[],
  startedAt: number,
): Promise<(boolean | Error)[]> {
  if (items.length === 1)
    return [await exchange.run(startedAt, (signal) => requests.one(items[0] as CheckItem, signal))]
  try {
    return await exchange.run(startedAt, (signal) => requests.batch(items, signal))
  } catch (err) {
    if (!(err instanceof PermissionUndecidedError) || err.reason !== 'server-error') throw err
    return await Promise.all(
      items.map((item) => exchange.run(startedAt, (signal) => requests.one(item, signal)).catch(undecidedOf)),
    )
  }
}
