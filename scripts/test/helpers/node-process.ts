import { type ChildProcess, spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'

export const SRC = fileURLToPath(new URL('../../src/', import.meta.url))

export interface NodeProcess {
  child: ChildProcess
  /** Everything printed so far, stdout and stderr interleaved. */
  output(): string
  /** Resolves once the output matches, rejects on exit or timeout first. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
}

/** Runs one of this workspace's TypeScript entry files as a process, the way tap runs the tests. */
export function runNode(script: string, env: NodeJS.ProcessEnv, args: string[] = []): NodeProcess {
  const child = spawn(process.execPath, [...process.execArgv, `${SRC}${script}`, ...args], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let text = ''
  const listeners = new Set<() => void>()
  const onData = (chunk: Buffer) => {
    text += chunk.toString('utf8')
    for (const listener of listeners) listener()
  }
  child.stdout?.on('data', onData)
  child.stderr?.on('data', onData)
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('close', (code, signal) => {
      resolve({ code, signal })
      for (const listener of listeners) listener()
    }),
  )
  let closed = false
  void exited.then(() => (closed = true))
  return {
    child,
    output: () => text,
    exited,
    waitFor: (pattern, timeoutMs = 30_000) =>
      new Promise<void>((resolve, reject) => {
        const check = () => {
          if (pattern.test(text)) done(() => resolve())
          else if (closed) done(() => reject(new Error(`exited before printing ${pattern}:\n${text}`)))
        }
        const timer = setTimeout(
          () => done(() => reject(new Error(`${pattern} not printed within ${timeoutMs} ms:\n${text}`))),
          timeoutMs,
        )
        const done = (settle: () => void) => {
          clearTimeout(timer)
          listeners.delete(check)
          settle()
        }
        listeners.add(check)
        check()
      }),
  }
}

/** The environment without the variables that would change what a launcher or child does. */
export function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env = { ...process.env }
  for (const name of [
    'DATABASE_URL',
    'BNET_CLIENT_ID',
    'BNET_CLIENT_SECRET',
    'SERVICE_TOKEN',
    'HOST',
    'PORT',
    'BNET_STANDIN_FIXTURES',
  ]) {
    delete env[name]
  }
  return { ...env, LOG_LEVEL: 'warn', ...extra }
}
