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

t.test('finds what was added and forgets what was removed, whichever page or the Map holds it', async (t) => {
  const index = new OpenOrderIndex()
  t.equal(index.get(1), undefined, 'empty')
  const a = order(5)
  const b = order(4096 * 3 + 7)
  const c = order(4096 * 9)
  for (const o of [a, b, c]) index.add(o)
  t.equal(index.size, 3)
  t.equal(index.pageCount, 1, 'a page behind the newest with few orders is given up ...')
  t.equal(index.sparseCount, 2, '... and its orders kept in the Map')
  t.equal(index.get(5), a)
  t.equal(index.get(4096 * 3 + 7), b)
  t.equal(index.get(4096 * 9), c)
  t.equal(index.get(6), undefined, 'a number of a given-up page that was not open')
  t.equal(index.get(4096 * 9 + 1), undefined, 'an empty slot of the newest page')
  t.equal(index.get(4096 * 50), undefined, 'past the newest page')
  t.same([...index.values()], [a, b, c], 'lowest number first')
  index.remove(a)
  t.equal(index.get(5), undefined)
  t.equal(index.sparseCount, 1)
  index.remove(c)
  t.equal(index.pageCount, 1, 'the newest page stays even when empty: the next orders go there')
  t.equal(index.get(4096 * 9), undefined)
  const d = order(4096 * 9 + 2)
  index.add(d)
  t.equal(index.get(4096 * 9 + 2), d)
  t.equal(index.get(4096 * 3 + 7), b)
  index.remove(b)
  index.remove(d)
  t.equal(index.size, 0)
  t.equal(index.sparseCount, 0)
  t.same([...index.values()], [])
  const late = order(3)
  index.add(late)
  t.equal(index.sparseCount, 1, 'an order older than the newest page without a page of its own goes to the Map')
  t.equal(index.get(3), late)
})

t.test('a page behind the newest is given up when it drains below 128 orders, and dropped when it empties', async (t) => {
  const index = new OpenOrderIndex()
  const first = Array.from({ length: 4096 }, (_, i) => order(4096 + i))
  for (const o of first) index.add(o)
  index.add(order(4096 * 2))
  t.equal(index.pageCount, 2, 'a full page stays when it stops being the newest')
  for (let i = 0; i < 4096 - 128; i++) index.remove(first[i])
  t.equal(index.pageCount, 2, 'with 128 orders left it stays')
  t.equal(index.sparseCount, 0)
  index.remove(first[4096 - 128])
  t.equal(index.pageCount, 1, 'at 127 it goes ...')
  t.equal(index.sparseCount, 127, '... and its orders are in the Map')
  t.ok(first.slice(4096 - 127).every((o) => index.get(o.seq) === o), 'and all found there')
  for (let i = 4096 - 127; i < 4096; i++) index.remove(first[i])
  t.equal(index.sparseCount, 0)
  t.equal(index.size, 1)
  const full = Array.from({ length: 4096 }, (_, i) => order(4096 * 3 + i))
  for (const o of full) index.add(o)
  index.add(order(4096 * 4))
  for (const o of full) index.remove(o)
  t.equal(index.pageCount, 1, 'a page emptied order by order is gone too: given up at 127, its last orders then left the Map')
  t.equal(index.sparseCount, 1, 'the Map holds only the order of the page given up when the full page began')
  t.equal(index.size, 2)
})

t.test('resting orders spaced out over history hold Map entries, not pages', async (t) => {
  const index = new OpenOrderIndex()
  const kept: Order[] = []
  for (let seq = 1; seq < 4096 * 200; seq++) {
    const o = order(seq)
    index.add(o)
    if (seq % 4096 === 1) kept.push(o)
    else index.remove(o)
  }
  t.equal(index.size, kept.length)
  t.equal(index.pageCount, 1, 'only the newest page')
  t.equal(index.sparseCount, kept.length - 1)
  for (const o of kept) if (index.get(o.seq) !== o) t.fail(`order ${o.seq} not found`)
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

t.test('a far jump in order numbers does not grow the page array by a slot per page skipped', async (t) => {
  // Review finding: a page behind the newest holding 128 or more orders stays, and the page array spanned
  // every page number from it to the newest: a snapshot or journal whose numbers jump far (ids go up to
  // 2^53 - 1) made add() push one slot per 4096 numbers skipped, 2^41 of them at the top of the range.
  const index = new OpenOrderIndex()
  // Two pages holding 200 orders each, with a page number between them that never had a page.
  const dense = [...Array.from({ length: 200 }, (_, i) => order(i + 1)), ...Array.from({ length: 200 }, (_, i) => order(4096 * 2 + i))]
  for (const o of dense) index.add(o)
  const far = order(4096 * 2 ** 20 + 5)
  index.add(far)
  t.ok(index.spanPages <= 2 ** 16, `the array spans ${index.spanPages} page numbers`)
  t.equal(index.get(far.seq), far)
  t.ok(dense.every((o) => index.get(o.seq) === o), 'the older orders are still found')
  const top = order(Number.MAX_SAFE_INTEGER)
  index.add(top)
  t.equal(index.get(Number.MAX_SAFE_INTEGER), top, 'the highest id there is')
  t.equal(index.get(Number.MAX_SAFE_INTEGER - 1), undefined)
  t.equal(index.size, 402)
  for (const o of dense) index.remove(o)
  index.remove(far)
  t.same([...index.values()], [top])
  index.remove(top)
  t.equal(index.size, 0)
  t.equal(index.sparseCount, 0)
})
