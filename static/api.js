// HTTP to the service. Public market data goes unsigned; trading and private
// requests are signed with the tab's key (signing.js) unless the server said
// its authentication is off. The body is serialised once, and that exact text
// is both signed and sent.
/* global fetch */
import { credentials } from './credentials.js'
import { signedHeaders } from './signing.js'

let authMode = 'unknown' // 'required' | 'off' once the WebSocket 'connected' message told us

export function setAuthMode (mode) {
  authMode = mode
}

export function getAuthMode () {
  return authMode
}

// Resolves to { ok, status, body } and never throws on HTTP errors.
export async function getJson (path) {
  const res = await fetch(path, { headers: { accept: 'application/json' } })
  return { ok: res.ok, status: res.status, body: await readBody(res) }
}

// method and pathWithQuery exactly as sent (the signature covers them);
// payload undefined for a request without a body.
export async function privateRequest (method, pathWithQuery, payload) {
  const body = payload === undefined ? '' : JSON.stringify(payload)
  const headers = { accept: 'application/json' }
  if (payload !== undefined) headers['content-type'] = 'application/json'
  const creds = credentials()
  if (creds !== null && authMode !== 'off') Object.assign(headers, await signedHeaders(creds, method, pathWithQuery, body))
  const res = await fetch(pathWithQuery, { method, headers, body: payload === undefined ? undefined : body })
  return { ok: res.ok, status: res.status, body: await readBody(res) }
}

export const postJson = (path, payload) => privateRequest('POST', path, payload)

async function readBody (res) {
  const text = await res.text()
  try {
    return text ? JSON.parse(text) : {}
  } catch {
    return { error: text.slice(0, 200) || res.statusText, error_code: `HTTP_${res.status}` }
  }
}

const HINTS = {
  INVALID_API_KEY: 'sign in with a valid, active API key',
  INVALID_TIMESTAMP: "this computer's clock differs too much from the server's",
  INVALID_SIGNATURE: 'the secret does not match the key id',
  FORBIDDEN: 'this key lacks the permission for that'
}

export function describeError (body, status) {
  const msg = body?.error || `HTTP ${status}`
  const code = body?.error_code ? ` [${body.error_code}]` : ''
  const hint = HINTS[body?.error_code] ? ` – ${HINTS[body.error_code]}` : ''
  let details = ''
  if (body?.details !== undefined && body.details !== null) {
    details = typeof body.details === 'string' ? body.details : JSON.stringify(body.details)
    details = ` – ${details.slice(0, 160)}`
  }
  return `${msg}${code}${hint}${details}`
}
