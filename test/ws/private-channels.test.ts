/**
 * Identity on /ws against a real server and real clients: the nonce, sign-in
 * and its refusals, private channels per account (orders, fills), the public
 * tape without ids, and sessions ended by a revoked key or a disabled account.
 */
import t from 'tap'
import { identityServer, newKey, open, placeAs, signInFrame, signedIn } from './identity.js'
import { isType, type TestClient, type WsMessage } from './ws-client.js'

const SYMBOL = 'BTC-USDT'
const FEES = { MAKER_FEE_RATE: '0.001', TAKER_FEE_RATE: '0.002' }

t.test('connected carries a fresh 32-hex nonce per connection and auth "required"', async (t) => {
  const s = await identityServer(t)
  const a = await open(t, s.wsUrl)
  const b = await open(t, s.wsUrl)
  t.match(a.connected, { type: 'connected', auth: 'required', nonce: /^[0-9a-f]{32}$/ })
  t.match(b.nonce, /^[0-9a-f]{32}$/)
  t.not(a.nonce, b.nonce)
})

t.test('a sign-in captured on one connection is refused on another; replayed on its own it is ALREADY_AUTHENTICATED', async (t) => {
  const s = await identityServer(t)
  const key = await newKey(s, 'alice', ['read'])
  const a = await open(t, s.wsUrl)
  const captured = signInFrame(key, a.nonce)
  t.match(await a.client.request(captured), { type: 'authenticated', account_id: 'alice', permissions: ['read'] })
  const b = await open(t, s.wsUrl)
  t.match(await b.client.request(captured), { type: 'error', code: 'INVALID_SIGNATURE' }, 'signed over another connection\'s nonce')
  t.match(await b.client.request({ type: 'subscribe', channel: 'orders' }), { type: 'error', code: 'AUTH_REQUIRED' }, 'and b is still not signed in')
  t.match(await a.client.request(captured), { type: 'error', code: 'ALREADY_AUTHENTICATED' })
  t.ok(await a.client.roundTrip(), 'a stays open and signed in')
  t.match(await a.client.request({ type: 'subscribe', channel: 'fills' }), { type: 'subscribed', channel: 'fills' })
})

t.test('every sign-in refusal by its code; the third failure on a connection closes it 1008', async (t) => {
  const s = await identityServer(t)
  const key = await newKey(s, 'carol')
  const revoked = await newKey(s, 'carol')
  t.ok((await s.app.exchange.revokeApiKey(revoked.keyId)).ok)
  const disabled = await newKey(s, 'dave')
  t.ok((await s.app.exchange.setAccountStatus('dave', 'disabled')).ok)
  const now = Date.now()
  const cases: Array<[string, (nonce: string) => Record<string, unknown>, string]> = [
    ['unknown key', (nonce) => signInFrame({ keyId: 'e'.repeat(32), secret: key.secret }, nonce), 'INVALID_API_KEY'],
    ['malformed key id', (nonce) => ({ ...signInFrame(key, nonce), api_key: key.keyId.toUpperCase() }), 'INVALID_API_KEY'],
    ['revoked key', (nonce) => signInFrame(revoked, nonce), 'INVALID_API_KEY'],
    ['key of a disabled account', (nonce) => signInFrame(disabled, nonce), 'INVALID_API_KEY'],
    ['timestamp 10 s behind', (nonce) => signInFrame(key, nonce, now - 10_000), 'INVALID_TIMESTAMP'],
    ['timestamp 10 s ahead', (nonce) => signInFrame(key, nonce, now + 10_000), 'INVALID_TIMESTAMP'],
    ['timestamp not digits', (nonce) => signInFrame(key, nonce, 'yesterday'), 'INVALID_TIMESTAMP'],
    ['signed with another secret', (nonce) => signInFrame({ keyId: key.keyId, secret: revoked.secret }, nonce), 'INVALID_SIGNATURE'],
    ['signature in upper case', (nonce) => { const f = signInFrame(key, nonce); return { ...f, signature: String(f.signature).toUpperCase() } }, 'INVALID_SIGNATURE']
  ]
  for (const [name, frame, code] of cases) {
    const { client, nonce } = await open(t, s.wsUrl)
    const error = await client.request(frame(nonce))
    t.match(error, { type: 'error', code, message: /./ }, `${name} → ${code}`)
    t.ok(await client.roundTrip(), `${name}: one failure leaves the connection open`)
    await client.close()
  }
  const { client, nonce } = await open(t, s.wsUrl)
  for (let i = 0; i < 2; i++) t.match(await client.request(signInFrame(revoked, nonce)), { code: 'INVALID_API_KEY' })
  t.match(await client.request(signInFrame({ keyId: key.keyId, secret: 'wrong' }, nonce)), { code: 'INVALID_SIGNATURE' }, 'the third is answered')
  t.same(await client.closed, { code: 1008, reason: 'too many failed sign-ins' })
})

