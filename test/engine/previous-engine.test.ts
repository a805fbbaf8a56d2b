/**
 * Old vs new engine: the same seeded flows through the engine as it was before
 * issue 11 (load/bench/previous-engine, a frozen copy) and through today's
 * (src/engine), with identical options and a clock the test sets before each
 * command (so the number of clock reads per command may change, the
 * timestamps may not). Compared after every command: its result (ok, or the
 * rejection code), the order it returns, every trade, every listener batch;
 * at the end: the books level by level and order by order, the open count,
 * findOrder of every order ever placed, every account's open, closed and fill
 * lists, and stateDigest. The previous engine's journal (onCommand) is also
 * replayed into a fresh current engine, which must end in the same state.
 *
 * Everything is projected into plain objects field by field before it is
 * compared (the new engine may build some fields with getters, reuse result
 * objects or hand out views), so class instances are never compared directly.
 *
 * The previous engine is driven through the current engine's type (a cast):
 * the methods this test calls are the ones both have.
 */
import t, { type Test } from 'tap'
import { isDeepStrictEqual } from 'node:util'
import {
  ANONYMOUS, MatchingEngine, STP_MODES, stateDigest, type Command, type EngineEvent, type EngineOptions, type Order, type Result, type Trade
} from '../../src/engine/index.js'
import {
  MatchingEngine as PreviousEngine, stateDigest as previousStateDigest, type EngineOptions as PreviousOptions
} from '../../load/bench/previous-engine/index.js'
import { Kind, SYMBOL, fieldsOf, generateFlow } from '../../load/bench/flow.js'
import { intBetween, pick, seededRandom } from '../helpers/random.js'

const T0 = 1_700_000_000_000

// ---- projections: plain objects, field by field ----

function tradeView (t: Trade): object {
  return {
    tradeId: t.tradeId,
    symbol: t.symbol,
    priceTicks: t.priceTicks,
    quantityLots: t.quantityLots,
    aggressorSide: t.aggressorSide,
    makerOrderId: t.makerOrderId,
    takerOrderId: t.takerOrderId,
    makerAccountId: t.makerAccountId,
    takerAccountId: t.takerAccountId,
    makerClientOrderId: t.makerClientOrderId,
    takerClientOrderId: t.takerClientOrderId,
    timestamp: t.timestamp
  }
}

function orderView (o: Order): object {
  return {
    id: o.id,
    symbol: o.symbol,
    side: o.side,
    type: o.type,
    priceTicks: o.priceTicks,
    quantityLots: o.quantityLots,
    filledLots: o.filledLots,
    remainingLots: o.remainingLots,
    status: o.status,
    cancelReason: o.cancelReason,
    clientOrderId: o.clientOrderId,
    accountId: o.accountId,
    stp: o.stp,
    timestamp: o.timestamp,
    isOpen: o.isOpen
  }
}

function eventView (e: EngineEvent): object {
  switch (e.type) {
    case 'trade':
      return { type: e.type, trade: tradeView(e.trade) }
    case 'order': {
      const o = e.order
      return {
        type: e.type,
        eventType: e.eventType,
        order: {
          id: o.id,
          clientOrderId: o.clientOrderId,
          accountId: o.accountId,
          stp: o.stp,
          symbol: o.symbol,
          side: o.side,
          type: o.type,
          status: o.status,
          cancelReason: o.cancelReason,
          priceTicks: o.priceTicks,
          quantityLots: o.quantityLots,
          filledLots: o.filledLots,
          timestamp: o.timestamp
        }
      }
    }
    case 'levels':
      return { type: e.type, symbol: e.symbol, changes: e.changes.map((c) => ({ side: c.side, priceTicks: c.priceTicks, totalLots: c.totalLots })) }
  }
}

function resultView<T> (r: Result<T>, value: (v: T) => object): object {
  return r.ok ? { ok: true, value: value(r.value) } : { ok: false, code: r.code }
}

