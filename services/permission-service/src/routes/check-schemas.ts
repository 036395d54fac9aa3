import { BATCH_LIMIT, ID_PATTERN, TOOL_PATTERN } from '@guild/contract'
import { BEARER_SCHEME } from '@guild/service-kit'

/** Ids travel as text in a query string: plain decimal digits, no sign, no exponent, no leading zero. */
const idText = { type: 'string', pattern: ID_PATTERN.source, description: 'a positive integer below 2^53' } as const
const id = {
  type: 'integer',
  minimum: 1,
  maximum: Number.MAX_SAFE_INTEGER,
  description: 'a positive integer below 2^53',
} as const
const tool = { type: 'string', pattern: TOOL_PATTERN.source, description: 'a tool name' } as const
const answer = {
  type: 'object',
  required: ['has_access'],
  properties: { has_access: { type: 'boolean' } },
  additionalProperties: false,
} as const
const errorReply = {
  type: 'object',
  properties: { statusCode: { type: 'integer' }, error: { type: 'string' }, message: { type: 'string' } },
} as const
const errors = { 400: errorReply, 401: errorReply, 503: errorReply } as const
/** Every /v1 route asks for SERVICE_TOKEN. */
const security = [{ [BEARER_SCHEME]: [] }]

export const checkSchema = {
  operationId: 'check',
  security,
  summary: 'May Battle.net user bnet_id use tool in guild guild_id?',
  description:
    'Answers from memory, then Redis, then one indexed query. 503 when no answer can be established: never a guess.',
  querystring: {
    type: 'object',
    required: ['guild_id', 'bnet_id', 'tool'],
    properties: { guild_id: idText, bnet_id: idText, tool },
  },
  response: { 200: answer, ...errors },
} as const

export const batchSchema = {
  operationId: 'checkBatch',
  security,
  summary: `Up to ${BATCH_LIMIT} checks at once, answered in request order`,
  description: 'The misses of a batch go to the database in one query.',
  body: {
    type: 'object',
    required: ['checks'],
    additionalProperties: false,
    properties: {
      checks: {
        type: 'array',
        minItems: 1,
        maxItems: BATCH_LIMIT,
        items: {
          type: 'object',
          required: ['guild_id', 'bnet_id', 'tool'],
          additionalProperties: false,
          properties: { guild_id: id, bnet_id: id, tool },
        },
      },
    },
  },
  response: {
    200: { type: 'object', required: ['results'], properties: { results: { type: 'array', items: answer } } },
    ...errors,
  },
} as const
