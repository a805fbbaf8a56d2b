/**
 * Snapshots (format 3) and the state digest of issue 12's order types: the
 * new order fields, untriggered stops and the trading status are exported
 * and imported exactly; a book without any of them exports and digests as
 * it always did; format 1 and 2 snapshots still load.
 *
 * The orders here get their new fields by hand, so that the format is tested
 * apart from the engine rules that give them (see state-stops.test.ts for
 * the engine's own stops, icebergs and lists through a snapshot).
 */
import t from 'tap'
import { MatchingEngine, Order, exportState, importState, stateDigest, type EngineState } from '../../src/engine/index.js'
import { UNIT, place, unitEngine } from '../helpers/engine.js'

const TWO = { ...UNIT, symbol: 'TWO-USD' }

/** A plain two-symbol state: levels, queues, a partial fill, a client id, a cancel, history. */
function plainEngine (): MatchingEngine {
  const e = unitEngine({ symbols: [UNIT, TWO] })
  place(e, { side: 'sell', qty: 5, price: 101, cid: 'a1' })
  place(e, { side: 'sell', qty: 3, price: 101 })
  place(e, { side: 'sell', qty: 2, price: 103 })
  place(e, { side: 'buy', qty: 4, price: 99 })
  place(e, { side: 'buy', qty: 2, price: 101 })
  e.cancel({ symbol: UNIT.symbol, orderId: '3' })
  t.ok(e.submit({ symbol: TWO.symbol, side: 'buy', orderType: 'limit', quantity: 7, price: 50 }).ok)
  return e
}

const copy = (state: EngineState): EngineState => JSON.parse(JSON.stringify(state)) as EngineState

function restored (state: EngineState): MatchingEngine {
  const e = new MatchingEngine({ symbols: [UNIT, TWO] })
  importState(e, copy(state))
  return e
}

/** Forgets the cached digest after a change made behind the engine's back. */
function digestNow (e: MatchingEngine): string {
  e.revision++
  return stateDigest(e)
}

const resting = (e: MatchingEngine, id: string): Order => e.book(UNIT.symbol)!.openOrder(id)!

function stopOrder (seq: number): Order {
  const stop = new Order(seq, UNIT.symbol, 'buy', 'stop_limit', 120, 4, 'st', 1_700_000_000_100, 'anonymous', 'none')
  stop.status = 'untriggered'
  stop.stopPriceTicks = 115
  return stop
}

t.test('a plain book digests exactly as before issue 12', async (t) => {
  t.equal(stateDigest(plainEngine()), 'b64eb4d0e7d84c86b3666b74c31c047a344cd4bd4a0f373a470a78e3ffad57ea', 'the digest main computed for this state')
})

t.test('a plain state exports as format 3 with the seed\'s 12-element orders, no stops and status trading', async (t) => {
  const state = exportState(plainEngine())
  t.equal(state.version, 3)
  for (const book of state.books) {
    t.same(book.stops, [], `${book.symbol}: no stops`)
    t.equal(book.tradingStatus, 'trading')
    for (const tuple of book.resting) t.equal(tuple.length, 12, `resting ${tuple[0]}`)
  }
  for (const entry of state.history) t.equal(entry.length, 13, `history ${entry[1]}: symbol + 12`)
})

