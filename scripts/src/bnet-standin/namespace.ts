import type { FastifyRequest } from 'fastify'
import { ApiError } from './errors.js'

export const REGIONS = ['us', 'eu', 'kr', 'tw'] as const
export type Region = (typeof REGIONS)[number]

/** Which of Battle.net's namespaces a path lives in: profile data (characters, rosters) or dynamic (realms). */
export type NamespaceKind = 'profile' | 'dynamic'

/**
 * Battle.net's check, so that a client that forgets it cannot pass against the stand-in: the API paths
 * need a `namespace`, as the query parameter or the `Battlenet-Namespace` header, of the path's kind and
 * of a region this stand-in serves (`regions`: one, or all four). Missing or wrong, Battle.net answers 404.
 */
export function requireNamespace(request: FastifyRequest, kind: NamespaceKind, regions: readonly Region[]): Region {
  const query = (request.query as Record<string, unknown>).namespace
  const header = request.headers['battlenet-namespace']
  const given = typeof query === 'string' && query !== '' ? query : typeof header === 'string' ? header : undefined
  const expected = regions.map((region) => `${kind}-${region}`)
  if (given === undefined)
    throw new ApiError(
      404,
      `a namespace is required (${expected.join(' or ')}), ` +
        'as the namespace parameter or the Battlenet-Namespace header',
    )
  const at = expected.indexOf(given)
  if (at < 0)
    throw new ApiError(
      404,
      `namespace "${given.slice(0, 50)}" is not valid for this path: expected ${expected.join(' or ')}`,
    )
  return regions[at] as Region
}
