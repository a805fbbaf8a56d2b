import t from 'tap'
import { request } from 'undici'
import { buildTestApp } from '../helpers/build-app.js'
import { startServer } from '../helpers/server.js'
import { ADMIN_HEADERS, authEnv, createKey, signedHeaders, signedInject } from '../helpers/signing.js'
import { sign, signingPayload } from '../../src/auth/signature.js'

const ORDER = { symbol: 'BTC-USDT', side: 'buy', order_type: 'limit', quantity: '0.1', price: '100' }
const WWW = /^HMAC-SHA256 realm="exchange"/

function without (headers: Record<string, string>, name: string): Record<string, string> {
  const { [name]: _dropped, ...rest } = headers
  return rest
}

t.test('public market data stays open with AUTH=required', async (t) => {
  const app = await buildTestApp(t, authEnv(t))
  for (const url of ['/book/BTC-USDT', '/bbo/BTC-USDT', '/symbols', '/statistics', '/health']) {
    const res = await app.inject({ url })
    t.equal(res.statusCode, 200, url)
  }
})

t.test('an unsigned private request is 401 INVALID_API_KEY with WWW-Authenticate, even with a body the schema would refuse', async (t) => {
  const app = await buildTestApp(t, authEnv(t))
  const cases = [
    { method: 'POST' as const, url: '/order', payload: ORDER },
    { method: 'POST' as const, url: '/order', payload: { not: 'an order' } },
    { method: 'POST' as const, url: '/cancel', payload: { symbol: 'BTC-USDT', order_id: '1' } },
    { method: 'GET' as const, url: '/order/1?symbol=BTC-USDT' },
    { method: 'GET' as const, url: '/order?client_order_id=x' },
    { method: 'GET' as const, url: '/orders' },
    { method: 'GET' as const, url: '/fills' },
    { method: 'POST' as const, url: '/cancel_all', payload: {} },
    // HEAD routes are Fastify's copies of the GET ones: they must carry the same check.
    { method: 'HEAD' as const, url: '/orders' },
    { method: 'HEAD' as const, url: '/fills?symbol=BTC-USDT' },
    { method: 'HEAD' as const, url: '/order/1?symbol=BTC-USDT' }
  ]
  for (const c of cases) {
    const res = await app.inject(c)
    t.equal(res.statusCode, 401, `${c.method} ${c.url}`)
    if (c.method !== 'HEAD') t.equal(res.json().error_code, 'INVALID_API_KEY')
    t.match(res.headers['www-authenticate'], WWW)
  }
})

