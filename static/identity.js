// Who the page trades as, and the WebSocket side of it. Every 'connected'
// message says whether the server wants signed requests (auth) and carries a
// fresh nonce; a signed-in tab then signs the nonce ({type: 'auth'}) and,
// once the server answers 'authenticated', subscribes to its private
// channels. Every reconnect signs in again with the new nonce.
/* global console */
import { credentials, loadCredentials, saveCredentials, clearCredentials, KEY_ID_PATTERN } from './credentials.js'
import { canSign, nextTimestamp, sign, wsSignInPayload } from './signing.js'
import { setAuthMode } from './api.js'

export const PRIVATE_CHANNELS = ['orders', 'fills']

const HINTS = {
  INVALID_API_KEY: 'unknown or revoked key, or a disabled account',
  INVALID_TIMESTAMP: "this computer's clock differs too much from the server's",
  INVALID_SIGNATURE: 'the secret does not belong to this key id',
  REPLAYED_REQUEST: 'the same sign-in was already used'
}

export class Identity {
  // onStatus(status): for the sign-in panel, status.kind one of off | signed-out |
  //   waiting | signing-in | signed-in | error.
  // onPrivate(ready): true once the private channels are subscribed (REST
  //   data may be loaded), false when the page no longer acts for an account.
  constructor ({ conn, onStatus = () => {}, onPrivate = () => {} }) {
    Object.assign(this, { conn, onStatus, onPrivate })
    this.mode = 'unknown'
    this.nonce = null
    this.attempted = false // a sign-in was sent on this connection
    this.authRequestId = null
    this.account = null
    this.privateIds = new Set() // request ids of the private subscriptions
    loadCredentials()
  }

  get signedIn () {
    return this.account !== null
  }

  // The credentials the REST layer should sign with (null when signed out).
  get credentials () {
    return credentials()
  }

  start () {
    this.onStatus(credentials() ? { kind: 'waiting' } : { kind: 'signed-out' })
  }

  onConnected (msg) {
    // A server from before identity sends no auth field: it is open.
    this.mode = msg.auth === 'required' ? 'required' : 'off'
    setAuthMode(this.mode)
    this.nonce = typeof msg.nonce === 'string' ? msg.nonce : null
    this.attempted = false
    this.authRequestId = null
    this.account = null
    if (this.mode === 'off') {
      this.onStatus({ kind: 'off' })
      this.subscribePrivate()
    } else if (credentials()) {
      this.signInOnConnection()
    } else {
      this.onStatus({ kind: 'signed-out' })
      this.onPrivate(false)
    }
  }

  onAuthenticated (msg) {
    if (msg.id !== undefined && msg.id !== this.authRequestId) return
    this.authRequestId = null
    this.account = String(msg.account_id ?? '')
    const permissions = Array.isArray(msg.permissions) ? msg.permissions.map(String) : []
    this.onStatus({ kind: 'signed-in', account: this.account, permissions })
    this.subscribePrivate()
  }

  // True when the error answers our sign-in or a private subscription.
  handleError (msg) {
    const answersSignIn = msg.id !== undefined ? msg.id === this.authRequestId : this.authRequestId !== null && msg.code in HINTS
    if (answersSignIn) {
      this.authRequestId = null
      this.fail(msg.code, msg.message)
      return true
    }
    if (msg.id !== undefined && this.privateIds.has(msg.id)) {
      this.privateIds.delete(msg.id)
      this.onStatus({ kind: 'error', message: `Private feed refused: ${msg.message ?? ''} [${msg.code ?? 'error'}]` })
      return true
    }
    return false
  }

  // From the sign-in form. Returns an error text for the form, or null.
  signIn (keyId, secret) {
    if (!KEY_ID_PATTERN.test(keyId)) return 'The key id is 32 lowercase hex characters (as printed by npm run admin -- quickstart).'
    if (secret.length === 0) return 'Enter the secret shown when the key was created.'
    if (!canSign()) return 'This page is not a secure context (HTTPS or localhost): the browser cannot sign here.'
    if (this.mode === 'off') return 'Authentication is off on this server: no sign-in is needed.'
    saveCredentials(keyId, secret)
    if (this.mode === 'unknown' || !this.conn.open) {
      this.onStatus({ kind: 'waiting' })
    } else if (this.attempted) {
      this.conn.restart() // one sign-in per connection: a fresh one signs in on 'connected'
    } else {
      this.signInOnConnection()
    }
    return null
  }

  signOut () {
    clearCredentials()
    const wasSignedIn = this.attempted
    this.account = null
    this.authRequestId = null
    if (this.mode === 'off') {
      this.onStatus({ kind: 'off' }) // still trading, anonymously
      return
    }
    this.onPrivate(false)
    this.onStatus({ kind: 'signed-out' })
    // The server still counts the connection as signed in: start a fresh one.
    if (wasSignedIn) this.conn.restart()
  }

  async signInOnConnection () {
    const creds = credentials()
    const nonce = this.nonce
    if (!creds) return
    if (nonce === null) {
      this.fail('NO_NONCE', 'the server sent no sign-in nonce')
      return
    }
    this.attempted = true
    this.onStatus({ kind: 'signing-in' })
    let signature
    const timestamp = nextTimestamp()
    try {
      signature = await sign(creds.secret, wsSignInPayload(timestamp, nonce))
    } catch (err) {
      this.fail('SIGNING_FAILED', err.message)
      return
    }
    if (this.nonce !== nonce || credentials() !== creds) return // reconnected or signed out meanwhile
    this.authRequestId = this.conn.send({ type: 'auth', api_key: creds.keyId, timestamp, signature })
  }

  subscribePrivate () {
    this.privateIds.clear()
    for (const channel of PRIVATE_CHANNELS) {
      const id = this.conn.send({ type: 'subscribe', channel })
      if (id !== null) this.privateIds.add(id)
    }
    this.onPrivate(true)
  }

  // A refused sign-in: forget the key (it would be refused again on every
  // reconnect) and say why, with the server's code.
  fail (code, message) {
    console.warn('sign-in refused', code, message)
    clearCredentials()
    this.account = null
    this.onPrivate(false)
    const hint = HINTS[code] ? ` (${HINTS[code]})` : ''
    this.onStatus({ kind: 'error', code, message: `Sign-in refused: ${message ?? 'error'} [${code ?? 'error'}]${hint}` })
  }

  // A subscription answer for a private channel: it is no longer pending.
  onSubscribed (msg) {
    if (msg.id !== undefined) this.privateIds.delete(msg.id)
  }
}
