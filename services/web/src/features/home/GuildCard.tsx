import { Link } from 'react-router'
import { API_TOOLS, useMyTools, usePermissions } from '../../api/queries'
import type { Me } from '../../api/types'

const SCREENS: Record<string, string> = {
  roster: 'roster',
  permissions: 'permissions',
  settings: 'settings',
  progress: 'progress',
}

/** One of my guilds: my rank, and the tools I may use there. */
export function GuildCard({ guild }: { guild: Me['guilds'][number] }) {
  const id = String(guild.guild_id)
  const permissions = usePermissions(id)
  const tools = [...new Set([...API_TOOLS, ...Object.keys(permissions.data?.tools ?? {})])].sort()
  const mine = useMyTools(id, tools, permissions.isSuccess)
  const allowed = Object.entries(mine.data?.tools ?? {})
    .filter(([, may]) => may)
    .map(([tool]) => tool)
  return (
    <article className="card" aria-labelledby={`guild-${id}`}>
      <h3 id={`guild-${id}`}>{guild.name}</h3>
      <p className="muted">
        {guild.realm} · my rank {guild.rank}
        {guild.rank === 0 ? ' (guild master)' : ''}
      </p>
      <h4>Tools I may use</h4>
      {permissions.isError || mine.isError ? (
        <p>Your tools could not be checked right now; try again later.</p>
      ) : !mine.data ? (
        <p className="muted">Checking…</p>
      ) : allowed.length === 0 ? (
        <p>None.</p>
      ) : (
        <ul className="tools" aria-label={`Tools I may use in ${guild.name}`}>
          {allowed.map((tool) => (
            <li key={tool}>
              {SCREENS[tool] ? <Link to={`/guilds/${id}/${SCREENS[tool]}`}>{tool}</Link> : <span>{tool}</span>}
            </li>
          ))}
        </ul>
      )}
      <p>
        <Link to={`/guilds/${id}/permissions`}>Permissions</Link> · <Link to={`/guilds/${id}/settings`}>Settings</Link>
      </p>
    </article>
  )
}
