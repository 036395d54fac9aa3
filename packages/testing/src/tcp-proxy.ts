import { createServer, connect, type Server, type Socket } from 'node:net'

export interface TcpProxy {
  port: number
  /** Closes every connection and refuses new ones, as a dead server or a cut cable would. */
  cut(): Promise<void>
  /** Keeps connections open but forwards nothing either way: a hanging server. */
  hang(): void
  /**
   * From the next client chunk that contains `marker` (a command naming a key, say), holds everything the
   * server sends back on that connection until `release`: a reply that is late while Redis and every other
   * connection carry on. The interleaving is the test's, not the scheduler's. `onSeen` runs when the
   * marker passes (to make the process busy right then, say).
   */
  holdRepliesAfter(marker: string, onSeen?: () => void): void
  /**
   * Holds, on its connection, the first client chunk that contains `marker` (or that `marker` accepts) and
   * everything the client sends after it, until `release`: a client paused at a chosen command while
   * Redis and every other connection carry on.
   */
  holdRequestsWith(marker: string | ((chunk: Buffer) => boolean), onSeen?: () => void): void
  /** Sends on what `holdRepliesAfter` and `holdRequestsWith` held, and stops holding. */
  release(): void
  /** Forwards again (after `hang`), or accepts connections again (after `cut`). */
  restore(): Promise<void>
  close(): Promise<void>
}

/**
 * A TCP proxy in front of a real server (Redis, Postgres, a service), for chaos tests: the client talks
 * to the proxy's port and the test cuts or hangs the link without touching the shared server.
 */
export async function startTcpProxy(targetPort: number, targetHost = '127.0.0.1', listenPort = 0): Promise<TcpProxy> {
  const sockets = new Set<Socket>()
  let hanging = false
  const held: (() => void)[] = []
  let holdMarker: string | undefined
  let onMarker: (() => void) | undefined
  const heldStreams = new Set<{ holding: boolean; chunks: Buffer[]; to: Socket }>()
  let requestMarker: string | ((chunk: Buffer) => boolean) | undefined
  const marks = (chunk: Buffer) =>
    requestMarker !== undefined &&
    (typeof requestMarker === 'string' ? chunk.includes(requestMarker) : requestMarker(chunk))
  let onRequest: (() => void) | undefined
  let server: Server
  let port = listenPort

  const listen = () =>
    new Promise<void>((resolve, reject) => {
      server = createServer((client) => {
        const upstream = connect(targetPort, targetHost)
        sockets.add(client)
        sockets.add(upstream)
        const replies = { holding: false, chunks: [] as Buffer[], to: client }
        const requests = { holding: false, chunks: [] as Buffer[], to: upstream }
        heldStreams.add(replies)
        heldStreams.add(requests)
        client.on('data', (chunk: Buffer) => {
          if (holdMarker === undefined || !chunk.includes(holdMarker)) return
          replies.holding = true
          const seen = onMarker
          onMarker = undefined
          seen?.()
        })
        const forward = (from: Socket, to: Socket) => {
          from.on('data', (chunk: Buffer) => {
            if (from === upstream && replies.holding) {
              replies.chunks.push(chunk)
              return
            }
            if (from === client && !requests.holding && marks(chunk)) {
              requests.holding = true
              const seen = onRequest
              onRequest = undefined
              seen?.()
            }
            if (from === client && requests.holding) {
              requests.chunks.push(chunk)
              return
            }
            if (!hanging) {
              to.write(chunk)
              return
            }
            held.push(() => to.write(chunk))
          })
        }
        forward(client, upstream)
        forward(upstream, client)
        const end = () => {
          client.destroy()
          upstream.destroy()
          sockets.delete(client)
          sockets.delete(upstream)
          heldStreams.delete(replies)
          heldStreams.delete(requests)
        }
        client.on('error', end).on('close', end)
        upstream.on('error', end).on('close', end)
      })
      server.once('error', reject)
      server.listen(port, '127.0.0.1', () => {
        const address = server.address()
        port = typeof address === 'object' && address ? address.port : port
        resolve()
      })
    })
  const stop = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy()
      sockets.clear()
      held.length = 0
      server.close(() => resolve())
    })

  await listen()
  let listening = true
  return {
    get port() {
      return port
    },
    cut: async () => {
      if (!listening) return
      listening = false
      await stop()
    },
    hang: () => {
      hanging = true
    },
    holdRepliesAfter: (marker: string, onSeen?: () => void) => {
      holdMarker = marker
      onMarker = onSeen
    },
    holdRequestsWith: (marker, onSeen) => {
      requestMarker = marker
      onRequest = onSeen
    },
    release: () => {
      holdMarker = undefined
      requestMarker = undefined
      for (const replies of heldStreams) {
        replies.holding = false
        for (const chunk of replies.chunks.splice(0)) replies.to.write(chunk)
      }
    },
    restore: async () => {
      if (hanging) {
        hanging = false
        for (const write of held.splice(0)) write()
      }
      if (!listening) {
        await listen()
        listening = true
      }
    },
    close: async () => {
      if (listening) await stop()
      listening = false
    },
  }
}
