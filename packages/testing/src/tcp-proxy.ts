import { createServer, connect, type Server, type Socket } from 'node:net'

export interface TcpProxy {
  port: number
  /** Closes every connection and refuses new ones, as a dead server or a cut cable would. */
  cut(): Promise<void>
  /** Keeps connections open but forwards nothing either way: a hanging server. */
  hang(): void
  /**
   * Holds what clients send from the first chunk `match` accepts (that chunk included), as `hang` does but
   * one way: replies still flow. Resolves once such a chunk arrived. For pausing a client at a chosen
   * command (a paused socket), then letting it go on with `restore`.
   */
  holdFrom(match: (chunk: Buffer) => boolean): Promise<void>
  /** Forwards again (after `hang` or `holdFrom`), or accepts connections again (after `cut`). */
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
  let holdMatch: { match: (chunk: Buffer) => boolean; matched: () => void } | undefined
  let holding = false
  const held: (() => void)[] = []
  let server: Server
  let port = listenPort

  const listen = () =>
    new Promise<void>((resolve, reject) => {
      server = createServer((client) => {
        const upstream = connect(targetPort, targetHost)
        sockets.add(client)
        sockets.add(upstream)
        const forward = (from: Socket, to: Socket, toServer: boolean) => {
          from.on('data', (chunk: Buffer) => {
            if (toServer && holdMatch && !holding && holdMatch.match(chunk)) {
              holding = true
              holdMatch.matched()
            }
            if (!hanging && !(toServer && holding)) {
              to.write(chunk)
              return
            }
            held.push(() => to.write(chunk))
          })
        }
        forward(client, upstream, true)
        forward(upstream, client, false)
        const end = () => {
          client.destroy()
          upstream.destroy()
          sockets.delete(client)
          sockets.delete(upstream)
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
    holdFrom: (match) =>
      new Promise<void>((resolve) => {
        holding = false
        holdMatch = {
          match,
          matched: () => {
            holdMatch = undefined
            resolve()
          },
        }
      }),
    restore: async () => {
      if (hanging || holding) {
        hanging = false
        holding = false
        holdMatch = undefined
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
