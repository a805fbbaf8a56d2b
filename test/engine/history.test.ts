import t from 'tap'
import { Order } from '../../src/engine/index.js'
import { OrderHistory } from '../../src/engine/history.js'

const order = (n: number, cid: string | null = null) => new Order(n, 'X-Y', 'buy', 'limit', 1, 1, cid, n)

t.test('keeps the newest `limit` orders, oldest first, whenever lookups happen', async (t) => {
  const history = new OrderHistory(3)
  history.add(order(1, 'a'))
  history.add(order(2))
  t.equal(history.get('1')?.id, '1', 'lookup before the ring is full')
  history.add(order(3, 'a'))
  history.add(order(4))
  t.equal(history.size, 3)
  t.equal(history.get('1'), undefined, 'evicted after being indexed')
  t.equal(history.getByClientId('X-Y', 'a')?.id, '3', 'client id points at the most recent order')
  for (let n = 5; n <= 10; n++) history.add(order(n))
  t.same([...history.values()].map((o) => o.id), ['8', '9', '10'])
  t.equal(history.get('7'), undefined, 'evicted without ever being indexed')
  t.equal(history.get('3'), undefined)
  t.equal(history.getByClientId('X-Y', 'a'), undefined, 'client id entry goes with its order')
  t.equal(history.get('10')?.id, '10')
  history.add(order(11))
  t.equal(history.get('8'), undefined)
  t.equal(history.get('9')?.id, '9')
})

t.test('a client id reused by a newer order survives the eviction of the older one', async (t) => {
  const history = new OrderHistory(2)
  history.add(order(1, 'c'))
  history.add(order(2, 'c'))
  t.equal(history.getByClientId('X-Y', 'c')?.id, '2')
  history.add(order(3))
  t.equal(history.getByClientId('X-Y', 'c')?.id, '2')
})

t.test('every field of a terminal order comes back as it went in (the history keeps columns, not records)', async (t) => {
  const history = new OrderHistory(4)
  const market = new Order(9_007_199_254_740_991, 'BTC-USDT', 'sell', 'market', null, 2 ** 52, null, 1_795_945_709_076, 'anonymous', 'none')
  market.filledLots = 17
  market.status = 'cancelled'
  const stopped = new Order(12, 'A-B', 'buy', 'fok', 123_456, 5, 'c:1', 3, 'alice', 'cancel_both')
  stopped.status = 'rejected'
  stopped.cancelReason = 'SELF_TRADE_PREVENTION'
  const filled = new Order(13, 'A-B', 'buy', 'ioc', 7, 5, null, 4, 'bob', 'cancel_taker')
  filled.filledLots = 5
  filled.status = 'filled'
  for (const o of [market, stopped, filled]) history.add(o)
  const fields = (o: Order) => [o.id, o.seq, o.symbol, o.side, o.type, o.priceTicks, o.quantityLots, o.filledLots, o.status, o.cancelReason,
    o.clientOrderId, o.timestamp, o.accountId, o.stp]
  t.same([...history.values()].map(fields), [market, stopped, filled].map(fields))
  t.same(fields(history.get('9007199254740991')!), fields(market))
  t.equal(history.get('012'), undefined, 'ids are canonical decimals')
  t.equal(history.get('x'), undefined)
  t.same(fields(history.getByClientId('A-B', 'c:1', 'alice')!), fields(stopped))
  t.equal(history.getByClientId('A-B', 'c:1', 'bob'), undefined, 'a client id is one account\'s')
  t.equal(history.accountAt(1), 'alice')
  t.equal(history.symbolAt(0), 'BTC-USDT')
  t.not(history.at(1), history.at(1), 'each read rebuilds a record of its own')
})

t.test('orders are written in batches, but every read sees every order added before it', async (t) => {
  const history = new OrderHistory(1000)
  for (let n = 1; n <= 700; n++) {
    history.add(order(n, n % 7 === 0 ? `c${n}` : null))
    // Reads between adds, at every point of a batch: each one must see the order just added.
    if (n % 97 === 0) t.equal(history.at(n - 1).seq, n, `entry ${n - 1} right after it was added`)
    if (n % 101 === 0) t.equal(history.accountAt(n - 1), 'anonymous')
    if (n % 103 === 0) t.equal(history.get(String(n))?.id, String(n), `order ${n} right after it was added`)
  }
  t.equal(history.added, 700)
  t.equal(history.size, 700)
  t.equal(history.getByClientId('X-Y', 'c700')?.id, '700')
  t.same([...history.values()].map((o) => o.seq), Array.from({ length: 700 }, (_, i) => i + 1))
  for (let n = 701; n <= 1500; n++) history.add(order(n))
  t.equal(history.oldest, 500, 'eviction counts the orders not yet written too')
  t.equal(history.get('500'), undefined)
  t.equal(history.get('501')?.id, '501')
})
