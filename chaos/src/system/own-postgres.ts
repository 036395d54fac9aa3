import { execFile, execFileSync } from 'node:child_process'
import { chownSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort } from '@guild/testing'
import postgres from 'postgres'

export interface OwnPostgres {
  port: number
  /** `postgres://postgres@127.0.0.1:port/` + a database name. */
  urlOf(database: string): string
  createDatabase(name: string): Promise<string>
  /** `pg_ctl stop -m fast`: open connections are terminated, new ones refused, as in a restart or failover. */
  stop(): Promise<void>
  /** Starts the stopped server again on the same port and data. */
  start(): Promise<void>
  /** Stops it for good and deletes its data directory. */
  destroy(): Promise<void>
}

/** Who runs initdb and the server: initdb refuses root, so as root the `postgres` account does. */
function serverAccount(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined
  try {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim())
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim())
    return { uid, gid }
  } catch {
    throw new Error(
      'running as root, and initdb refuses root: create a `postgres` user (or run the chaos suite as a non-root user)',
    )
  }
}

function run(command: string, args: string[], account: { uid: number; gid: number } | undefined): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      command,
      args,
      { ...account, env: { PATH: process.env.PATH ?? '', LC_ALL: 'C' }, timeout: 60_000 },
      (err, stdout, stderr) => {
        if (err) reject(new Error(`${command} ${args.join(' ')} failed: ${err.message}\n${stderr}`))
        else resolve(stdout)
      },
    )
  })
}

/**
 * A private PostgreSQL cluster in a temporary directory (`initdb` + `pg_ctl`, both on PATH), on a free
 * port of 127.0.0.1, trust authentication, durability off (it holds nothing worth keeping). The chaos
 * suite stops and starts it; nothing else uses it.
 */
export async function startOwnPostgres(): Promise<OwnPostgres> {
  const account = serverAccount()
  const dir = mkdtempSync(join(tmpdir(), 'guild-chaos-pg-'))
  if (account) chownSync(dir, account.uid, account.gid)
  const data = join(dir, 'data')
  const port = await freePort()
  await run('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync'], account)
  const options = [
    `-p ${port}`,
    `-k ${dir}`,
    '-c listen_addresses=127.0.0.1',
    '-c fsync=off',
    '-c synchronous_commit=off',
    '-c full_page_writes=off',
    '-c max_connections=200',
  ].join(' ')
  const start = () =>
    run('pg_ctl', ['-D', data, '-o', options, '-l', join(dir, 'server.log'), '-w', '-t', '30', 'start'], account).then(
      () => undefined,
    )
  const stopWith = (mode: 'fast' | 'immediate') =>
    run('pg_ctl', ['-D', data, '-m', mode, '-w', '-t', '30', 'stop'], account).then(() => undefined)
  // A runner that dies must not leave a server behind.
  const stopOnExit = () => {
    try {
      execFileSync('pg_ctl', ['-D', data, '-m', 'immediate', 'stop'], { ...account, stdio: 'ignore' })
    } catch {
      // already stopped
    }
    rmSync(dir, { recursive: true, force: true })
  }
  process.on('exit', stopOnExit)
  await start()
  const urlOf = (database: string) => `postgres://postgres@127.0.0.1:${port}/${database}`
  return {
    port,
    urlOf,
    createDatabase: async (name) => {
      const admin = postgres(urlOf('postgres'), { max: 1, onnotice: () => {} })
      try {
        await admin.unsafe(`CREATE DATABASE "${name}"`)
      } finally {
        await admin.end()
      }
      return urlOf(name)
    },
    stop: () => stopWith('fast'),
    start,
    destroy: async () => {
      await stopWith('immediate').catch(() => undefined)
      process.removeListener('exit', stopOnExit)
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
