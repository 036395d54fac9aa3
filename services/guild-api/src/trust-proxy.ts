import { isIP } from 'node:net'
import { ConfigError } from '@guild/service-kit'

/** proxy-addr's names for address ranges, which Fastify's `trustProxy` understands too. */
const RANGE_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal'])

function isAddressOrCidr(entry: string): boolean {
  if (RANGE_NAMES.has(entry)) return true
  const [address = '', prefix, ...rest] = entry.split('/')
  const family = isIP(address)
  if (family === 0 || rest.length > 0) return false
  if (prefix === undefined) return true
  if (!/^\d{1,3}$/.test(prefix)) return false
  return Number(prefix) <= (family === 4 ? 32 : 128)
}

function bad(): ConfigError {
  return new ConfigError(
    'invalid configuration: TRUST_PROXY is not valid (expected a hop count such as 1, ' +
      'or addresses and CIDRs of your proxies, comma-separated, e.g. 10.0.0.0/8,127.0.0.1)',
    ['TRUST_PROXY'],
  )
}

/** proxy-addr's trust function: `hop` 0 is the socket's peer, 1 the address it forwarded for, and so on. */
export type TrustFunction = (address: string, hop: number) => boolean

/**
 * TRUST_PROXY as Fastify's `trustProxy`: unset trusts no proxy (the socket's address is the client's,
 * and `X-Forwarded-*` is ignored); a list trusts `X-Forwarded-For`/`-Proto`/`-Host` only when the
 * connection comes from one of those addresses; a hop count trusts that many proxies in front, whoever
 * they are (so guild-api must be reachable through them alone). Fastify 5 takes a number as "trust
 * nobody", so the count is a function, as Express reads it. `true` (believe anyone's header) is refused:
 * any client could then choose its own address and rate-limit budget. Read before the app exists
 * (Fastify takes it at construction), so it checks the value itself.
 */
export function trustProxyOption(value: string | undefined): false | string[] | TrustFunction {
  const text = value?.trim() ?? ''
  if (text === '') return false
  if (/^\d{1,3}$/.test(text)) {
    const hops = Number(text)
    return hops === 0 ? false : (_address, hop) => hop < hops
  }
  const entries = text.split(',').map((entry) => entry.trim())
  if (!entries.every(isAddressOrCidr)) throw bad()
  return entries
}
