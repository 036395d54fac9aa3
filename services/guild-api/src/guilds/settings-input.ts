/** How deeply a settings object may nest: plenty for a frontend's preferences, far from any stack limit. */
export const SETTINGS_MAX_DEPTH = 32

/** U+0000, and UTF-16 surrogates that are not half of a pair. */
const UNSTORABLE = /\u0000|\p{Cs}/u

/** A JSON pointer-ish path for messages: `body/raid/days/0`, names cut short. */
function pathOf(parts: readonly (string | number)[]): string {
  return [
    'body',
    ...parts.map((p) => (typeof p === 'string' ? JSON.stringify(p.slice(0, 40)).slice(1, -1) : String(p))),
  ].join('/')
}

function unstorable(text: string): string | undefined {
  const match = UNSTORABLE.exec(text)
  if (match === null) return undefined
  return match[0] === '\u0000' ? 'a NUL character (U+0000)' : 'an unpaired UTF-16 surrogate'
}

/**
 * What Postgres' jsonb cannot store, or what would exhaust the stack of whoever walks the object
 * (JSON.stringify, the driver, the response serializer), as a message naming the field; undefined
 * when the object is fine. Iterative, so an object nested 100,000 deep is measured without recursion.
 */
export function settingsProblem(settings: unknown, maxDepth = SETTINGS_MAX_DEPTH): string | undefined {
  const stack: Array<{ value: unknown; path: (string | number)[] }> = [{ value: settings, path: [] }]
  while (stack.length > 0) {
    const { value, path } = stack.pop() as { value: unknown; path: (string | number)[] }
    if (typeof value === 'string') {
      const bad = unstorable(value)
      if (bad !== undefined) return `${pathOf(path)} must not contain ${bad}`
      continue
    }
    if (typeof value !== 'object' || value === null) continue
    if (path.length >= maxDepth) return `${pathOf(path)} nests deeper than ${maxDepth} levels`
    if (Array.isArray(value)) {
      value.forEach((item, i) => stack.push({ value: item, path: [...path, i] }))
      continue
    }
    for (const [key, item] of Object.entries(value)) {
      const bad = unstorable(key)
      if (bad !== undefined)
        return `${pathOf(path)}: the name "${JSON.stringify(key.slice(0, 40)).slice(1, -1)}" must not contain ${bad}`
      stack.push({ value: item, path: [...path, key] })
    }
  }
  return undefined
}