function outcomeView (v: { readonly order: Order, readonly trades: readonly Trade[] }): object {
  return { order: orderView(v.order), trades: v.trades.map(tradeView) }
}

function ordersView (orders: readonly Order[]): object {
  return { orders: orders.map(orderView) }
}

/** Notes the codes, statuses and cancel reasons in a result view. */
function tally (seen: Set<string>, view: object): void {
  const r = view as { ok: boolean, code?: string, value?: { order?: Record<string, unknown>, orders?: Array<Record<string, unknown>> } }
  if (!r.ok) {
    seen.add(`code ${r.code}`)
    return
  }
  const orders = r.value?.orders ?? (r.value?.order === undefined ? [] : [r.value.order])
  for (const o of orders) {
    seen.add(`status ${o.status}`)
    if (o.cancelReason !== null) seen.add(`reason ${o.cancelReason}`)
  }
}

// ---- the two engines side by side ----

interface Driven {
  readonly engine: MatchingEngine
  readonly digest: () => string
  readonly events: object[]
}

interface Pair {
  readonly previous: Driven
  readonly current: Driven
  /** Advances the shared clock; every command runs at its own millisecond. */
  tick: () => void
  readonly journal: Command[]
}

function pair (options: EngineOptions, listen: boolean): Pair {
  let now = T0
  const clock = (): number => now
  const journal: Command[] = []
  // The previous engine is the copy of today's: driven through today's type (see the header).
  const previous = new PreviousEngine({
    ...(options as PreviousOptions),
    clock,
    onCommand: (c) => { journal.push(structuredClone(c) as Command) }
  }) as unknown as MatchingEngine
  const current = new MatchingEngine({ ...options, clock })
  const sides: Driven[] = [
    { engine: previous, digest: () => previousStateDigest(previous as unknown as PreviousEngine), events: [] },
    { engine: current, digest: () => stateDigest(current), events: [] }
  ]
  if (listen) {
    for (const side of sides) {
      side.engine.addListener((batch) => { side.events.push(batch.map(eventView)) })
    }
  }
  return { previous: sides[0] as Driven, current: sides[1] as Driven, tick: () => { now++ }, journal }
}

/** Counts mismatches and keeps the first, so a 100,000-command flow costs one assertion, not 100,000. */
class Comparison {
  /** Rejection codes, order statuses and cancel reasons the current engine answered with: what the flow exercised. */
  readonly seen = new Set<string>()
  mismatches = 0
  first: { what: string, previous: unknown, current: unknown } | null = null

  check (what: string, previous: unknown, current: unknown): void {
    if (isDeepStrictEqual(previous, current)) return
    this.mismatches++
    this.first ??= { what, previous, current }
  }

  report (t: Test, label: string): void {
    t.equal(this.mismatches, 0, `${label}: no difference between the previous and the current engine`)
    if (this.first !== null) t.same(this.first.current, this.first.previous, `first difference: ${this.first.what}`)
  }
}

/** Runs one command on both engines (same clock value) and compares its result and its listener batches. */
function step (p: Pair, cmp: Comparison, what: string, run: (e: MatchingEngine) => object): void {
  p.tick()
  const a = run(p.previous.engine)
  const b = run(p.current.engine)
  tally(cmp.seen, b)
  cmp.check(what, a, b)
  cmp.check(`${what}: listener batches`, p.previous.events, p.current.events)
  p.previous.events.length = 0
  p.current.events.length = 0
}

interface Placed {
  readonly id: string
  readonly symbol: string
  readonly accountId: string
  readonly clientOrderId: string | null
}

/** Pages through a list by its cursor. */
function allPages<T> (page: (before: number | null) => { readonly items: T[], readonly next: number | null }, view: (item: T) => object): object[] {
  const out: object[] = []
  let before: number | null = null
  for (let i = 0; i < 10_000; i++) {
    const p = page(before)
    out.push({ items: p.items.map(view), next: p.next })
    if (p.next === null) return out
    before = p.next
  }
  throw new Error('list did not end')
}