t.test('each new order field is exported only when it is not its default, and read back', async (t) => {
  const e = plainEngine()
  const iceberg = resting(e, '2')
  iceberg.displayLots = 2
  iceberg.visibleLots = 2
  iceberg.timeInForce = 'gtd'
  iceberg.expireAt = 1_700_000_900_000
  iceberg.postOnly = true
  const stop = resting(e, '4')
  stop.stopPriceTicks = 98
  stop.listSeq = 4
  const sameTif = resting(e, '1')
  sameTif.timeInForce = 'gtc'
  const state = exportState(e)
  const tupleOf = (id: string) => state.books[0].resting.find((tuple) => tuple[0] === id)!
  t.same(tupleOf('2')[12], { timeInForce: 'gtd', postOnly: true, displayLots: 2, visibleLots: 2, expireAt: 1_700_000_900_000 })
  t.same(Object.keys(tupleOf('2')[12]!), ['timeInForce', 'postOnly', 'displayLots', 'visibleLots', 'expireAt'], 'a fixed order of keys')
  t.same(tupleOf('4')[12], { stopPriceTicks: 98, listSeq: 4 })
  t.equal(tupleOf('1').length, 12, 'gtc on a limit order is its default: nothing saved')
  t.equal(state.history.find((entry) => entry[1] === '5')!.length, 13, 'a filled order shows nothing: no visible lots saved')

  const back = restored(state)
  const again = resting(back, '2')
  t.same([again.displayLots, again.visibleLots, again.timeInForce, again.expireAt, again.postOnly], [2, 2, 'gtd', 1_700_000_900_000, true])
  t.same([resting(back, '4').stopPriceTicks, resting(back, '4').listSeq], [98, 4])
  t.equal(resting(back, '4').visibleLots, 4, 'visible lots default to the remaining ones')
  t.equal(resting(back, '1').visibleLots, 3, 'partially filled: its remaining lots')
  t.same(exportState(back), state, 'exported again: the same state')
})

t.test('the time in force is saved only when it is not the order type\'s own', async (t) => {
  const e = plainEngine()
  const book = e.book(UNIT.symbol)!
  const types = [['limit', 'gtc', 'ioc'], ['ioc', 'ioc', 'fok'], ['fok', 'fok', 'gtc'], ['market', 'ioc', 'gtc'], ['stop_market', 'gtc', 'gtd'], ['stop_limit', 'gtc', 'fok']] as const
  for (const [type, own, other] of types) {
    const order = new Order(50, UNIT.symbol, 'buy', type, 1, 1, null, 1)
    t.equal(order.timeInForce, own, `${type}: the constructor's default`)
    book.stopOrders = () => [order]
    t.equal(exportState(e).books[0].stops![0].length, 12, `${type} with ${own}: nothing saved`)
    order.timeInForce = other
    t.same(exportState(e).books[0].stops![0][12], { timeInForce: other }, `${type} with ${other}`)
  }
})

t.test('two open orders of one OCO list are each other\'s peer after a restore', async (t) => {
  const e = plainEngine()
  resting(e, '2').listSeq = 2
  resting(e, '4').listSeq = 2
  resting(e, '1').listSeq = 1
  const back = restored(exportState(e))
  t.equal(resting(back, '2').ocoPeer, resting(back, '4'))
  t.equal(resting(back, '4').ocoPeer, resting(back, '2'))
  t.equal(resting(back, '1').ocoPeer, null, 'a list whose other leg is gone links nothing')
  t.equal(back.book(TWO.symbol)!.openOrder('6')!.ocoPeer, null)
})

t.test('the trading status is exported, digested when not trading, and restored', async (t) => {
  const e = plainEngine()
  const plain = stateDigest(e)
  const book = e.book(TWO.symbol)!
  book.tradingStatus = 'halted'
  const halted = digestNow(e)
  book.tradingStatus = 'cancel_only'
  const cancelOnly = digestNow(e)
  t.equal(new Set([plain, halted, cancelOnly]).size, 3)
  const state = exportState(e)
  t.same(state.books.map((b) => b.tradingStatus), ['trading', 'cancel_only'])
  const back = restored(state)
  t.equal(back.book(TWO.symbol)!.tradingStatus, 'cancel_only')
  t.equal(stateDigest(back), cancelOnly)
  book.tradingStatus = 'trading'
  t.equal(digestNow(e), plain, 'back to trading: the plain digest')
})

