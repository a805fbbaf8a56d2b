// The engine's index of resting orders by number: paged, bounded by the span of live numbers, and
// strict about which texts name an order.
import t from 'tap'
import { MatchingEngine, Order } from '../../src/engine/index.js'
import { OpenOrderIndex, orderSeqOf } from '../../src/engine/open-orders.js'
import { seededRandom } from '../helpers/random.js'

const order = (seq: number) => new Order(seq, 'X-Y', 'buy', 'limit', 1, 1, null, 0)

t.test('only canonical decimal numbers name an order', async (t) => {
  for (const [text, seq] of [['1', 1], ['42', 42], ['9007199254740991', Number.MAX_SAFE_INTEGER], ['4096', 4096]] as const) {
    t.equal(orderSeqOf(text), seq, text)
  }
  for (const text of ['', '0', '007', '-1', '+1', ' 1', '1 ', '1.0', '1e3', '0x10', 'abc', '9007199254740992', '12345678901234567', '١']) {
    t.equal(orderSeqOf(text), -1, JSON.stringify(text))
  }
})

t.test('finds what was added, forgets what was removed, and drops empty pages at both ends', async (t) => {
  const index = new OpenOrderIndex()
  t.equal(index.get(1), undefined, 'empty')
  const a = order(5)
  const b = order(4096 * 3 + 7)
  const c = order(4096 * 9)
  for (const o of [b, a, c]) index.add(o)
  t.equal(index.size, 3)
  t.equal(index.pageCount, 3)
  t.equal(index.get(5), a)
  t.equal(index.get(4096 * 3 + 7), b)
  t.equal(index.get(4096 * 9), c)
  t.equal(index.get(6), undefined, 'an empty slot of a live page')
  t.equal(index.get(4096 * 5), undefined, 'a page that was never made')
  t.equal(index.get(4096 * 50), undefined, 'past the last page')
  t.same([...index.values()], [a, b, c], 'lowest number first, whatever the order they came in')
  index.remove(a)
  t.equal(index.pageCount, 2, 'the first page went with its last order')
  t.equal(index.get(5), undefined)
  t.equal(index.get(4096 * 9), c, 'the others are still found after the array shifted')
  index.remove(c)
  t.equal(index.pageCount, 1, 'the last page went too')
  t.equal(index.get(4096 * 3 + 7), b)
  index.remove(b)
  t.equal(index.size, 0)
  t.equal(index.pageCount, 0)
  t.same([...index.values()], [])
  const d = order(2)
  index.add(d)
  t.equal(index.get(2), d, 'starts over anywhere once empty')
  t.equal(index.pageCount, 1)
})

t.test('a long-lived order keeps one page, not the span of history, alive', async (t) => {
  const index = new OpenOrderIndex()
  const old = order(1)
  index.add(old)
  for (let seq = 2; seq < 4096 * 40; seq++) {
    const o = order(seq)
    index.add(o)
    index.remove(o)
  }
  t.equal(index.pageCount, 1)
  t.equal(index.size, 1)
  t.equal(index.get(1), old)
})

t.test('random adds and removes agree with a Map', async (t) => {
  const random = seededRandom(7)
  const index = new OpenOrderIndex()
  const model = new Map<number, Order>()
  for (let i = 0; i < 20_000; i++) {
    const seq = 1 + Math.floor(random() * 4096 * 12)
    const existing = model.get(seq)
    if (existing === undefined) {
      const o = order(seq)
      index.add(o)
      model.set(seq, o)
    } else {
      index.remove(existing)
      model.delete(seq)
    }
    const probe = 1 + Math.floor(random() * 4096 * 12)
    if (index.get(probe) !== model.get(probe)) t.fail(`step ${i}: ${probe} disagrees`)
  }
  t.equal(index.size, model.size)
  t.same([...index.values()].map((o) => o.seq), [...model.keys()].sort((x, y) => x - y))
})

t.test('a book finds only its own resting orders by id', async (t) => {
  const e = new MatchingEngine({ clock: () => 1 })
  const placed = e.submit({ symbol: 'BTC-USDT', side: 'buy', orderType: 'limit', price: '100', quantity: '1' })
  if (!placed.ok) throw new Error(placed.message)
  const id = placed.value.order.id
  t.equal(e.book('BTC-USDT')!.openOrder(id), placed.value.order)
  t.equal(e.book('ETH-USDT')!.openOrder(id), undefined, 'another book does not see it')
  t.equal(e.book('BTC-USDT')!.openOrder('0' + id), undefined, 'a non-canonical id names nothing')
  t.same([...e.book('BTC-USDT')!.openOrders()], [placed.value.order])
  t.same([...e.book('ETH-USDT')!.openOrders()], [])
  const cancelled = e.cancel({ symbol: 'ETH-USDT', orderId: id })
  t.equal(cancelled.ok ? 'cancelled' : cancelled.code, 'ORDER_NOT_FOUND', 'nor can it cancel it')
})
