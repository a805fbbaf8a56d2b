/**
 * Accounts and API keys as engine commands, and what they mean for orders:
 * the identity refusals, disabling (its open orders cancelled with
 * ACCOUNT_DISABLED) and enabling, ownership of orders (another account's
 * order is answered like an unknown one), client ids per account and the
 * per-account open-order cap, refused before anything is journaled.
 */
import t from 'tap'
import { MAX_KEYS_PER_ACCOUNT, MatchingEngine, type Command, type EngineEvent, type NewOrderInput, type OrderOutcome } from '../../src/engine/index.js'
import { engineProblems } from '../helpers/invariants.js'
import { UNIT, levels, unitEngine } from '../helpers/engine.js'
import { steppingClock } from '../helpers/clock.js'

const OTHER = { ...UNIT, symbol: 'OTHER-USD' }

interface Short { side: 'buy' | 'sell', type?: string, qty: number, price?: number, cid?: string, stp?: string, symbol?: string }

function input (accountId: string, o: Short): NewOrderInput {
  return { symbol: o.symbol ?? UNIT.symbol, side: o.side, orderType: o.type ?? 'limit', quantity: o.qty, price: o.price, clientOrderId: o.cid, accountId, stp: o.stp }
}

export function as (engine: MatchingEngine, accountId: string, o: Short): OrderOutcome {
  const result = engine.submit(input(accountId, o))
  if (!result.ok) throw new Error(`unexpected rejection: ${result.code} ${result.message}`)
  return result.value
}

function code<T> (result: { ok: true, value: T } | { ok: false, code: string }): string {
  return result.ok ? 'ok' : result.code
}

function journaled () {
  const commands: Command[] = []
  const engine = new MatchingEngine({ symbols: [UNIT, OTHER], clock: steppingClock(1000), onCommand: (c) => commands.push(c) })
  return { engine, commands }
}

t.test('accounts: created once, found, listed in creation order; refusals journal nothing', async (t) => {
  const { engine, commands } = journaled()
  const created = engine.createAccount('alice')
  t.ok(created.ok)
  if (created.ok) t.match(created.value, { id: 'alice', status: 'active', createdAt: 1000, isActive: true, keys: [] })
  t.ok(engine.createAccount('bob').ok)
  t.same([...engine.accounts.values()].map((a) => a.id), ['alice', 'bob'])
  t.equal(engine.accounts.size, 2)
  t.same(commands.map((c) => c.kind), ['create_account', 'create_account'])

  const sequence = engine.sequence
  const revision = engine.revision
  t.match(engine.createAccount('alice'), { ok: false, code: 'ACCOUNT_EXISTS', message: 'account alice already exists' })
  t.match(engine.setAccountStatus('carol', 'disabled'), { ok: false, code: 'ACCOUNT_NOT_FOUND', message: 'no account carol' })
  t.match(engine.createKey('carol', 'k1', ['read'], 'f'), { ok: false, code: 'ACCOUNT_NOT_FOUND' })
  t.match(engine.revokeKey('nope'), { ok: false, code: 'API_KEY_NOT_FOUND', message: 'no API key nope' })
  t.same([engine.sequence, engine.revision, commands.length], [sequence, revision, 2], 'refused: nothing ran, nothing journaled')
})

