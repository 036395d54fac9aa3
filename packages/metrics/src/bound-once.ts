/**
 * What `map` holds under `key`, made with `make` the first time: how a label set is bound to its recorder
 * once, so that later uses cost a Map lookup instead of checking and keying labels again.
 */
export function boundOnce<K, V>(map: Map<K, V>, key: K, make: () => V): V {
  let value = map.get(key)
  if (value === undefined) {
    value = make()
    map.set(key, value)
  }
  return value
}
