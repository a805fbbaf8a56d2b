// k6/crypto's hmac(algorithm, secret, data, outputEncoding) on node:crypto (k6's own is Go's crypto/hmac;
// both are HMAC as RFC 2104 defines it). Every call is recorded so a test can see what the script signed.
import { createHmac } from 'node:crypto'

export function hmac (algorithm, secret, data, encoding) {
  if (encoding !== 'hex') throw new Error(`stub: only hex output, got ${encoding}`)
  const digest = createHmac(algorithm, secret).update(data).digest('hex')
  globalThis.__k6.hmacs.push({ algorithm, data, digest })
  return digest
}
export default { hmac }