t.test('private channels: AUTH_REQUIRED unsigned, FORBIDDEN for a key without read; public ones stay open', async (t) => {
  const s = await identityServer(t)
  const { client } = await open(t, s.wsUrl)
  for (const channel of ['orders', 'fills']) {
    t.match(await client.request({ type: 'subscribe', channel }), { type: 'error', code: 'AUTH_REQUIRED' }, `${channel} unsigned`)
    t.match(await client.request({ type: 'subscribe', channel, symbol: SYMBOL }), { type: 'error', code: 'AUTH_REQUIRED' }, `${channel} ${SYMBOL} unsigned`)
  }
  t.match(await client.request({ type: 'subscribe', channel: 'trades' }), { type: 'subscribed' })
  await client.subscribe('l2_updates', SYMBOL)
  const trader = await signedIn(t, s.wsUrl, await newKey(s, 'erin', ['trade']))
  t.match(await trader.request({ type: 'subscribe', channel: 'orders', symbol: SYMBOL }), { type: 'error', code: 'FORBIDDEN' })
  t.match(await trader.request({ type: 'subscribe', channel: 'fills' }), { type: 'error', code: 'FORBIDDEN' })
})

/** Every order id in these messages (order events and fills). */
function ordersNamed (messages: WsMessage[]): Set<string> {
  const ids = new Set<string>()
  for (const m of messages) {
    if (m.type === 'fill') ids.add(String(m.order_id))
    if (m.type === 'order_event') for (const e of m.data as Array<{ order_id: string }>) ids.add(e.order_id)
  }
  return ids
}

/** Every message of `client` of these types (waits ms for stragglers). */
async function drain (client: TestClient, types: string[], ms = 150): Promise<WsMessage[]> {
  return client.quiet(ms, (m) => types.includes(m.type))
}

t.test('two accounts trading with each other: each sees only its own orders and fills, with its own role and fee; the tape names nobody', async (t) => {
  const s = await identityServer(t, FEES)
  const alice = await newKey(s, 'alice')
  const bob = await newKey(s, 'bob')
  const a = await signedIn(t, s.wsUrl, alice)
  const a2 = await signedIn(t, s.wsUrl, await newKey(s, 'alice', ['read']))
  const b = await signedIn(t, s.wsUrl, bob)
  const tape = (await open(t, s.wsUrl)).client
  await a.subscribe('orders')
  await a.subscribe('fills')
  await a2.subscribe('fills', SYMBOL)
  await b.subscribe('orders', SYMBOL)
  await b.subscribe('fills', SYMBOL)
  await tape.subscribe('trades')

  // The same client order id in both accounts: allowed, and neither sees the other's.
  const ask = await placeAs(s, 'alice', { side: 'sell', quantity: '1', price: '30000', client_order_id: 'mine' })
  const bid = await placeAs(s, 'bob', { side: 'buy', quantity: '0.4', price: '30000', client_order_id: 'mine' })
  const [trade] = bid.trades

  const aFill = await a.next(isType('fill'))
  t.same(aFill, {
    type: 'fill',
    trade_id: trade.trade_id,
    order_id: ask.order_id,
    client_order_id: 'mine',
    symbol: SYMBOL,
    side: 'sell',
    role: 'maker',
    price: '30000',
    quantity: '0.4',
    trade_value: '12000',
    fee: aFill.fee,
    timestamp: trade.timestamp
  })
  t.equal(Number(aFill.fee), 12, 'the maker fee (0.1% of 12000)')
  const bFill = await b.next(isType('fill'))
  t.match(bFill, { trade_id: trade.trade_id, order_id: bid.order_id, client_order_id: 'mine', side: 'buy', role: 'taker', quantity: '0.4' })
  t.equal(Number(bFill.fee), 24, 'the taker fee (0.2% of 12000)')
  t.same(await a2.next(isType('fill')), aFill, 'another connection of the account gets the same fill')

  const aEvents = (await a.next(isType('order_event'))).data as Array<Record<string, unknown>>
  const bEvents = (await b.next(isType('order_event'))).data as Array<Record<string, unknown>>
  const aAll = [...aEvents, ...(await drain(a, ['order_event'])).flatMap((m) => m.data as Array<Record<string, unknown>>)]
  const bAll = [...bEvents, ...(await drain(b, ['order_event'])).flatMap((m) => m.data as Array<Record<string, unknown>>)]
  t.same(aAll.map((e) => [e.event_type, e.order_id, e.account_id]), [['resting', ask.order_id, 'alice'], ['partially_filled', ask.order_id, 'alice']], 'alice: her order only')
  t.same(bAll.map((e) => [e.event_type, e.order_id, e.account_id]), [['filled', bid.order_id, 'bob']], 'bob: his order only')

  const [printed] = (await tape.next(isType('trade'))).data as Array<Record<string, unknown>>
  t.same(Object.keys(printed).sort(), ['aggressor_side', 'maker_fee', 'price', 'quantity', 'symbol', 'taker_fee', 'timestamp', 'trade_id', 'trade_value'], 'the tape carries no order or account id')

  // An order of alice in another symbol: her all-symbol subscriptions get it, her BTC-only one does not; bob sees nothing.
  const eth = await placeAs(s, 'alice', { symbol: 'ETH-USDT', side: 'buy', quantity: '1', price: '2000' })
  t.match(await a.next(isType('order_event', (m) => m.symbol === 'ETH-USDT')), { data: [{ order_id: eth.order_id, event_type: 'resting' }] })
  t.same(await drain(b, ['order_event', 'fill'], 100), [], 'bob got nothing more')
  t.same(ordersNamed([...a.received, ...a2.received]), new Set([ask.order_id, eth.order_id]), 'alice\'s connections name her orders only')
  t.same(ordersNamed(b.received), new Set([bid.order_id]), 'bob\'s, his only')
  t.notOk([...a.received, ...a2.received].some((m) => JSON.stringify(m).includes('"bob"')), 'nothing alice received names bob')
  t.notOk(b.received.some((m) => JSON.stringify(m).includes('"alice"')), 'nothing bob received names alice')
  t.same(await drain(a2, ['order_event', 'fill'], 0), [], 'the fills-only connection got no order events')
})

