import { useState, type FormEvent } from 'react'
import { Link } from 'react-router'
import { ApiError } from '../../api/errors'
import { useMe, useRealms, useRegisterGuild } from '../../api/queries'
import type { Realm } from '../../api/types'
import { usePageTitle } from '../../app/usePageTitle'
import { ErrorView } from '../../components/ErrorView'
import { Loading } from '../../components/Loading'
import { RealmPicker } from './RealmPicker'

const titleCase = (slug: string) =>
  slug
    .split('-')
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join(' ')

/** Why a registration was refused, in words that say what to do. */
function refusal(error: unknown, name: string, realm: string): string {
  if (!(error instanceof ApiError)) return 'guild-api could not be reached; try again.'
  switch (error.status) {
    case 403:
      return `You are not the guild master of “${name}”: only rank 0 in Battle.net's roster may register it.`
    case 409:
      return `“${name}” on ${realm} is registered already: its members find it on their home page.`
    case 404:
      return `Battle.net knows no guild “${name}” on ${realm}. Check the name and the realm.`
    case 400:
      return `Battle.net does not know that realm or guild: ${error.message}`
    case 429:
      return `Too many registrations; try again in ${error.retryAfterS ?? 60} seconds.`
    default:
      return error.message
  }
}

export function RegisterPage() {
  usePageTitle('Register a guild')
  const me = useMe()
  const realms = useRealms()
  const register = useRegisterGuild()
  const [realm, setRealm] = useState<string | null>(null)
  const [name, setName] = useState('')

  if (me.error) return <ErrorView error={me.error} />
  if (!me.data || realms.isPending) return <Loading what="realms" />
  const mine = [...new Set(me.data.characters.map((c) => c.realm))]
  // When the realm index cannot be had (Battle.net failing), the realms of my own characters still can.
  const list: Realm[] = realms.data ?? mine.map((slug) => ({ slug, name: titleCase(slug) }))
  const chosen = realm ?? mine[0] ?? list[0]?.slug ?? ''
  const realmName = list.find((r) => r.slug === chosen)?.name ?? chosen

  const submit = (e: FormEvent) => {
    e.preventDefault()
    register.mutate({ realm: chosen, name: name.trim() })
  }

  return (
    <section className="card narrow">
      <h1>Register a guild I lead</h1>
      {register.isSuccess ? (
        <div role="status" className="success">
          <p>
            <strong>{register.data.name}</strong> is registered and its roster imported.
          </p>
          <Link className="button primary" to={`/guilds/${register.data.guild_id}/roster`}>
            See the roster
          </Link>
        </div>
      ) : (
        <form onSubmit={submit} noValidate>
          <RealmPicker realms={list} mine={mine} value={chosen} onChange={setRealm} />
          <div className="field">
            <label htmlFor="guild-name">Guild name</label>
            <input
              id="guild-name"
              value={name}
              onChange={(e) => setName(e.target.value)}
              required
              maxLength={100}
              autoComplete="off"
            />
          </div>
          {register.isError ? (
            <p className="error" role="alert">
              {refusal(register.error, name.trim(), realmName)}
            </p>
          ) : null}
          <button
            className="primary"
            type="submit"
            disabled={register.isPending || name.trim() === '' || chosen === ''}
          >
            {register.isPending ? 'Registering…' : 'Register'}
          </button>
        </form>
      )}
    </section>
  )
}
