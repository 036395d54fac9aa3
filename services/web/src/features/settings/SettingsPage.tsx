import { useState, type FormEvent } from 'react'
import { ApiError } from '../../api/errors'
import { useMyTools, usePutSettings, useSettings } from '../../api/queries'
import type { Settings } from '../../api/types'
import { usePageTitle } from '../../app/usePageTitle'
import { ErrorView } from '../../components/ErrorView'
import { Loading } from '../../components/Loading'
import { useGuildId } from '../guild/GuildLayout'
import { fieldOfMessage, kindOf, parseFields, type FieldKind } from './settings-fields'

export function SettingsPage() {
  usePageTitle('Settings')
  const guildId = useGuildId()
  const settings = useSettings(guildId)
  const may = useMyTools(guildId, ['settings'])
  // Here, not in the form: the form starts afresh from each saved object, the outcome stays.
  const save = usePutSettings(guildId)
  if (settings.error) return <ErrorView error={settings.error} onRetry={() => void settings.refetch()} />
  if (may.error) return <ErrorView error={may.error} onRetry={() => void may.refetch()} />
  if (!settings.data || !may.data) return <Loading what="settings" />
  return (
    <SettingsForm
      key={JSON.stringify(settings.data)}
      save={save}
      initial={settings.data}
      editable={may.data.tools.settings === true}
    />
  )
}

function SettingsForm({
  save,
  initial,
  editable,
}: {
  save: ReturnType<typeof usePutSettings>
  initial: Settings
  editable: boolean
}) {
  const entries = Object.entries(initial as Record<string, unknown>)
  const [kinds, setKinds] = useState<Record<string, FieldKind>>(
    Object.fromEntries(entries.map(([k, v]) => [k, kindOf(v)])),
  )
  const [values, setValues] = useState<Record<string, string>>(
    Object.fromEntries(
      entries.map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v, null, kindOf(v) === 'json' ? 2 : 0)]),
    ),
  )
  const [local, setLocal] = useState<{ field: string | null; problem: string } | null>(null)
  const [newName, setNewName] = useState('')
  const fields = Object.keys(values)

  const serverProblem =
    save.error instanceof ApiError && (save.error.status === 400 || save.error.status === 413)
      ? save.error.message
      : null
  const serverField = serverProblem === null ? null : fieldOfMessage(serverProblem, fields)
  const problemOf = (field: string) =>
    local?.field === field ? local.problem : serverField === field ? serverProblem : null
  const formProblem =
    local && local.field === null
      ? local.problem
      : serverProblem !== null && serverField === null
        ? serverProblem
        : null

  const submit = (e: FormEvent) => {
    e.preventDefault()
    const parsed = parseFields(values, kinds)
    if ('problem' in parsed) return setLocal({ field: parsed.field, problem: `${parsed.field} ${parsed.problem}` })
    setLocal(null)
    save.mutate(parsed.settings)
  }
  const add = () => {
    const name = newName.trim()
    if (name === '' || name in values)
      return setLocal({ field: null, problem: name === '' ? 'Name the new setting.' : `${name} exists already.` })
    setLocal(null)
    setKinds({ ...kinds, [name]: 'text' })
    setValues({ ...values, [name]: '' })
    setNewName('')
  }

  return (
    <section aria-labelledby="settings-title">
      <h2 id="settings-title">Settings</h2>
      {!editable ? <p>Read-only: changing settings needs the settings tool.</p> : null}
      <form onSubmit={submit} noValidate>
        {fields.length === 0 ? <p className="muted">No settings yet.</p> : null}
        {fields.map((name) => {
          const problem = problemOf(name)
          const id = `setting-${name}`
          const common = {
            id,
            disabled: !editable,
            'aria-invalid': problem !== null,
            'aria-describedby': problem ? `${id}-problem` : undefined,
          }
          const set = (value: string) => setValues({ ...values, [name]: value })
          return (
            <div className="field" key={name}>
              <label htmlFor={id}>{name}</label>
              {kinds[name] === 'boolean' ? (
                <select {...common} value={values[name]} onChange={(e) => set(e.target.value)}>
                  <option value="true">yes</option>
                  <option value="false">no</option>
                </select>
              ) : kinds[name] === 'json' ? (
                <textarea {...common} rows={4} value={values[name]} onChange={(e) => set(e.target.value)} />
              ) : (
                <input
                  {...common}
                  type={kinds[name] === 'number' ? 'number' : 'text'}
                  value={values[name]}
                  onChange={(e) => set(e.target.value)}
                />
              )}
              {problem ? (
                <p id={`${id}-problem`} className="error">
                  {problem}
                </p>
              ) : null}
            </div>
          )
        })}
        {editable ? (
          <>
            <div className="inline">
              <div className="field">
                <label htmlFor="new-setting">New setting</label>
                <input id="new-setting" value={newName} onChange={(e) => setNewName(e.target.value)} />
              </div>
              <button type="button" onClick={add}>
                Add
              </button>
            </div>
            {formProblem ? (
              <p className="error" role="alert">
                {formProblem}
              </p>
            ) : null}
            <button className="primary" type="submit" disabled={save.isPending}>
              {save.isPending ? 'Saving…' : 'Save settings'}
            </button>
            {save.isSuccess ? (
              <p role="status" className="success">
                Saved.
              </p>
            ) : null}
            {save.error && serverProblem === null ? <ErrorView error={save.error} tool="settings" /> : null}
          </>
        ) : null}
      </form>
    </section>
  )
}
