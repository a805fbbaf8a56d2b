import t from 'tap'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { buildApp } from '../../src/app.js'
import { testConfig } from '../helpers/build-app.js'
import { ADMIN_HEADERS, TEST_ADMIN_TOKEN, TEST_MASTER_SECRET, authEnv, createKey, signedInject } from '../helpers/signing.js'

function filesUnder (dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    return statSync(path).isDirectory() ? filesUnder(path) : [path]
  })
}

t.test('no API secret, master secret or admin token in DATA_DIR files (journal, snapshot), logs at trace, or metrics', async (t) => {
  const config = testConfig(t, authEnv(t, { METRICS_PUBLIC: 'true', SNAPSHOT_EVERY: '5' }))
  const lines: string[] = []
  const logger = { level: 'trace', stream: { write: (line: string) => { lines.push(line) } } }
  const app = await buildApp(config, { logger })
  const alice = await createKey(app, 'alice')
  const bob = await createKey(app, 'bob', ['trade'])
  const order = (key: typeof alice, side: string, i: number) => signedInject(app, key, { method: 'POST', url: '/order', body: { symbol: 'BTC-USDT', side, order_type: 'limit', quantity: '1', price: '100', client_order_id: `o${i}` } })
  for (let i = 0; i < 6; i++) t.equal((await order(i % 2 === 0 ? alice : bob, i % 2 === 0 ? 'buy' : 'sell', i)).statusCode, 200)
  t.equal((await signedInject(app, alice, { method: 'GET', url: '/order?client_order_id=o0&symbol=BTC-USDT' })).statusCode, 200)
  await signedInject(app, { keyId: alice.keyId, secret: 'f'.repeat(64) }, { method: 'GET', url: '/order?client_order_id=o0' })
  await app.inject({ method: 'POST', url: `/admin/keys/${bob.keyId}/revoke`, headers: ADMIN_HEADERS })
  await app.inject({ method: 'POST', url: '/admin/accounts/alice/disable', headers: ADMIN_HEADERS })
  await app.inject({ url: '/admin/accounts', headers: ADMIN_HEADERS })
  const metrics = (await app.inject({ url: '/metrics' })).body
  const statistics = (await app.inject({ url: '/statistics' })).body
  await app.exchange.snapshot()
  await app.close()
  // Restart on the same files: recovery replays the accounts and keys (and logs at trace while it does).
  const again = await buildApp(config, { logger })
  t.equal((await signedInject(again, bob, { method: 'GET', url: '/order?client_order_id=o1' })).json().error_code, 'INVALID_API_KEY', 'the revocation survived the restart')
  await again.close()

  const files = filesUnder(config.journal.dataDir)
  t.ok(files.length >= 2, `journal and snapshot files written (${files.map((f) => f.slice(config.journal.dataDir.length)).join(', ')})`)
  const forbidden = { 'alice secret': alice.secret, 'bob secret': bob.secret, 'master secret': TEST_MASTER_SECRET, 'admin token': TEST_ADMIN_TOKEN }
  for (const [what, text] of Object.entries(forbidden)) {
    // As text, and for a hex secret as its 32 bytes too (a binary journal could hold it that way).
    const needles = /^[0-9a-f]{64}$/.test(text) ? [Buffer.from(text), Buffer.from(text, 'hex')] : [Buffer.from(text)]
    for (const file of files) {
      const bytes = readFileSync(file)
      t.ok(needles.every((needle) => bytes.indexOf(needle) === -1), `${what} not in ${file.slice(config.journal.dataDir.length)}`)
    }
    t.notOk(lines.join('\n').includes(text), `${what} not in ${lines.length} log lines`)
    t.notOk(metrics.includes(text), `${what} not in /metrics`)
    t.notOk(statistics.includes(text), `${what} not in /statistics`)
  }
  t.ok(lines.length > 10, 'the logs were captured')
})
