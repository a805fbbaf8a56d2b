// Browser test of the trading page's identity side against the real server
// process with AUTH=required: sign-in with a key made through the admin API,
// signed order entry, the Open orders panel (cancel per row, cancel all), the
// Fills panel fed by a second account's crossing order, re-sign-in after a
// reconnect and a reload, sign-out. And the page's WebCrypto signer against
// the server's own (src/auth/signature.ts) on fixed vectors.
import t from 'tap'
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import { randomBytes } from 'node:crypto'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Request } from 'playwright-core'
import { sign, signingPayload, wsSignInPayload } from '../../src/auth/signature.js'
import { startServer } from '../helpers/server.js'
import { startChildServer } from '../helpers/child-server.js'
import { TIMEOUT, collectPageErrors, launchBrowser, placeOrder } from './browser.js'

// What page.evaluate and waitForFunction touch in the page (the test tsconfig has no DOM lib).
interface PageWindow {
  readonly __page: { readonly conn: { readonly ws: { close (): void } | null } }
  readonly sessionStorage: { readonly length: number, key (i: number): string | null, getItem (k: string): string | null }
  readonly localStorage: { readonly length: number }
}
declare const window: PageWindow

interface KeyCreated { key_id: string, secret: string, account_id: string, permissions: string[] }
interface FrameLog { connected: Array<{ nonce: string, auth: string }>, sent: Array<Record<string, unknown>> }

const HEX64 = /^[0-9a-f]{64}$/
const ARTIFACTS = join(dirname(fileURLToPath(import.meta.url)), '..', 'artifacts')
/** The page's signer, imported in the page (same origin, so the page's CSP allows it). */
const SIGNING_MODULE = '/signing.js'

t.test('the in-browser signer (static/signing.js) equals the server signer on fixed vectors', async (t) => {
  const browser = await launchBrowser(t)
  if (browser === null) return
  const server = await startServer()
  t.teardown(() => server.close())
  const page = await browser.newPage()
  await page.goto(`${server.url}/`, { timeout: TIMEOUT })

  const vectors = [
    // A secret as the server derives them (64 hex characters) and an order body with non-ASCII text.
    { secret: 'a3f1c0de'.repeat(8), timestamp: '1700000000000', method: 'POST', path: '/order', body: '{"symbol":"BTC-USDT","side":"buy","order_type":"limit","quantity":"0.5","price":"30000.00","client_order_id":"été-№1"}' },
    { secret: 'a3f1c0de'.repeat(8), timestamp: '1700000000001', method: 'get', path: '/orders?status=open&limit=100', body: '' },
    { secret: 'not hex: ünïcödé secret', timestamp: '1', method: 'POST', path: '/cancel_all', body: '{}' }
  ]
  for (const v of vectors) {
    const node = sign(v.secret, signingPayload(v.timestamp, v.method, v.path, v.body))
    const browserSig = await page.evaluate(async ({ v, module }) => {
      const m = await import(module)
      return m.sign(v.secret, m.signingPayload(v.timestamp, v.method, v.path, v.body))
    }, { v, module: SIGNING_MODULE })
    t.match(node, HEX64)
    t.equal(browserSig, node, `${v.method} ${v.path}: same signature in Chromium and Node`)
  }
  // The README's test vector, with the signature it documents.
  const readme = { secret: '62f960dc23c3f05864518e572b92c63f6b9244fe23bd58f61f5eb976ea8975f3', timestamp: '1767225600000', method: 'POST', path: '/order', body: '{"symbol":"BTC-USDT","side":"buy","order_type":"limit","quantity":"0.01","price":"50000","client_order_id":"my-1"}' }
  const documented = await page.evaluate(async ({ v, module }) => {
    const m = await import(module)
    return m.sign(v.secret, m.signingPayload(v.timestamp, v.method, v.path, v.body))
  }, { v: readme, module: SIGNING_MODULE })
  t.equal(documented, '4817b4e14e776f3f4194f44c26ad398d06ff464fef01e3740f29e4428630165a', "the README's test vector gives its documented signature in Chromium")
  t.equal(documented, sign(readme.secret, signingPayload(readme.timestamp, readme.method, readme.path, readme.body)), 'and in Node')

  const nonce = 'f'.repeat(32)
  const node = sign(vectors[0].secret, wsSignInPayload('1700000000000', nonce))
  const inPage = await page.evaluate(async ([secret, nonce, module]) => {
    const m = await import(module)
    return m.sign(secret, m.wsSignInPayload('1700000000000', nonce))
  }, [vectors[0].secret, nonce, SIGNING_MODULE] as const)
  t.equal(inPage, node, 'WebSocket sign-in payload: same signature')

  const headers = await page.evaluate(async ([secret, module]) => {
    const m = await import(module)
    return m.signedHeaders({ keyId: '0123456789abcdef0123456789abcdef', secret }, 'POST', '/cancel', '{"a":1}')
  }, [vectors[0].secret, SIGNING_MODULE] as const) as Record<string, string>
  t.equal(headers['X-API-KEY'], '0123456789abcdef0123456789abcdef')
  t.match(headers['X-TIMESTAMP'], /^\d{13}$/, 'X-TIMESTAMP is integer milliseconds')
  t.equal(headers['X-SIGNATURE'], sign(vectors[0].secret, signingPayload(headers['X-TIMESTAMP'], 'POST', '/cancel', '{"a":1}')), 'signedHeaders signs what it stamps')
})

