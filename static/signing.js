// Request signing in the browser, with WebCrypto: the same convention as the
// server's src/auth/signature.ts (the e2e test compares the two on a vector).
//   X-SIGNATURE = hex(HMAC-SHA256(secret, timestamp + METHOD + path-with-query + raw body))
// The secret is used as its UTF-8 text. It never leaves this module's caller
// except as signatures.
/* global crypto, TextEncoder */

export const WS_SIGN_IN_METHOD = 'AUTH'
export const WS_SIGN_IN_PATH = '/ws'

const encoder = new TextEncoder()
let cached = { secret: null, key: null } // one imported key: re-importing per request is wasted work

export function signingPayload (timestamp, method, pathWithQuery, body) {
  return String(timestamp) + method.toUpperCase() + pathWithQuery + body
}

export function wsSignInPayload (timestamp, nonce) {
  return signingPayload(timestamp, WS_SIGN_IN_METHOD, WS_SIGN_IN_PATH, nonce)
}

// False on a page served over plain HTTP from a host other than localhost:
// browsers only offer crypto.subtle to secure contexts.
export function canSign () {
  return typeof crypto !== 'undefined' && crypto.subtle !== undefined
}

async function hmacKey (secret) {
  if (cached.secret !== secret) {
    const key = await crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign'])
    cached = { secret, key }
  }
  return cached.key
}

// Lowercase hex HMAC-SHA256 of payload under the secret's UTF-8 bytes.
export async function sign (secret, payload) {
  if (!canSign()) throw new Error('this page is not a secure context (use HTTPS or localhost): the browser offers no WebCrypto to sign with')
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', await hmacKey(secret), encoder.encode(payload)))
  let hex = ''
  for (const byte of mac) hex += byte.toString(16).padStart(2, '0')
  return hex
}

let lastTimestamp = 0

// Milliseconds, strictly increasing within the tab: two identical requests in
// the same millisecond would otherwise carry the same signature, which the
// server refuses as a replay.
export function nextTimestamp (now = Date.now()) {
  lastTimestamp = Math.max(now, lastTimestamp + 1)
  return String(lastTimestamp)
}

// The three headers of a signed request; body is the exact text sent ('' for none).
export async function signedHeaders ({ keyId, secret }, method, pathWithQuery, body) {
  const timestamp = nextTimestamp()
  const signature = await sign(secret, signingPayload(timestamp, method, pathWithQuery, body))
  return { 'X-API-KEY': keyId, 'X-TIMESTAMP': timestamp, 'X-SIGNATURE': signature }
}
