/**
 * The request-signing convention exchange clients already implement:
 *   X-SIGNATURE = hex(HMAC-SHA256(secret, timestamp + METHOD + path-with-query + raw body))
 * with X-TIMESTAMP in milliseconds since the epoch. A WebSocket sign-in signs
 * the server's per-connection nonce the same way, as method AUTH on /ws:
 *   signature = hex(HMAC-SHA256(secret, timestamp + "AUTH" + "/ws" + nonce))
 * The secret is used as its UTF-8 text (the 64 hex characters shown once).
 */
import { createHmac } from 'node:crypto'

export const WS_SIGN_IN_METHOD = 'AUTH'
export const WS_SIGN_IN_PATH = '/ws'

export function signingPayload (timestamp: string, method: string, pathWithQuery: string, body: string): string {
  return timestamp + method.toUpperCase() + pathWithQuery + body
}

export function sign (secret: string, payload: string): string {
  return createHmac('sha256', secret).update(payload).digest('hex')
}

/** What a client signs to sign in on a WebSocket connection that sent it `nonce`. */
export function wsSignInPayload (timestamp: string, nonce: string): string {
  return signingPayload(timestamp, WS_SIGN_IN_METHOD, WS_SIGN_IN_PATH, nonce)
}