t.test('signed requests: the caller is the key\'s account; every refusal code', async (t) => {
  const app = await buildTestApp(t, authEnv(t))
  const alice = await createKey(app, 'alice')
  const reader = await createKey(app, 'alice', ['read'])
  const bob = await createKey(app, 'bob')
  const code = (res: { statusCode: number, json: () => { error_code?: string } }) => `${res.statusCode} ${res.json().error_code ?? 'ok'}`

  const placed = await signedInject(app, alice, { method: 'POST', url: '/order', body: ORDER })
  t.equal(placed.statusCode, 200, placed.body)
  t.equal(placed.json().account_id, 'alice')
  const orderId = placed.json().order_id as string
  const status = await signedInject(app, reader, { method: 'GET', url: `/order/${orderId}?symbol=BTC-USDT` })
  t.equal(status.statusCode, 200, 'a read key reads its account\'s order')

  t.test('INVALID_API_KEY: malformed, unknown, revoked, disabled account', async (t) => {
    const send = (keyId: string) => app.inject({ url: '/order/1?symbol=BTC-USDT', headers: { ...signedHeaders(alice, 'GET', '/order/1?symbol=BTC-USDT'), 'x-api-key': keyId } })
    t.equal(code(await send('not-a-key')), '401 INVALID_API_KEY', 'malformed')
    t.equal(code(await send(alice.keyId.toUpperCase())), '401 INVALID_API_KEY', 'upper case')
    t.equal(code(await send('0'.repeat(32))), '401 INVALID_API_KEY', 'unknown')
    const doomed = await createKey(app, 'carol')
    t.equal(code(await signedInject(app, doomed, { method: 'GET', url: '/order/1?symbol=BTC-USDT' })), '404 ORDER_NOT_FOUND', 'works before')
    t.equal((await app.inject({ method: 'POST', url: `/admin/keys/${doomed.keyId}/revoke`, headers: ADMIN_HEADERS })).statusCode, 200)
    const revoked = await signedInject(app, doomed, { method: 'GET', url: '/order/1?symbol=BTC-USDT' })
    t.equal(code(revoked), '401 INVALID_API_KEY', 'revoked')
    t.match(revoked.json().error, /revoked/)
    const dave = await createKey(app, 'dave')
    t.equal((await app.inject({ method: 'POST', url: '/admin/accounts/dave/disable', headers: ADMIN_HEADERS })).statusCode, 200)
    t.equal(code(await signedInject(app, dave, { method: 'POST', url: '/order', body: ORDER })), '401 INVALID_API_KEY', 'account disabled')
    t.equal((await app.inject({ method: 'POST', url: '/admin/accounts/dave/enable', headers: ADMIN_HEADERS })).statusCode, 200)
    t.equal(code(await signedInject(app, dave, { method: 'POST', url: '/order', body: ORDER })), '200 ok', 'enabled again')
  })

  t.test('INVALID_TIMESTAMP: missing, malformed, too old, too far ahead', async (t) => {
    const url = '/order/1?symbol=BTC-USDT'
    const headers = signedHeaders(alice, 'GET', url)
    t.equal(code(await app.inject({ url, headers: without(headers, 'x-timestamp') })), '401 INVALID_TIMESTAMP', 'missing')
    t.equal(code(await app.inject({ url, headers: { ...headers, 'x-timestamp': '1.7e12' } })), '401 INVALID_TIMESTAMP', 'malformed')
    const old = await signedInject(app, alice, { method: 'GET', url, timestamp: Date.now() - 60_000 })
    t.equal(code(old), '401 INVALID_TIMESTAMP', 'a minute behind')
    t.match(old.json().error, /behind the server clock/)
    t.match(old.headers['www-authenticate'], WWW)
    const ahead = await signedInject(app, alice, { method: 'GET', url, timestamp: Date.now() + 60_000 })
    t.equal(code(ahead), '401 INVALID_TIMESTAMP', 'a minute ahead')
    t.match(ahead.json().error, /ahead of the server clock/)
  })

  t.test('INVALID_SIGNATURE: a body changed after signing, a query changed, the method, another key\'s secret, upper case', async (t) => {
    const body = JSON.stringify(ORDER)
    const headers: Record<string, string> = { ...signedHeaders(alice, 'POST', '/order', body), 'content-type': 'application/json' }
    const tampered = await app.inject({ method: 'POST', url: '/order', headers, payload: body.replace('0.1', '0.2') })
    t.equal(code(tampered), '401 INVALID_SIGNATURE', 'body changed')
    t.match(tampered.headers['www-authenticate'], WWW)
    const spaced = await app.inject({ method: 'POST', url: '/order', headers, payload: body + ' ' })
    t.equal(code(spaced), '401 INVALID_SIGNATURE', 'even whitespace: the raw text is signed')
    const q = signedHeaders(alice, 'GET', `/order/${orderId}?symbol=BTC-USDT`)
    t.equal(code(await app.inject({ url: `/order/${orderId}?symbol=ETH-USDT`, headers: q })), '401 INVALID_SIGNATURE', 'query changed')
    t.equal(code(await app.inject({ url: `/order/${orderId}?symbol=BTC-USDT&x=1`, headers: q })), '401 INVALID_SIGNATURE', 'query added')
    const post = signedHeaders(alice, 'POST', '/order', '')
    t.equal(code(await app.inject({ url: '/order?client_order_id=a', headers: post })), '401 INVALID_SIGNATURE', 'method and path')
    const borrowed = { ...signedHeaders(bob, 'POST', '/order', body), 'x-api-key': alice.keyId, 'content-type': 'application/json' }
    t.equal(code(await app.inject({ method: 'POST', url: '/order', headers: borrowed, payload: body })), '401 INVALID_SIGNATURE', 'signed with another key\'s secret')
    const upper = { ...headers, 'x-signature': headers['x-signature'].toUpperCase() }
    t.equal(code(await app.inject({ method: 'POST', url: '/order', headers: upper, payload: body })), '401 INVALID_SIGNATURE', 'upper-case hex')
    t.equal(code(await app.inject({ method: 'POST', url: '/order', headers: without(headers, 'x-signature'), payload: body })), '401 INVALID_SIGNATURE', 'missing')
  })

  t.test('REPLAYED_REQUEST: the same signed request twice', async (t) => {
    const body = JSON.stringify({ ...ORDER, client_order_id: 'once' })
    const headers = { ...signedHeaders(alice, 'POST', '/order', body), 'content-type': 'application/json' }
    t.equal(code(await app.inject({ method: 'POST', url: '/order', headers, payload: body })), '200 ok')
    const again = await app.inject({ method: 'POST', url: '/order', headers, payload: body })
    t.equal(code(again), '401 REPLAYED_REQUEST')
    t.match(again.headers['www-authenticate'], WWW)
    const open = await signedInject(app, alice, { method: 'GET', url: '/order?client_order_id=once&symbol=BTC-USDT' })
    t.equal(open.json().filled_quantity, '0', 'placed once')
  })

  t.test('FORBIDDEN: a read-only key placing or cancelling an order', async (t) => {
    const res = await signedInject(app, reader, { method: 'POST', url: '/order', body: ORDER })
    t.equal(code(res), '403 FORBIDDEN')
    t.equal(res.headers['www-authenticate'], undefined, 'a 403 asks for no other credentials')
    t.equal(code(await signedInject(app, reader, { method: 'POST', url: '/cancel', body: { symbol: 'BTC-USDT', order_id: orderId } })), '403 FORBIDDEN')
    const still = await signedInject(app, alice, { method: 'GET', url: `/order/${orderId}?symbol=BTC-USDT` })
    t.equal(still.json().status, 'pending', 'nothing changed')
  })
})

