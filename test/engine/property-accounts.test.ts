/**
 * Random flows of several accounts over two symbols, through the engine and
 * through the reference exchange (test/helpers/reference-model.ts): every
 * self-trade prevention mode, client ids, cancels by id and client id (also
 * of other accounts' orders), cancel-all by symbol and side, disabling and
 * enabling accounts, the per-account and per-symbol caps and the cap on
 * work per order. After every command: the answer (or refusal code), the
 * trades, the status, fill and cancel reason of every order the command
 * touched, the order events the listeners got, both books, each account's
 * open-order count and the engine's invariants. Every few commands: each
 * account's open orders, closed orders and fills, read page by page.
 * At the end the journaled commands replay into a fresh engine with the same
 * state.
 */
import t from 'tap'
import type { Test } from 'tap'
import { MatchingEngine, exportState, stateDigest, type Command, type EngineEvent, type Order, type Page } from '../../src/engine/index.js'
import { ReferenceExchange, REF_ANONYMOUS, REF_STP_MODES, type RefOrder, type RefResult, type RefSide, type RefType } from '../helpers/reference-model.js'
import { engineProblems } from '../helpers/invariants.js'
import { UNIT, levels } from '../helpers/engine.js'
import { steppingClock } from '../helpers/clock.js'
import { intBetween, pick, seededRandom } from '../helpers/random.js'

const OTHER = { ...UNIT, symbol: 'OTHER-USD' }
const SYMBOLS = [UNIT.symbol, OTHER.symbol]
const NAMED = ['alice', 'bob', 'carol']
const ACCOUNTS = [...NAMED, REF_ANONYMOUS]
const TYPES: readonly RefType[] = ['limit', 'limit', 'limit', 'limit', 'market', 'ioc', 'fok']
const CIDS = ['c1', 'c2', 'c3']

interface Limits { maxFills?: number, maxOpen?: number, maxPerAccount?: number }

const cases: Array<[number, Limits]> = [
  [101, {}],
  [102, { maxPerAccount: 5 }],
  [103, { maxFills: 2, maxPerAccount: 4 }],
  [104, { maxFills: 2, maxOpen: 7, maxPerAccount: 6 }]
]

const STEPS = 2000

