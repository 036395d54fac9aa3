import { spawn, type ChildProcess } from 'node:child_process'
import { readFileSync } from 'node:fs'

export interface ServiceProcess {
  url: string
  pid: number
  /** Peak resident set size so far (VmHWM), in MB. */
  peakRssMb(): number
  stop(): Promise<void>
}

/** Starts a Node server file as production runs it (NODE_ENV=production) and waits until `readyPath` answers 200. */
export async function startProcess(file: string, port: number, env: Record<string, string>, readyPath = '/health/ready'): Promise<ServiceProcess> {
  const child: ChildProcess = spawn(process.execPath, [file], {
    env: { PATH: process.env.PATH ?? '', NODE_ENV: 'production', LOG_LEVEL: 'warn', HOST: '127.0.0.1', PORT: String(port), ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  let stderr = ''
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  const url = `http://127.0.0.1:${port}`
  const until = Date.now() + 30_000
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${file} exited (${child.exitCode}): ${stderr}`)
    try {
      const res = await fetch(url + readyPath)
      if (res.status === 200) break
    } catch {
      // not listening yet
    }
    if (Date.now() > until) throw new Error(`${file} not ready on ${url}${readyPath} within 30 s: ${stderr}`)
    await new Promise((r) => setTimeout(r, 100))
  }
  return {
    url,
    pid: child.pid as number,
    peakRssMb: () => {
      const status = readFileSync(`/proc/${child.pid}/status`, 'utf8')
      const kb = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0)
      return Math.round(kb / 1024)
    },
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve()
        child.once('exit', () => resolve())
        child.kill('SIGTERM')
      }),
  }
}