t.test('orders per API key per second: 429 RATE_LIMIT past AUTH_KEY_ORDERS_PER_SECOND, counted only after the signature verified', async (t) => {
  let now = 1_800_000_000_000
  const app = await buildTestApp(t, authEnv(t, { AUTH_KEY_ORDERS_PER_SECOND: '2' }), { clock: () => now })
  const alice = await createKey(app, 'alice')
  const bob = await createKey(app, 'bob')
  const order = (key: typeof alice, i: number) => signedInject(app, key, { method: 'POST', url: '/order', body: { ...ORDER, client_order_id: `c${i}` }, timestamp: now })
  for (let i = 0; i < 5; i++) {
    const forged = await app.inject({ method: 'POST', url: '/order', headers: { ...signedHeaders({ keyId: alice.keyId, secret: 'wrong' }, 'POST', '/order', '{}', now), 'content-type': 'application/json' }, payload: '{}' })
    t.equal(forged.json().error_code, 'INVALID_SIGNATURE')
  }
  t.equal((await order(alice, 1)).statusCode, 200, 'forged requests used none of the allowance')
  t.equal((await order(alice, 2)).statusCode, 200)
  const third = await order(alice, 3)
  t.equal(third.statusCode, 429)
  t.equal(third.json().error_code, 'RATE_LIMIT')
  t.equal(third.json().retry_after, 1)
  t.equal((await signedInject(app, alice, { method: 'GET', url: '/order?client_order_id=c3&symbol=BTC-USDT', timestamp: now })).json().error_code, 'ORDER_NOT_FOUND', 'nothing changed')
  t.equal((await order(bob, 4)).statusCode, 200, 'another key has its own allowance')
  now += 1000
  t.equal((await order(alice, 5)).statusCode, 200, 'the next second')
})

t.test('a full replay cache: 503 OVERLOADED for new signed requests, never a possible replay let through', async (t) => {
  const app = await buildTestApp(t, authEnv(t, { AUTH_REPLAY_CACHE_MAX: '1' }))
  const key = await createKey(app, 'alice')
  t.equal((await signedInject(app, key, { method: 'GET', url: '/orders' })).statusCode, 200)
  const full = await signedInject(app, key, { method: 'GET', url: '/fills' })
  t.equal(full.statusCode, 503)
  t.equal(full.json().error_code, 'OVERLOADED')
})

t.test('real HTTP (undici): a signed order over a socket, the raw body exactly as sent', async (t) => {
  const server = await startServer(authEnv(t))
  t.teardown(() => server.close())
  const key = await createKey(server.app, 'alice')
  // Unusual but valid JSON text: spacing and key order are the client's, and that text is what is signed.
  const body = '{ "symbol":"BTC-USDT",  "side":"sell","order_type":"limit","quantity":"0.5","price":"101" }'
  const ok = await request(`${server.url}/order`, { method: 'POST', headers: { ...signedHeaders(key, 'POST', '/order', body), 'content-type': 'application/json' }, body })
  t.equal(ok.statusCode, 200)
  t.equal((await ok.body.json() as { account_id: string }).account_id, 'alice')
  const ts = String(Date.now())
  const bad = await request(`${server.url}/order`, { method: 'POST', headers: { 'x-api-key': key.keyId, 'x-timestamp': ts, 'x-signature': sign(key.secret, signingPayload(ts, 'POST', '/order', JSON.stringify(JSON.parse(body)))), 'content-type': 'application/json' }, body })
  t.equal(bad.statusCode, 401, 'a re-serialised body is not what was sent')
  t.equal((await bad.body.json() as { error_code: string }).error_code, 'INVALID_SIGNATURE')
})

t.test('AUTH=off: anonymous callers, no headers, no admin API, a warning at start', async (t) => {
  const lines: string[] = []
  const stream = { write: (line: string) => { lines.push(line) } }
  const app = await buildTestApp(t, { AUTH: 'off' }, { logger: { level: 'warn', stream } })
  const placed = await app.inject({ method: 'POST', url: '/order', payload: ORDER })
  t.equal(placed.statusCode, 200)
  t.equal(placed.json().account_id, 'anonymous')
  t.equal((await app.inject({ method: 'POST', url: '/admin/accounts', headers: ADMIN_HEADERS, payload: { account_id: 'x' } })).statusCode, 404)
  t.equal(app.verifier, null)
  t.ok(lines.some((l) => /"level":40.*AUTH=off/.test(l)), 'warned')
})