t.test('keys: created with permissions and a fingerprint, refused on a disabled account, a duplicate id, past 16; revoked', async (t) => {
  const { engine, commands } = journaled()
  engine.createAccount('alice')
  engine.createAccount('bob')
  const key = engine.createKey('alice', 'k0', ['read', 'trade'], 'fp0')
  t.ok(key.ok)
  if (key.ok) t.same(key.value, { keyId: 'k0', accountId: 'alice', permissions: ['read', 'trade'], fingerprint: 'fp0', createdAt: 1002, revoked: false })
  t.equal(engine.accounts.key('k0')?.accountId, 'alice')
  t.same(commands[2], { kind: 'create_key', seq: 3, timestamp: 1002, accountId: 'alice', keyId: 'k0', permissions: ['read', 'trade'], fingerprint: 'fp0' })

  t.match(engine.createKey('bob', 'k0', ['read'], 'x'), { ok: false, code: 'VALIDATION_ERROR', message: 'API key k0 already exists' }, 'key ids are unique across accounts')
  t.ok(engine.setAccountStatus('bob', 'disabled').ok)
  t.match(engine.createKey('bob', 'kb', ['read'], 'x'), { ok: false, code: 'ACCOUNT_DISABLED' })
  t.ok(engine.setAccountStatus('bob', 'active').ok)
  t.ok(engine.createKey('bob', 'kb', ['read'], 'x').ok, 'enabled again: keys can be created')

  for (let i = 1; i < MAX_KEYS_PER_ACCOUNT; i++) t.ok(engine.createKey('alice', `k${i}`, ['read'], `fp${i}`).ok)
  t.ok(engine.revokeKey('k1').ok)
  const before = commands.length
  t.match(engine.createKey('alice', 'k16', ['read'], 'fp'), { ok: false, code: 'TOO_MANY_API_KEYS' }, 'revoked keys count: every key is kept')
  t.equal(commands.length, before)
  t.equal(engine.accounts.get('alice')!.keys.length, MAX_KEYS_PER_ACCOUNT)

  const revoked = engine.revokeKey('k0')
  t.match(revoked, { ok: true, value: { keyId: 'k0', revoked: true } })
  t.match(engine.revokeKey('k0'), { ok: true, value: { revoked: true } }, 'revoking a revoked key is accepted and changes nothing')
  t.same([...engine.accounts.allKeys()].filter((k) => k.revoked).map((k) => k.keyId).sort(), ['k0', 'k1'])
})

t.test('disabling cancels every open order of the account, in every symbol, with ACCOUNT_DISABLED and events', async (t) => {
  const { engine, commands } = journaled()
  engine.createAccount('alice')
  engine.createAccount('bob')
  const a1 = as(engine, 'alice', { side: 'buy', qty: 2, price: 99 }).order
  const b1 = as(engine, 'bob', { side: 'buy', qty: 1, price: 99 }).order
  const a2 = as(engine, 'alice', { side: 'sell', qty: 3, price: 105, symbol: OTHER.symbol }).order
  const a3 = as(engine, 'alice', { side: 'sell', qty: 1, price: 101 }).order
  const batches: EngineEvent[][] = []
  engine.addListener((events) => batches.push([...events]))

  const disabled = engine.setAccountStatus('alice', 'disabled')
  t.ok(disabled.ok)
  if (!disabled.ok) return
  t.same(disabled.value.map((o) => o.id), [a1.id, a3.id, a2.id], 'book by book, oldest first within a book')
  for (const order of [a1, a2, a3]) t.same([order.status, order.cancelReason], ['cancelled', 'ACCOUNT_DISABLED'])
  t.equal(b1.status, 'pending', "another account's order stays")
  t.same(commands.at(-1), { kind: 'set_account_status', seq: commands.length, timestamp: 1006, accountId: 'alice', status: 'disabled' })
  t.same(batches.map((b) => b.map((e) => e.type === 'order' ? `${e.eventType}:${e.order.id}:${e.order.cancelReason}` : e.type === 'levels' ? `levels:${e.symbol}` : e.type)), [
    [`cancelled:${a1.id}:ACCOUNT_DISABLED`, `cancelled:${a3.id}:ACCOUNT_DISABLED`, 'levels:UNIT-USD'],
    [`cancelled:${a2.id}:ACCOUNT_DISABLED`, 'levels:OTHER-USD']
  ], 'one batch of events per book')
  t.same(levels(engine), { bids: [[99, 1]], asks: [] })
  t.same(levels(engine, OTHER.symbol), { bids: [], asks: [] })
  t.equal(engine.accounts.openCount('alice'), 0)
  t.equal(engine.findOrder(UNIT.symbol, { orderId: a1.id }, 'alice').ok, true, 'still readable as a closed order')
  t.equal(engine.accounts.get('alice')!.status, 'disabled')

  t.same(code(engine.setAccountStatus('alice', 'disabled')), 'ok', 'disabling again is accepted')
  const enabled = engine.setAccountStatus('alice', 'active')
  t.match(enabled, { ok: true, value: [] })
  t.equal(engine.accounts.get('alice')!.isActive, true)
  t.equal(as(engine, 'alice', { side: 'buy', qty: 1, price: 98 }).order.status, 'pending', 'enabled again: trades')
  t.same(engineProblems(engine), [])
})

