import t from 'tap'
import { createHmac } from 'node:crypto'
import { deriveSecret, fingerprintOf, issueKey, newKeyId } from '../../src/auth/key-secrets.js'

t.test('secret = hex HMAC-SHA256(master, "api-key-secret:" + keyId); fingerprint = first 16 hex of HMAC(secret, "fingerprint")', async (t) => {
  const master = 'a'.repeat(64)
  const keyId = '0123456789abcdef0123456789abcdef'
  const secret = createHmac('sha256', master).update('api-key-secret:' + keyId).digest('hex')
  t.equal(deriveSecret(master, keyId), secret)
  t.equal(fingerprintOf(secret), createHmac('sha256', secret).update('fingerprint').digest('hex').slice(0, 16))
  t.match(secret, /^[0-9a-f]{64}$/)
})

t.test('issueKey: a fresh 32-hex id, its derived secret and fingerprint', async (t) => {
  const issued = issueKey('m'.repeat(40))
  t.match(issued.keyId, /^[0-9a-f]{32}$/)
  t.equal(issued.secret, deriveSecret('m'.repeat(40), issued.keyId))
  t.equal(issued.fingerprint, fingerprintOf(issued.secret))
  t.not(newKeyId(), newKeyId())
  t.equal(issueKey('x'.repeat(40), issued.keyId).keyId, issued.keyId, 'a given id is kept')
})
