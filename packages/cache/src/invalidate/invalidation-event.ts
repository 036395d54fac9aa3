import { globToRegExp } from '../keys/glob.js'
import { scopesOfKey } from '../keys/keys.js'
import type { InvalidationEvent } from '../types.js'

/**
 * Whether an invalidation touches a key, for whoever keeps copies outside Redis (single-flight, an L1).
 * A user event also touches every session entry: a session key does not say whose it is, so being
 * conservative is the only safe answer; a tag event (a caller's own tag) touches every key, for the same reason.
 */
export function eventAffects(event: InvalidationEvent): (key: string) => boolean {
  switch (event.scope) {
    case 'all':
      return () => true
    case 'key':
      return (key) => key === event.key
    case 'pattern': {
      const re = globToRegExp(event.pattern)
      return (key) => re.test(key)
    }
    case 'guild':
      return (key) => scopesOfKey(key).guild === event.id
    case 'user':
      return (key) => key.startsWith('user:session:') || scopesOfKey(key).user === event.id
    case 'tag':
      // A caller's tag is named by no key, and a process keeps no record of the tags others gave: every
      // key, to be safe (as for sessions in a user event).
      return () => true
  }
}