t.test("ownership: another account's order is answered like an unknown one, by id and by client id", async (t) => {
  const { engine, commands } = journaled()
  const alice = as(engine, 'alice', { side: 'buy', qty: 1, price: 99, cid: 'same' }).order
  const bob = as(engine, 'bob', { side: 'buy', qty: 2, price: 98, cid: 'same' }).order
  t.equal(bob.status, 'pending', 'two accounts may use one client id')
  t.match(engine.submit(input('alice', { side: 'buy', qty: 1, price: 97, cid: 'same' })), { ok: false, code: 'DUPLICATE_CLIENT_ORDER_ID' }, 'but one account not twice among its open orders')
  t.equal(as(engine, 'alice', { side: 'buy', qty: 1, price: 97, cid: 'same', symbol: OTHER.symbol }).order.status, 'pending', 'a client id is unique per account within a symbol')
  const journaledSoFar = commands.length

  t.match(engine.cancel({ symbol: UNIT.symbol, orderId: alice.id, accountId: 'bob' }), { ok: false, code: 'ORDER_NOT_FOUND' })
  t.match(engine.cancel({ symbol: UNIT.symbol, orderId: '999', accountId: 'bob' }), { ok: false, code: 'ORDER_NOT_FOUND' })
  t.match(engine.cancel({ symbol: UNIT.symbol, clientOrderId: 'same', accountId: 'carol' }), { ok: false, code: 'ORDER_NOT_FOUND' })
  t.match(engine.cancel({ symbol: UNIT.symbol, orderId: alice.id }), { ok: false, code: 'ORDER_NOT_FOUND' }, 'no account given: the anonymous one')
  t.match(engine.findOrder(UNIT.symbol, { orderId: alice.id }, 'bob'), { ok: false, code: 'ORDER_NOT_FOUND' })
  t.match(engine.findOrder(UNIT.symbol, { clientOrderId: 'same' }, 'carol'), { ok: false, code: 'ORDER_NOT_FOUND' })
  t.match(engine.findOrder(UNIT.symbol, { orderId: alice.id }), { ok: false, code: 'ORDER_NOT_FOUND' })
  t.equal(commands.length, journaledSoFar, 'refused cancels journal nothing')

  t.match(engine.findOrder(UNIT.symbol, { clientOrderId: 'same' }, 'bob'), { ok: true, value: { id: bob.id } }, 'each account finds its own by client id')
  t.match(engine.cancel({ symbol: UNIT.symbol, clientOrderId: 'same', accountId: 'bob' }), { ok: true, value: { order: { id: bob.id, status: 'cancelled' } } })
  t.equal(alice.status, 'pending', "bob's cancel by the shared client id left alice's order alone")
  t.match(engine.findOrder(UNIT.symbol, { clientOrderId: 'same' }, 'bob'), { ok: true, value: { id: bob.id, status: 'cancelled' } }, 'closed: found in the history')
  t.match(engine.findOrder(UNIT.symbol, { orderId: bob.id }, 'alice'), { ok: false, code: 'ORDER_NOT_FOUND' }, "another account's closed order is not found either")
  t.match(engine.findOrder(UNIT.symbol, { clientOrderId: 'same' }, 'carol'), { ok: false, code: 'ORDER_NOT_FOUND' })
  t.match(engine.cancel({ symbol: UNIT.symbol, orderId: alice.id, accountId: 'alice' }), { ok: true })
  t.same(engineProblems(engine), [])
})