for (const [seed, limits] of cases) {
  t.test(`seed ${seed} ${JSON.stringify(limits)}: engine equals the reference exchange`, async (t) => {
    const random = seededRandom(seed)
    const journal: Command[] = []
    const engine = new MatchingEngine({
      symbols: [UNIT, OTHER],
      clock: steppingClock(),
      maxFillsPerOrder: limits.maxFills,
      maxOpenOrdersPerSymbol: limits.maxOpen,
      maxOpenOrdersPerAccount: limits.maxPerAccount ?? null,
      onCommand: (command) => journal.push(command)
    })
    let events: EngineEvent[] = []
    engine.addListener((batch) => events.push(...batch))
    const ref = new ReferenceExchange(SYMBOLS, limits)
    const orders = new Map<string, Order>()
    const seen = new Map<string, number>()
    const count = (what: string) => seen.set(what, (seen.get(what) ?? 0) + 1)
    let failures = 0
    const check = (ok: boolean, got: unknown, want: unknown, what: string): void => {
      if (ok) return
      failures++
      t.same(got, want, what)
    }
    const sameResult = <T, U>(step: number, what: string, got: { ok: true, value: T } | { ok: false, code: string }, want: RefResult<U>): boolean => {
      const g = got.ok ? 'ok' : got.code
      const w = want.ok ? 'ok' : want.code
      check(g === w, g, w, `step ${step}: ${what}: answer`)
      if (!want.ok) count(`refused ${want.code}`)
      return got.ok && want.ok
    }

    for (const account of NAMED) {
      t.equal(engine.createAccount(account).ok, true)
      ref.createAccount(account)
    }

    for (let step = 0; step < STEPS && failures === 0; step++) {
      events = []
      const tradesBefore = ref.trades.length
      const roll = random()
      let what: string
      if (roll < 0.6) {
        const active = ACCOUNTS.filter((a) => a === REF_ANONYMOUS || ref.accounts.get(a) === 'active')
        const account = pick(random, active)
        const side: RefSide = random() < 0.5 ? 'buy' : 'sell'
        const type = pick(random, TYPES)
        const qty = intBetween(random, 1, 8)
        const price = type === 'market' ? null : intBetween(random, 97, 103)
        const symbol = random() < 0.75 ? UNIT.symbol : OTHER.symbol
        const cid = random() < 0.3 ? pick(random, CIDS) : null
        const stp = pick(random, REF_STP_MODES)
        what = `new ${account} ${symbol} ${side} ${type} ${qty}@${price} cid=${cid} stp=${stp}`
        const got = engine.submit({ symbol, side, orderType: type, quantity: qty, price, clientOrderId: cid, accountId: account, stp })
        const want = ref.submit({ symbol, account, side, type, price, qty, cid, stp })
        if (sameResult(step, what, got, want) && got.ok && want.ok) {
          const { order, trades } = got.value
          orders.set(order.id, order)
          check(order.id === want.value.order.id, order.id, want.value.order.id, `step ${step}: ${what}: id`)
          const g = trades.map((x) => [x.tradeId, x.priceTicks, x.quantityLots, x.makerOrderId, x.takerOrderId, x.makerAccountId, x.takerAccountId])
          const w = want.value.trades.map((x) => [x.id, x.price, x.qty, x.maker, x.taker, x.makerAccount, x.takerAccount])
          check(JSON.stringify(g) === JSON.stringify(w), g, w, `step ${step}: ${what}: trades`)
          if (trades.some((x) => x.makerAccountId === x.takerAccountId)) count('self trade (none)')
          if (order.cancelReason !== null) count(`${order.type} ${order.status} ${order.cancelReason} ${order.stp}`)
          for (const id of ref.touched) if (id !== order.id && ref.orders.get(id)!.reason === 'SELF_TRADE_PREVENTION') count(`maker cancelled SELF_TRADE_PREVENTION ${stp}`)
        }
      } else if (roll < 0.75) {
        const id = String(intBetween(random, Math.max(1, ref.nextId - 30), ref.nextId))
        const symbol = random() < 0.9 ? (ref.orders.get(id)?.symbol ?? UNIT.symbol) : pick(random, SYMBOLS)
        const owner = ref.orders.get(id)?.account
        const account = owner !== undefined && random() < 0.7 ? owner : pick(random, ACCOUNTS)
        what = `cancel ${id} by ${account} in ${symbol}`
        sameResult(step, what, engine.cancel({ symbol, orderId: id, accountId: account }), ref.cancel({ symbol, account, orderId: id }))
      } else if (roll < 0.83) {
        const account = pick(random, ACCOUNTS)
        const symbol = pick(random, SYMBOLS)
        const cid = pick(random, CIDS)
        what = `cancel cid ${cid} by ${account} in ${symbol}`
        sameResult(step, what, engine.cancel({ symbol, clientOrderId: cid, accountId: account }), ref.cancel({ symbol, account, cid }))
      } else if (roll < 0.87) {
        const account = pick(random, ACCOUNTS)
        const symbol = random() < 0.5 ? null : pick(random, SYMBOLS)
        const side = random() < 0.5 ? null : pick(random, ['buy', 'sell'] as const)
        what = `cancel_all ${account} ${symbol} ${side}`
        const got = engine.cancelAll({ accountId: account, symbol, side })
        const want = ref.cancelAll(account, symbol, side)
        if (sameResult(step, what, got, want) && got.ok && want.ok) {
          const ids = got.value.map((o) => o.id)
          check(JSON.stringify(ids) === JSON.stringify(want.value), ids, want.value, `step ${step}: ${what}: cancelled orders`)
          if (ids.length > 0) count('cancel_all cancelled some')
        }
      } else if (roll < 0.89) {
        const account = pick(random, NAMED)
        const status = ref.accounts.get(account) === 'active' ? 'disabled' : 'active'
        what = `${account} -> ${status}`
        const got = engine.setAccountStatus(account, status)
        const want = ref.setStatus(account, status)
        if (sameResult(step, what, got, want) && got.ok && want.ok) {
          const ids = got.value.map((o) => o.id)
          check(JSON.stringify(ids) === JSON.stringify(want.value), ids, want.value, `step ${step}: ${what}: cancelled orders`)
          if (ids.length > 0) count('disable cancelled some')
        }
      } else if (roll < 0.9) {
        const account = pick(random, [...NAMED, 'nobody'])
        what = `probe ${account}`
        sameResult(step, `${what}: create`, engine.createAccount(account), ref.createAccount(account))
        sameResult(step, `${what}: status`, engine.setAccountStatus(account, ref.accounts.get(account) ?? 'active'), ref.setStatus(account, ref.accounts.get(account) ?? 'active'))
      } else {
        // Reads change nothing; anything else here is a resting-order read of another account.
        const account = pick(random, ACCOUNTS)
        const id = String(intBetween(random, 1, ref.nextId))
        const symbol = ref.orders.get(id)?.symbol ?? UNIT.symbol
        what = `find ${id} by ${account}`
        const got = engine.findOrder(symbol, { orderId: id }, account)
        const mine = ref.orders.get(id)?.account === account
        check(got.ok === mine, got.ok, mine, `step ${step}: ${what}`)
        ref.touched = new Set()
      }

      // Every order the command changed, as the model says, and nothing else in the events.
      for (const id of ref.touched) {
        const want = ref.orders.get(id)!
        const order = orders.get(id)!
        check(order !== undefined && order.status === want.status && order.filledLots === want.filled && order.cancelReason === want.reason,
          order === undefined ? null : [order.status, order.filledLots, order.cancelReason], [want.status, want.filled, want.reason], `step ${step}: ${what}: order ${id}`)
      }
      const lastEvent = new Map<string, string>()
      for (const event of events) if (event.type === 'order') lastEvent.set(event.order.id, event.order.status)
      const expectedEvents = new Map([...ref.touched].map((id) => [id, ref.orders.get(id)!.status]))
      check(JSON.stringify([...lastEvent].sort()) === JSON.stringify([...expectedEvents].sort()), [...lastEvent].sort(), [...expectedEvents].sort(), `step ${step}: ${what}: order events`)
      const tradeEvents = events.filter((e) => e.type === 'trade').length
      check(tradeEvents === ref.trades.length - tradesBefore, tradeEvents, ref.trades.length - tradesBefore, `step ${step}: ${what}: trade events`)
      check(engine.nextOrderSeq === ref.nextId, engine.nextOrderSeq, ref.nextId, `step ${step}: ${what}: next order id (a refused order uses none)`)

      for (const symbol of SYMBOLS) {
        const book = levels(engine, symbol)
        const want = { bids: ref.books.get(symbol)!.levels('buy'), asks: ref.books.get(symbol)!.levels('sell') }
        check(JSON.stringify(book) === JSON.stringify(want), book, want, `step ${step}: ${what}: ${symbol} book`)
      }
      for (const account of ACCOUNTS) {
        const got = engine.accounts.openCount(account)
        const want = ref.openOf(account).length
        check(got === want, got, want, `step ${step}: ${what}: ${account} open count`)
      }
      const problems = engineProblems(engine)
      check(problems.length === 0, problems, [], `step ${step}: ${what}: invariants`)
      if (step % 50 === 49) listsAgree(t, engine, ref, random, `step ${step}`) || failures++
    }
    t.equal(failures, 0, 'no step disagreed')
    t.ok(listsAgree(t, engine, ref, random, 'at the end'), 'lists agree at the end')

    // The run must have gone through the interesting cases, or it proves little.
    for (const stp of ['cancel_maker', 'cancel_taker', 'cancel_both']) {
      t.ok([...seen.keys()].some((k) => k.endsWith(`SELF_TRADE_PREVENTION ${stp}`)), `self-trade prevention ${stp} ended orders`)
    }
    t.ok(seen.has('self trade (none)'), 'stp none let an account trade with itself')
    t.ok(seen.has('cancel_all cancelled some') && seen.has('disable cancelled some'), 'cancel-all and disabling cancelled orders')
    t.ok(seen.has('refused ORDER_NOT_FOUND') && seen.has('refused DUPLICATE_CLIENT_ORDER_ID'), 'ownership and client-id refusals happened')
    if (limits.maxPerAccount !== undefined) t.ok(seen.has('refused OPEN_ORDER_LIMIT'), 'the per-account cap refused orders')
    if (limits.maxOpen !== undefined) t.ok(seen.has('refused TOO_MANY_OPEN_ORDERS'), 'the per-symbol cap refused orders')
    if (limits.maxFills !== undefined) t.ok([...seen.keys()].some((k) => k.includes('MATCH_LIMIT')), 'the cap on work ended orders')

    // STP, cancel-all and identity commands are deterministic under replay.
    const replayed = new MatchingEngine({ symbols: [UNIT, OTHER], maxFillsPerOrder: 1, maxOpenOrdersPerAccount: 1 })
    for (const command of journal) replayed.replay(command)
    t.equal(stateDigest(replayed), stateDigest(engine), 'replay gives the same digest')
    t.same(exportState(replayed), exportState(engine), 'replay gives the same state')
  })
}

