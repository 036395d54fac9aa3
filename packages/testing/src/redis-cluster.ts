import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Redis } from 'ioredis'
import { freePort } from './free-port.js'
import { redisProcess, type RedisProcess } from './redis-process.js'

/** The slots of Redis Cluster, split among the masters as `redis-cli --cluster create` does. */
const SLOTS = 16_384

export interface OwnRedisCluster {
  /** `host:port,host:port,host:port`: the value REDIS_CLUSTER_NODES takes. */
  nodes: string
  /** The masters' client ports, in slot order (the first holds slots 0-5460). */
  ports: number[]
  /** Kills one master abruptly (SIGKILL). Its slots stay its own: the cluster is down for them until `restartNode`. */
  killNode(index: number): Promise<void>
  /** Starts a killed master again; it rejoins with its slots (its nodes.conf is kept). */
  restartNode(index: number): Promise<void>
  /** Kills every master and removes their files. */
  stop(): Promise<void>
}

/**
 * A private Redis Cluster of three masters on free ports, no replicas, no persistence: each test file
 * that needs a cluster starts its own, so files stay isolated. Built with the CLUSTER commands directly
 * (what `redis-cli --cluster create` does, without its one-second waits), ready when every node says
 * `cluster_state:ok` and knows every other.
 */
export async function startOwnCluster(masters = 3): Promise<OwnRedisCluster> {
  const dir = await mkdtemp(join(tmpdir(), 'guild-redis-cluster-'))
  const ports: number[] = []
  const busPorts: number[] = []
  const processes: RedisProcess[] = []
  // The cluster bus port is given explicitly: the default (port + 10000) may be taken, or above 65535.
  const used = new Set<number>()
  const spare = async () => {
    for (;;) {
      const p = await freePort()
      if (!used.has(p)) {
        used.add(p)
        return p
      }
    }
  }
  try {
    for (let i = 0; i < masters; i++) {
      const port = await spare()
      const busPort = await spare()
      ports.push(port)
      busPorts.push(busPort)
      processes.push(
        redisProcess(port, [
          '--cluster-enabled',
          'yes',
          '--cluster-config-file',
          join(dir, `nodes-${port}.conf`),
          '--cluster-port',
          String(busPort),
          '--cluster-node-timeout',
          '2000',
          '--dir',
          dir,
        ]),
      )
    }
    await Promise.all(processes.map((p) => p.start()))
    await formCluster(ports, busPorts)
  } catch (err) {
    await Promise.all(processes.map((p) => p.kill()))
    await rm(dir, { recursive: true, force: true })
    throw err
  }
  const at = (index: number): RedisProcess => {
    const p = processes[index]
    if (!p) throw new RangeError(`startOwnCluster: no master ${index}; there are ${processes.length}`)
    return p
  }
  return {
    nodes: ports.map((p) => `127.0.0.1:${p}`).join(','),
    ports,
    killNode: (index) => at(index).kill(),
    restartNode: async (index) => {
      await at(index).start()
      await waitForClusterOk(ports)
    },
    stop: async () => {
      await Promise.all(processes.map((p) => p.kill()))
      await rm(dir, { recursive: true, force: true })
    },
  }
}

async function formCluster(ports: number[], busPorts: number[]): Promise<void> {
  const clients = ports.map(
    (port) => new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0 }),
  )
  try {
    await Promise.all(clients.map((c) => c.connect()))
    const per = Math.ceil(SLOTS / ports.length)
    await Promise.all(
      clients.map(async (c, i) => {
        // Distinct epochs up front, as redis-cli does: no collision to resolve after the MEETs.
        await c.call('CLUSTER', 'SET-CONFIG-EPOCH', String(i + 1))
        await c.call('CLUSTER', 'ADDSLOTSRANGE', String(i * per), String(Math.min(SLOTS, (i + 1) * per) - 1))
      }),
    )
    const first = clients[0] as Redis
    for (let i = 1; i < ports.length; i++)
      await first.call('CLUSTER', 'MEET', '127.0.0.1', String(ports[i]), String(busPorts[i]))
  } finally {
    clients.forEach((c) => c.disconnect())
  }
  await waitForClusterOk(ports)
}

/** Polls every node until each reports `cluster_state:ok` and knows all the others (at most 15 s). */
async function waitForClusterOk(ports: number[]): Promise<void> {
  const clients = ports.map(
    (port) =>
      new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null }),
  )
  try {
    await Promise.all(clients.map((c) => c.connect()))
    const until = Date.now() + 15_000
    while (Date.now() < until) {
      const infos = await Promise.all(clients.map((c) => c.call('CLUSTER', 'INFO') as Promise<string>))
      if (
        infos.every(
          (info) => /cluster_state:ok/.test(info) && new RegExp(`cluster_known_nodes:${ports.length}\\b`).test(info),
        )
      )
        return
      await new Promise((r) => setTimeout(r, 50))
    }
    throw new Error(
      `startOwnCluster: the cluster on ports ${ports.join(', ')} did not reach cluster_state:ok within 15 s`,
    )
  } finally {
    clients.forEach((c) => c.disconnect())
  }
}
