import type { DeadlineSignal } from '@guild/resilience'
import { readBatchAnswer, readCheckAnswer } from './answer.js'
import { requestService, type ServiceRequest, type ServiceTransport } from './service-request.js'
import type { CheckItem } from './validate.js'

/**
 * `GET /v1/check` for one item. Validated before it got here (digits, and a tool of [a-z0-9-]): nothing in it needs
 * escaping.
 */
export function checkRequest(prefix: string, item: CheckItem, signal: DeadlineSignal): ServiceRequest {
  return {
    method: 'GET',
    path: `${prefix}/v1/check?guild_id=${item.guildId}&bnet_id=${item.bnetId}&tool=${item.tool}`,
    signal,
  }
}

/** `POST /v1/check/batch` for at most 100 items. */
export function batchRequest(prefix: string, part: readonly CheckItem[], signal: DeadlineSignal): ServiceRequest {
  const body = JSON.stringify({ checks: part.map((c) => ({ guild_id: c.guildId, bnet_id: c.bnetId, tool: c.tool })) })
  return { method: 'POST', path: `${prefix}/v1/check/batch`, body, signal }
}

/** Asks permission-service, and reads its answer: one per item, or a PermissionUndecidedError. */
export class CheckRequests {
  constructor(
    private readonly transport: ServiceTransport,
    private readonly prefix: string,
  ) {}

  async one(item: CheckItem, signal: DeadlineSignal): Promise<boolean> {
    return readCheckAnswer(await requestService(this.transport, checkRequest(this.prefix, item, signal)))
  }

  async batch(part: readonly CheckItem[], signal: DeadlineSignal): Promise<boolean[]> {
    return readBatchAnswer(await requestService(this.transport, batchRequest(this.prefix, part, signal)), part.length)
  }
}
