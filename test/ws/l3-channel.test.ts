/**
 * The l3 channel over a real socket: the snapshot after `subscribed`, order
 * by order deltas that rebuild the book exactly (checked against the engine
 * and by checksum), the size bound, and the protocol's refusals.
 */
import t from 'tap'
import { startServer } from '../helpers/server.js'
import { engineOf } from '../helpers/exchange-internals.js'
import { L3Client, engineRows } from '../helpers/l3-client.js'
import { connect, isType, placeOrder, rest, until } from './ws-client.js'

const SYMBOL = 'BTC-USDT'

t.test('l3: a snapshot, then adds, changes and deletes that rebuild every order in queue order', async (t) => {
  const s = await startServer({})
  t.teardown(() => s.close())
  await placeOrder(s.url, { side: 'buy', quantity: '0.5', price: '30000' })
  await placeOrder(s.url, { side: 'buy', quantity: '0.25', price: '30000' })
  await placeOrder(s.url, { side: 'sell', quantity: '1', price: '30010' })
  const { client } = await connect(s.wsUrl)
  t.teardown(() => client.close())
  const book = new L3Client(SYMBOL)
  client.onMessage = (m) => { if (m.type === 'l3_update' || m.type === 'resync') book.send(JSON.stringify(m)) }
  const answer = await client.request({ type: 'subscribe', channel: 'l3', symbol: SYMBOL })
  t.match(answer, { type: 'subscribed', channel: 'l3', symbol: SYMBOL })
  const snapshot = await client.next(isType('l3_update'))
  t.match(snapshot, { kind: 'snapshot', symbol: SYMBOL, bids: [['1', '30000', '0.5'], ['2', '30000', '0.25']], asks: [['3', '30010', '1']] })
  t.notOk(JSON.stringify(snapshot).includes('anonymous'), 'no account ids')
  const taken = await placeOrder(s.url, { side: 'sell', quantity: '0.6', price: '30000' })
  t.equal(taken.status, 'filled')
  await rest(s.url, 'POST', '/cancel', { symbol: SYMBOL, order_id: '3' })
  await placeOrder(s.url, { side: 'buy', quantity: '2', price: '29990' })
  const engine = engineOf(s.app)
  await until(() => JSON.stringify(book.book()) === JSON.stringify(engineRows(engine, SYMBOL)), 3000, 'the l3 book to equal the engine\'s')
  t.same(book.problems, [], 'every delta chained and every checksum matched')
  const events = book.messages.filter((m) => m.kind === 'delta').flatMap((m) => m.events)
  t.same(events.map((e: { action: string, order_id: string }) => `${e.action} ${e.order_id}`), ['delete 1', 'change 2', 'delete 3', 'add 5'], 'in execution order')
  t.match(await client.request({ type: 'unsubscribe', channel: 'l3', symbol: SYMBOL }), { type: 'unsubscribed', channel: 'l3' })
  t.match(await client.request({ type: 'unsubscribe', channel: 'l3', symbol: SYMBOL }), { code: 'NOT_SUBSCRIBED' })
  t.match(await client.request({ type: 'subscribe', channel: 'l3' }), { code: 'SYMBOL_REQUIRED' })
  t.match(await client.request({ type: 'subscribe', channel: 'l3', symbol: SYMBOL, depth: 10 }), { code: 'INVALID_DEPTH' })
})

t.test('l3: a book holding more than WS_L3_MAX_ORDERS resting orders is refused with L3_TOO_LARGE', async (t) => {
  const s = await startServer({ WS_L3_MAX_ORDERS: '2' })
  t.teardown(() => s.close())
  for (const price of ['100', '101', '102']) await placeOrder(s.url, { side: 'buy', quantity: '0.1', price })
  const { client } = await connect(s.wsUrl)
  t.teardown(() => client.close())
  t.match(await client.request({ type: 'subscribe', channel: 'l3', symbol: SYMBOL }), { type: 'error', code: 'L3_TOO_LARGE' })
  t.match(await client.request({ type: 'subscribe', channel: 'l3', symbol: 'ETH-USDT' }), { type: 'subscribed' }, 'another, smaller book is fine')
})
