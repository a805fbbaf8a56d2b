/**
 * Issue 12's order types and commands, random, through the engine and
 * through the reference model (test/helpers/reference-model.ts): limit,
 * market, ioc and fok orders with every time in force, post-only, both stop
 * types, icebergs, GTD orders and expire commands at advancing timestamps,
 * amends, OCO lists, quote-sized market orders, cancels and trading-status
 * switches, by three accounts with random self-trade prevention. After every
 * step: the answer (refusal code, status, filled, cancel reason), the
 * command's trades in order (the listener's), the answer's own trades, both
 * queues (ids and visible lots, in priority order) and level totals, the open
 * orders with their status (untriggered stops included), how the orders the
 * step ended ended, and the engine's invariants. Some seeds run with tight
 * caps or a price band, and some replay their journal into a fresh engine.
 */
import t from 'tap'
import {
  MatchingEngine, stateDigest, type Command, type EngineEvent, type Order, type OrderOutcome, type Result
} from '../../src/engine/index.js'
import {
  ReferenceExchange, REF_STP_MODES, type RefOrder, type RefResult, type RefSide, type RefTif, type RefTrade, type RefType
} from '../helpers/reference-model.js'
import { engineProblems } from '../helpers/invariants.js'
import { UNIT } from '../helpers/engine.js'
import { steppingClock } from '../helpers/clock.js'
import { intBetween, pick, seededRandom } from '../helpers/random.js'

interface Case { maxFills?: number, maxOpen?: number, maxPerAccount?: number, priceBand?: string, replay?: boolean }

const cases: Array<[number, Case]> = [
  [1, { replay: true }], [2, { priceBand: '0.05' }], [3, {}], [12, { priceBand: '0.03', replay: true }],
  [7, { maxFills: 2, maxOpen: 6 }], [8, { maxFills: 1, maxOpen: 6, maxPerAccount: 4, priceBand: '0.05', replay: true }],
  [9, { maxFills: 3, maxPerAccount: 3 }]
]
const STEPS = 2000
const S = UNIT.symbol
const MAX_LOTS = Number(UNIT.maxQuantity)
const ACCOUNTS = ['a', 'b', 'c']
const CIDS = ['x', 'y', 'z']
const TYPES: readonly RefType[] = ['limit', 'limit', 'limit', 'limit', 'market', 'ioc', 'fok', 'stop_limit', 'stop_limit', 'stop_market']

type Row = Array<string | number | null>
const tradeRow = (x: { priceTicks: number, quantityLots: number, makerOrderId: string, takerOrderId: string }): Row => [x.priceTicks, x.quantityLots, x.makerOrderId, x.takerOrderId]
const refTradeRow = (x: RefTrade): Row => [x.price, x.qty, x.maker, x.taker]
const orderRow = (o: Order): Row => [o.id, o.status, o.filledLots, o.quantityLots, o.priceTicks, o.stopPriceTicks]
const refOrderRow = (o: RefOrder): Row => [o.id, o.status, o.filled, o.qty, o.price, o.stop]
const endRow = (o: { status: string, filledLots: number, cancelReason: string | null }): Row => [o.status, o.filledLots, o.cancelReason]

