// Signed requests, for a service started with AUTH=required (its default). With API_KEY and API_SECRET set,
// every private request (order, cancel, order status) carries
//   X-API-KEY    the key id
//   X-TIMESTAMP  milliseconds since the epoch, as decimal digits
//   X-SIGNATURE  hex HMAC-SHA256(secret, timestamp + METHOD + path-with-query + raw body)
// which is src/auth/signature.ts's convention (test/load/k6-scripts.test.ts checks that the two agree).
// Without a key the requests go unsigned: for a service started with AUTH=off.
// The secret is the 64 hex characters the admin API showed once, used as its text.
import crypto from 'k6/crypto'
import { BASE_URL, env } from './config.js'

export const API_KEY = env('API_KEY', '')
const API_SECRET = env('API_SECRET', '')
if ((API_KEY === '') !== (API_SECRET === '')) {
  throw new Error('set both API_KEY and API_SECRET (a key id and its secret: npm run admin -- quickstart prints them), or neither for an AUTH=off service')
}

// The server signs the path it receives: BASE_URL's own path (if the service is mounted below one) + the route.
const BASE_PATH = BASE_URL.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/]*/i, '')

/** True when requests are signed (a key was given). */
export function signing () {
  return API_KEY !== ''
}

/** What is signed: timestamp + METHOD + path-with-query + raw body ('' when there is none). */
export function signingPayload (timestamp, method, pathWithQuery, body) {
  return timestamp + method.toUpperCase() + pathWithQuery + body
}

/**
 * The headers of one request to `path` (route path with its query, after BASE_URL), merged into `headers`:
 * the three signature headers with a key, `headers` unchanged without one. A fresh timestamp each call, so a
 * body sent twice is two different signatures (the service refuses a signature it has already seen).
 */
export function authHeaders (method, path, body, headers) {
  const out = Object.assign({}, headers)
  if (!signing()) return out
  const timestamp = String(Date.now())
  out['X-API-KEY'] = API_KEY
  out['X-TIMESTAMP'] = timestamp
  out['X-SIGNATURE'] = crypto.hmac('sha256', API_SECRET, signingPayload(timestamp, method, BASE_PATH + path, body || ''), 'hex')
  return out
}

/**
 * The `auth` message that signs a WebSocket in over the nonce its `connected` message carried
 * (src/auth/signature.ts's wsSignInPayload: timestamp + "AUTH" + "/ws" + nonce), or null without a key.
 */
export function wsSignIn (nonce) {
  if (!signing()) return null
  const timestamp = Date.now()
  return {
    type: 'auth',
    api_key: API_KEY,
    timestamp,
    signature: crypto.hmac('sha256', API_SECRET, signingPayload(String(timestamp), 'AUTH', '/ws', nonce), 'hex'),
    id: 'signin'
  }
}
