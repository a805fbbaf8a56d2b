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