t.test('untriggered stops are exported per book and digested', async (t) => {
  const e = plainEngine()
  const plain = stateDigest(e)
  const book = e.book(UNIT.symbol)!
  const stop = stopOrder(7)
  book.stopOrders = () => [stop]
  const withStop = digestNow(e)
  t.not(withStop, plain)
  const state = exportState(e)
  t.same(state.books[0].stops, [['7', 'buy', 'stop_limit', 120, 4, 0, 'untriggered', 'st', 1_700_000_000_100, null, 'anonymous', 'none', { stopPriceTicks: 115 }]])
  t.same(state.books[1].stops, [])
  const seen = new Set([withStop])
  const step = (what: string, change: () => void) => {
    change()
    const digest = digestNow(e)
    t.notOk(seen.has(digest), what)
    seen.add(digest)
  }
  step('its stop price', () => { stop.stopPriceTicks = 116 })
  step('its limit price', () => { stop.priceTicks = 121 })
  step('its quantity', () => { stop.quantityLots = 5 })
  step('its side', () => { book.stopOrders = () => [Object.assign(stopOrder(7), { side: 'sell' })] })
  book.stopOrders = () => []
  t.equal(digestNow(e), plain, 'no stops: the plain digest')
})

t.test('each new field of a resting order changes the digest, and only while it is set', async (t) => {
  const e = plainEngine()
  const plain = stateDigest(e)
  const order = resting(e, '2')
  const changes: Array<[string, () => void, () => void]> = [
    ['time in force', () => { order.timeInForce = 'gtd' }, () => { order.timeInForce = 'gtc' }],
    ['post-only', () => { order.postOnly = true }, () => { order.postOnly = false }],
    ['stop price (a triggered stop)', () => { order.stopPriceTicks = 90 }, () => { order.stopPriceTicks = null }],
    ['display lots', () => { order.displayLots = 1 }, () => { order.displayLots = 0 }],
    ['visible lots', () => { order.visibleLots = 1 }, () => { order.visibleLots = order.remainingLots }],
    ['expire time', () => { order.expireAt = 1_800_000_000_000 }, () => { order.expireAt = null }],
    ['quote units', () => { order.quoteUnits = 5 }, () => { order.quoteUnits = null }],
    ['OCO list', () => { order.listSeq = 2 }, () => { order.listSeq = 0 }]
  ]
  const seen = new Set([plain])
  for (const [what, set, reset] of changes) {
    set()
    const digest = digestNow(e)
    t.notOk(seen.has(digest), what)
    seen.add(digest)
    reset()
    t.equal(digestNow(e), plain, `${what} back to its default`)
  }
})

t.test('format 1 and 2 snapshots load (no stops, status trading); other formats are refused', async (t) => {
  const e = plainEngine()
  e.book(UNIT.symbol)!.tradingStatus = 'halted'
  const current = exportState(e)
  const digest = stateDigest(plainEngine())
  const v2 = copy(current)
  v2.version = 2
  for (const book of v2.books) {
    delete book.stops
    delete book.tradingStatus
  }
  const fromV2 = restored(v2)
  t.equal(fromV2.book(UNIT.symbol)!.tradingStatus, 'trading')
  t.equal(stateDigest(fromV2), digest)
  t.same(exportState(fromV2), { ...current, books: current.books.map((b) => ({ ...b, tradingStatus: 'trading' })) }, 'exported again as format 3')
  const v1 = copy(v2)
  v1.version = 1
  delete v1.accounts
  delete v1.keys
  delete v1.fills
  for (const book of v1.books) for (const tuple of book.resting) tuple.length = 9
  t.equal(stateDigest(restored(v1)), digest)
  t.throws(() => restored({ ...current, version: 4 as 3 }), /unsupported snapshot version 4/)
})

t.test('many stops are hashed in chunks like resting orders: every one of them counts', async (t) => {
  const e = plainEngine()
  const stops = Array.from({ length: 3000 }, (_, i) => stopOrder(100 + i))
  const book = e.book(UNIT.symbol)!
  book.stopOrders = () => stops
  const all = digestNow(e)
  stops[2999].quantityLots = 9
  const lastChanged = digestNow(e)
  book.stopOrders = () => stops.slice(0, 2999)
  t.equal(new Set([stateDigest(plainEngine()), all, lastChanged, digestNow(e)]).size, 4)
})
