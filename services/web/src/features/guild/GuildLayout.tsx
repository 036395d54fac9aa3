import { NavLink, Outlet, useParams } from 'react-router'
import { useGuild } from '../../api/queries'
import { ErrorView } from '../../components/ErrorView'
import { Loading } from '../../components/Loading'

/** A registered guild's screens under one heading and one set of tabs. */
export function GuildLayout() {
  const guildId = useGuildId()
  const guild = useGuild(guildId)
  if (guild.error) return <ErrorView error={guild.error} onRetry={() => void guild.refetch()} />
  if (!guild.data) return <Loading what="the guild" />
  return (
    <>
      <div className="guild-head">
        <h1>{guild.data.name}</h1>
        <p className="muted">
          {guild.data.realm} · {guild.data.member_count} members
        </p>
      </div>
      <nav aria-label="Guild tools" className="tabs">
        <NavLink to="roster">Roster</NavLink>
        <NavLink to="permissions">Permissions</NavLink>
        <NavLink to="settings">Settings</NavLink>
      </nav>
      <Outlet />
    </>
  )
}

export function useGuildId(): string {
  const { guildId } = useParams()
  return guildId ?? ''
}
