// The service over a real socket with undici: keep-alive reuse, a burst of
// concurrent orders whose trades, statistics and final book agree, and the
// JSON content type on every answer.
import t from 'tap'
import type { Test } from 'tap'
import { Agent, request } from 'undici'
import { startServer } from '../helpers/server.js'
import type { Body } from './support.js'

const JSON_TYPE = 'application/json; charset=utf-8'
const SYMBOL = 'BTC-USDT'
const LOT_PLACES = 8

/** A decimal quantity string as an exact count of lots (0.00000001). */
function lots (text: string): bigint {
  const [whole, fraction = ''] = text.split('.')
  return BigInt(whole + fraction.padEnd(LOT_PLACES, '0'))
}

async function serve (t: Test, connections: number) {
  const server = await startServer()
  const agent = new Agent({ connections })
  t.teardown(async () => {
    await agent.close()
    await server.close()
  })
  let sockets = 0
  server.app.server.on('connection', () => { sockets++ })
  const call = async (method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown) => {
    const res = await request(server.url + path, {
      method,
      dispatcher: agent,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body)
    })
    const json = await res.body.json() as Body
    return { status: res.statusCode, headers: res.headers, body: json }
  }
  return { call, sockets: () => sockets }
}

t.test('keep-alive: many sequential orders share one connection', async (t) => {
  const { call, sockets } = await serve(t, 1)
  for (let i = 0; i < 50; i++) {
    const side = i % 2 === 0 ? 'buy' : 'sell'
    const price = side === 'buy' ? String(29000 - i) : String(31000 + i)
    const reply = await call('POST', '/order', { symbol: SYMBOL, side, order_type: 'limit', quantity: '0.01', price })
    t.equal(reply.status, 200, `order ${i + 1}`)
    t.equal(reply.headers['content-type'], JSON_TYPE)
    t.equal(reply.body.status, 'pending')
  }
  t.equal(sockets(), 1, 'one TCP connection for all 50 requests')
  const book = await call('GET', `/book/${SYMBOL}?levels=100`)
  t.equal(book.body.bids.length, 25)
  t.equal(book.body.asks.length, 25)
  t.equal(sockets(), 1)
})

t.test('every answer is application/json; charset=utf-8, errors and 405 included', async (t) => {
  const { call } = await serve(t, 4)
  const cases: Array<['GET' | 'POST' | 'DELETE', string, unknown, number]> = [
    ['GET', '/health', undefined, 200],
    ['GET', '/symbols', undefined, 200],
    ['GET', `/bbo/${SYMBOL}`, undefined, 200],
    ['GET', '/statistics', undefined, 200],
    ['GET', '/book/NOPE-USDT', undefined, 404],
    ['GET', '/no/such/route', undefined, 404],
    ['DELETE', `/book/${SYMBOL}`, undefined, 405],
    ['POST', '/order', { symbol: SYMBOL }, 400],
    ['POST', '/cancel', { symbol: SYMBOL, order_id: '1' }, 404]
  ]
  for (const [method, path, body, status] of cases) {
    const reply = await call(method, path, body)
    t.equal(reply.status, status, `${method} ${path}`)
    t.equal(reply.headers['content-type'], JSON_TYPE, `${method} ${path}`)
    if (status >= 400) t.type(reply.body.error_code, 'string', `${method} ${path}: error_code`)
  }
  const allowed = await call('DELETE', `/book/${SYMBOL}`)
  t.match(String(allowed.headers.allow), /GET/)
})

t.test('a burst of 200 concurrent orders: trades, statistics and book agree', async (t) => {
  const { call } = await serve(t, 32)
  const orders = Array.from({ length: 200 }, (_, i) => {
    const side = i % 2 === 0 ? 'buy' : 'sell'
    const price = side === 'buy' ? 30000 + (i % 7) : 29997 + ((i * 3) % 7)
    const quantity = ((1 + (i % 5)) / 1000).toFixed(3)
    return { symbol: SYMBOL, side, order_type: i % 10 === 9 ? 'ioc' : 'limit', quantity, price: String(price) }
  })
  const replies = await Promise.all(orders.map((order) => call('POST', '/order', order)))
  t.same(replies.map((r) => r.status), orders.map(() => 200), 'all accepted')
  t.ok(replies.every((r) => r.headers['content-type'] === JSON_TYPE), 'JSON content type on every reply')

  // Trades as the takers saw them.
  const trades = replies.flatMap((r) => r.body.trades as Body[])
  const traded = trades.reduce((sum, x) => sum + lots(x.quantity), 0n)
  t.ok(trades.length > 0, 'the burst crossed')
  t.equal(new Set(trades.map((x) => x.trade_id)).size, trades.length, 'trade ids unique')
  t.same(trades.map((x) => x.trade_id).sort(), Array.from({ length: trades.length }, (_, i) => `${SYMBOL}-${i + 1}`).sort(),
    'trade ids are exactly 1..N')
  for (const r of replies) {
    for (const x of r.body.trades as Body[]) {
      if (x.aggressor_side !== r.body.side || x.taker_order_id !== r.body.order_id) t.fail(`trade ${x.trade_id} does not belong to its taker`)
      const better = r.body.side === 'buy' ? Number(x.price) <= Number(r.body.price) : Number(x.price) >= Number(r.body.price)
      if (!better) t.fail(`trade ${x.trade_id} at ${x.price} is worse than the taker's limit ${r.body.price}`)
    }
  }

  const stats = (await call('GET', '/statistics')).body
  t.equal(stats.orders_processed, 200)
  t.equal(stats.trades_executed, trades.length)
  t.equal(lots(stats.total_volume[SYMBOL]), traded, 'traded volume = sum of trade quantities')

  // Final state of every order.
  const finals = await Promise.all(replies.map((r) => call('GET', `/order/${r.body.order_id}?symbol=${SYMBOL}`)))
  t.ok(finals.every((f) => f.status === 200), 'every order is queryable')
  const filled = { buy: 0n, sell: 0n }
  const resting = { buy: 0n, sell: 0n }
  let open = 0
  for (const { body: o } of finals) {
    const side = o.side as 'buy' | 'sell'
    filled[side] += lots(o.filled_quantity)
    t.equal(lots(o.filled_quantity) + lots(o.remaining_quantity), lots(o.quantity), `order ${o.order_id}: filled + remaining = quantity`)
    if (o.status === 'pending' || o.status === 'partially_filled') {
      open++
      resting[side] += lots(o.remaining_quantity)
      t.equal(o.order_type, 'limit', `order ${o.order_id}: only limit orders rest`)
    }
  }
  t.equal(filled.buy, traded, 'sum filled over buys = traded volume')
  t.equal(filled.sell, traded, 'sum filled over sells = traded volume')

  const book = (await call('GET', `/book/${SYMBOL}?levels=100`)).body
  const total = (levels: string[][]) => levels.reduce((sum, [, qty]) => sum + lots(qty), 0n)
  t.equal(total(book.bids), resting.buy, 'bids hold exactly the open buys')
  t.equal(total(book.asks), resting.sell, 'asks hold exactly the open sells')
  if (book.bids.length > 0 && book.asks.length > 0) t.ok(Number(book.bids[0][0]) < Number(book.asks[0][0]), 'book not crossed')
  t.equal((await call('GET', `/statistics?symbol=${SYMBOL}`)).body.active_orders, open)
})
