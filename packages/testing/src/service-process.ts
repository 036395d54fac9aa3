import { spawn, type ChildProcess } from 'node:child_process'
import { readFileSync } from 'node:fs'

export interface ServiceProcess {
  readonly url: string
  readonly port: number
  /** SIGKILL, as a crash would; resolves once the process has exited. */
  kill(): Promise<void>
  /** Starts it again on the same port and environment, and waits until it is ready. */
  restart(): Promise<void>
  /** SIGTERM (graceful), SIGKILL after 5 s. */
  stop(): Promise<void>
  /** The last few kB it wrote to stderr, for error messages. */
  output(): string
  /** Peak resident set size so far (VmHWM), in MB. */
  peakRssMb(): number
  /**
   * CPU time it has used so far, from /proc, in µs (CPU per request is a difference of two): user time
   * (its JavaScript, GC, libuv's threads) and system time (the kernel's work for its syscalls).
   */
  cpuTimes(): { userMicros: number; systemMicros: number }
}

const KEEP_OUTPUT = 8_192

/**
 * A Node server file run as production runs it (compiled JS, NODE_ENV=production, its own process),
 * for the benchmark and the chaos suite, with kill and restart for faults. Ready when `readyPath`
 * answers 200.
 */
export async function startServiceProcess(
  file: string,
  port: number,
  env: Record<string, string>,
  readyPath = '/health/ready',
  /** Flags for node itself (`--cpu-prof`…), which NODE_OPTIONS may not carry. */
  nodeArgs: readonly string[] = [],
): Promise<ServiceProcess> {
  let child: ChildProcess | undefined
  let output = ''
  const url = `http://127.0.0.1:${port}`
  const killOnExit = () => child?.kill('SIGKILL')
  process.on('exit', killOnExit)

  const launch = async () => {
    const started = spawn(process.execPath, [...nodeArgs, file], {
      env: {
        PATH: process.env.PATH ?? '',
        NODE_ENV: 'production',
        LOG_LEVEL: 'warn',
        HOST: '127.0.0.1',
        PORT: String(port),
        ...env,
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    })
    child = started
    started.stderr?.on('data', (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-KEEP_OUTPUT)
    })
    const until = Date.now() + 30_000
    for (;;) {
      if (started.exitCode !== null)
        throw new Error(`${file} exited (${started.exitCode}) before it was ready: ${output}`)
      try {
        const res = await fetch(url + readyPath, { signal: AbortSignal.timeout(1_000) })
        await res.arrayBuffer()
        if (res.status === 200) return
      } catch {
        // not listening yet
      }
      if (Date.now() > until) throw new Error(`${file} was not ready on ${url}${readyPath} within 30 s: ${output}`)
      await new Promise((r) => setTimeout(r, 50))
    }
  }
  const signal = (sig: NodeJS.Signals, forceAfterMs?: number) =>
    new Promise<void>((resolve) => {
      const c = child
      if (!c || c.exitCode !== null || c.signalCode !== null) return resolve()
      const force = forceAfterMs === undefined ? undefined : setTimeout(() => c.kill('SIGKILL'), forceAfterMs)
      c.once('exit', () => {
        if (force) clearTimeout(force)
        resolve()
      })
      c.kill(sig)
    })

  await launch()
  return {
    url,
    port,
    kill: () => signal('SIGKILL'),
    restart: launch,
    stop: async () => {
      await signal('SIGTERM', 5_000)
      process.removeListener('exit', killOnExit)
    },
    output: () => output,
    peakRssMb: () => {
      const status = readFileSync(`/proc/${child?.pid}/status`, 'utf8')
      return Math.round(Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024)
    },
    cpuTimes: () => cpuTimesOf(child?.pid),
  }
}

function cpuTimesOf(pid: number | undefined): { userMicros: number; systemMicros: number } {
  // Fields 14 and 15 of /proc/PID/stat (utime, stime), counted after the command name's closing paren.
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? []
  return {
    userMicros: (Number(fields[11]) * 1_000_000) / CLOCK_TICKS,
    systemMicros: (Number(fields[12]) * 1_000_000) / CLOCK_TICKS,
  }
}

/** Linux's USER_HZ, the unit of /proc's CPU times: 100 on every mainstream kernel (getconf CLK_TCK). */
const CLOCK_TICKS = 100
