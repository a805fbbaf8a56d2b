/**
 * Random command sequences through the engine and through the reference
 * model: trades, statuses and books must match exactly after every step, and
 * the engine's internal invariants must hold throughout.
 */
import t from 'tap'
import { ReferenceBook } from '../helpers/reference-model.js'
import { engineProblems } from '../helpers/invariants.js'
import { levels, place, unitEngine } from '../helpers/engine.js'
import { intBetween, pick, seededRandom } from '../helpers/random.js'

const TYPES = ['limit', 'limit', 'limit', 'limit', 'market', 'ioc', 'fok'] as const

for (const seed of [1, 2, 3, 42, 2024, 99991]) {
  t.test(`seed ${seed}: engine equals reference model`, async (t) => {
    const random = seededRandom(seed)
    const engine = unitEngine()
    const ref = new ReferenceBook()
    const open: string[] = []
    let mismatches = 0
    for (let step = 0; step < 3000 && mismatches === 0; step++) {
      if (open.length > 0 && random() < 0.15) {
        const id = open.splice(intBetween(random, 0, open.length - 1), 1)[0]
        const result = engine.cancel({ symbol: 'UNIT-USD', orderId: id })
        const refResult = ref.cancel(id)
        if (result.ok !== refResult) { mismatches++; t.fail(`step ${step}: cancel of ${id} disagrees`) }
      } else {
        const side = random() < 0.5 ? 'buy' : 'sell'
        const type = pick(random, TYPES)
        const qty = intBetween(random, 1, 20)
        const price = type === 'market' ? undefined : intBetween(random, 90, 110)
        const { order, trades } = place(engine, { side, type, qty, price })
        const expected = ref.submit({ id: order.id, side, type, price: price ?? null, qty })
        const got = trades.map((x) => ({ price: x.priceTicks, qty: x.quantityLots, maker: x.makerOrderId, taker: x.takerOrderId }))
        if (JSON.stringify(got) !== JSON.stringify(expected.trades) || order.status !== expected.status || order.filledLots !== expected.filled) {
          mismatches++
          t.same({ got, status: order.status }, { got: expected.trades, status: expected.status }, `step ${step}: order ${order.id} disagrees`)
        }
        if (order.isOpen) open.push(order.id)
      }
      for (let i = open.length - 1; i >= 0; i--) {
        const found = engine.findOrder('UNIT-USD', { orderId: open[i] })
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
    t.ok(engine.book('UNIT-USD')!.stats.totalTrades > 100, 'the flow produced plenty of trades')
  })
}
