import type {} from '@fastify/swagger'
import { ID_PATTERN, TOOL_PATTERN } from '@guild/contract'
import { BEARER_SCHEME, COOKIE_SCHEME } from '@guild/service-kit'

/** The contract's error body, documented on every route for the statuses it can answer. */
export const errorBody = {
  type: 'object',
  required: ['statusCode', 'error', 'message'],
  properties: {
    statusCode: { type: 'integer' },
    error: { type: 'string' },
    message: { type: 'string' },
  },
} as const

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: 'bad input: the message names the field',
  401: 'no valid session',
  403: 'not allowed',
  404: 'unknown guild',
  409: 'registered already',
  413: 'too large',
  502: 'Battle.net failed (the detail is in the log)',
  503: 'a dependency (permission-service or Battle.net) could not answer',
}

/** `{ 400: {...}, 401: {...} }` response schemas for the error statuses a route can answer. */
export function errorResponses(...codes: number[]): Record<number, object> {
  return Object.fromEntries(
    codes.map((code) => [code, { description: ERROR_DESCRIPTIONS[code] ?? 'error', ...errorBody }]),
  )
}

/** Either way of presenting a session. */
export const sessionSecurity: Array<Record<string, string[]>> = [{ [BEARER_SCHEME]: [] }, { [COOKIE_SCHEME]: [] }]

/** Path ids are text; the guild scope parses them (positive integers below 2^53, no leading zero). */
export const guildIdParams = {
  type: 'object',
  required: ['guild_id'],
  properties: {
    guild_id: { type: 'string', pattern: ID_PATTERN.source, description: "Battle.net's guild id" },
  },
} as const

export const toolMap = {
  type: 'object',
  description: 'tool name → highest rank (0–9) that may use it; a tool absent is for rank 0 alone',
  propertyNames: { pattern: TOOL_PATTERN.source },
  additionalProperties: { type: 'integer', minimum: 0, maximum: 9 },
} as const

export const guildSummary = {
  type: 'object',
  required: [
    'guild_id',
    'name',
    'realm',
    'region',
    'faction',
    'member_count',
    'created_at',
    'synced_at',
    'bnet_missing_since',
  ],
  properties: {
    guild_id: { type: 'integer' },
    name: { type: 'string' },
    realm: { type: 'string', description: 'realm slug' },
    region: { type: 'string', enum: ['us', 'eu', 'kr', 'tw'] },
    faction: { type: 'string', nullable: true },
    member_count: { type: 'integer' },
    created_at: { type: 'string', format: 'date-time' },
    synced_at: { type: 'string', format: 'date-time', nullable: true },
    bnet_missing_since: {
      type: 'string',
      format: 'date-time',
      nullable: true,
      description:
        'since when Battle.net answers 404 for the guild (disbanded or renamed); the roster is kept as it was',
    },
  },
} as const
