/**
 * Random command sequences through the engine and through the reference
 * model: trades, statuses, cancel reasons, refusals and books must match
 * exactly after every step, and the engine's internal invariants must hold
 * throughout. Some seeds run with tight limits (few trades per order, few open
 * orders per symbol) so the caps are hit all the time.
 */
import t from 'tap'
import { ReferenceBook } from '../helpers/reference-model.js'
import { engineProblems } from '../helpers/invariants.js'
import { UNIT, levels, unitEngine } from '../helpers/engine.js'
import { intBetween, pick, seededRandom } from '../helpers/random.js'

const TYPES = ['limit', 'limit', 'limit', 'limit', 'market', 'ioc', 'fok'] as const

interface Limits { maxFills?: number, maxOpen?: number }

const cases: Array<[number, Limits]> = [
  [1, {}], [2, {}], [3, {}], [42, {}], [2024, {}], [99991, {}],
  [7, { maxFills: 2, maxOpen: 12 }], [8, { maxFills: 1, maxOpen: 6 }], [9, { maxFills: 2, maxOpen: 5 }]
]

for (const [seed, limits] of cases) {
  t.test(`seed ${seed} ${JSON.stringify(limits)}: engine equals reference model`, async (t) => {
    const random = seededRandom(seed)
    const engine = unitEngine({ maxFillsPerOrder: limits.maxFills, maxOpenOrdersPerSymbol: limits.maxOpen })
    const ref = new ReferenceBook(limits)
    const open: string[] = []
    const seen = { capped: 0, refused: 0 }
    let mismatches = 0
    for (let step = 0; step < 3000 && mismatches === 0; step++) {
      if (open.length > 0 && random() < 0.15) {
        const id = open.splice(intBetween(random, 0, open.length - 1), 1)[0]
        const result = engine.cancel({ symbol: UNIT.symbol, orderId: id })
        const refResult = ref.cancel(id)
        if (result.ok !== refResult) { mismatches++; t.fail(`step ${step}: cancel of ${id} disagrees`) }
      } else {
        const side = random() < 0.5 ? 'buy' : 'sell'
        const type = pick(random, TYPES)
        const qty = intBetween(random, 1, 20)
        const price = type === 'market' ? undefined : intBetween(random, 90, 110)
        const nextId = String(engine.nextOrderSeq)
        const result = engine.submit({ symbol: UNIT.symbol, side, orderType: type, quantity: qty, price })
        const expected = ref.submit({ id: nextId, side, type, price: price ?? null, qty })
        if (expected === 'TOO_MANY_OPEN_ORDERS' || !result.ok) {
          seen.refused++
          if (result.ok || result.code !== expected) {
            mismatches++
            t.same(result.ok ? 'accepted' : result.code, expected, `step ${step}: refusal disagrees`)
          }
          continue
        }
        const { order, trades } = result.value
        const got = trades.map((x) => ({ price: x.priceTicks, qty: x.quantityLots, maker: x.makerOrderId, taker: x.takerOrderId }))
        if (order.cancelReason !== null) seen.capped++
        if (JSON.stringify(got) !== JSON.stringify(expected.trades) || order.status !== expected.status ||
          order.filledLots !== expected.filled || order.cancelReason !== expected.reason) {
          mismatches++
          t.same({ got, status: order.status, reason: order.cancelReason }, { got: expected.trades, status: expected.status, reason: expected.reason },
            `step ${step}: order ${order.id} disagrees`)
        }
        if (order.isOpen) open.push(order.id)
      }
      for (let i = open.length - 1; i >= 0; i--) {
        const found = engine.findOrder(UNIT.symbol, { orderId: open[i] })
        if (found.ok && !found.value.isOpen) open.splice(i, 1)
      }
      const book = levels(engine)
      if (JSON.stringify(book.bids) !== JSON.stringify(ref.levels('buy')) || JSON.stringify(book.asks) !== JSON.stringify(ref.levels('sell'))) {
        mismatches++
        t.same(book, { bids: ref.levels('buy'), asks: ref.levels('sell') }, `step ${step}: books differ`)
      }
      const problems = engineProblems(engine)
      if (problems.length > 0) { mismatches++; t.same(problems, [], `step ${step}: invariants`) }
    }
    t.equal(mismatches, 0, 'no step disagreed')
    t.ok(engine.book(UNIT.symbol)!.stats.totalTrades > 100, 'the flow produced plenty of trades')
    if (limits.maxFills !== undefined) t.ok(seen.capped > 10 && seen.refused > 10, `the caps were hit (${seen.capped} capped, ${seen.refused} refused)`)
  })
}
