/**
 * Verifies one signed attempt (a REST request or a WebSocket sign-in) in the
 * contract's order; the first failure answers:
 *   1. X-API-KEY missing/malformed, unknown, revoked, account disabled, or a
 *      key the master secret in use does not derive    → INVALID_API_KEY
 *   2. X-TIMESTAMP missing/malformed or |now − ts| > window → INVALID_TIMESTAMP
 *   3. signature malformed or not HMAC(secret, payload) → INVALID_SIGNATURE
 *   4. the same signature already accepted in the window → REPLAYED_REQUEST
 *      (the cache full of live entries                  → OVERLOADED)
 *   5. the key lacks the permission asked for           → FORBIDDEN
 * The signature is compared with timingSafeEqual on the decoded bytes.
 * Pure: no web framework; the clock and the key lookup are injected.
 */
import { createHmac, timingSafeEqual } from 'node:crypto'
import { ErrorCode } from '../../schemas/errors.js'
import type { Permission } from '../../schemas/identity.js'
import type { ApiKeyRecord, Outcome, Refusal } from '../exchange/exchange.js'
import { deriveSecret, fingerprintOf } from './key-secrets.js'
import { ReplayCache } from './replay-cache.js'

const KEY_ID = /^[0-9a-f]{32}$/
const TIMESTAMP = /^[0-9]{1,16}$/
const SIGNATURE = /^[0-9a-f]{64}$/
/** Derived secrets kept in memory (never on disk), so a busy key costs one HMAC per request, not three. */
const SECRET_CACHE_MAX = 10_000

/** One signed attempt, as received. */
export interface SignedAttempt {
  /** X-API-KEY (or the WebSocket message's api_key). */
  readonly keyId: string | undefined
  /** X-TIMESTAMP as the client sent it: the decimal text of ms since the epoch. */
  readonly timestamp: string | undefined
  /** X-SIGNATURE: 64 lowercase hex digits. */
  readonly signature: string | undefined
  /** What the client signed, built from that timestamp text: signingPayload(...) or wsSignInPayload(...). */
  readonly payload: string
  /** The permission the route needs; null to check the signature only. */
  readonly permission: Permission | null
}

/** The key an attempt proved it holds. */
export interface VerifiedKey {
  readonly accountId: string
  readonly keyId: string
  readonly permissions: readonly Permission[]
}

export interface VerifierOptions {
  /** The key as the state holds it now (Exchange.apiKey); null if unknown. */
  readonly lookup: (keyId: string) => ApiKeyRecord | null
  readonly masterSecret: string
  /** AUTH_RECV_WINDOW_MS */
  readonly recvWindowMs: number
  /** AUTH_REPLAY_CACHE_MAX */
  readonly replayCacheMax: number
  /** ms since the epoch (Date.now in production). */
  readonly clock: () => number
}

export interface Verifier {
  verify (attempt: SignedAttempt): Outcome<VerifiedKey>
  /** Whether the master secret in use derives this key's secret (its fingerprint matches). */
  derives (record: ApiKeyRecord): boolean
}

const refuse = (code: ErrorCode, message: string): Refusal => ({ ok: false, code, message })

export function createVerifier (options: VerifierOptions): Verifier {
  const { lookup, masterSecret, recvWindowMs, clock } = options
  const replays = new ReplayCache(2 * recvWindowMs, options.replayCacheMax)
  // keyId → its derived secret, or null when the master does not derive it (fingerprint mismatch).
  const secrets = new Map<string, string | null>()
  /** The latest clock reading seen: the replay cache's notion of now never goes back. */
  let latest = 0

  function secretOf (record: ApiKeyRecord): string | null {
    let secret = secrets.get(record.keyId)
    if (secret === undefined) {
      const derived = deriveSecret(masterSecret, record.keyId)
      secret = fingerprintOf(derived) === record.fingerprint ? derived : null
      if (secrets.size >= SECRET_CACHE_MAX) secrets.delete(secrets.keys().next().value as string)
      secrets.set(record.keyId, secret)
    }
    return secret
  }

  return {
    derives: (record) => secretOf(record) !== null,
    verify (attempt) {
      const { keyId, timestamp, signature } = attempt
      if (keyId === undefined || !KEY_ID.test(keyId)) return refuse(ErrorCode.INVALID_API_KEY, 'X-API-KEY must be an API key id: 32 lowercase hex digits')
      const record = lookup(keyId)
      if (record === null) return refuse(ErrorCode.INVALID_API_KEY, 'unknown API key')
      if (!record.active) return refuse(ErrorCode.INVALID_API_KEY, 'this API key was revoked')
      if (!record.accountActive) return refuse(ErrorCode.INVALID_API_KEY, 'the account of this API key is disabled')
      const secret = secretOf(record)
      if (secret === null) return refuse(ErrorCode.INVALID_API_KEY, 'this API key was issued under another master secret')

      if (timestamp === undefined || !TIMESTAMP.test(timestamp)) return refuse(ErrorCode.INVALID_TIMESTAMP, 'X-TIMESTAMP must be the time in milliseconds since the epoch, as decimal digits')
      const now = clock()
      const skew = Number(timestamp) - now
      if (Math.abs(skew) > recvWindowMs) {
        return refuse(ErrorCode.INVALID_TIMESTAMP, `X-TIMESTAMP is ${Math.abs(skew)} ms ${skew > 0 ? 'ahead of' : 'behind'} the server clock; the window is ${recvWindowMs} ms`)
      }
      // A clock stepped forward expires the replay cache's entries; stepped back again, their timestamps would
      // be inside the window once more. Nothing older than the window before the latest time seen passes.
      if (now > latest) latest = now
      if (Number(timestamp) < latest - recvWindowMs) {
        return refuse(ErrorCode.INVALID_TIMESTAMP, `X-TIMESTAMP is older than the receive window before the latest server time seen (${latest}); the server clock stepped back`)
      }

      if (signature === undefined || !SIGNATURE.test(signature)) return refuse(ErrorCode.INVALID_SIGNATURE, 'X-SIGNATURE must be 64 lowercase hex digits')
      // The HMAC's bytes against the decoded header: no hex round trip on the hot path.
      const expected = createHmac('sha256', secret).update(attempt.payload).digest()
      if (!timingSafeEqual(expected, Buffer.from(signature, 'hex'))) {
        return refuse(ErrorCode.INVALID_SIGNATURE, 'the signature does not match: sign timestamp + METHOD + path with query + raw body with the key\'s secret')
      }

      const verdict = replays.check(signature, now)
      if (verdict === 'replayed') return refuse(ErrorCode.REPLAYED_REQUEST, 'this signature was already used: sign every request afresh')
      if (verdict === 'full') return refuse(ErrorCode.OVERLOADED, 'too many signed requests in the receive window; retry shortly')

      if (attempt.permission !== null && !record.permissions.includes(attempt.permission)) {
        return refuse(ErrorCode.FORBIDDEN, `this API key lacks the '${attempt.permission}' permission`)
      }
      return { ok: true, value: { accountId: record.accountId, keyId, permissions: record.permissions } }
    }
  }
}
