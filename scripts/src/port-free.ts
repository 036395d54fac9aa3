import { createServer } from 'node:net'

/** Whether something already listens on host:port (tried by binding it for a moment). */
export async function portInUse(host: string, port: number): Promise<boolean> {
  return await new Promise((resolve, reject) => {
    const probe = createServer()
    probe.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE' || err.code === 'EACCES') resolve(true)
      else reject(err)
    })
    probe.listen({ port, host, exclusive: true }, () => probe.close(() => resolve(false)))
  })
}
