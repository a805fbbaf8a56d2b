// Commands carry their timestamp: a caller that reads the clock once for a batch hands it in, and the
// engine then never reads its own clock; a cancel reads it only when the command is journaled.
import t from 'tap'
import { MatchingEngine, type Command } from '../../src/engine/index.js'

const noClock = () => { throw new Error('the engine read its clock') }

t.test('a given timestamp stamps the order, its trades and the journaled command; the clock is not read', async (t) => {
  const journal: Command[] = []
  const e = new MatchingEngine({ clock: noClock, onCommand: (c) => journal.push(c) })
  const maker = e.submit({ symbol: 'BTC-USDT', side: 'sell', orderType: 'limit', price: '100', quantity: '1' }, 1_000)
  const taker = e.place({ symbol: 'BTC-USDT', side: 'buy', orderType: 'limit', priceTicks: 10_000, quantityLots: 50_000_000, clientOrderId: null, accountId: 'anonymous', stp: 'none' }, 2_000)
  if (!maker.ok || !taker.ok) throw new Error('refused')
  t.equal(maker.value.order.timestamp, 1_000)
  t.equal(taker.value.order.timestamp, 2_000)
  t.equal(taker.value.trades[0].timestamp, 2_000)
  const cancel = e.cancel({ symbol: 'BTC-USDT', orderId: maker.value.order.id }, 3_000)
  t.ok(cancel.ok)
  t.same(journal.map((c) => c.timestamp), [1_000, 2_000, 3_000])
})

t.test('without a journal a cancel needs no time at all', async (t) => {
  let reads = 0
  const e = new MatchingEngine({ clock: () => ++reads })
  const placed = e.submit({ symbol: 'BTC-USDT', side: 'sell', orderType: 'limit', price: '100', quantity: '1' })
  if (!placed.ok) throw new Error(placed.message)
  t.equal(reads, 1)
  t.ok(e.cancel({ symbol: 'BTC-USDT', orderId: placed.value.order.id }).ok)
  t.equal(reads, 1, 'the cancel did not read the clock')
  const refused = e.submit({ symbol: 'BTC-USDT', side: 'sell', orderType: 'limit', price: '100', quantity: '1', clientOrderId: 'a' })
  const duplicate = e.submit({ symbol: 'BTC-USDT', side: 'sell', orderType: 'limit', price: '100', quantity: '1', clientOrderId: 'a' })
  t.ok(refused.ok)
  t.notOk(duplicate.ok)
  t.equal(reads, 2, 'a refused order reads no time either')
})
