import { Link } from 'react-router'
import { ApiError } from '../../api/errors'
import { useMe } from '../../api/queries'
import { usePageTitle } from '../../app/usePageTitle'
import { ErrorView } from '../../components/ErrorView'
import { Loading } from '../../components/Loading'
import { SignInPage } from '../auth/SignInPage'
import { GuildCard } from './GuildCard'

export function HomePage() {
  usePageTitle('Home')
  const me = useMe()
  if (me.error instanceof ApiError && me.error.status === 401) return <SignInPage />
  if (me.error) return <ErrorView error={me.error} onRetry={() => void me.refetch()} />
  if (!me.data) return <Loading what="your profile" />
  const { characters, guilds } = me.data
  return (
    <>
      <h1>Welcome, {me.data.battletag.split('#')[0]}</h1>
      <section aria-labelledby="guilds-title">
        <div className="row">
          <h2 id="guilds-title">My guilds</h2>
          <Link className="button" to="/register">
            Register a guild I lead
          </Link>
        </div>
        {guilds.length === 0 ? <p>None of your characters is in a registered guild yet.</p> : null}
        <ul className="cards">
          {guilds.map((g) => (
            <li key={g.guild_id}>
              <GuildCard guild={g} />
            </li>
          ))}
        </ul>
      </section>
      <section aria-labelledby="characters-title">
        <h2 id="characters-title">My characters</h2>
        <ul className="characters">
          {characters.map((c) => (
            <li key={c.id}>
              <strong>{c.name}</strong>{' '}
              <span className="muted">
                {c.realm} · level {c.level}
              </span>
            </li>
          ))}
        </ul>
      </section>
    </>
  )
}