function finalState (engine: MatchingEngine, symbols: readonly string[], placed: readonly Placed[], accounts: readonly string[]): object {
  const books = symbols.map((symbol) => {
    const book = engine.book(symbol)
    if (book === undefined) throw new Error(`no book ${symbol}`)
    const side = (levels: Iterable<{ priceTicks: number, totalLots: number, count: number, head: Order | null }>): object[] => {
      const out: object[] = []
      for (const level of levels) {
        const orders: object[] = []
        for (let o = level.head; o !== null; o = o.next) orders.push({ id: o.id, remainingLots: o.remainingLots })
        out.push({ priceTicks: level.priceTicks, totalLots: level.totalLots, count: level.count, orders })
      }
      return out
    }
    return { symbol, bids: side(book.bids.bestFirst()), asks: side(book.asks.bestFirst()), openCount: book.openCount }
  })
  const found = placed.map((p) => ({
    byId: resultView(engine.findOrder(p.symbol, { orderId: p.id }, p.accountId), orderView),
    byClientId: p.clientOrderId === null ? null : resultView(engine.findOrder(p.symbol, { clientOrderId: p.clientOrderId }, p.accountId), orderView)
  }))
  const lists = accounts.map((account) => ({
    account,
    open: allPages((before) => engine.openOrders(account, null, 50, before), orderView),
    closed: allPages((before) => engine.closedOrders(account, null, 50, before), orderView),
    fills: allPages((before) => engine.fillsOf(account, null, 50, before), (f) => ({ role: f.role, trade: tradeView(f.trade) })),
    openBySymbol: symbols.map((s) => allPages((before) => engine.openOrders(account, s, 50, before), orderView))
  }))
  return { books, found, lists }
}

function compareFinal (t: Test, p: Pair, symbols: readonly string[], placed: readonly Placed[], accounts: readonly string[], options: EngineOptions): void {
  const before = finalState(p.previous.engine, symbols, placed, accounts)
  const after = finalState(p.current.engine, symbols, placed, accounts)
  const cmp = new Comparison()
  cmp.check('final books, findOrder, account lists', before, after)
  cmp.report(t, 'final state')
  t.equal(p.current.digest(), p.previous.digest(), 'stateDigest of both engines')

  // The previous engine's journal, replayed into a fresh current engine: same state.
  const replayed = new MatchingEngine({ ...options, clock: () => { throw new Error('replay must not read the clock') } })
  for (const command of p.journal) replayed.replay(command)
  const fromJournal = finalState(replayed, symbols, placed, accounts)
  const cmpReplay = new Comparison()
  cmpReplay.check('state after replaying the previous engine\'s journal', before, fromJournal)
  cmpReplay.report(t, 'replay of the previous journal')
  t.equal(stateDigest(replayed), p.previous.digest(), 'stateDigest after replaying the previous engine\'s journal')
}

// ---- flow 1: the benchmark's flow ----

t.test('the benchmark flow (load/bench/flow.ts): same results, trades, events and final state', async (t) => {
  const size = 100_000
  const flow = generateFlow({ size, seed: 42 })
  const options: EngineOptions = {}
  const p = pair(options, true)
  const cmp = new Comparison()
  const placed: Placed[] = []
  let orderSeq = 0
  for (let i = 0; i < size; i++) {
    const k = flow.kind[i] as Kind
    if (k === Kind.CANCEL) {
      const orderId = String(flow.cancelTarget[i])
      step(p, cmp, `command ${i}: cancel ${orderId}`, (e) => resultView(e.cancel({ symbol: SYMBOL, orderId, accountId: ANONYMOUS }), outcomeView))
      continue
    }
    const fields = fieldsOf(k, flow.side[i] as number, flow.priceTicks[i] as number, flow.quantityLots[i] as number)
    placed.push({ id: String(++orderSeq), symbol: SYMBOL, accountId: ANONYMOUS, clientOrderId: null })
    step(p, cmp, `command ${i}: ${fields.orderType} ${fields.side}`, (e) => resultView(e.place(fields), outcomeView))
  }
  cmp.report(t, `${size} commands`)
  compareFinal(t, p, [SYMBOL], placed, [ANONYMOUS], options)
})

