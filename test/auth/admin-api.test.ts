import t from 'tap'
import { chmodSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { buildTestApp, testConfig } from '../helpers/build-app.js'
import { ADMIN_HEADERS, TEST_ADMIN_TOKEN, TEST_MASTER_SECRET, authEnv, createKey, signedInject } from '../helpers/signing.js'
import { buildApp } from '../../src/app.js'
import { deriveSecret, fingerprintOf } from '../../src/auth/key-secrets.js'

t.test('admin routes need the admin token: 401 UNAUTHORIZED without it or with a wrong one, before the body is read', async (t) => {
  const app = await buildTestApp(t, authEnv(t))
  const routes: Array<{ method: 'GET' | 'POST', url: string, payload?: Record<string, unknown> }> = [
    { method: 'POST', url: '/admin/accounts', payload: { account_id: 'alice' } },
    { method: 'GET', url: '/admin/accounts' },
    { method: 'GET', url: '/admin/accounts/alice' },
    { method: 'POST', url: '/admin/accounts/alice/disable' },
    { method: 'POST', url: '/admin/accounts/alice/enable' },
    { method: 'POST', url: '/admin/accounts/alice/keys', payload: { permissions: ['read'] } },
    { method: 'POST', url: `/admin/keys/${'a'.repeat(32)}/revoke` }
  ]
  const wrong = [undefined, `Bearer ${TEST_ADMIN_TOKEN}x`, `Bearer ${TEST_ADMIN_TOKEN.slice(1)}`, `Basic ${TEST_ADMIN_TOKEN}`, TEST_ADMIN_TOKEN]
  for (const route of routes) {
    for (const authorization of wrong) {
      const res = await app.inject({ ...route, headers: authorization === undefined ? {} : { authorization } })
      t.equal(res.statusCode, 401, `${route.method} ${route.url} with ${authorization ?? 'no token'}`)
      t.equal(res.json().error_code, 'UNAUTHORIZED')
      t.equal(res.headers['www-authenticate'], 'Bearer realm="admin"')
      t.equal(res.headers['cache-control'], 'no-store')
    }
  }
  const bad = await app.inject({ method: 'POST', url: '/admin/accounts', headers: { 'content-type': 'application/json' }, payload: '{not json' })
  t.equal(bad.statusCode, 401, 'the token is checked before the body is parsed')
  t.equal((await app.inject({ url: '/admin/accounts' })).json().error_code, 'UNAUTHORIZED')
})

t.test('accounts and keys through the admin API; the secret is in the creating answer only', async (t) => {
  const app = await buildTestApp(t, authEnv(t))
  const admin = (method: 'GET' | 'POST', url: string, payload?: Record<string, unknown>) => app.inject({ method, url, headers: ADMIN_HEADERS, ...(payload === undefined ? {} : { payload }) })

  const created = await admin('POST', '/admin/accounts', { account_id: 'alice' })
  t.equal(created.statusCode, 201)
  t.match(created.json(), { account_id: 'alice', status: 'active', open_orders: 0, api_keys: [] })
  t.equal(created.headers['cache-control'], 'no-store')
  t.equal((await admin('POST', '/admin/accounts', { account_id: 'alice' })).json().error_code, 'ACCOUNT_EXISTS')
  t.equal((await admin('POST', '/admin/accounts', { account_id: 'bad id!' })).json().error_code, 'VALIDATION_ERROR')
  t.equal((await admin('GET', '/admin/accounts/nobody')).json().error_code, 'ACCOUNT_NOT_FOUND')

  const key = await admin('POST', '/admin/accounts/alice/keys', { permissions: ['read', 'trade'] })
  t.equal(key.statusCode, 201)
  t.equal(key.headers['cache-control'], 'no-store')
  const { key_id: keyId, secret } = key.json()
  t.match(keyId, /^[0-9a-f]{32}$/)
  t.equal(secret, deriveSecret(TEST_MASTER_SECRET, keyId), 'derived from the master secret')
  t.match(key.json(), { account_id: 'alice', permissions: ['read', 'trade'], status: 'active' })
  t.equal((await admin('POST', '/admin/accounts/alice/keys', { permissions: [] })).json().error_code, 'VALIDATION_ERROR')
  t.equal((await admin('POST', '/admin/accounts/alice/keys', { permissions: ['admin'] })).json().error_code, 'VALIDATION_ERROR')
  t.equal((await admin('POST', '/admin/accounts/nobody/keys', { permissions: ['read'] })).json().error_code, 'ACCOUNT_NOT_FOUND')

  const shown = await admin('GET', '/admin/accounts/alice')
  t.equal(shown.statusCode, 200)
  t.equal(shown.json().api_keys[0].key_id, keyId)
  t.notOk(shown.body.includes(secret), 'never shown again')
  const list = await admin('GET', '/admin/accounts?limit=10')
  t.equal(list.statusCode, 200)
  t.ok(list.json().accounts.some((a: { account_id: string }) => a.account_id === 'alice'))
  t.notOk(list.body.includes(secret))

  const placed = await signedInject(app, { keyId, secret }, { method: 'POST', url: '/order', body: { symbol: 'BTC-USDT', side: 'buy', order_type: 'limit', quantity: '1', price: '10' } })
  t.equal(placed.statusCode, 200)
  const disabled = await admin('POST', '/admin/accounts/alice/disable')
  t.equal(disabled.statusCode, 200)
  t.match(disabled.json(), { account_id: 'alice', status: 'disabled', cancelled_orders: 1, open_orders: 0 })
  t.equal((await admin('POST', '/admin/accounts/alice/keys', { permissions: ['read'] })).json().error_code, 'ACCOUNT_DISABLED')
  t.match((await admin('POST', '/admin/accounts/alice/enable')).json(), { status: 'active', cancelled_orders: 0 })

  const revoked = await admin('POST', `/admin/keys/${keyId}/revoke`)
  t.equal(revoked.statusCode, 200)
  t.match(revoked.json(), { key_id: keyId, status: 'revoked' })
  t.notOk(revoked.body.includes(secret))
  t.equal((await admin('POST', `/admin/keys/${'0'.repeat(32)}/revoke`)).json().error_code, 'API_KEY_NOT_FOUND')
  t.equal((await admin('POST', '/admin/keys/short/revoke')).json().error_code, 'VALIDATION_ERROR')
})

t.test('OpenAPI: the signed-header and admin-token schemes, on private and admin routes only', async (t) => {
  const app = await buildTestApp(t, authEnv(t))
  const doc = (await app.inject({ url: '/docs/json' })).json()
  t.match(doc.components.securitySchemes, {
    apiKey: { type: 'apiKey', in: 'header', name: 'X-API-KEY' },
    apiTimestamp: { type: 'apiKey', in: 'header', name: 'X-TIMESTAMP' },
    apiSignature: { type: 'apiKey', in: 'header', name: 'X-SIGNATURE' },
    adminToken: { type: 'http', scheme: 'bearer' }
  })
  const signed = [{ apiKey: [], apiTimestamp: [], apiSignature: [] }]
  t.same(doc.paths['/order'].post.security, signed)
  t.same(doc.paths['/cancel'].post.security, signed)
  t.same(doc.paths['/order/{order_id}'].get.security, signed)
  t.same(doc.paths['/admin/accounts'].post.security, [{ adminToken: [] }])
  t.same(doc.paths['/admin/keys/{key_id}/revoke'].post.security, [{ adminToken: [] }])
  t.equal(doc.paths['/book/{symbol}'].get.security, undefined, 'market data is public')
})

t.test('keys issued under another master secret are refused, and named (by key id only) in the start-up log', async (t) => {
  const env = authEnv(t)
  const config = testConfig(t, env)
  const first = await buildApp(config, { logger: false })
  const key = await createKey(first, 'alice')
  await first.close()

  const lines: string[] = []
  const other = { ...config, auth: { ...config.auth, masterSecret: 'another-master-secret-0123456789abcdef' } }
  const second = await buildApp(other, { logger: { level: 'info', stream: { write: (l: string) => { lines.push(l) } } } })
  t.teardown(() => second.close())
  const line = lines.find((l) => l.includes(key.keyId))
  t.ok(line !== undefined && /"level":50/.test(line) && /master secret/.test(line), 'logged as an error')
  t.notOk(lines.join('').includes(key.secret), 'never the secret')
  t.equal(fingerprintOf(key.secret).length, 16)
  const refused = await signedInject(second, key, { method: 'GET', url: '/order?client_order_id=x' })
  t.equal(refused.statusCode, 401)
  t.equal(refused.json().error_code, 'INVALID_API_KEY')
  t.match(refused.json().error, /another master secret/)
})

t.test('start-up logs: secrets created in SECRETS_DIR, the admin token\'s path (never its content), files others can read', async (t) => {
  const env = authEnv(t, { ADMIN_TOKEN: '', AUTH_MASTER_SECRET: '' })
  const config = testConfig(t, env)
  const start = async () => {
    const lines: string[] = []
    const app = await buildApp(config, { logger: { level: 'info', stream: { write: (l: string) => { lines.push(l) } } } })
    await app.close()
    return lines.join('')
  }
  const first = await start()
  const master = join(env.SECRETS_DIR, 'master.key')
  const token = join(env.SECRETS_DIR, 'admin-token')
  t.ok(first.includes(`"path":"${master}","msg":"secret created (mode 0600)"`))
  t.ok(first.includes(`"path":"${token}","msg":"secret created (mode 0600)"`))
  t.ok(first.includes(`"path":"${token}","msg":"admin token file (npm run admin reads it)"`))
  t.notOk(first.includes(readFileSync(token, 'utf8').trim()), 'not the token itself')
  t.notOk(first.includes(readFileSync(master, 'utf8').trim()), 'not the master secret')
  chmodSync(master, 0o644)
  const second = await start()
  t.notMatch(second, /secret created/)
  t.ok(second.includes(`"path":"${master}","msg":"secret file readable by other users: chmod 600 it"`))
})
