import { QueryCache, QueryClient, QueryClientProvider } from '@tanstack/react-query'
import { createBrowserRouter, Link, RouterProvider } from 'react-router'
import { ApiProvider } from '../api/api-context'
import { createApiClient } from '../api/client'
import { ApiError } from '../api/errors'
import { HomePage } from '../features/home/HomePage'
import { GuildLayout } from '../features/guild/GuildLayout'
import { PermissionsPage } from '../features/permissions/PermissionsPage'
import { ProgressPage } from '../features/progress/ProgressPage'
import { RegisterPage } from '../features/register/RegisterPage'
import { RosterPage } from '../features/roster/RosterPage'
import { SettingsPage } from '../features/settings/SettingsPage'
import { Layout } from './Layout'
import { usePageTitle } from './usePageTitle'

function NotFoundPage() {
  usePageTitle('Not found')
  return (
    <section className="alert" role="alert">
      <h1>Not found</h1>
      <p>
        There is no such page. <Link to="/">Go home</Link>
      </p>
    </section>
  )
}

const router = createBrowserRouter([
  {
    element: <Layout />,
    children: [
      { path: '/', element: <HomePage /> },
      { path: '/register', element: <RegisterPage /> },
      {
        path: '/guilds/:guildId',
        element: <GuildLayout />,
        children: [
          { path: 'roster', element: <RosterPage /> },
          { path: 'permissions', element: <PermissionsPage /> },
          { path: 'settings', element: <SettingsPage /> },
          { path: 'progress', element: <ProgressPage /> },
        ],
      },
      { path: '*', element: <NotFoundPage /> },
    ],
  },
])

function newQueryClient(): QueryClient {
  return new QueryClient({
    queryCache: new QueryCache(),
    defaultOptions: {
      queries: {
        // guild-api's answer is the truth: a reload or a return to the tab asks again.
        staleTime: 0,
        // An error status is an answer; only an unreachable guild-api is worth asking again, twice.
        retry: (failures, error) => !(error instanceof ApiError) && failures < 2,
      },
    },
  })
}

export function App({ apiUrl }: { apiUrl: string }) {
  return (
    <ApiProvider value={{ apiUrl, client: createApiClient(apiUrl) }}>
      <QueryClientProvider client={newQueryClient()}>
        <RouterProvider router={router} />
      </QueryClientProvider>
    </ApiProvider>
  )
}
