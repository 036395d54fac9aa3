import { loginUrl, useApi } from '../api/api-context'
import { ApiError, ApiUnreachableError } from '../api/errors'

interface Props {
  error: unknown
  /** The tool this screen needs, named on a 403. */
  tool?: string
  onRetry?: () => void
}

/**
 * An error as a person needs it. Whatever it is, the screen it replaces is not shown: a page whose
 * permission was not established never looks allowed.
 */
export function ErrorView({ error, tool, onRetry }: Props) {
  const { apiUrl } = useApi()
  const retry = onRetry ? (
    <button type="button" onClick={onRetry}>
      Try again
    </button>
  ) : null
  if (error instanceof ApiUnreachableError) {
    return (
      <Alert title="guild-api cannot be reached">
        <p>The guild tools server is not answering. Check your connection, then try again.</p>
        {retry}
      </Alert>
    )
  }
  if (!(error instanceof ApiError)) {
    return <Alert title="Something went wrong">{retry}</Alert>
  }
  switch (error.status) {
    case 401:
      return (
        <Alert title="Please sign in again">
          <p>Your session has ended. Sign in and you will come back to this page.</p>
          <a className="button" href={loginUrl(apiUrl, window.location.href)}>
            Sign in with Battle.net
          </a>
        </Alert>
      )
    case 403:
      return (
        <Alert title="Not allowed">
          <p>
            {tool ? (
              <>
                This needs the <strong>{tool}</strong> tool, which your rank in this guild may not use.
              </>
            ) : (
              error.message
            )}
          </p>
          {tool ? <p className="detail">{error.message}</p> : null}
        </Alert>
      )
    case 404:
      return (
        <Alert title="Not found">
          <p>{error.message}</p>
        </Alert>
      )
    case 429:
      return (
        <Alert title="Too many requests">
          <p>
            {error.retryAfterS === undefined
              ? 'Wait a moment, then try again.'
              : `Try again in ${error.retryAfterS} second${error.retryAfterS === 1 ? '' : 's'}.`}
          </p>
          {retry}
        </Alert>
      )
    case 503:
      return (
        <Alert title="The permission check is unavailable">
          <p>
            Whether you may see this could not be established right now, so nothing is shown. Try again in a moment.
          </p>
          {retry}
        </Alert>
      )
    default:
      return (
        <Alert title={`Error ${error.status}`}>
          <p>{error.message}</p>
          {retry}
        </Alert>
      )
  }
}

function Alert({ title, children }: { title: string; children?: React.ReactNode }) {
  return (
    <section className="alert" role="alert" aria-labelledby="alert-title">
      <h2 id="alert-title">{title}</h2>
      {children}
    </section>
  )
}
