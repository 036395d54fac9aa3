import { type ChildProcess, spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import type { Writable } from 'node:stream'

export interface ChildExit {
  code: number | null
  signal: NodeJS.Signals | null
}

export interface SupervisedChild {
  readonly name: string
  readonly pid: number | undefined
  /** Settles when the child has exited and its output is flushed. */
  readonly exited: Promise<ChildExit>
  readonly running: boolean
}

export interface SupervisorOptions {
  out: Writable
  err: Writable
  /** A child exited without being asked to. */
  onUnexpectedExit(child: SupervisedChild, exit: ChildExit): void
}

interface Entry extends SupervisedChild {
  process: ChildProcess
  stopping: boolean
}

// Debugger flags would make every child fight for the same inspector port.
const forwardedExecArgv = (): string[] => process.execArgv.filter((arg) => !arg.startsWith('--inspect'))

/**
 * Runs `node` children, prefixing each output line with the child's name. Children get their own
 * process group, so that a terminal's Ctrl-C reaches the launcher alone and it can stop them in order.
 */
export class Supervisor {
  private readonly children: Entry[] = []
  private readonly width: number

  constructor(
    private readonly options: SupervisorOptions,
    names: readonly string[],
  ) {
    this.width = Math.max('start'.length, ...names.map((name) => name.length))
  }

  label(name: string): string {
    return `[${name}]${' '.repeat(this.width - name.length)} `
  }

  /** Prints a line of the launcher's own. */
  say(line: string, stream: 'out' | 'err' = 'out'): void {
    this.options[stream].write(`${this.label('start')}${line}\n`)
  }

  spawn(name: string, script: string, env: Record<string, string>): SupervisedChild {
    const child = spawn(process.execPath, [...forwardedExecArgv(), script], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    })
    const prefix = this.label(name)
    for (const [stream, target] of [
      [child.stdout, this.options.out],
      [child.stderr, this.options.err],
    ] as const) {
      createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => target.write(`${prefix}${line}\n`))
    }
    let running = true
    const exited = new Promise<ChildExit>((resolve) => {
      child.once('error', (err) => this.say(`${name} could not be started: ${err.message}`, 'err'))
      child.once('close', (code, signal) => {
        running = false
        resolve({ code, signal })
      })
    })
    const entry: Entry = {
      name,
      pid: child.pid,
      exited,
      process: child,
      stopping: false,
      get running() {
        return running
      },
    }
    this.children.push(entry)
    void exited.then((exit) => {
      if (!entry.stopping) this.options.onUnexpectedExit(entry, exit)
    })
    return entry
  }

  /**
   * SIGTERM to one child and wait for it to finish (it lets in-flight requests end); after
   * `timeoutMs`, SIGKILL to its process group. Answers whether it had to be killed.
   */
  async stop(child: SupervisedChild, timeoutMs: number): Promise<'stopped' | 'killed'> {
    const entry = this.children.find((c) => c === child)
    if (!entry || !entry.running) return 'stopped'
    entry.stopping = true
    entry.process.kill('SIGTERM')
    let timer: NodeJS.Timeout | undefined
    const timedOut = new Promise<true>((resolve) => {
      timer = setTimeout(() => resolve(true), timeoutMs)
    })
    const killed = await Promise.race([entry.exited.then(() => false), timedOut])
    clearTimeout(timer)
    if (!killed) return 'stopped'
    this.killGroup(entry)
    await entry.exited
    return 'killed'
  }

  /** Stops children one after another, in the order given, skipping any already gone. */
  async stopInOrder(children: readonly SupervisedChild[], timeoutMs: number): Promise<string[]> {
    const killed: string[] = []
    for (const child of children) {
      if (!child.running) continue
      this.say(`stopping ${child.name}`)
      if ((await this.stop(child, timeoutMs)) === 'killed') killed.push(child.name)
    }
    return killed
  }

  /** Last resort, synchronous (safe in an 'exit' handler): SIGKILL to every child still running. */
  killAll(): void {
    for (const entry of this.children) {
      if (entry.running) {
        entry.stopping = true
        this.killGroup(entry)
      }
    }
  }

  private killGroup(entry: Entry): void {
    try {
      if (entry.pid !== undefined) process.kill(-entry.pid, 'SIGKILL')
    } catch {
      entry.process.kill('SIGKILL')
    }
  }
}
