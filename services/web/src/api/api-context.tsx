import { createContext, useContext, type ReactNode } from 'react'
import type { ApiClient } from './client'

interface Api {
  client: ApiClient
  apiUrl: string
}

const ApiContext = createContext<Api | null>(null)

export function ApiProvider({ value, children }: { value: Api; children: ReactNode }) {
  return <ApiContext.Provider value={value}>{children}</ApiContext.Provider>
}

export function useApi(): Api {
  const api = useContext(ApiContext)
  if (api === null) throw new Error('useApi outside ApiProvider')
  return api
}

/** guild-api's login URL, coming back to `returnTo` (a URL of this app, one of guild-api's CORS_ORIGINS). */
export function loginUrl(apiUrl: string, returnTo: string): string {
  return `${apiUrl.replace(/\/+$/, '')}/auth/login?redirect=${encodeURIComponent(returnTo)}`
}