t.test('trading page with AUTH=required: sign in, open orders, cancel, cancel all, fills, sign out', async (t) => {
  const browser = await launchBrowser(t)
  if (browser === null) return
  const dir = mkdtempSync(join(tmpdir(), 'me-page-identity-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  mkdirSync(join(dir, 'data'))
  mkdirSync(join(dir, 'secrets'), { mode: 0o700 })
  const adminToken = randomBytes(24).toString('hex')
  const server = await startChildServer(t, {
    AUTH: 'required',
    ADMIN_TOKEN: adminToken,
    AUTH_MASTER_SECRET: randomBytes(32).toString('hex'),
    DATA_DIR: join(dir, 'data'),
    SECRETS_DIR: join(dir, 'secrets')
  })
  const { url } = server

  const admin = async (path: string, body?: unknown, status = 201) => {
    const res = await fetch(url + path, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminToken}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body)
    })
    t.equal(res.status, status, `admin POST ${path}`)
    return await res.json() as unknown
  }
  const newKey = async (account: string) => await admin(`/admin/accounts/${account}/keys`, { permissions: ['read', 'trade'] }) as KeyCreated
  await admin('/admin/accounts', { account_id: 'alice' })
  await admin('/admin/accounts', { account_id: 'bob' })
  const alice = await newKey('alice')
  const bob = await newKey('bob')
  t.match(alice.secret, HEX64, 'a key and its secret, from the admin API')

  // Signed REST from the test, with the server's own signer.
  const signedFetch = async (key: KeyCreated, method: string, path: string, payload?: unknown) => {
    const body = payload === undefined ? '' : JSON.stringify(payload)
    const timestamp = String(Date.now())
    const res = await fetch(url + path, {
      method,
      headers: {
        ...(payload === undefined ? {} : { 'content-type': 'application/json' }),
        'x-api-key': key.key_id,
        'x-timestamp': timestamp,
        'x-signature': sign(key.secret, signingPayload(timestamp, method, path, body))
      },
      body: payload === undefined ? undefined : body
    })
    return { status: res.status, body: await res.json() as Record<string, unknown> }
  }

  const page = await browser.newPage({ viewport: { width: 1440, height: 1200 } })
  const errors = collectPageErrors(page)
  const requests: Request[] = []
  page.on('request', (req) => requests.push(req))
  // Every WebSocket the page opens: the nonces it was given and the frames it sent.
  const sockets: FrameLog[] = []
  page.on('websocket', (ws) => {
    const log: FrameLog = { connected: [], sent: [] }
    sockets.push(log)
    ws.on('framereceived', ({ payload }) => {
      const msg = JSON.parse(String(payload)) as { type: string, nonce: string, auth: string }
      if (msg.type === 'connected') log.connected.push(msg)
    })
    ws.on('framesent', ({ payload }) => { log.sent.push(JSON.parse(String(payload)) as Record<string, unknown>) })
  })
  const authFrames = () => sockets.flatMap((s) => s.sent.filter((m) => m.type === 'auth').map((m) => ({ socket: s, frame: m })))
  const signInState = (state: string) => page.locator(`#signin-status[data-state="${state}"]`).waitFor({ timeout: TIMEOUT })
  const signIn = async (keyId: string, secret: string) => {
    await page.fill('#api_key_id', keyId)
    await page.fill('#api_secret', secret)
    await page.click('#signin-btn')
  }
  const stored = () => page.evaluate(() => ({
    session: Array.from({ length: window.sessionStorage.length }, (_, i) => window.sessionStorage.getItem(window.sessionStorage.key(i) ?? '') ?? ''),
    local: window.localStorage.length
  }))

  await page.goto(`${url}/`, { timeout: TIMEOUT })
  await signInState('signed-out')
  t.pass('AUTH=required and no key: the page offers to sign in')
  // The panel says 'signed-out' before the socket is open: wait for the server's first message.
  for (let waited = 0; sockets[0]?.connected[0] === undefined && waited < TIMEOUT; waited += 50) await page.waitForTimeout(50)
  t.equal(sockets[0]?.connected[0]?.auth, 'required')

  // Refused sign-ins are shown with the server's code, and the key is not kept.
  await signIn(alice.key_id, 'f'.repeat(64))
  await signInState('error')
  t.match(await page.textContent('#signin-status'), /INVALID_SIGNATURE/, 'a wrong secret: INVALID_SIGNATURE shown')
  t.same((await stored()).session, [], 'a refused key is not kept')
  await signIn('0'.repeat(32), alice.secret)
  await page.locator('#signin-status', { hasText: 'INVALID_API_KEY' }).waitFor({ timeout: TIMEOUT })
  t.pass('an unknown key: INVALID_API_KEY shown')
  await signIn('not-a-key', alice.secret)
  t.match(await page.textContent('#signin-status'), /32 lowercase hex/, 'a malformed key id is refused in the page')

  // The real sign-in.
  const before = authFrames().length
  await signIn(alice.key_id, alice.secret)
  await page.locator('#signin-status[data-state="signed-in"]', { hasText: 'Signed in as alice' }).waitFor({ timeout: TIMEOUT })
  t.pass('signed in as alice')
  t.equal(await page.inputValue('#api_secret'), '', 'the secret input is cleared')
  const kept = await stored()
  t.equal(kept.local, 0, 'nothing in localStorage')
  t.equal(kept.session.length, 1, 'the key is kept in sessionStorage')
  t.match(kept.session[0], alice.key_id)
  const signInFrames = authFrames().slice(before)
  t.equal(signInFrames.length, 1, 'one sign-in frame')
  const first = signInFrames[0]
  t.same(Object.keys(first.frame).sort(), ['api_key', 'id', 'signature', 'timestamp', 'type'], 'the sign-in frame carries no secret')
  t.equal(first.frame.signature, sign(alice.secret, wsSignInPayload(String(first.frame.timestamp), first.socket.connected[0].nonce)),
    "the sign-in frame signs this connection's nonce")
  t.ok(first.socket.sent.some((m) => m.type === 'subscribe' && m.channel === 'orders' && m.symbol === undefined), 'subscribes to its orders (all symbols)')
  t.ok(first.socket.sent.some((m) => m.type === 'subscribe' && m.channel === 'fills' && m.symbol === undefined), 'subscribes to its fills (all symbols)')
  await page.locator('#open-orders-body', { hasText: 'No open orders' }).waitFor({ timeout: TIMEOUT })

  // Two resting orders from the form; both show in Open orders.
  const a = await placeOrder(page, { side: 'buy', orderType: 'limit', quantity: '0.1', price: '29000.00', clientOrderId: 'page-a' })
  const b = await placeOrder(page, { side: 'buy', orderType: 'limit', quantity: '0.2', price: '29100.00', clientOrderId: 'page-b' })
  t.equal(a.status, 200, `first order accepted ${JSON.stringify(a.body)}`)
  t.equal(b.status, 200, 'second order accepted')
  const row = (orderId: string) => page.locator(`#open-orders-body tr.order-row[data-order-id="${orderId}"]`)
  await row(a.body.order_id).waitFor({ timeout: TIMEOUT })
  await row(b.body.order_id).waitFor({ timeout: TIMEOUT })
  t.equal(await page.locator('#open-orders-body tr.order-row').count(), 2, 'Open orders lists both')
  t.match(await row(b.body.order_id).textContent(), /page-b/, 'with its client order id')

  const orderPost = requests.find((r) => new URL(r.url()).pathname === '/order' && r.method() === 'POST')
  t.ok(orderPost, 'the page posted the order')
  if (orderPost !== undefined) {
    const h = orderPost.headers()
    t.equal(h['x-api-key'], alice.key_id)
    t.equal(h['x-signature'], sign(alice.secret, signingPayload(h['x-timestamp'], 'POST', '/order', orderPost.postData() ?? '')),
      'POST /order is signed over timestamp, method, path and the exact body sent')
  }

  // Cancel the first with its row button.
  const [cancelled] = await Promise.all([
    page.waitForResponse((r) => new URL(r.url()).pathname === '/cancel', { timeout: TIMEOUT }),
    row(a.body.order_id).locator('button.row-cancel').click()
  ])
  t.equal(cancelled.status(), 200, 'POST /cancel from the row button')
  await row(a.body.order_id).waitFor({ state: 'detached', timeout: TIMEOUT })
  t.equal(await page.locator('#open-orders-body tr.order-row').count(), 1, 'one open order left')
  const own = await signedFetch(alice, 'GET', '/orders?status=open')
  t.same((own.body.orders as Array<{ order_id: string }>).map((o) => o.order_id), [b.body.order_id], 'the server agrees: only the second is open')

  // Cancel all the rest.
  const [all] = await Promise.all([
    page.waitForResponse((r) => new URL(r.url()).pathname === '/cancel_all', { timeout: TIMEOUT }),
    page.click('#cancel-all-btn')
  ])
  t.equal(all.status(), 200, 'POST /cancel_all')
  t.match(await all.json(), { success: true, cancelled: 1, order_ids: [b.body.order_id] })
  await page.locator('#open-orders-body', { hasText: 'No open orders' }).waitFor({ timeout: TIMEOUT })
  t.pass('Open orders is empty')

  // A reconnect signs in again, over the new connection's nonce.
  const socketsBefore = sockets.length
  await page.evaluate(() => window.__page.conn.ws?.close())
  await page.locator('#signin-status[data-state="signed-in"]').waitFor({ timeout: TIMEOUT })
  await t.resolves(waitFor(() => sockets.length > socketsBefore && authFrames().some((f) => f.socket === sockets.at(-1))), 'a new connection and a new sign-in')
  const again = authFrames().at(-1)
  if (again !== undefined) {
    t.not(again.socket.connected[0].nonce, first.socket.connected[0].nonce, 'a new nonce')
    t.equal(again.frame.signature, sign(alice.secret, wsSignInPayload(String(again.frame.timestamp), again.socket.connected[0].nonce)))
  }
  await page.locator('#signin-status[data-state="signed-in"]').waitFor({ timeout: TIMEOUT })

  // A fill: alice rests an ask from the page, bob crosses it by signed REST.
  const ask = await placeOrder(page, { side: 'sell', orderType: 'limit', quantity: '0.5', price: '30100.00' })
  t.equal(ask.status, 200, 'resting ask accepted')
  await row(ask.body.order_id).waitFor({ timeout: TIMEOUT })
  const cross = await signedFetch(bob, 'POST', '/order', { symbol: 'BTC-USDT', side: 'buy', order_type: 'limit', quantity: '0.2', price: '30100.00' })
  t.equal(cross.status, 200, 'bob crosses it')
  const [trade] = cross.body.trades as Array<{ trade_id: string, price: string, quantity: string }>
  const fillRow = page.locator(`#fills-body tr.fill-row[data-trade-id="${trade.trade_id}"]`)
  await fillRow.waitFor({ timeout: TIMEOUT })
  const fillText = await fillRow.textContent() ?? ''
  t.match(fillText, /maker/, 'the fill shows alice as maker')
  t.match(fillText, trade.price, 'price as the server wrote it')
  t.match(fillText, trade.quantity, 'quantity as the server wrote it')
  t.equal(await page.locator('#fills-body tr.fill-row').count(), 1, "one fill: bob's side is not shown")
  await row(ask.body.order_id).filter({ hasText: trade.quantity }).waitFor({ timeout: TIMEOUT })
  t.pass('the open ask shows what was filled')

  await mkdir(ARTIFACTS, { recursive: true })
  await page.screenshot({ path: join(ARTIFACTS, 'trading-page-account.png'), fullPage: true })

  // A reload keeps the key for the tab: signed in again, and both panels load over signed REST.
  await page.reload({ timeout: TIMEOUT })
  await page.locator('#signin-status[data-state="signed-in"]', { hasText: 'alice' }).waitFor({ timeout: TIMEOUT })
  await fillRow.waitFor({ timeout: TIMEOUT })
  await row(ask.body.order_id).waitFor({ timeout: TIMEOUT })
  t.pass('after a reload: signed in, fills and open orders loaded')
  for (const path of ['/orders', '/fills']) {
    const get = requests.findLast((r) => new URL(r.url()).pathname === path)
    t.ok(get?.headers()['x-signature'], `GET ${path} is signed`)
  }

  // The key revoked mid-session: the server closes the connection, the page's
  // sign-in on the next one is refused, and it says so and forgets the key.
  await admin(`/admin/keys/${alice.key_id}/revoke`, undefined, 200)
  await page.locator('#signin-status[data-state="error"]', { hasText: 'INVALID_API_KEY' }).waitFor({ timeout: TIMEOUT })
  t.pass('revoked key: INVALID_API_KEY shown')
  t.same((await stored()).session, [], 'the revoked key is forgotten')
  await page.locator('#open-orders-body', { hasText: 'Sign in' }).waitFor({ timeout: TIMEOUT })

  // A new key of the same account, then sign out: the key is forgotten and the private panels are emptied.
  const alice2 = await newKey('alice')
  await signIn(alice2.key_id, alice2.secret)
  await page.locator('#signin-status[data-state="signed-in"]', { hasText: 'alice' }).waitFor({ timeout: TIMEOUT })
  await fillRow.waitFor({ timeout: TIMEOUT })
  t.pass('signed in with a new key of the same account: its fills are back')
  await page.click('#signout-btn')
  await signInState('signed-out')
  t.same((await stored()).session, [], 'sign-out forgets the key')
  await page.locator('#open-orders-body', { hasText: 'Sign in' }).waitFor({ timeout: TIMEOUT })
  t.equal(await page.locator('#fills-body tr.fill-row').count(), 0, 'fills are no longer shown')

  // The secret never left the page: in no URL, header or body of any request, nor any WebSocket frame.
  for (const secret of [alice.secret, alice2.secret]) {
    const leaks = requests.filter((r) => r.url().includes(secret) ||
      JSON.stringify(r.headers()).includes(secret) || (r.postData() ?? '').includes(secret))
    t.same(leaks.map((r) => r.url()), [], 'no request carries the secret')
    t.notOk(sockets.some((s) => JSON.stringify(s.sent).includes(secret)), 'no WebSocket frame carries the secret')
  }
  t.same(errors, [], 'no console errors or uncaught page errors')
})

async function waitFor (check: () => boolean, timeoutMs = TIMEOUT): Promise<void> {
  const end = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time')
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}
