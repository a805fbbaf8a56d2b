// The private `orders` channel carries issue 12's events with the new view
// fields: a stop is `untriggered` when placed, `triggered` when a trade
// reaches it; an amend is `amended`; a GTD order `expired`.
import t from 'tap'
import { identityServer, newKey, placeAs, signedIn } from './identity.js'
import { isType, type TestClient } from './ws-client.js'

type Event = Record<string, unknown>

/** The next order events of the connection, flattened, until `count` have come. */
async function events (client: TestClient, count: number): Promise<Event[]> {
  const out: Event[] = []
  while (out.length < count) out.push(...(await client.next(isType('order_event'))).data as Event[])
  return out
}

t.test('untriggered, triggered, amended and expired reach the owner with stop_price, expire_time and the other new fields', async (t) => {
  const s = await identityServer(t, { RATE_LIMIT_ENABLED: 'false' })
  const key = await newKey(s, 'alice')
  const client = await signedIn(t, s.wsUrl, key)
  await client.request({ type: 'subscribe', channel: 'orders' })

  const stop = await placeAs(s, 'alice', { order_type: 'stop_limit', side: 'buy', quantity: '0.1', price: '30200', stop_price: '30100' })
  const [placed] = await events(client, 1)
  t.match(placed, { event_type: 'untriggered', order_id: stop.order_id, status: 'untriggered', stop_price: '30100', price: '30200', time_in_force: 'gtc', post_only: false, list_id: null })

  const amended = await s.app.exchange.amendOrder({ accountId: 'alice' }, { symbol: 'BTC-USDT', order_id: stop.order_id, new_stop_price: '30150' })
  t.ok(amended.ok)
  t.match((await events(client, 1))[0], { event_type: 'amended', order_id: stop.order_id, stop_price: '30150' })

  // bob trades at 30150: alice's stop triggers.
  await placeAs(s, 'bob', { side: 'sell', quantity: '0.01', price: '30150' })
  await placeAs(s, 'bob', { side: 'buy', quantity: '0.01', price: '30150', stp: 'none' })
  const after = await events(client, 1)
  t.match(after[0], { event_type: 'triggered', order_id: stop.order_id })

  const gtd = await placeAs(s, 'alice', { side: 'buy', quantity: '0.1', price: '20000', time_in_force: 'gtd', expire_time: Math.round(Date.now() + 200) / 1000 })
  const seen: Event[] = []
  while (!seen.some((e) => e.event_type === 'expired')) seen.push(...await events(client, 1))
  t.match(seen.find((e) => e.event_type === 'expired'), { order_id: gtd.order_id, status: 'expired', time_in_force: 'gtd', expire_time: gtd.expire_time })
})