for (const [seed, limits] of cases) {
  t.test(`seed ${seed} ${JSON.stringify(limits)}: engine equals the reference model`, async (t) => {
    const random = seededRandom(seed)
    const symbol = limits.priceBand === undefined ? UNIT : { ...UNIT, priceBand: limits.priceBand }
    const options = {
      symbols: [symbol],
      clock: steppingClock(),
      maxFillsPerOrder: limits.maxFills,
      maxOpenOrdersPerSymbol: limits.maxOpen,
      maxOpenOrdersPerAccount: limits.maxPerAccount ?? null
    }
    const journal: Command[] = []
    const engine = new MatchingEngine({ ...options, onCommand: (command) => journal.push(command) })
    let events: EngineEvent[] = []
    engine.addListener((batch) => events.push(...batch))
    const ref = new ReferenceExchange([S], limits)
    const book = ref.books.get(S)!
    const seen = new Map<string, number>()
    const count = (what: string) => seen.set(what, (seen.get(what) ?? 0) + 1)
    let failures = 0
    const check = (got: unknown, want: unknown, what: string): void => {
      if (JSON.stringify(got) === JSON.stringify(want)) return
      failures++
      t.same(got, want, what)
    }
    /** The refusal codes agree; true when both accepted. */
    const agree = (got: Result<unknown>, want: RefResult<unknown>, what: string): boolean => {
      const g = got.ok ? 'ok' : got.code
      const w = want.ok ? 'ok' : want.code
      check(g, w, `${what}: answer`)
      count(w === 'ok' ? what.split(' ')[2] : w)
      return got.ok && want.ok
    }
    const price = () => intBetween(random, 95, 105)
    const near = () => (book.last ?? 100) + intBetween(random, -4, 4)
    let now = 1_000_000

    for (let step = 0; step < STEPS; step++) {
      if (failures > 0) break
      now += intBetween(random, 1, 400)
      events = []
      const closedBefore = ref.closed.length
      let want: RefTrade[] = []
      let what = `step ${step}`
      const roll = random()
      const account = pick(random, ACCOUNTS)
      const stp = random() < 0.3 ? pick(random, REF_STP_MODES) : 'none'
      if (roll < 0.5) {
        const side: RefSide = random() < 0.5 ? 'buy' : 'sell'
        const type = pick(random, TYPES)
        const restable = type === 'limit' || type === 'stop_limit'
        const tif: RefTif | undefined = type === 'limit' || type === 'stop_limit'
          ? pick(random, ['gtc', 'gtc', 'gtd', 'ioc', 'fok'] as const)
          : type === 'stop_market' ? pick(random, ['gtc', 'gtd'] as const) : undefined
        const rests = restable && (tif === 'gtc' || tif === 'gtd')
        const quote = type === 'market' && random() < 0.4 ? intBetween(random, 50, 2000) : null
        const qty = quote !== null ? MAX_LOTS : intBetween(random, 1, 10)
        const display = rests && random() < 0.25 ? intBetween(random, 1, qty) : null
        const postOnly = rests && random() < 0.15
        const expireAt = tif === 'gtd' ? now + intBetween(random, -200, 15_000) : null
        const stop = type === 'stop_limit' || type === 'stop_market' ? near() : null
        const limit = type === 'market' || type === 'stop_market' ? null : price()
        const cid = random() < 0.2 ? pick(random, CIDS) : null
        what = `step ${step}: new ${account} ${side} ${type} ${tif ?? '-'} ${quote !== null ? `quote ${quote}` : qty}@${limit} stop=${stop} ` +
          `display=${display} post=${postOnly} expire=${expireAt} cid=${cid} stp=${stp}`
        const got = engine.submit({
          symbol: S,
          side,
          orderType: type,
          quantity: quote !== null ? undefined : qty,
          price: limit ?? undefined,
          timeInForce: tif,
          postOnly: postOnly ? true : undefined,
          stopPrice: stop ?? undefined,
          displayQuantity: display ?? undefined,
          expireTime: expireAt ?? undefined,
          quoteQuantity: quote ?? undefined,
          clientOrderId: cid,
          accountId: account,
          stp
        }, now)
        const expected = ref.submit({ symbol: S, account, side, type, price: limit, qty, cid, stp, tif, postOnly, stop, display, expireAt, quote }, now)
        if (agree(got, expected, what) && got.ok && expected.ok) {
          sameOutcome(got.value, expected.value.order, expected.value.own, what)
          want = expected.value.all
        }
      } else if (roll < 0.58) {
        const side: RefSide = random() < 0.5 ? 'buy' : 'sell'
        const qty = intBetween(random, 1, 8)
        const limit = price()
        const stop = near()
        const stopLimit = random() < 0.5 ? null : price()
        const tif = random() < 0.3 ? 'gtd' : 'gtc'
        const expireAt = tif === 'gtd' ? now + intBetween(random, -200, 15_000) : null
        const [limitCid, stopCid] = random() < 0.2 ? [pick(random, CIDS), null] : [null, random() < 0.2 ? pick(random, CIDS) : null]
        what = `step ${step}: oco ${account} ${side} ${qty} limit ${limit} stop ${stop}/${stopLimit} ${tif} ${expireAt} cids ${limitCid}/${stopCid} stp=${stp}`
        const got = engine.submitOco({
          symbol: S,
          side,
          quantity: qty,
          price: limit,
          stopPrice: stop,
          stopLimitPrice: stopLimit,
          timeInForce: tif,
          expireTime: expireAt,
          limitClientOrderId: limitCid,
          stopClientOrderId: stopCid,
          accountId: account,
          stp
        }, now)
        const expected = ref.submitOco({ symbol: S, account, side, qty, price: limit, stop, stopLimit, tif, expireAt, limitCid, stopCid, stp }, now)
        if (agree(got, expected, what) && got.ok && expected.ok) {
          check([got.value.limit.id, got.value.stop.id], [expected.value.limit.id, expected.value.stop.id], `${what}: ids`)
          check([endRow(got.value.limit), endRow(got.value.stop)], [[expected.value.limit.status, expected.value.limit.filled, expected.value.limit.reason],
            [expected.value.stop.status, expected.value.stop.filled, expected.value.stop.reason]], `${what}: legs`)
          check(got.value.trades.map(tradeRow), expected.value.own.map(refTradeRow), `${what}: the limit leg's trades`)
          want = expected.value.all
        }
      } else if (roll < 0.72) {
        const open = book.open()
        const target = open.length > 0 && random() < 0.9 ? pick(random, open) : null
        const orderId = target?.id ?? String(intBetween(random, 1, ref.nextId))
        const owner = target !== null && random() < 0.9 ? target.account : account
        const qty = random() < 0.5 ? intBetween(random, 1, 12) : null
        const newPrice = random() < 0.4 ? price() : null
        const stop = random() < 0.25 ? near() : null
        const about = target === null ? 'unknown' : `${target.type} ${target.status} ${target.qty}@${target.price} stop=${target.stop} list=${target.listId}`
        what = `step ${step}: amend ${orderId} (${about}) by ${owner} qty=${qty} price=${newPrice} stop=${stop}`
        const got = engine.amend({ symbol: S, orderId, accountId: owner, newQuantity: qty, newPrice, newStopPrice: stop }, now)
        const expected = ref.amend({ symbol: S, account: owner, orderId, qty, price: newPrice, stop })
        if (agree(got, expected, what) && got.ok && expected.ok) {
          sameOutcome(got.value, expected.value.order, expected.value.own, what)
          want = expected.value.all
        }
      } else if (roll < 0.84) {
        const open = book.open()
        const target = open.length > 0 && random() < 0.9 ? pick(random, open) : null
        const owner = target !== null && random() < 0.9 ? target.account : account
        const byCid = target?.cid !== null && target?.cid !== undefined && random() < 0.3
        const orderId = target?.id ?? String(intBetween(random, 1, ref.nextId))
        what = `step ${step}: cancel ${byCid ? `cid ${target.cid}` : orderId} by ${owner}`
        const got = engine.cancel(byCid ? { symbol: S, clientOrderId: target.cid, accountId: owner } : { symbol: S, orderId, accountId: owner }, now)
        agree(got, ref.cancel(byCid ? { symbol: S, account: owner, cid: target.cid! } : { symbol: S, account: owner, orderId }), what)
      } else if (roll < 0.95) {
        what = `step ${step}: expire at ${now}`
        const got = engine.expire(now)
        const expected = ref.expire(now)
        if (got.ok) check(got.value.map((o) => o.id), expected.map((o) => o.id), `${what}: expired`)
        else check(got.code, 'ok', `${what}: refused`)
        if (expected.length > 0) count('expired')
      } else {
        const status = pick(random, ['trading', 'trading', 'trading', 'halted', 'cancel_only'] as const)
        what = `step ${step}: trading status ${status}`
        agree(engine.setTradingStatus(S, status), ref.setTradingStatus(S, status), what)
      }

      check(events.filter((e) => e.type === 'trade').map((e) => tradeRow(e.trade)), want.map(refTradeRow), `${what}: the command's trades`)
      for (const order of ref.closed.slice(closedBefore)) {
        const found = engine.findOrder(S, { orderId: order.id }, order.account)
        check(found.ok ? endRow(found.value) : found.code, [order.status, order.filled, order.reason], `${what}: order ${order.id} ended`)
        count(`${order.type} ${order.status} ${order.reason}`)
      }
      const engineBook = engine.book(S)!
      const queues = (side: typeof engineBook.bids) => [...side.bestFirst()].map((level) => {
        const ids: Row = [level.priceTicks, level.totalLots]
        for (let o = level.head; o !== null; o = o.next) ids.push(o.id, o.visibleLots)
        return ids
      })
      const refQueues = (side: RefOrder[]) => {
        const out: Row[] = []
        for (const [levelPrice, total] of book.levels(side === book.bids ? 'buy' : 'sell')) {
          out.push([levelPrice, total, ...side.filter((o) => o.price === levelPrice).flatMap((o) => [o.id, o.visible])])
        }
        return out
      }
      check({ bids: queues(engineBook.bids), asks: queues(engineBook.asks) }, { bids: refQueues(book.bids), asks: refQueues(book.asks) }, `${what}: book`)
      check([...engineBook.openOrders()].map(orderRow).sort(byId), book.open().map(refOrderRow).sort(byId), `${what}: open orders`)
      check(engine.nextOrderSeq, ref.nextId, `${what}: next order id`)
      check(engineBook.stats.lastTradePriceTicks, book.last, `${what}: last trade price`)
      check(engineProblems(engine), [], `${what}: invariants`)
    }
    t.equal(failures, 0, 'no step disagreed')
    if (failures === 0) t.ok(ref.trades.length > 60, `the flow traded (${ref.trades.length} trades)`)
    for (const wanted of ['new', 'oco', 'amend', 'cancel', 'expired', 'STOP_WOULD_TRIGGER', 'INVALID_AMEND', 'stop_limit filled null', 'limit cancelled OCO']) {
      if (failures === 0) t.ok((seen.get(wanted) ?? 0) > 0, `the flow exercised ${wanted}`)
    }
    if (limits.maxOpen !== undefined && failures === 0) t.ok((seen.get('TOO_MANY_OPEN_ORDERS') ?? 0) > 0, 'the symbol cap was hit')
    if (limits.priceBand !== undefined && failures === 0) t.ok([...seen.keys()].some((k) => k.endsWith('PRICE_BAND')), 'the band stopped an order')
    t.comment([...seen].sort().map(([k, v]) => `${k}: ${v}`).join('; '))

    if (limits.replay === true && failures === 0) {
      const fresh = new MatchingEngine(options)
      for (const command of journal) fresh.replay(command)
      t.equal(stateDigest(fresh), stateDigest(engine), 'the journal replays to the same state')
      t.same([...fresh.book(S)!.openOrders()].map(orderRow), [...engine.book(S)!.openOrders()].map(orderRow), 'the same open orders')
    }

    function sameOutcome (got: OrderOutcome, want: RefOrder, own: RefTrade[], what: string): void {
      check(got.order.id, want.id, `${what}: id`)
      check([...endRow(got.order), got.order.quantityLots], [want.status, want.filled, want.reason, want.qty], `${what}: outcome`)
      check(got.trades.map(tradeRow), own.map(refTradeRow), `${what}: the answer's trades`)
    }
  })
}

function byId (a: Row, b: Row): number {
  return Number(a[0]) - Number(b[0])
}
