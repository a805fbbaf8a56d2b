// The per-account open-order cap over real HTTP: 429 OPEN_ORDER_LIMIT with nothing changed,
// orders that do not rest still run, another account is not affected, and the count is taken
// before matching (the conservative case the README names).
import t from 'tap'
import { buildTestApp } from '../helpers/build-app.js'
import { authEnv, createKey, signedInject } from '../helpers/signing.js'

const bid = (price: string) => ({ symbol: 'BTC-USDT', side: 'buy', order_type: 'limit', quantity: '0.01', price })

t.test('at MAX_OPEN_ORDERS_PER_ACCOUNT a resting order is refused with 429 OPEN_ORDER_LIMIT, nothing changed; other accounts and non-resting orders go on', async (t) => {
  const app = await buildTestApp(t, authEnv(t, { MAX_OPEN_ORDERS_PER_ACCOUNT: '2', DEFAULT_STP: 'cancel_maker' }))
  const alice = await createKey(app, 'alice')
  const bob = await createKey(app, 'bob')
  const place = async (key: typeof alice, body: object) => await signedInject(app, key, { method: 'POST', url: '/order', body })
  t.equal((await place(alice, bid('30000'))).statusCode, 200)
  t.equal((await place(alice, bid('30001'))).statusCode, 200)
  const refused = await place(alice, bid('30002'))
  t.equal(refused.statusCode, 429)
  t.equal(refused.json().error_code, 'OPEN_ORDER_LIMIT')
  const open = await signedInject(app, alice, { method: 'GET', url: '/orders' })
  t.same(open.json().orders.map((o: { price: string }) => o.price), ['30001', '30000'], 'nothing changed')
  t.equal((await place(bob, bid('29999'))).statusCode, 200, 'another account has its own count')
  const ioc = await place(alice, { ...bid('30003'), order_type: 'ioc' })
  t.equal(ioc.statusCode, 200, 'an order that does not rest still runs')
  // Conservative: this sell would cancel alice's own 30001 bid (cancel_maker) and then rest at 30001,
  // leaving her count at 2, but the count is taken before matching, so it is refused.
  const selfCross = await place(alice, { symbol: 'BTC-USDT', side: 'sell', order_type: 'limit', quantity: '0.01', price: '30001' })
  t.equal(selfCross.statusCode, 429)
  t.equal(selfCross.json().error_code, 'OPEN_ORDER_LIMIT')
  t.equal((await signedInject(app, alice, { method: 'GET', url: '/orders' })).json().orders.length, 2, 'her bids are untouched')
})
