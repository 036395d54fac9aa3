export { createCache } from './cache.js'
export { fastifyCache, type CachePluginOptions } from './plugin.js'
export {
  escapeGlob,
  internalKeys,
  keys,
  namespaceOf,
  patterns,
  scopesOfKey,
  sessionIdOf,
  assertKey,
  assertTags,
  tags,
  tagIndex,
  tagsOfKey,
  TAG_RULE,
  MAX_TAGS,
  type KeyScopes,
} from './keys/keys.js'
export { DEFAULT_TTL, MAX_TTL, TTL, assertTtl } from './keys/ttl.js'
export { CacheInputError, LoaderTimeoutError } from './errors.js'
export { eventAffects } from './invalidate/invalidation-event.js'
export { MemoryTier } from './tiers/memory-tier.js'
export { CoherentTier, type CoherentTierOptions, type DropListener, type TierStamp } from './tiers/coherent-tier.js'
export { globToRegExp } from './keys/glob.js'
export { argsKeySegment } from './read/serialize.js'
export type * from './types.js'