t.test('a trade between two orders of one account (stp none) is two fills of that account: maker and taker', async (t) => {
  const s = await identityServer(t, FEES)
  const key = await newKey(s, 'frank')
  const c = await signedIn(t, s.wsUrl, key)
  await c.subscribe('fills')
  const maker = await placeAs(s, 'frank', { side: 'buy', quantity: '2', price: '100', stp: 'none' })
  const taker = await placeAs(s, 'frank', { side: 'sell', quantity: '2', price: '100', stp: 'none' })
  const first = await c.next(isType('fill'))
  const second = await c.next(isType('fill'))
  const byRole = Object.fromEntries([first, second].map((f) => [f.role, f]))
  t.match(byRole.maker, { order_id: maker.order_id, side: 'buy', trade_value: '200' })
  t.match(byRole.taker, { order_id: taker.order_id, side: 'sell', trade_value: '200' })
  t.equal(first.trade_id, second.trade_id, 'one trade')
  t.equal(Number(byRole.maker.fee), 0.2)
  t.equal(Number(byRole.taker.fee), 0.4)
})

t.test('revoking a key mid-stream closes its sessions 1008 "api key revoked"; disabling an account closes all of its sessions', async (t) => {
  const s = await identityServer(t)
  const first = await newKey(s, 'gina')
  const second = await newKey(s, 'gina')
  const other = await newKey(s, 'hal')
  const revokedSession = await signedIn(t, s.wsUrl, first)
  const sameKeyAgain = await signedIn(t, s.wsUrl, first)
  const otherKeySession = await signedIn(t, s.wsUrl, second)
  const otherAccount = await signedIn(t, s.wsUrl, other)
  const anonymous = (await open(t, s.wsUrl)).client
  await revokedSession.subscribe('orders')
  await placeAs(s, 'gina', { side: 'buy', quantity: '0.1', price: '20000' })
  await revokedSession.next(isType('order_event'))

  t.ok((await s.app.exchange.revokeApiKey(first.keyId)).ok)
  t.same(await revokedSession.closed, { code: 1008, reason: 'api key revoked' })
  t.same(await sameKeyAgain.closed, { code: 1008, reason: 'api key revoked' })
  t.ok(await otherKeySession.roundTrip(), 'another key of the account stays')
  t.ok(await otherAccount.roundTrip())
  t.ok(await anonymous.roundTrip())

  t.ok((await s.app.exchange.setAccountStatus('gina', 'disabled')).ok)
  t.same(await otherKeySession.closed, { code: 1008, reason: 'account disabled' })
  t.ok(await otherAccount.roundTrip(), 'other accounts stay')
  t.ok(await anonymous.roundTrip())
})

t.test('AUTH=off: orders and fills work unsigned, for the anonymous account', async (t) => {
  const s = await identityServer(t, { AUTH: 'off' })
  const { client, connected } = await open(t, s.wsUrl)
  t.equal(connected.auth, 'off')
  await client.subscribe('orders', SYMBOL)
  await client.subscribe('fills')
  await placeAs(s, 'anonymous', { side: 'sell', quantity: '1', price: '30000' })
  await placeAs(s, 'anonymous', { side: 'buy', quantity: '1', price: '30000' })
  const fills = [await client.next(isType('fill')), await client.next(isType('fill'))]
  t.same(fills.map((f) => f.role).sort(), ['maker', 'taker'], 'both sides are the anonymous account\'s')
  t.match(await client.next(isType('order_event')), { data: [{ account_id: 'anonymous' }] })
})
