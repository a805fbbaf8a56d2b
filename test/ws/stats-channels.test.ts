/** The ticker and candles channels over a real socket: first message on subscribe, pushes on trades, unsubscribe. */
import t from 'tap'
import { startServer } from '../helpers/server.js'
import { connect, isType, placeOrder, until } from './ws-client.js'

const SYMBOL = 'BTC-USDT'

t.test('ticker and candles: subscribed, a first message, a push after a trade, then silence after unsubscribe', async (t) => {
  const s = await startServer({})
  t.teardown(() => s.close())
  await placeOrder(s.url, { side: 'sell', quantity: '0.5', price: '30000' })
  await placeOrder(s.url, { side: 'buy', quantity: '0.2', price: '30000' })
  const { client } = await connect(s.wsUrl)
  t.teardown(() => client.close())
  t.match(await client.request({ type: 'subscribe', channel: 'ticker', symbol: SYMBOL }), { type: 'subscribed', channel: 'ticker', symbol: SYMBOL })
  t.match(await client.next(isType('ticker')), { symbol: SYMBOL, last_price: '30000', volume_24h: '0.2' })
  t.match(await client.request({ type: 'subscribe', channel: 'candles', symbol: SYMBOL, interval: '1m' }), { type: 'subscribed', channel: 'candles', interval: '1m' })
  t.match(await client.next(isType('candle')), { symbol: SYMBOL, interval: '1m', open: '30000', close: '30000', volume: '0.2' })
  await placeOrder(s.url, { side: 'buy', quantity: '0.1', price: '30000' })
  await until(() => client.received.some((m) => m.type === 'candle' && m.volume === '0.3'), 3000, 'the candle after the second trade')
  await until(() => client.received.some((m) => m.type === 'ticker' && m.volume_24h === '0.3'), 3000, 'the ticker after the second trade')
  t.match(await client.request({ type: 'unsubscribe', channel: 'candles', symbol: SYMBOL, interval: '1m' }), { type: 'unsubscribed', channel: 'candles' })
  t.match(await client.request({ type: 'unsubscribe', channel: 'ticker', symbol: SYMBOL }), { type: 'unsubscribed', channel: 'ticker' })
  client.take((m) => m.type === 'ticker' || m.type === 'candle')
  await placeOrder(s.url, { side: 'buy', quantity: '0.1', price: '30000' })
  t.same(await client.quiet(300, (m) => m.type === 'ticker' || m.type === 'candle'), [], 'nothing after unsubscribing')
  t.match(await client.request({ type: 'subscribe', channel: 'candles', symbol: SYMBOL, interval: '2m' }), { code: 'INVALID_INTERVAL' })
})
