// The exchange's identity and private-data methods on their own (no Fastify):
// accounts and keys with their refusals, the records the auth layer reads,
// identity-change notices, ownership, default self-trade prevention, paged
// lists with cursors, cancel-all, and refusals once the journal has failed.
import t from 'tap'
import type { Test } from 'tap'
import { fdatasync, mkdtempSync, rmSync, write } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { LocalExchange, type ExchangeLog, type LocalExchangeOptions } from '../../src/exchange/local-exchange.js'
import type { WriterIo } from '../../src/journal/journal-writer.js'
import { loadConfig } from '../../src/config.js'
import { steppingClock } from '../helpers/clock.js'
import { ANONYMOUS_ACCOUNT, type IdentityChange } from '../../src/exchange/exchange.js'
import type { NewOrderBody } from '../../schemas/order.js'

const ANON = { accountId: ANONYMOUS_ACCOUNT }
const ALICE = { accountId: 'alice' }
const BOB = { accountId: 'bob' }
const KEY = (n: number) => n.toString(16).padStart(32, '0')

const quiet: ExchangeLog = { info () {}, warn () {}, error () {} }

function open (t: Test, env: Record<string, string> = {}, extra: Partial<LocalExchangeOptions> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'exchange-identity-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const config = loadConfig({ DATA_DIR: dir, AUTH: 'required', ...env })
  const exchange = new LocalExchange({ engine: config.engine, journal: config.journal, batchMs: 0, maxTradesInAnswer: config.maxTradesInAnswer, log: quiet, clock: steppingClock(), ...extra })
  t.teardown(() => exchange.close())
  return exchange
}

