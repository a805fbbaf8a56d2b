import t from 'tap'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { PACKAGE_ROOT } from '../../src/config.js'
import { sign, signingPayload } from '../../src/auth/signature.js'

t.test('the README\'s signing test vector is what src/auth/signature.ts computes', async (t) => {
  const readme = readFileSync(join(PACKAGE_ROOT, 'README.md'), 'utf8')
  const block = /<!-- signing test vector[^>]*-->\n```text\n([\s\S]*?)```/.exec(readme)
  t.ok(block !== null, 'the README has the vector block')
  const fields = Object.fromEntries((block as RegExpExecArray)[1].trim().split('\n').map((line) => {
    const match = /^(key id|secret|timestamp|method|path|body|signature) +(.*)$/.exec(line)
    if (match === null) throw new Error(`unexpected line in the vector: ${line}`)
    return [match[1], match[2]]
  }))
  t.match(fields['key id'], /^[0-9a-f]{32}$/)
  t.match(fields.secret, /^[0-9a-f]{64}$/)
  t.equal(sign(fields.secret, signingPayload(fields.timestamp, fields.method, fields.path, fields.body)), fields.signature)
  const get = sign(fields.secret, signingPayload(fields.timestamp, 'GET', '/order?client_order_id=my-1&symbol=BTC-USDT', ''))
  t.ok(readme.includes(`gives\n\`${get}\``), 'the GET example too')
})
