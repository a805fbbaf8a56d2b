// GET /orders, GET /fills and POST /cancel_all over HTTP (inject), as the
// anonymous caller of AUTH=off (the test helpers' default): answers, paging
// by cursor, and every refusal of their query strings and bodies.
import t from 'tap'
import { buildTestApp } from '../helpers/build-app.js'
import { SYMBOL, get, limit, placeOk, post } from './support.js'

t.test('GET /orders: open by default, closed on request, newest first, paged by cursor', async (t) => {
  const app = await buildTestApp(t)
  const a = await placeOk(app, limit('buy', '30000', '0.1', { client_order_id: 'a' }))
  const b = await placeOk(app, limit('buy', '29999', '0.1'))
  const c = await placeOk(app, limit('sell', '2000', '1', { symbol: 'ETH-USDT' }))
  await post(app, '/cancel', { symbol: SYMBOL, order_id: a.order_id })

  const open = await get(app, '/orders')
  t.equal(open.status, 200)
  t.same(open.body.orders.map((o: any) => o.order_id), [c.order_id, b.order_id])
  t.equal(open.body.next_cursor, null)
  t.match(open.body.orders[0], { account_id: 'anonymous', stp: 'none', symbol: 'ETH-USDT', status: 'pending', price: '2000' })

  const first = await get(app, '/orders?status=open&limit=1')
  t.same([first.body.orders.map((o: any) => o.order_id), first.body.next_cursor], [[c.order_id], c.order_id])
  const second = await get(app, `/orders?limit=1&cursor=${first.body.next_cursor as string}`)
  t.same([second.body.orders.map((o: any) => o.order_id), second.body.next_cursor], [[b.order_id], null])
  t.same((await get(app, '/orders?symbol=eth-usdt')).body.orders.map((o: any) => o.order_id), [c.order_id])

  const closed = await get(app, '/orders?status=closed')
  t.equal(closed.status, 200)
  t.match(closed.body, { orders: [{ order_id: a.order_id, client_order_id: 'a', status: 'cancelled' }], next_cursor: null })
})

t.test('GET /fills: each fill with its side, role, fee and trade id; a self-trade is two fills', async (t) => {
  const app = await buildTestApp(t)
  const maker = await placeOk(app, limit('sell', '30000', '0.5', { client_order_id: 'mk' }))
  const taker = await placeOk(app, limit('buy', '30000', '0.2'))
  const fills = await get(app, '/fills')
  t.equal(fills.status, 200)
  t.same(fills.body, {
    fills: [
      { trade_id: 'BTC-USDT-1', order_id: taker.order_id, client_order_id: null, symbol: SYMBOL, side: 'buy', role: 'taker', price: '30000', quantity: '0.2', trade_value: '6000', fee: '6', timestamp: fills.body.fills[0].timestamp },
      { trade_id: 'BTC-USDT-1', order_id: maker.order_id, client_order_id: 'mk', symbol: SYMBOL, side: 'sell', role: 'maker', price: '30000', quantity: '0.2', trade_value: '6000', fee: '6', timestamp: fills.body.fills[1].timestamp }
    ],
    next_cursor: null
  })
  const page = await get(app, '/fills?limit=1')
  t.same([page.body.fills[0].role, typeof page.body.next_cursor], ['taker', 'string'])
  const rest = await get(app, `/fills?limit=1&cursor=${page.body.next_cursor as string}`)
  t.same([rest.body.fills[0].role, rest.body.next_cursor], ['maker', null])
  t.same((await get(app, '/fills?symbol=ETH-USDT')).body, { fills: [], next_cursor: null })
})

t.test('POST /cancel_all: own open orders of a symbol and/or side; answers how many', async (t) => {
  const app = await buildTestApp(t)
  const bid = await placeOk(app, limit('buy', '30000', '0.1'))
  const ask = await placeOk(app, limit('sell', '31000', '0.1'))
  const eth = await placeOk(app, limit('buy', '2000', '1', { symbol: 'ETH-USDT' }))
  const bySide = await post(app, '/cancel_all', { symbol: SYMBOL, side: 'sell' })
  t.equal(bySide.status, 200)
  t.same(bySide.body, { success: true, cancelled: 1, order_ids: [ask.order_id] })
  t.same((await post(app, '/cancel_all', {})).body, { success: true, cancelled: 2, order_ids: [bid.order_id, eth.order_id] })
  t.same((await post(app, '/cancel_all', {})).body, { success: true, cancelled: 0, order_ids: [] })
  t.same((await get(app, '/orders')).body, { orders: [], next_cursor: null })
})

t.test('refusals: limits out of range or not digits, bad cursors, unknown symbols, bad bodies', async (t) => {
  const app = await buildTestApp(t)
  for (const url of ['/orders?limit=0', '/orders?limit=1001', '/fills?limit=0', '/fills?limit=1001']) {
    const reply = await get(app, url)
    t.same([reply.status, reply.body.error_code], [400, 'INVALID_PARAMETER'], url)
    t.match(reply.body.error, /limit must be an integer from 1 to 1000/)
  }
  for (const url of ['/orders?limit=abc', '/orders?limit=-1', '/fills?limit=1.5', '/orders?status=all', '/orders?extra=1', '/fills?cursor=']) {
    const reply = await get(app, url)
    t.same([reply.status, reply.body.error_code], [400, 'VALIDATION_ERROR'], url)
  }
  t.same((await get(app, '/orders?limit=1000')).status, 200, 'the bounds themselves are fine')
  t.same((await get(app, '/fills?limit=1')).status, 200)
  for (const url of ['/orders?cursor=abc', '/fills?cursor=-5']) {
    const reply = await get(app, url)
    t.same([reply.status, reply.body.error_code], [400, 'INVALID_PARAMETER'], url)
  }
  for (const url of ['/orders?symbol=DOGE-USDT', '/fills?symbol=DOGE-USDT']) {
    const reply = await get(app, url)
    t.same([reply.status, reply.body.error_code], [404, 'SYMBOL_NOT_FOUND'], url)
  }
  const cases: Array<[unknown, number, string]> = [
    [{ side: 'up' }, 400, 'VALIDATION_ERROR'],
    [{ symbol: 'DOGE-USDT' }, 404, 'SYMBOL_NOT_FOUND'],
    [{ symbol: SYMBOL, extra: true }, 400, 'VALIDATION_ERROR'],
    [{ side: '' }, 400, 'VALIDATION_ERROR']
  ]
  for (const [body, status, code] of cases) {
    const reply = await post(app, '/cancel_all', body)
    t.same([reply.status, reply.body.error_code], [status, code], JSON.stringify(body))
  }
})
