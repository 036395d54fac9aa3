import { fileURLToPath } from 'node:url'
import {
  claimRedisDb,
  freePort,
  startServiceProcess,
  startTcpProxy,
  TEST_REDIS_HOST,
  TEST_REDIS_PORT,
  type TcpProxy,
} from '@guild/testing'
import t, { type Test } from 'tap'
import { registerHordeVanguard, SERVICE_TOKEN, startHarness, type Harness } from '../helpers/harness.js'

const GUILD_API_SERVER = fileURLToPath(new URL('../../dist/server.js', import.meta.url))
const OFFICER = 100002
/**
 * The README's bound ("The invalidation outbox"): permission-service refuses within 2 s of the later of
 * the commit + 1 s (the writer's own turn) and Redis answering the surviving instance again.
 */
const WRITER_GRACE_MS = 1_000
const BOUND_MS = 2_000
const deadline = (answeredAt: number, redisBackAt: number) =>
  Math.max(answeredAt + WRITER_GRACE_MS, redisBackAt) + BOUND_MS
const REVOKE = { tools: { roster: 9, settings: 0, sync: 1 } }

interface Scene {
  h: Harness
  gm: string
  /** A guild-api in a process of its own, which the test kills with SIGKILL. */
  writer: Awaited<ReturnType<typeof startServiceProcess>>
  writerRedis: TcpProxy
  /** Between the harness's in-process guild-api (the instance that survives) and Redis. */
  survivorRedis: TcpProxy
}

/**
 * Two guild-api instances, each reaching Redis through a proxy of its own, and permission-service
 * reaching it directly, all on one database, Redis database and bus. The officer may use `settings`
 * (rank 1, the default map), and permission-service holds that answer in Redis and in memory.
 */
async function scene(t: Test): Promise<Scene> {
  const redis = await claimRedisDb()
  t.teardown(() => redis.release())
  const proxied = async () => {
    const proxy = await startTcpProxy(TEST_REDIS_PORT, TEST_REDIS_HOST)
    t.teardown(() => proxy.close())
    return { proxy, url: `redis://127.0.0.1:${proxy.port}/${redis.index}` }
  }
  const survivor = await proxied()
  const writer = await proxied()
  const h = await startHarness(t, { redis: { url: redis.url }, env: { REDIS_URL: survivor.url } })
  const gm = await registerHordeVanguard(h)
  await h.login('Saurfang#2345')
  t.same(await check(h), { has_access: true }, 'the officer may use settings')
  t.equal(await redis.redis.exists(`permission:9001:${OFFICER}:settings`), 1, 'and permission-service cached it')
  const process = await startServiceProcess(GUILD_API_SERVER, await freePort(), {
    ...h.env,
    REDIS_URL: writer.url,
    PUBLIC_URL: h.url,
  })
  t.teardown(() => process.stop())
  return { h, gm, writer: process, writerRedis: writer.proxy, survivorRedis: survivor.proxy }
}

async function check(h: Harness): Promise<unknown> {
  const res = await fetch(`${h.perm?.url}/v1/check?guild_id=9001&bnet_id=${OFFICER}&tool=settings`, {
    headers: { authorization: `Bearer ${SERVICE_TOKEN}` },
  })
  return await res.json()
}

/** Resolves when the answer came: the commit was before. */
async function revokeOn(s: Scene): Promise<number> {
  const res = await fetch(`${s.writer.url}/guilds/9001/permissions`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${s.gm}`, 'content-type': 'application/json' },
    body: JSON.stringify(REVOKE),
  })
  if (res.status !== 200) throw new Error(`the revoke answered ${res.status}: ${await res.text()}`)
  return performance.now()
}

/** When permission-service first refuses the officer (Infinity if not within 10 s). */
async function refusedAt(h: Harness): Promise<number> {
  for (
    const giveUp = performance.now() + 10_000;
    performance.now() < giveUp;
    await new Promise((resolve) => setTimeout(resolve, 20))
  ) {
    const answer = (await check(h)) as { has_access?: boolean }
    if (answer.has_access === false) return performance.now()
  }
  return Infinity
}

async function outboxRows(h: Harness): Promise<number> {
  return Number((await h.app.db.sql`select count(*)::int as n from cache_outbox`)[0]?.n)
}

/** The drainer deletes a row right after the invalidation's acks, which is when the refusal starts. */
async function outboxEmpties(h: Harness): Promise<boolean> {
  for (const until = Date.now() + 2_000; Date.now() < until; await new Promise((resolve) => setTimeout(resolve, 20))) {
    if ((await outboxRows(h)) === 0) return true
  }
  return false
}

t.test(
  'a revoke whose writer lost Redis and then died: delivered by another instance once Redis answers it',
  async (t) => {
    const s = await scene(t)
    // Redis unreachable for both guild-api instances: nobody can deliver the revoke yet.
    await s.writerRedis.cut()
    await s.survivorRedis.cut()
    const answeredAt = await revokeOn(s)
    t.same(await check(s.h), { has_access: true }, 'permission-service still allows: the revoke has not reached Redis')
    await s.writer.kill()
    t.equal(await outboxRows(s.h), 1, "the killed writer's invalidation is still owed, in the database")
    await s.writerRedis.restore()
    await s.survivorRedis.restore()
    const backAt = performance.now()
    const at = await refusedAt(s.h)
    t.ok(
      at <= deadline(answeredAt, backAt),
      `refused ${Math.round(at - backAt)} ms after Redis answered again, ` +
        `${Math.round(at - answeredAt)} ms after the revoke ` +
        `(deadline ${Math.round(deadline(answeredAt, backAt) - backAt)} ms after Redis)`,
    )
    t.ok(await outboxEmpties(s.h), 'and the outbox empties')
  },
)

t.test(
  'a revoke whose writer alone lost Redis and then died: delivered by an instance that never lost it',
  async (t) => {
    const s = await scene(t)
    await s.writerRedis.cut()
    const answeredAt = await revokeOn(s)
    await s.writer.kill()
    await s.writerRedis.restore()
    const at = await refusedAt(s.h)
    t.ok(
      at <= deadline(answeredAt, 0),
      `refused ${Math.round(at - answeredAt)} ms after the revoke (bound ${WRITER_GRACE_MS + BOUND_MS} ms)`,
    )
    t.ok(await outboxEmpties(s.h), 'and the outbox empties')
  },
)
