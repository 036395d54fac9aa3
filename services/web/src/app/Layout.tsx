import { Link, Outlet, useNavigate } from 'react-router'
import { useLogout, useMe } from '../api/queries'
import { ApiDownBanner } from '../components/ApiDownBanner'

export function Layout() {
  const me = useMe()
  const logout = useLogout()
  const navigate = useNavigate()
  return (
    <>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="top">
        <Link to="/" className="brand">
          Guild tools
        </Link>
        {me.data ? (
          <div className="who">
            <span>{me.data.battletag}</span>
            <button
              type="button"
              disabled={logout.isPending}
              onClick={() => logout.mutate(undefined, { onSettled: () => void navigate('/') })}
            >
              Sign out
            </button>
          </div>
        ) : null}
      </header>
      <ApiDownBanner />
      <main id="main" tabIndex={-1}>
        <Outlet />
      </main>
    </>
  )
}