t.test('the per-account cap refuses a resting order before it is journaled; orders that do not rest still run', async (t) => {
  const commands: Command[] = []
  const engine = unitEngine({ symbols: [UNIT, OTHER], maxOpenOrdersPerAccount: 2, onCommand: (c) => commands.push(c) })
  t.equal(engine.maxOpenOrdersPerAccount, 2)
  as(engine, 'alice', { side: 'sell', qty: 1, price: 101 })
  as(engine, 'alice', { side: 'sell', qty: 1, price: 102, symbol: OTHER.symbol })
  const state = [engine.sequence, engine.nextOrderSeq, commands.length]
  const refused = engine.submit(input('alice', { side: 'buy', qty: 1, price: 90 }))
  t.same(refused.ok ? 'ok' : [refused.code, refused.message], ['OPEN_ORDER_LIMIT',
    'the account holds its maximum of 2 open orders; only orders that do not rest are taken until some are filled or cancelled'])
  t.same([engine.sequence, engine.nextOrderSeq, commands.length], state, 'nothing ran, nothing journaled, no id used')
  t.equal(code(engine.submit(input('alice', { side: 'buy', qty: 2, price: 101, stp: 'none' }))), 'OPEN_ORDER_LIMIT', 'a limit order that would leave a rest resting')
  t.equal(as(engine, 'bob', { side: 'sell', qty: 1, price: 100 }).order.status, 'pending', 'other accounts have their own count')
  t.equal(as(engine, 'alice', { side: 'buy', qty: 1, price: 100 }).order.status, 'filled', 'a limit order that fills completely is taken')
  t.equal(as(engine, 'alice', { side: 'buy', type: 'ioc', qty: 1, price: 90 }).order.status, 'cancelled')
  t.equal(as(engine, 'alice', { side: 'buy', qty: 1, price: 101, stp: 'cancel_taker' }).order.cancelReason, 'SELF_TRADE_PREVENTION', 'one stopped by self-trade prevention does not rest: taken')
  const market = as(engine, 'alice', { side: 'buy', type: 'market', qty: 1, stp: 'cancel_maker' })
  t.same([market.order.status, market.order.cancelReason, market.trades.length], ['cancelled', null, 0], 'its own ask cancelled, nothing else to buy')
  t.equal(engine.accounts.openCount('alice'), 1)
  t.equal(as(engine, 'alice', { side: 'buy', qty: 1, price: 90 }).order.status, 'pending', 'below the cap again: rests')
  t.equal(engine.accounts.openCount('alice'), 2)
  t.equal(engine.accounts.openCount('nobody'), 0)
  t.match(engine.submit(input('alice', { side: 'buy', qty: 1, price: 90, stp: 'cancel_newest' })), { ok: false, code: 'VALIDATION_ERROR', message: 'stp must be one of cancel_maker, cancel_taker, cancel_both, none' })
  t.throws(() => unitEngine({ maxOpenOrdersPerAccount: 0 }), /max open orders per account must be a positive integer, got 0/)
  t.equal(unitEngine().maxOpenOrdersPerAccount, null, 'no cap unless asked for')
})

