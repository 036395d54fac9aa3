import { loginUrl, useApi } from '../../api/api-context'
import { usePageTitle } from '../../app/usePageTitle'

export function SignInPage() {
  usePageTitle('Sign in')
  const { apiUrl } = useApi()
  return (
    <section className="card narrow">
      <h1>Guild tools</h1>
      <p>Your guild's roster, permissions and settings, for the guild master and the officers they trust.</p>
      <a className="button primary" href={loginUrl(apiUrl, window.location.href)}>
        Sign in with Battle.net
      </a>
    </section>
  )
}
