import createClient, { type Client } from 'openapi-fetch'
import { ApiError, ApiUnreachableError, retryAfterSeconds } from './errors'
import type { paths } from './schema'

export type ApiClient = Client<paths>

/** The typed client of guild-api, sending the session cookie cross-origin. */
export function createApiClient(apiUrl: string): ApiClient {
  return createClient<paths>({
    baseUrl: apiUrl.replace(/\/+$/, ''),
    credentials: 'include',
    fetch: async (request) => {
      try {
        return await fetch(request)
      } catch (err) {
        throw new ApiUnreachableError(err)
      }
    },
  })
}

interface Result<T> {
  data?: T
  error?: unknown
  response: Response
}

/** The answer's body, or an ApiError carrying guild-api's status and message. */
export async function unwrap<T>(pending: Promise<Result<T>>): Promise<T> {
  const { data, error, response } = await pending
  if (response.ok) return data as T
  const message =
    typeof error === 'object' && error !== null && 'message' in error && typeof error.message === 'string'
      ? error.message
      : `${response.status} ${response.statusText}`
  throw new ApiError(response.status, message, retryAfterSeconds(response, message))
}