t.test('cancel-all: the account\'s open orders of a symbol and/or side, as one command', async (t) => {
  const { engine, commands } = journaled()
  const mine = [
    as(engine, 'alice', { side: 'buy', qty: 1, price: 99 }).order,
    as(engine, 'alice', { side: 'sell', qty: 1, price: 101 }).order,
    as(engine, 'alice', { side: 'buy', qty: 1, price: 99, symbol: OTHER.symbol }).order,
    as(engine, 'alice', { side: 'sell', qty: 1, price: 101, symbol: OTHER.symbol }).order,
    as(engine, 'alice', { side: 'buy', qty: 1, price: 98 }).order
  ]
  const bobs = as(engine, 'bob', { side: 'buy', qty: 1, price: 99 }).order
  const ids = (r: ReturnType<MatchingEngine['cancelAll']>) => r.ok ? r.value.map((o) => o.id) : r.code

  const before = commands.length
  t.equal(ids(engine.cancelAll({ accountId: 'alice', symbol: 'NOPE-USD' })), 'SYMBOL_NOT_FOUND')
  t.equal(commands.length, before, 'refused: not journaled')
  t.same(ids(engine.cancelAll({ accountId: 'alice', symbol: 'unit-usd', side: 'buy' })), [mine[0].id, mine[4].id], 'one symbol (normalised), one side')
  t.same(commands.at(-1), { kind: 'cancel_all', seq: engine.sequence, timestamp: commands.at(-1)!.timestamp, accountId: 'alice', symbol: 'UNIT-USD', side: 'buy' })
  t.same(ids(engine.cancelAll({ accountId: 'alice', side: 'sell' })), [mine[1].id, mine[3].id], 'one side, every symbol')
  t.same(ids(engine.cancelAll({ accountId: 'carol' })), [], 'nothing open: nothing cancelled')
  t.equal(commands.at(-1)!.kind, 'cancel_all', 'still one journaled command')
  t.same(ids(engine.cancelAll({ accountId: 'alice', symbol: null, side: null })), [mine[2].id])
  for (const order of mine) t.same([order.status, order.cancelReason], ['cancelled', null], 'cancelled as by its owner: no reason')
  t.equal(bobs.status, 'pending')
  t.same(levels(engine), { bids: [[99, 1]], asks: [] })
  t.same(engineProblems(engine), [])
})

t.test('open orders, closed orders and fills page newest first, each item exactly once', async (t) => {
  const engine = unitEngine({ symbols: [UNIT, OTHER] })
  // alice: 6 resting in two symbols; bob trades against some; alice trades with herself once (stp none).
  const rest = [100, 101, 102, 103].map((price) => as(engine, 'alice', { side: 'sell', qty: 2, price }).order)
  const other = [as(engine, 'alice', { side: 'sell', qty: 1, price: 50, symbol: OTHER.symbol }).order, as(engine, 'alice', { side: 'sell', qty: 1, price: 51, symbol: OTHER.symbol }).order]
  as(engine, 'bob', { side: 'buy', qty: 3, price: 101 })
  const self = as(engine, 'alice', { side: 'buy', qty: 1, price: 101, stp: 'none' })
  t.equal(self.trades.length, 1)
  t.same([self.trades[0].makerAccountId, self.trades[0].takerAccountId], ['alice', 'alice'])

  const all = <T>(read: (before: number | null) => { items: T[], next: number | null }): T[][] => {
    const pages: T[][] = []
    let before: number | null = null
    do {
      const page = read(before)
      pages.push(page.items)
      before = page.next
    } while (before !== null)
    return pages
  }
  const open = all((b) => engine.openOrders('alice', null, 2, b)).map((p) => p.map((o) => o.id))
  t.same(open, [[other[1].id, other[0].id], [rest[3].id, rest[2].id]], 'newest first; the last page has no cursor')
  t.same(all((b) => engine.openOrders('alice', 'UNIT-USD', 1, b)).map((p) => p.map((o) => o.id)), [[rest[3].id], [rest[2].id]])
  t.same(engine.openOrders('alice', null, 10, null), { items: [other[1], other[0], rest[3], rest[2]], next: null }, 'one page holds all')
  t.same(engine.openOrders('alice', null, 10, Number(rest[3].id)).items.map((o) => o.id), [rest[2].id], 'a cursor: strictly older')
  t.same(engine.openOrders('nobody', null, 10, null), { items: [], next: null })

  const closed = all((b) => engine.closedOrders('alice', null, 1, b)).map((p) => p.map((o) => `${o.id}:${o.status}`))
  t.same(closed, [[`${self.order.id}:filled`], [`${rest[1].id}:filled`], [`${rest[0].id}:filled`]], 'in the order they ended, newest first')
  t.same(engine.closedOrders('bob', null, 5, null).items.map((o) => o.status), ['filled'])
  t.same(engine.closedOrders('alice', 'OTHER-USD', 5, null).items, [])
  t.same(engine.closedOrders('alice', null, 5, 0).items, [], 'a cursor at the oldest: nothing older')

  const fills = all((b) => engine.fillsOf('alice', null, 2, b)).map((p) => p.map((f) => `${f.trade.tradeId}:${f.role}`))
  t.same(fills, [['UNIT-USD-3:taker', 'UNIT-USD-3:maker'], ['UNIT-USD-2:maker', 'UNIT-USD-1:maker']], 'a self-trade is two fills, taker side first')
  t.same(engine.fillsOf('bob', null, 10, null).items.map((f) => `${f.trade.tradeId}:${f.role}`), ['UNIT-USD-2:taker', 'UNIT-USD-1:taker'])
  t.same(engine.fillsOf('alice', 'OTHER-USD', 10, null), { items: [], next: null })
  t.same(engine.fillsOf('alice', 'UNIT-USD', 10, 5).items.map((f) => `${f.trade.tradeId}:${f.role}`), ['UNIT-USD-3:maker', 'UNIT-USD-2:maker', 'UNIT-USD-1:maker'], 'a cursor between the two sides of one trade')
})

