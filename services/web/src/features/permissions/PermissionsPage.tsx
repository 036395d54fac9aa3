import { useState, type FormEvent } from 'react'
import { API_TOOLS, useMyTools, usePermissions, usePutPermissions } from '../../api/queries'
import type { ToolMap } from '../../api/types'
import { usePageTitle } from '../../app/usePageTitle'
import { ErrorView } from '../../components/ErrorView'
import { Loading } from '../../components/Loading'
import { useGuildId } from '../guild/GuildLayout'
import { PermissionMatrix } from './PermissionMatrix'

const TOOL_NAME = /^[a-z][a-z0-9-]{0,31}$/

export function PermissionsPage() {
  usePageTitle('Permissions')
  const guildId = useGuildId()
  const permissions = usePermissions(guildId)
  const may = useMyTools(guildId, ['permissions'])
  const save = usePutPermissions(guildId)
  const [draft, setDraft] = useState<ToolMap | null>(null)
  const [newTool, setNewTool] = useState('')
  const [newToolProblem, setNewToolProblem] = useState<string | null>(null)

  if (permissions.error) return <ErrorView error={permissions.error} onRetry={() => void permissions.refetch()} />
  if (may.error) return <ErrorView error={may.error} onRetry={() => void may.refetch()} />
  if (!permissions.data || !may.data) return <Loading what="permissions" />
  // Editable only when guild-api said yes; any doubt leaves it read-only.
  const editable = may.data.tools.permissions === true
  const map = draft ?? permissions.data.tools
  const tools = [...new Set([...API_TOOLS, ...Object.keys(map)])].sort()
  const change = (tool: string, rank: number) => {
    save.reset()
    setDraft({ ...map, [tool]: rank })
  }
  const addTool = (e: FormEvent) => {
    e.preventDefault()
    const name = newTool.trim()
    if (!TOOL_NAME.test(name))
      return setNewToolProblem(
        'A tool name is a lower-case letter, then up to 31 lower-case letters, digits or dashes.',
      )
    if (tools.includes(name)) return setNewToolProblem(`${name} is in the matrix already.`)
    setNewToolProblem(null)
    setNewTool('')
    change(name, 0)
  }

  return (
    <section aria-labelledby="permissions-title">
      <h2 id="permissions-title">Permissions</h2>
      <p>
        {editable
          ? 'Choose, for each tool, the highest rank that may use it. Changes apply to everyone at once.'
          : 'Read-only: changing permissions needs the permissions tool.'}
      </p>
      <PermissionMatrix tools={tools} map={map} editable={editable} onChange={change} />
      {editable ? (
        <>
          <form className="inline" onSubmit={addTool} noValidate>
            <div className="field">
              <label htmlFor="new-tool">Add a tool</label>
              <input
                id="new-tool"
                value={newTool}
                onChange={(e) => setNewTool(e.target.value)}
                aria-invalid={newToolProblem !== null}
                aria-describedby={newToolProblem ? 'new-tool-problem' : undefined}
                placeholder="progress"
              />
              {newToolProblem ? (
                <p id="new-tool-problem" className="error">
                  {newToolProblem}
                </p>
              ) : null}
            </div>
            <button type="submit">Add</button>
          </form>
          <div className="actions">
            <button
              className="primary"
              type="button"
              disabled={draft === null || save.isPending}
              onClick={() => save.mutate(map, { onSuccess: () => setDraft(null) })}
            >
              {save.isPending ? 'Saving…' : 'Save permissions'}
            </button>
            {draft !== null ? (
              <button type="button" onClick={() => setDraft(null)}>
                Discard changes
              </button>
            ) : null}
          </div>
          {save.isSuccess ? (
            <p role="status" className="success">
              Saved.
            </p>
          ) : null}
          {save.isError ? <ErrorView error={save.error} tool="permissions" /> : null}
        </>
      ) : null}
    </section>
  )
}