// ---- flow 2: every rule the engines have ----

const SYMBOLS = ['BTC-USDT', 'ETH-USDT'] as const
const MIDS: Record<string, number> = { 'BTC-USDT': 6_500_000, 'ETH-USDT': 300_000 }
const MIN_LOTS: Record<string, number> = { 'BTC-USDT': 1000, 'ETH-USDT': 10_000 }
const ACCOUNTS = ['alice', 'bob', 'carol', 'dave'] as const
const RICH_OPTIONS: EngineOptions = {
  maxFillsPerOrder: 3,
  historyLimit: 60,
  fillHistoryLimit: 40,
  maxOpenOrdersPerAccount: 12,
  maxOpenOrdersPerSymbol: 40,
  maxListScan: 30
}

/**
 * Seeded random commands over two symbols and four accounts (plus the
 * anonymous one): limit/market/ioc/fok through place and through submit
 * (decimal strings, some invalid), every STP mode, client order ids, cancels
 * by id and by client id (some of other accounts' or finished orders),
 * cancel_all by account with and without symbol and side, accounts disabled
 * and enabled again, and duplicate account creation. The small caps make
 * the trade cap, the open-order caps and both history evictions happen.
 */
function richFlow (t: Test, seed: number, commands: number): void {
  const random = seededRandom(seed)
  const p = pair(RICH_OPTIONS, true)
  const cmp = new Comparison()
  const placed: Placed[] = []
  const clientIds: Array<{ symbol: string, accountId: string, clientOrderId: string }> = []
  let orderSeq = 0
  for (const account of ACCOUNTS) step(p, cmp, `create ${account}`, (e) => resultView(e.createAccount(account), (a) => ({ id: a.id, status: a.status })))
  const mid = { ...MIDS }

  for (let i = 0; i < commands; i++) {
    const r = random()
    const symbol = pick(random, SYMBOLS)
    mid[symbol] = (mid[symbol] as number) + intBetween(random, -1, 1)
    const accountId = random() < 0.15 ? ANONYMOUS : pick(random, ACCOUNTS)
    if (r < 0.12 && placed.length > 0) {
      const target = placed[intBetween(random, Math.max(0, placed.length - 80), placed.length - 1)] as Placed
      // Mostly the owner; sometimes another account (ORDER_NOT_FOUND) or the wrong symbol.
      const by = random() < 0.85 ? target.accountId : accountId
      const on = random() < 0.95 ? target.symbol : pick(random, SYMBOLS)
      step(p, cmp, `command ${i}: cancel ${target.id}`, (e) => resultView(e.cancel({ symbol: on, orderId: target.id, accountId: by }), outcomeView))
    } else if (r < 0.17 && clientIds.length > 0) {
      const target = pick(random, clientIds)
      step(p, cmp, `command ${i}: cancel client ${target.clientOrderId}`, (e) =>
        resultView(e.cancel({ symbol: target.symbol, clientOrderId: target.clientOrderId, accountId: target.accountId }), outcomeView))
    } else if (r < 0.185) {
      const onSymbol = random() < 0.5 ? symbol : null
      const side = random() < 0.4 ? pick(random, ['buy', 'sell'] as const) : null
      step(p, cmp, `command ${i}: cancel_all ${accountId} ${onSymbol ?? '*'} ${side ?? '*'}`, (e) =>
        resultView(e.cancelAll({ accountId, symbol: onSymbol, side }), ordersView))
    } else if (r < 0.19) {
      const account = pick(random, ACCOUNTS)
      const status = random() < 0.5 ? 'disabled' : 'active'
      step(p, cmp, `command ${i}: ${account} ${status}`, (e) => resultView(e.setAccountStatus(account, status), ordersView))
    } else if (r < 0.192) {
      const account = pick(random, ACCOUNTS)
      step(p, cmp, `command ${i}: create ${account} again`, (e) => resultView(e.createAccount(account), (a) => ({ id: a.id, status: a.status })))
    } else {
      const orderType = pick(random, ['limit', 'limit', 'limit', 'limit', 'market', 'ioc', 'fok'] as const)
      const side = random() < 0.5 ? 'buy' as const : 'sell' as const
      const sign = side === 'buy' ? 1 : -1
      const crossing = random() < 0.25
      const priceTicks = (mid[symbol] as number) + (crossing ? sign * intBetween(random, 0, 6) : -sign * intBetween(random, 1, 12))
      const quantityLots = (MIN_LOTS[symbol] as number) * intBetween(random, 1, 30)
      const clientOrderId = random() < 0.3 ? `c${intBetween(random, 0, 60)}` : null
      const stp = pick(random, STP_MODES)
      const id = String(orderSeq + 1)
      const what = `command ${i}: ${orderType} ${side} ${symbol} by ${accountId}`
      if (random() < 0.25) {
        // The decimal path, with an invalid input now and then (refused before any id is taken).
        const invalid = random() < 0.1
        const input = {
          symbol: invalid && random() < 0.3 ? 'NOPE-USDT' : symbol.toLowerCase(),
          side,
          orderType,
          quantity: invalid ? '0' : String(quantityLots / 1e8),
          price: orderType === 'market' ? null : (priceTicks / 100).toFixed(2),
          clientOrderId,
          accountId,
          stp
        }
        let accepted = false
        step(p, cmp, what + ' (submit)', (e) => {
          const result = e.submit(input)
          accepted ||= result.ok
          return resultView(result, outcomeView)
        })
        if (!accepted) continue
      } else {
        const fields = { symbol, side, orderType, priceTicks: orderType === 'market' ? null : priceTicks, quantityLots, clientOrderId, accountId, stp }
        let accepted = false
        step(p, cmp, what, (e) => {
          const result = e.place(fields)
          accepted ||= result.ok
          return resultView(result, outcomeView)
        })
        if (!accepted) continue
      }
      orderSeq++
      placed.push({ id, symbol, accountId, clientOrderId })
      if (clientOrderId !== null) clientIds.push({ symbol, accountId, clientOrderId })
    }
  }
  cmp.report(t, `seed ${seed}, ${commands} commands`)
  const exercised = [
    'code ORDER_NOT_FOUND', 'code DUPLICATE_CLIENT_ORDER_ID', 'code OPEN_ORDER_LIMIT', 'code TOO_MANY_OPEN_ORDERS', 'code VALIDATION_ERROR',
    'code SYMBOL_NOT_FOUND', 'code ACCOUNT_EXISTS', 'status filled', 'status partially_filled', 'status cancelled', 'status rejected',
    'reason MATCH_LIMIT', 'reason SELF_TRADE_PREVENTION', 'reason ACCOUNT_DISABLED'
  ]
  t.same(exercised.filter((x) => !cmp.seen.has(x)), [], `the flow exercised every rule (seen: ${[...cmp.seen].sort().join(', ')})`)
  const evicted = placed.filter((o) => !p.current.engine.findOrder(o.symbol, { orderId: o.id }, o.accountId).ok).length
  t.ok(evicted > 0, `the small history evicted finished orders (${evicted} of ${placed.length} no longer found)`)
  compareFinal(t, p, SYMBOLS, placed, [ANONYMOUS, ...ACCOUNTS], RICH_OPTIONS)
}

t.test('a richer seeded flow (accounts, STP, client ids, cancel_all, caps, eviction): same everything', async (t) => {
  for (const seed of [1, 2, 3]) await t.test(`seed ${seed}`, async (t) => richFlow(t, seed, 6000))
})
