import fastifySwagger, { type FastifyDynamicSwaggerOptions } from '@fastify/swagger'
import fastifySwaggerUi from '@fastify/swagger-ui'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { toOpenApi30 } from './openapi-3-0.js'
import { routeCatalogPlugin } from './route-catalog.js'

/** Names of the security schemes, for a route's `schema.security`: `[{ [BEARER_SCHEME]: [] }]`. */
export const BEARER_SCHEME = 'bearerAuth'
export const COOKIE_SCHEME = 'cookieAuth'

export interface OpenApiPluginOptions {
  title: string
  version: string
  description?: string
  /**
   * Where the API is reached; default `/`, the origin the document is served from. (A document
   * without `servers` leaves a client generator to guess.)
   */
  servers?: Array<{ url: string; description?: string }>
  security?: {
    /** `Authorization: Bearer …` (a session token, or SERVICE_TOKEN for permission-service). */
    bearer?: boolean | { description?: string }
    /** A session cookie, by name (guild-api's `sid`). */
    cookie?: string | { name: string; description?: string }
  }
}

type SecuritySchemes = NonNullable<
  NonNullable<NonNullable<FastifyDynamicSwaggerOptions['openapi']>['components']>['securitySchemes']
>

function securitySchemes(security: OpenApiPluginOptions['security']): SecuritySchemes {
  const schemes: SecuritySchemes = {}
  if (security?.bearer) {
    const description = typeof security.bearer === 'object' ? security.bearer.description : undefined
    schemes[BEARER_SCHEME] = { type: 'http', scheme: 'bearer', ...(description === undefined ? {} : { description }) }
  }
  if (security?.cookie !== undefined) {
    const cookie = typeof security.cookie === 'string' ? { name: security.cookie } : security.cookie
    schemes[COOKIE_SCHEME] = {
      type: 'apiKey',
      in: 'cookie',
      name: cookie.name,
      ...(cookie.description === undefined ? {} : { description: cookie.description }),
    }
  }
  return schemes
}

async function openApi(fastify: FastifyInstance, options: OpenApiPluginOptions): Promise<void> {
  // The same "before any route" rule holds for the catalog of every route, so it comes along.
  await fastify.register(routeCatalogPlugin)
  await fastify.register(fastifySwagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: options.title,
        version: options.version,
        ...(options.description === undefined ? {} : { description: options.description }),
      },
      servers: options.servers ?? [{ url: '/', description: 'the origin serving this document' }],
      components: { securitySchemes: securitySchemes(options.security) },
    },
    // Only the openapi branch is taken: the document is OpenAPI 3.0.3.
    transformObject: (document) =>
      toOpenApi30('openapiObject' in document ? document.openapiObject : document.swaggerObject) as object,
  })
  await fastify.register(fastifySwaggerUi, { routePrefix: '/docs' })
}

/**
 * The OpenAPI 3 document at GET /docs/json and its UI at GET /docs.
 *
 * Register it BEFORE any route: @fastify/swagger collects routes from an onRoute hook, so a route
 * declared earlier is missing from the document. Routes document themselves through `schema`
 * (`operationId`, `tags`, `summary`, `params`, `querystring`, `body`, `response`, `security`; a
 * public route says `security: []`), and the document passes `redocly lint`'s recommended rules
 * (each service's openapi-lint test). It also keeps
 * `app.routeCatalog` (routeCatalogPlugin): every route, the undocumented ones included.
 */
export const openApiPlugin = fp(openApi, { name: '@guild/service-kit/openapi', fastify: '5.x' })
