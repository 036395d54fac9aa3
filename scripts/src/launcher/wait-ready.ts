import { connect } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import type { Readiness } from './plan.js'

/** A child did not answer within the time allowed. */
export class ReadyTimeoutError extends Error {
  constructor(what: string, timeoutMs: number, lastProblem: string) {
    super(`${what} did not answer within ${Math.round(timeoutMs / 1000)} s (last: ${lastProblem})`)
    this.name = 'ReadyTimeoutError'
  }
}

export interface WaitOptions {
  timeoutMs: number
  /** Aborted when waiting is pointless, e.g. the child has exited. */
  signal?: AbortSignal
  intervalMs?: number
}

/** undefined when a TCP connection to host:port succeeds, else what went wrong. */
async function tcpAnswers(host: string, port: number): Promise<string | undefined> {
  return await new Promise((resolve) => {
    const socket = connect({ host, port })
    socket.setTimeout(2000)
    socket.once('connect', () => {
      socket.destroy()
      resolve(undefined)
    })
    socket.once('timeout', () => {
      socket.destroy()
      resolve('connection timed out')
    })
    socket.once('error', (err) => resolve(err.message))
  })
}

/**
 * undefined when the first URL answers 200. A 404 moves on to the next URL, so a service without
 * /health/ready is judged by /health/live; any other answer means "not yet".
 */
async function httpAnswers(urls: string[]): Promise<string | undefined> {
  for (const url of urls) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2000) })
      await response.body?.cancel()
      if (response.status === 200) return undefined
      if (response.status !== 404) return `GET ${url} answered ${response.status}`
    } catch (err) {
      return `GET ${url}: ${(err as Error).message}`
    }
  }
  return `GET ${urls.join(' and ')} answered 404`
}

/** Polls until the child answers as `ready` says, or throws ReadyTimeoutError / the signal's reason. */
export async function waitUntilReady(what: string, ready: Readiness, options: WaitOptions): Promise<void> {
  const deadline = Date.now() + options.timeoutMs
  for (;;) {
    options.signal?.throwIfAborted()
    const problem = ready.kind === 'tcp' ? await tcpAnswers(ready.host, ready.port) : await httpAnswers(ready.urls)
    if (problem === undefined) return
    if (Date.now() >= deadline) throw new ReadyTimeoutError(what, options.timeoutMs, problem)
    options.signal?.throwIfAborted()
    await sleep(options.intervalMs ?? 200, undefined, { signal: options.signal }).catch(() => undefined)
  }
}
