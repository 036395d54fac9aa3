import { useMyTools } from '../../api/queries'
import { usePageTitle } from '../../app/usePageTitle'
import { ErrorView } from '../../components/ErrorView'
import { Loading } from '../../components/Loading'
import { useGuildId } from '../guild/GuildLayout'

/**
 * `progress`, a tool of the frontend's own: guild-api stores and checks it like its own tools, and
 * this screen opens only on guild-api's yes.
 */
export function ProgressPage() {
  usePageTitle('Progress')
  const guildId = useGuildId()
  const may = useMyTools(guildId, ['progress'])
  if (may.error) return <ErrorView error={may.error} onRetry={() => void may.refetch()} />
  if (!may.data) return <Loading what="progress" />
  if (may.data.tools.progress !== true) {
    return (
      <section className="alert" role="alert">
        <h2>Not allowed</h2>
        <p>
          This needs the <strong>progress</strong> tool, which your rank in this guild may not use.
        </p>
      </section>
    )
  }
  return (
    <section aria-labelledby="progress-title">
      <h2 id="progress-title">Progress</h2>
      <p>Raid progress for your guild will appear here. Your rank may use this tool.</p>
    </section>
  )
}
