/** Raised when a call's deadline passes; the client turns it into an undecided 'timeout'. */
export class DeadlineExceededError extends Error {
  constructor(readonly deadlineMs: number) {
    super(`no answer within the ${deadlineMs} ms deadline`)
    this.name = 'DeadlineExceededError'
  }
}

/**
 * Runs `work` with a signal that aborts after `deadlineMs`, and settles by then whatever `work`
 * does. The race matters: undici only honours an abort once a queued request reaches a socket,
 * so a request stuck behind a full pool would otherwise outlive its deadline.
 */
export async function withDeadline<T>(deadlineMs: number, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController()
  let timer: NodeJS.Timeout | undefined
  try {
    return await new Promise<T>((resolve, reject) => {
      timer = setTimeout(() => {
        // Made only when it happens: an Error captures a stack, which every call would pay for.
        const expired = new DeadlineExceededError(deadlineMs)
        controller.abort(expired)
        reject(expired)
      }, deadlineMs)
      // A late settle of `work` lands on an already-settled promise and is dropped; undici
      // still releases the socket and body because the signal aborted them.
      work(controller.signal).then(resolve, (err: unknown) => {
        // One failed part (a batch chunk) decides the call: stop the parts still in flight.
        controller.abort(err)
        reject(err)
      })
    })
  } finally {
    clearTimeout(timer)
  }
}
