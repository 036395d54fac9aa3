import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { App } from './app/App'
import './styles.css'

/** guild-api's URL comes at run time, so one build serves every environment. */
async function loadConfig(): Promise<{ apiUrl: string }> {
  const res = await fetch('/config.json', { cache: 'no-store' })
  if (!res.ok) throw new Error(`/config.json answered ${res.status}`)
  const config = (await res.json()) as { apiUrl?: unknown }
  if (typeof config.apiUrl !== 'string') throw new Error('/config.json has no apiUrl')
  return { apiUrl: config.apiUrl }
}

const root = createRoot(document.getElementById('root') as HTMLElement)
loadConfig().then(
  ({ apiUrl }) =>
    root.render(
      <StrictMode>
        <App apiUrl={apiUrl} />
      </StrictMode>,
    ),
  (err: unknown) =>
    root.render(
      <main className="alert" role="alert">
        <h1>The app could not start</h1>
        <p>{String(err)}</p>
      </main>,
    ),
)