/** Reads every page of each account's lists (random page sizes, with and without a symbol) and compares them with the model. */
function listsAgree (t: Test, engine: MatchingEngine, ref: ReferenceExchange, random: () => number, when: string): boolean {
  let ok = true
  const compare = (got: string[], want: string[], what: string): void => {
    if (JSON.stringify(got) === JSON.stringify(want)) return
    ok = false
    t.same(got, want, `${when}: ${what}`)
  }
  for (const account of ACCOUNTS) {
    const symbol = random() < 0.5 ? null : pick(random, SYMBOLS)
    const limit = intBetween(random, 1, 7)
    const ids = (o: RefOrder | Order) => o.id
    compare(readAll((before) => engine.openOrders(account, symbol, limit, before)).map(ids), ref.openOf(account, symbol).reverse().map(ids), `${account} ${symbol} open orders by ${limit}`)
    compare(readAll((before) => engine.closedOrders(account, symbol, limit, before)).map((o) => `${o.id}:${o.status}`),
      ref.closedOf(account, symbol).map((o) => `${o.id}:${o.status}`), `${account} ${symbol} closed orders by ${limit}`)
    compare(readAll((before) => engine.fillsOf(account, symbol, limit, before)).map((f) => `${f.trade.tradeId}:${f.role}`),
      ref.fillsOf(account, symbol).map((f) => `${f.trade.id}:${f.role}`), `${account} ${symbol} fills by ${limit}`)
  }
  return ok
}

function readAll<T> (read: (before: number | null) => Page<T>): T[] {
  const out: T[] = []
  let before: number | null = null
  for (let pages = 0; pages < 10_000; pages++) {
    const page = read(before)
    out.push(...page.items)
    if (page.next === null) return out
    before = page.next
  }
  throw new Error('paging never ended')
}