/** Real journal files; from `failing` on, every write fails like a full disk. */
function failingDisk () {
  const disk = { failing: false }
  const io: Partial<WriterIo> = {
    write: ((fd: number, buffer: Buffer, offset: number, length: number, position: null, callback: (error: Error | null, written: number) => void) => {
      if (!disk.failing) return write(fd, buffer, offset, length, position, callback)
      callback(Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' }), 0)
    }) as unknown as WriterIo['write'],
    fdatasync: ((fd: number, callback: (error: Error | null) => void) => fdatasync(fd, callback)) as unknown as WriterIo['fdatasync']
  }
  return { disk, io }
}

const bid = (price: string, extra: Partial<NewOrderBody> = {}): NewOrderBody => ({ symbol: 'ETH-USDT', side: 'buy', order_type: 'limit', quantity: '1', price, ...extra })
const ask = (price: string, extra: Partial<NewOrderBody> = {}): NewOrderBody => ({ symbol: 'ETH-USDT', side: 'sell', order_type: 'limit', quantity: '1', price, ...extra })

t.test('accounts: created, read, paged in creation order; refusals carry their codes', async (t) => {
  const exchange = open(t)
  t.match(await exchange.createAccount('alice'), { ok: true, value: { account_id: 'alice', status: 'active', open_orders: 0, api_keys: [] } })
  t.match(await exchange.createAccount('alice'), { ok: false, code: 'ACCOUNT_EXISTS' })
  for (const id of ['bob', 'carol', 'dave', 'erin']) t.ok((await exchange.createAccount(id)).ok)
  const created = await exchange.account('alice')
  t.match(created, { ok: true, value: { account_id: 'alice' } })
  if (created.ok) t.equal(created.value.created_at, 1_700_000_000, 'created_at in seconds from the clock')
  t.match(await exchange.account('zed'), { ok: false, code: 'ACCOUNT_NOT_FOUND' })

  const pages: string[][] = []
  let cursor: string | undefined
  for (;;) {
    const page = await exchange.accounts(2, cursor)
    if (!page.ok) throw new Error(page.code)
    pages.push(page.value.accounts.map((a) => a.account_id))
    if (page.value.next_cursor === null) break
    cursor = page.value.next_cursor
  }
  t.same(pages, [['alice', 'bob'], ['carol', 'dave'], ['erin']], 'every account once, oldest first')
  t.match(await exchange.accounts(10, undefined), { ok: true, value: { next_cursor: null } })
  t.match(await exchange.accounts(10, '99'), { ok: true, value: { accounts: [], next_cursor: null } }, 'past the end: an empty last page')
  for (const bad of ['x', '-1', '1.5', '1234567890123456']) t.match(await exchange.accounts(10, bad), { ok: false, code: 'INVALID_PARAMETER' }, `cursor ${bad}`)
})

t.test('keys: created, revoked, the records the auth layer reads; identity changes are told once durable', async (t) => {
  const { errors, log } = (() => {
    const errors: string[] = []
    return { errors, log: { ...quiet, error (_: object, message: string) { errors.push(message) } } }
  })()
  const exchange = open(t, {}, { log })
  const told: IdentityChange[] = []
  exchange.onIdentityChange((change) => { throw new Error(`listener failed on ${change.kind}`) })
  exchange.onIdentityChange((change) => told.push(change))
  await exchange.createAccount('alice')
  await exchange.createAccount('bob')

  const created = await exchange.createApiKey('alice', KEY(1), ['read', 'trade'], 'f1f1f1f1f1f1f1f1')
  t.match(created, { ok: true, value: { key_id: KEY(1), account_id: 'alice', permissions: ['read', 'trade'], status: 'active' } })
  t.same(Object.keys(created.ok ? created.value : {}).sort(), ['account_id', 'created_at', 'key_id', 'permissions', 'status'], 'no secret, no fingerprint in the view')
  t.match(await exchange.createApiKey('zed', KEY(2), ['read'], 'f'), { ok: false, code: 'ACCOUNT_NOT_FOUND' })
  t.match(await exchange.createApiKey('bob', KEY(1), ['read'], 'f'), { ok: false, code: 'VALIDATION_ERROR' })
  t.ok((await exchange.createApiKey('bob', KEY(2), ['read'], 'f2f2f2f2f2f2f2f2')).ok)
  t.same(exchange.apiKey(KEY(1)), { keyId: KEY(1), accountId: 'alice', permissions: ['read', 'trade'], active: true, accountActive: true, fingerprint: 'f1f1f1f1f1f1f1f1' })
  t.equal(exchange.apiKey(KEY(9)), null)
  t.same([...exchange.apiKeys()].map((k) => k.keyId), [KEY(1), KEY(2)])
  t.match(await exchange.account('alice'), { ok: true, value: { api_keys: [{ key_id: KEY(1), status: 'active' }] } })

  t.match(await exchange.revokeApiKey(KEY(9)), { ok: false, code: 'API_KEY_NOT_FOUND' })
  t.same(told, [], 'a refused revoke tells nobody')
  t.match(await exchange.revokeApiKey(KEY(1)), { ok: true, value: { key_id: KEY(1), status: 'revoked' } })
  t.same(told, [{ kind: 'key_revoked', keyId: KEY(1), accountId: 'alice' }])
  t.equal(exchange.apiKey(KEY(1))?.active, false)
  t.same(errors, ['identity change listener failed'], 'a throwing listener is logged; the others are still told')

  t.match(await exchange.placeOrder(BOB, bid('2000')), { ok: true })
  t.match(await exchange.setAccountStatus('bob', 'disabled'), { ok: true, value: { account_id: 'bob', status: 'disabled', cancelled_orders: 1, open_orders: 0 } })
  t.same(told.at(-1), { kind: 'account_disabled', accountId: 'bob' })
  t.same(exchange.apiKey(KEY(2)), { keyId: KEY(2), accountId: 'bob', permissions: ['read'], active: true, accountActive: false, fingerprint: 'f2f2f2f2f2f2f2f2' })
  t.match(await exchange.placeOrder(BOB, bid('2000')), { ok: false, code: 'ACCOUNT_DISABLED' }, 'an order that got past the keys is still refused')
  t.match(await exchange.createApiKey('bob', KEY(3), ['read'], 'f'), { ok: false, code: 'ACCOUNT_DISABLED' })
  const count = told.length
  t.match(await exchange.setAccountStatus('bob', 'active'), { ok: true, value: { status: 'active', cancelled_orders: 0 } })
  t.equal(told.length, count, 'enabling tells nobody')
  t.equal(exchange.apiKey(KEY(2))?.accountActive, true)
  t.match(await exchange.setAccountStatus('zed', 'disabled'), { ok: false, code: 'ACCOUNT_NOT_FOUND' })
  t.equal(told.length, count)

  for (let i = 3; i <= 18; i++) {
    const result = await exchange.createApiKey('bob', KEY(i), ['read'], 'f')
    t.equal(result.ok ? 'ok' : result.code, i <= 17 ? 'ok' : 'TOO_MANY_API_KEYS', `key ${i - 1} of bob`)
  }
})

t.test('default self-trade prevention: cancel_maker for named accounts (DEFAULT_STP), none for the anonymous one', async (t) => {
  const exchange = open(t)
  await exchange.placeOrder(ALICE, ask('2000'))
  const taker = await exchange.placeOrder(ALICE, bid('2000'))
  t.match(taker, { ok: true, value: { stp: 'cancel_maker', status: 'pending', trade_count: 0, account_id: 'alice' } })
  t.match(await exchange.findOrder(ALICE, { symbol: 'ETH-USDT', orderId: '1' }), { ok: true, value: { status: 'cancelled', cancel_reason: 'SELF_TRADE_PREVENTION' } })
  t.match(await exchange.placeOrder(ALICE, ask('2000', { stp: 'none' })), { ok: true, value: { stp: 'none', status: 'filled', trade_count: 1 } }, 'an order names its own mode')

  await exchange.placeOrder(ANON, ask('2100'))
  t.match(await exchange.placeOrder(ANON, bid('2100')), { ok: true, value: { stp: 'none', status: 'filled', account_id: 'anonymous' } }, 'AUTH=off traders are all one account: no prevention')

  const taking = open(t, { DEFAULT_STP: 'cancel_taker' })
  await taking.placeOrder(BOB, ask('2000'))
  t.match(await taking.placeOrder(BOB, bid('2000')), { ok: true, value: { stp: 'cancel_taker', status: 'cancelled', cancel_reason: 'SELF_TRADE_PREVENTION' } })
})

t.test("ownership: another account's orders are not found, not cancelled; client ids per account", async (t) => {
  const exchange = open(t)
  t.match(await exchange.placeOrder(ALICE, bid('2000', { client_order_id: 'mine' })), { ok: true, value: { order_id: '1' } })
  t.match(await exchange.placeOrder(BOB, bid('1999', { client_order_id: 'mine' })), { ok: true, value: { order_id: '2' } }, 'the same client id in another account')
  t.match(await exchange.placeOrder(ALICE, bid('1998', { client_order_id: 'mine' })), { ok: false, code: 'DUPLICATE_CLIENT_ORDER_ID' })
  for (const ref of [{ orderId: '1' }, { clientOrderId: 'nope' }]) {
    t.match(await exchange.findOrder(ANON, { symbol: 'ETH-USDT', ...ref }), { ok: false, code: 'ORDER_NOT_FOUND' })
  }
  t.match(await exchange.findOrder(BOB, { symbol: 'ETH-USDT', orderId: '1' }), { ok: false, code: 'ORDER_NOT_FOUND' })
  t.match(await exchange.findOrder(BOB, { symbol: 'ETH-USDT', clientOrderId: 'mine' }), { ok: true, value: { order_id: '2' } })
  t.match(await exchange.cancelOrder(BOB, { symbol: 'ETH-USDT', order_id: '1' }), { ok: false, code: 'ORDER_NOT_FOUND' })
  t.match(await exchange.cancelOrder(BOB, { symbol: 'ETH-USDT', client_order_id: 'mine' }), { ok: true, value: { order_id: '2' } })
  t.match(await exchange.findOrder(ALICE, { symbol: 'ETH-USDT', orderId: '1' }), { ok: true, value: { status: 'pending' } }, "alice's order untouched")
})

t.test('the per-account open-order cap: OPEN_ORDER_LIMIT with AUTH=required, no cap with AUTH=off', async (t) => {
  const exchange = open(t, { MAX_OPEN_ORDERS_PER_ACCOUNT: '2' })
  t.ok((await exchange.placeOrder(ALICE, bid('2000'))).ok)
  t.ok((await exchange.placeOrder(ALICE, bid('1999'))).ok)
  t.match(await exchange.placeOrder(ALICE, bid('1998')), { ok: false, code: 'OPEN_ORDER_LIMIT' })
  t.ok((await exchange.placeOrder(BOB, bid('1998'))).ok, 'another account has its own')
  t.match(await exchange.listOrders(ALICE, { status: 'open', limit: 10 }), { ok: true, value: { orders: [{ order_id: '2' }, { order_id: '1' }] } }, 'the refused order used no id')

  const off = open(t, { AUTH: 'off', MAX_OPEN_ORDERS_PER_ACCOUNT: '2' })
  for (const price of ['2000', '1999', '1998']) t.ok((await off.placeOrder(ANON, bid(price))).ok)
})

t.test('orders and fills: own only, newest first, paged by cursor; bad cursors and symbols refused', async (t) => {
  const exchange = open(t)
  await exchange.placeOrder(ALICE, ask('2000', { quantity: '2', client_order_id: 'a-ask' }))
  await exchange.placeOrder(ALICE, bid('1900'))
  await exchange.placeOrder(ALICE, ask('30000', { symbol: 'BTC-USDT', quantity: '0.1' }))
  await exchange.placeOrder(BOB, bid('2000', { client_order_id: 'b-bid' }))
  await exchange.placeOrder(ALICE, bid('2000', { stp: 'none' }))

  t.match(await exchange.listOrders(ALICE, { status: 'open', limit: 2 }), { ok: true, value: { orders: [{ order_id: '3', symbol: 'BTC-USDT', account_id: 'alice' }, { order_id: '2' }], next_cursor: null } })
  t.match(await exchange.listOrders(ALICE, { status: 'open', limit: 1 }), { ok: true, value: { orders: [{ order_id: '3' }], next_cursor: '3' } })
  t.match(await exchange.listOrders(ALICE, { status: 'open', limit: 1, cursor: '3' }), { ok: true, value: { orders: [{ order_id: '2' }], next_cursor: null } })
  t.match(await exchange.listOrders(ALICE, { status: 'open', limit: 5, symbol: 'btc-usdt' }), { ok: true, value: { orders: [{ order_id: '3' }], next_cursor: null } }, 'the symbol is normalised')
  const closed = await exchange.listOrders(ALICE, { status: 'closed', limit: 1 })
  t.match(closed, { ok: true, value: { orders: [{ order_id: '5', status: 'filled', stp: 'none' }] } })
  const next = closed.ok ? closed.value.next_cursor : null
  t.type(next, 'string')
  t.match(await exchange.listOrders(ALICE, { status: 'closed', limit: 1, cursor: next! }), { ok: true, value: { orders: [{ order_id: '1', client_order_id: 'a-ask' }], next_cursor: null } })
  t.match(await exchange.listOrders(BOB, { status: 'closed', limit: 10 }), { ok: true, value: { orders: [{ order_id: '4' }] } })

  const fills = await exchange.listFills(ALICE, { limit: 10 })
  t.ok(fills.ok)
  if (!fills.ok) return
  t.same(fills.value.fills.map((f) => [f.trade_id, f.order_id, f.side, f.role]), [
    ['ETH-USDT-2', '5', 'buy', 'taker'],
    ['ETH-USDT-2', '1', 'sell', 'maker'],
    ['ETH-USDT-1', '1', 'sell', 'maker']
  ], 'a self-trade is two fills, one per side')
  t.match(fills.value.fills[2], { client_order_id: 'a-ask', price: '2000', quantity: '1', trade_value: '2000', fee: '2', symbol: 'ETH-USDT' })
  t.match(await exchange.listFills(BOB, { limit: 10 }), { ok: true, value: { fills: [{ order_id: '4', client_order_id: 'b-bid', role: 'taker', side: 'buy', fee: '2' }], next_cursor: null } })
  const first = await exchange.listFills(ALICE, { limit: 1 })
  t.match(first, { ok: true, value: { fills: [{ role: 'taker' }] } })
  t.match(await exchange.listFills(ALICE, { limit: 5, cursor: first.ok ? first.value.next_cursor! : '' }), { ok: true, value: { fills: [{ role: 'maker' }, { role: 'maker' }] } })
  t.match(await exchange.listFills(ALICE, { limit: 5, symbol: 'BTC-USDT' }), { ok: true, value: { fills: [], next_cursor: null } })
  await exchange.placeOrder(BOB, ask('1900', { stp: 'none' }))
  t.match(await exchange.listFills(ALICE, { limit: 1 }), { ok: true, value: { fills: [{ order_id: '2', side: 'buy', role: 'maker', price: '1900', fee: '1.9' }] } }, 'a resting bid hit by a sell: the maker bought')
  t.match(await exchange.listFills(BOB, { limit: 1 }), { ok: true, value: { fills: [{ side: 'sell', role: 'taker' }] } })

  for (const cursor of ['abc', '-1', '2.5', '9999999999999999']) {
    t.match(await exchange.listOrders(ALICE, { status: 'open', limit: 5, cursor }), { ok: false, code: 'INVALID_PARAMETER' }, `orders cursor ${cursor}`)
    t.match(await exchange.listFills(ALICE, { limit: 5, cursor }), { ok: false, code: 'INVALID_PARAMETER' }, `fills cursor ${cursor}`)
  }
  t.match(await exchange.listOrders(ALICE, { status: 'open', limit: 5, symbol: 'DOGE-USDT' }), { ok: false, code: 'SYMBOL_NOT_FOUND' })
  t.match(await exchange.listFills(ALICE, { limit: 5, symbol: 'DOGE-USDT' }), { ok: false, code: 'SYMBOL_NOT_FOUND' })
})

t.test('cancel-all: own open orders of a symbol and/or side; the side is checked', async (t) => {
  const exchange = open(t)
  await exchange.placeOrder(ALICE, bid('1900'))
  await exchange.placeOrder(ALICE, ask('2100'))
  await exchange.placeOrder(ALICE, bid('20000', { symbol: 'BTC-USDT', quantity: '0.1' }))
  await exchange.placeOrder(BOB, bid('1900'))
  t.match(await exchange.cancelAll(ALICE, { side: 'up' }), { ok: false, code: 'VALIDATION_ERROR' })
  t.match(await exchange.cancelAll(ALICE, { symbol: 'DOGE-USDT' }), { ok: false, code: 'SYMBOL_NOT_FOUND' })
  t.same(await exchange.cancelAll(ALICE, { symbol: 'eth-usdt', side: 'SELL' }), { ok: true, value: { success: true, cancelled: 1, order_ids: ['2'] } }, 'the side is case-insensitive')
  t.same(await exchange.cancelAll(ALICE, {}), { ok: true, value: { success: true, cancelled: 2, order_ids: ['3', '1'] } }, 'book by book in configuration order (BTC-USDT first), oldest first in each')
  t.same(await exchange.cancelAll(ALICE, {}), { ok: true, value: { success: true, cancelled: 0, order_ids: [] } })
  t.match(await exchange.findOrder(BOB, { symbol: 'ETH-USDT', orderId: '4' }), { ok: true, value: { status: 'pending' } })
  t.match(await exchange.findOrder(ALICE, { symbol: 'ETH-USDT', orderId: '1' }), { ok: true, value: { status: 'cancelled', cancel_reason: null } })
})

t.test('once the journal has failed every identity and private call is refused, and nobody is told of a change that was not made durable', async (t) => {
  const { disk, io } = failingDisk()
  const exchange = open(t, { JOURNAL_FSYNC: 'always' }, { journalIo: io })
  const told: IdentityChange[] = []
  exchange.onIdentityChange((change) => told.push(change))
  await exchange.createAccount('alice')
  await exchange.createApiKey('alice', KEY(1), ['read'], 'f')
  await exchange.placeOrder(ALICE, bid('1900'))

  disk.failing = true
  // An accepted command waits for a write that fails; a refusal made meanwhile waits for it too.
  const pending = [
    exchange.revokeApiKey(KEY(1)),
    exchange.createAccount('alice'),
    exchange.cancelAll(ALICE, { symbol: 'DOGE-USDT' }),
    exchange.listOrders(ALICE, { status: 'open', limit: 5 })
  ]
  for (const outcome of await Promise.all(pending)) t.match(outcome, { ok: false, code: 'JOURNAL_UNAVAILABLE' })
  t.same(told, [], 'the revoke never became durable: nobody was told')

  const refused = await Promise.all([
    exchange.createAccount('bob'),
    exchange.setAccountStatus('alice', 'disabled'),
    exchange.account('alice'),
    exchange.accounts(10, undefined),
    exchange.createApiKey('alice', KEY(2), ['read'], 'f'),
    exchange.revokeApiKey(KEY(1)),
    exchange.listOrders(ALICE, { status: 'closed', limit: 5 }),
    exchange.listFills(ALICE, { limit: 5 }),
    exchange.cancelAll(ALICE, {})
  ])
  for (const outcome of refused) t.match(outcome, { ok: false, code: 'JOURNAL_UNAVAILABLE' })
  t.same(told, [])
})

t.test('an accepted cancel-all or disable whose write fails is answered JOURNAL_UNAVAILABLE', async (t) => {
  const { disk, io } = failingDisk()
  const exchange = open(t, { JOURNAL_FSYNC: 'always' }, { journalIo: io })
  const told: IdentityChange[] = []
  exchange.onIdentityChange((change) => told.push(change))
  await exchange.createAccount('alice')
  await exchange.placeOrder(ALICE, bid('1900'))
  disk.failing = true
  const [cancelAll, disable] = await Promise.all([exchange.cancelAll(ALICE, {}), exchange.setAccountStatus('alice', 'disabled')])
  t.match(cancelAll, { ok: false, code: 'JOURNAL_UNAVAILABLE' })
  t.match(disable, { ok: false, code: 'JOURNAL_UNAVAILABLE' })
  t.same(told, [])
})
