/**
 * Redis' MATCH glob (`*`, `?`, `[...]`, `[^...]`, `\x`) as a RegExp, so in-process copies can be dropped by the same
 * pattern.
 */
export function globToRegExp(pattern: string): RegExp {
  let out = '^'
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string
    if (c === '\\' && i + 1 < pattern.length) out += escapeRe(pattern[++i] as string)
    else if (c === '*') out += '[\\s\\S]*'
    else if (c === '?') out += '[\\s\\S]'
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 2)
      if (end < 0) {
        out += '\\['
        continue
      }
      let body = pattern.slice(i + 1, end)
      const negate = body.startsWith('^')
      if (negate) body = body.slice(1)
      out += `[${negate ? '^' : ''}${body.replace(/[\\\]]/g, '\\$&')}]`
      i = end
    } else out += escapeRe(c)
  }
  return new RegExp(out + '$')
}

function escapeRe(c: string): string {
  return c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')
}