t.test('the fill and order histories are bounded: lists keep what is kept, cursors past it give nothing', async (t) => {
  const engine = unitEngine({ fillHistoryLimit: 2, historyLimit: 2 })
  t.throws(() => unitEngine({ fillHistoryLimit: 0 }), /fill history limit must be a positive integer/)
  for (let i = 0; i < 4; i++) {
    as(engine, 'alice', { side: 'sell', qty: 1, price: 100 })
    as(engine, 'bob', { side: 'buy', qty: 1, price: 100 })
  }
  t.equal(engine.fills.size, 2)
  t.equal(engine.fills.oldest, 2)
  t.same(engine.fillsOf('alice', null, 10, null).items.map((f) => f.trade.tradeId), ['UNIT-USD-4', 'UNIT-USD-3'])
  t.same(engine.fillsOf('alice', null, 10, 4), { items: [], next: null }, 'a cursor older than the oldest kept')
  t.same([...engine.fills.values()].map((x) => x.tradeId), ['UNIT-USD-3', 'UNIT-USD-4'])
  t.same(engine.closedOrders('bob', null, 10, null).items.map((o) => o.id), ['8'])
  t.same(engine.closedOrders('alice', null, 10, null).items.map((o) => o.id), ['7'])
})

t.test('cancel-all and disabling list each changed level once in their events, like every other command', async (t) => {
  const { engine } = journaled()
  engine.createAccount('alice')
  for (const price of [99, 98, 99, 98]) as(engine, 'alice', { side: 'buy', qty: 1, price })
  as(engine, 'alice', { side: 'sell', qty: 1, price: 105 })
  as(engine, 'bob', { side: 'buy', qty: 2, price: 99 })
  const batches: EngineEvent[][] = []
  engine.addListener((events) => batches.push([...events]))
  t.ok(engine.cancelAll({ accountId: 'alice', side: 'buy' }).ok)
  const changes = (batch: EngineEvent[]) => batch.flatMap((e) => e.type === 'levels' ? e.changes.map((c) => `${c.side}@${c.priceTicks}=${c.totalLots}`) : [])
  t.same(changes(batches[0]), ['buy@99=2', 'buy@98=0'], 'in the order first touched, each once, with its new total')
  as(engine, 'alice', { side: 'sell', qty: 1, price: 105 })
  batches.length = 0
  t.ok(engine.setAccountStatus('alice', 'disabled').ok)
  t.same(changes(batches[0]), ['sell@105=0'])
})
