import type { Settings } from '../../api/types'

export type FieldKind = 'text' | 'number' | 'boolean' | 'json'

export function kindOf(value: unknown): FieldKind {
  if (typeof value === 'string') return 'text'
  if (typeof value === 'number') return 'number'
  if (typeof value === 'boolean') return 'boolean'
  return 'json'
}

/** The field a guild-api message names (`body/raid/days/0 must …` → `raid`), or null for the form. */
export function fieldOfMessage(message: string, fields: readonly string[]): string | null {
  const match = /^body\/([^/\s:]+)/.exec(message)
  const name = match?.[1]
  return name !== undefined && fields.includes(name) ? name : null
}

/** The form's text values back to a settings object; a JSON field that does not parse is named. */
export function parseFields(
  values: Record<string, string>,
  kinds: Record<string, FieldKind>,
): { settings: Settings } | { field: string; problem: string } {
  const settings: Record<string, unknown> = {}
  for (const [name, text] of Object.entries(values)) {
    const kind = kinds[name] ?? 'text'
    if (kind === 'text') settings[name] = text
    else if (kind === 'boolean') settings[name] = text === 'true'
    else if (kind === 'number') {
      if (text.trim() === '' || !Number.isFinite(Number(text))) return { field: name, problem: 'must be a number' }
      settings[name] = Number(text)
    } else {
      try {
        settings[name] = JSON.parse(text) as unknown
      } catch {
        return { field: name, problem: 'must be valid JSON' }
      }
    }
  }
  return { settings: settings }
}
