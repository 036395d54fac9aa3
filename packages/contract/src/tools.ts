/** The contract's tool name pattern; every layer refuses anything else before it reaches a key or a query. */
export const TOOL_PATTERN = /^[a-z][a-z0-9-]{0,31}$/

export function isValidTool(value: unknown): value is string {
  return typeof value === 'string' && TOOL_PATTERN.test(value)
}

/** Ranks run from 0 (guild master) to 9; a tool maps to the highest rank that may use it. */
export const MIN_RANK = 0
export const MAX_RANK = 9

export function isValidRank(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= MIN_RANK && value <= MAX_RANK
}

/** The tools guild-api guards itself; other tools belong to the frontend and are checked the same way. */
export const GUARDED_TOOLS = ['roster', 'settings', 'permissions', 'sync'] as const

/** What a newly registered guild starts with. A tool absent from a map is for rank 0 alone. */
export function defaultToolPermissions(): Record<string, number> {
  return { roster: 9, settings: 1, sync: 1 }
}

/**
 * The contract's rule, in one place: rank 0 may use every tool; otherwise the user's best
 * (lowest) rank must be at or below the tool's, and an absent tool is for rank 0 alone.
 * `bestRank` undefined means no character in the roster: nothing is allowed.
 */
export function rankMayUse(bestRank: number | undefined, toolRank: number | undefined): boolean {
  if (bestRank === undefined) return false
  if (bestRank === 0) return true
  return toolRank !== undefined && bestRank <= toolRank
}
