/**
 * API key secrets are derived, never stored: the secret of a key is
 *   secret = hex(HMAC-SHA256(master, "api-key-secret:" + keyId))
 * and the journal keeps only its fingerprint
 *   fingerprint = hex(HMAC-SHA256(secret, "fingerprint")).slice(0, 16)
 * which tells whether the master in use still derives the key's secret
 * without revealing it. Whoever holds the data directory but not the master
 * secret cannot sign requests. The master and the secrets are used as their
 * UTF-8 text.
 */
import { createHmac, randomBytes } from 'node:crypto'

export const SECRET_LABEL = 'api-key-secret:'
export const FINGERPRINT_LABEL = 'fingerprint'
export const FINGERPRINT_LENGTH = 16

export function deriveSecret (master: string, keyId: string): string {
  return createHmac('sha256', master).update(SECRET_LABEL + keyId).digest('hex')
}

export function fingerprintOf (secret: string): string {
  return createHmac('sha256', secret).update(FINGERPRINT_LABEL).digest('hex').slice(0, FINGERPRINT_LENGTH)
}

/** A fresh key id: 16 random bytes as 32 lowercase hex digits (schemas/identity.ts API_KEY_ID_PATTERN). */
export function newKeyId (): string {
  return randomBytes(16).toString('hex')
}

/** What the admin API answers once and records: the key id, its secret (shown once) and its fingerprint (journaled). */
export function issueKey (master: string, keyId: string = newKeyId()): { keyId: string, secret: string, fingerprint: string } {
  const secret = deriveSecret(master, keyId)
  return { keyId, secret, fingerprint: fingerprintOf(secret) }
}
