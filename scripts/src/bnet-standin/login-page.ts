import type { FixtureUser } from './fixtures.js'

const escapeHtml = (value: string): string =>
  value.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string,
  )

/**
 * The page /oauth/authorize shows without a usable `login_hint`: one link per fixture user, each
 * repeating the authorize request with that user's id as the hint, so a click completes the login.
 */
export function loginPage(users: FixtureUser[], authorizeParams: Record<string, string>, unknownHint?: string): string {
  const items = users
    .map((user) => {
      const params = new URLSearchParams({ ...authorizeParams, login_hint: String(user.id) })
      const characters = user.characters.map((c) => `${c.name} (${c.realm}, ${c.level})`).join(', ') || 'no characters'
      return (
        `<li><a href="?${escapeHtml(params.toString())}">${escapeHtml(user.battletag)}</a> ` +
        `<small>${escapeHtml(characters)}</small></li>`
      )
    })
    .join('\n')
  const notice = unknownHint ? `<p>No fixture user matches login_hint <code>${escapeHtml(unknownHint)}</code>.</p>` : ''
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Battle.net stand-in: log in</title></head>
<body>
<h1>Battle.net stand-in</h1>
${notice}<p>Log in as:</p>
<ul>
${items}
</ul>
</body>
</html>
`
}
