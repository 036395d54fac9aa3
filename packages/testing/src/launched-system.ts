import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const LAUNCHER = fileURLToPath(new URL('../../../scripts/dist/start.js', import.meta.url))

export interface LaunchedSystem {
  /** Each process's URL, by the title the launcher prints ("guild-api", "web app", …). */
  urls: Record<string, string>
  /** "open the app: …", when the web app runs. */
  appUrl: string | undefined
  /** The launcher's process id; the services are its children. */
  pid: number
  output: () => string
  /** SIGTERM, as Ctrl-C; resolves when the launcher has stopped everything and exited. */
  stop: () => Promise<void>
}

/**
 * `npm start`'s launcher (the built scripts/dist/start.js) with exactly `env` (plus PATH) and `args`;
 * resolves once it has printed its ready list. The browser tests and the bench start the system this
 * way, as a person would.
 */
export async function launchSystem(
  env: Record<string, string>,
  args: string[] = [],
  readyTimeoutMs = 120_000,
): Promise<LaunchedSystem> {
  const child = spawn(process.execPath, [LAUNCHER, ...args], {
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`the system was not ready within ${readyTimeoutMs / 1000} s:\n${out}`)),
      readyTimeoutMs,
    )
    const take = (chunk: Buffer) => {
      out += chunk.toString()
      if (out.includes('Ctrl-C stops everything.')) {
        clearTimeout(timer)
        resolve()
      }
    }
    child.stdout.on('data', take)
    child.stderr.on('data', take)
    void exited.then(() => {
      clearTimeout(timer)
      reject(new Error(`the launcher exited before it was ready:\n${out}`))
    })
  })
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
    await exited
  }
  try {
    await ready
  } catch (err) {
    await stop()
    throw err
  }
  const urls: Record<string, string> = {}
  const list = out.slice(out.indexOf('all ready:'))
  for (const match of list.matchAll(/^\[start\] +(\S.*?) {2,}(\S+:\/\/\S+)$/gm))
    urls[match[1] as string] = match[2] as string
  const appUrl = /open the app: (\S+)/.exec(out)?.[1]?.replace(/\/$/, '')
  return { urls, appUrl, pid: child.pid as number, output: () => out, stop }
}
