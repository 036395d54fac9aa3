import type { CliContext } from '../context.js'
import { UsageError } from '../errors.js'

function keyArgument(ctx: CliContext, command: string): string {
  const key = ctx.inv.args[0]
  if (key === undefined || key === '' || ctx.inv.args.length > 1)
    throw new UsageError(`usage: guild-cache ${command} KEY (one key)`)
  return key
}

/** TTL in whole seconds as the TTL command gives it: -2 no such key, -1 no expiry. */
function ttlSeconds(pttl: number): number {
  return pttl < 0 ? pttl : Math.ceil(pttl / 1_000)
}

function describeTtl(pttl: number): string {
  if (pttl === -2) return 'no such key'
  if (pttl === -1) return 'no TTL: the key never expires (every key the project writes should have one)'
  return `${ttlSeconds(pttl)} s`
}

export async function ttl(ctx: CliContext): Promise<void> {
  const key = keyArgument(ctx, 'ttl')
  const client = await ctx.admin()
  const pttl = await client.pttl(key)
  ctx.out.result({ key, exists: pttl !== -2, ttl: ttlSeconds(pttl), pttl }, () => `${key}  ${describeTtl(pttl)}`)
}

export async function get(ctx: CliContext): Promise<void> {
  const key = keyArgument(ctx, 'get')
  const client = await ctx.admin()
  const [type, pttl] = await Promise.all([client.type(key), client.pttl(key)])
  if (type === 'none') {
    ctx.out.result({ key, exists: false, type: null, ttl: -2, value: null }, () => `${key}  (nil): no such key`)
    return
  }
  if (type !== 'string') {
    // The layer's indexes are sorted sets: show their size rather than refusing.
    // An index's entries: its own marks (`{born}`, `{swept}`) are scored below 0.
    const size =
      type !== 'zset'
        ? null
        : key.startsWith('cache:idx:')
          ? await client.zcount(key, 0, '+inf')
          : await client.zcard(key)
    ctx.out.result(
      { key, exists: true, type, ttl: ttlSeconds(pttl), value: null, ...(size === null ? {} : { members: size }) },
      () =>
        `${key}  a ${type}${size === null ? '' : ` of ${size} members`}, not a cache entry; TTL ${describeTtl(pttl)}`,
    )
    return
  }
  const raw = (await client.get(key)) ?? ''
  let value: unknown = raw
  let json = true
  try {
    value = JSON.parse(raw)
  } catch {
    json = false
  }
  ctx.out.result(
    { key, exists: true, type, ttl: ttlSeconds(pttl), json, value },
    () =>
      `${key}  TTL ${describeTtl(pttl)}${json ? '' : ' (not JSON)'}\n${json ? JSON.stringify(value, null, 2) : raw}`,
  )
}
