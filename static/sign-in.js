// The sign-in panel: key id and secret in, a status line out. The secret
// input is cleared as soon as it is read; the key lives in credentials.js.
import { $ } from './ui.js'

const STATUS_CLASS = { 'signed-in': 'ok', off: 'info', error: 'error' }

export function setupSignIn (identity) {
  $('signin-form').addEventListener('submit', (e) => {
    e.preventDefault()
    const keyId = $('api_key_id').value.trim()
    const secret = $('api_secret').value.trim()
    const problem = identity.signIn(keyId, secret)
    if (problem !== null) {
      renderSignIn({ kind: 'error', message: problem })
      return
    }
    $('api_secret').value = ''
  })
  $('signout-btn').addEventListener('click', () => identity.signOut())
}

// hasKey: the tab holds a key (sign out is offered even when a feed was refused).
export function renderSignIn (status, hasKey = false) {
  const text = {
    off: 'Authentication is off on this server: orders are placed anonymously, no key needed.',
    'signed-out': 'Signed out. Sign in with an API key to trade (npm run admin -- quickstart prints one).',
    waiting: 'Key kept for this tab; signing in when the connection is up…',
    'signing-in': 'Signing in…',
    'signed-in': `Signed in as ${status.account} (${(status.permissions ?? []).join(', ') || 'no permissions'})`,
    error: status.message
  }[status.kind] ?? ''
  const el = $('signin-status')
  el.textContent = text
  el.className = `signin-status ${STATUS_CLASS[status.kind] ?? ''}`
  el.dataset.state = status.kind
  const active = status.kind === 'signed-in' || status.kind === 'signing-in' || status.kind === 'waiting'
  $('signin-form').hidden = active || status.kind === 'off'
  $('signout-btn').hidden = !(active || hasKey)
}
