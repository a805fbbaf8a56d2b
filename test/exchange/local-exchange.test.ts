// The application service on its own: no Fastify, no HTTP. Every answer is an
// Outcome typed from schemas/, refusals carry the stable error codes.
import t from 'tap'
import type { Test } from 'tap'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { LocalExchange, type ExchangeLog } from '../../src/exchange/local-exchange.js'
import { loadConfig } from '../../src/config.js'
import { steppingClock } from '../helpers/clock.js'

const quiet: ExchangeLog = { info () {}, warn () {}, error () {} }

function open (t: Test, env: Record<string, string> = {}, dataDir?: string) {
  const dir = dataDir ?? mkdtempSync(join(tmpdir(), 'exchange-'))
  if (dataDir === undefined) t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const config = loadConfig({ DATA_DIR: dir, ...env })
  return new LocalExchange({ engine: config.engine, journal: config.journal, batchMs: 0, maxTradesInAnswer: config.maxTradesInAnswer, log: quiet, clock: steppingClock() })
}

t.test('orders, cancels and reads answer typed values; refusals carry codes', async (t) => {
  const exchange = open(t)
  t.teardown(() => exchange.close())
  const seen: string[] = []
  exchange.observe({ orderAccepted: (symbol, type, status, trades) => seen.push(`${symbol} ${type} ${status} ${trades}`) })

  const rest = await exchange.placeOrder({ symbol: 'btc-usdt', side: 'sell', order_type: 'limit', quantity: '0.5', price: '30000' })
  t.ok(rest.ok)
  if (!rest.ok) return
  t.match(rest.value, { order_id: '1', symbol: 'BTC-USDT', status: 'pending', trade_count: 0, trades: [] })
  const take = await exchange.placeOrder({ symbol: 'BTC-USDT', side: 'buy', order_type: 'market', quantity: '0.2' })
  t.match(take, { ok: true, value: { status: 'filled', trade_count: 1, total_taker_fees: '6' } })
  t.same(seen, ['BTC-USDT limit pending 0', 'BTC-USDT market filled 1'])

  t.match(await exchange.findOrder({ symbol: 'BTC-USDT', orderId: '1' }), { ok: true, value: { filled_quantity: '0.2', status: 'partially_filled' } })
  t.match(await exchange.findOrder({ orderId: '1' }), { ok: false, code: 'MISSING_SYMBOL' })
  t.match(await exchange.findOrder({ symbol: 'BTC-USDT', orderId: '99' }), { ok: false, code: 'ORDER_NOT_FOUND' })
  t.match(await exchange.book('BTC-USDT', 5), { ok: true, value: { symbol: 'BTC-USDT', bids: [], asks: [['30000', '0.3']] } })
  t.match(await exchange.bbo('BTC-USDT'), { ok: true, value: { best_ask: '30000', best_bid: null } })
  const unknown = await exchange.book('DOGE-USDT', 5)
  t.match(unknown, { ok: false, code: 'SYMBOL_NOT_FOUND' })
  if (!unknown.ok) t.match(unknown.message, /BTC-USDT, ETH-USDT/, 'names the traded symbols')
  t.match(await exchange.symbolStatistics('BTC-USDT'), { ok: true, value: { total_trades: 1, active_orders: 1 } })
  t.match(await exchange.symbolsInfo(), { ok: true, value: { count: 4, symbol_info: { 'BTC-USDT': { tick_size: '0.01', active_orders: 1 } } } })
  const stats = await exchange.statistics()
  t.match(stats, { ok: true, value: { orders_processed: 2, trades_executed: 1, total_volume: { 'BTC-USDT': '0.2' } } })
  if (stats.ok) t.match(stats.value.state_digest, /^[0-9a-f]{64}$/)

  t.match(await exchange.cancelOrder({ symbol: 'BTC-USDT', order_id: '1' }), { ok: true, value: { success: true, status: 'cancelled', remaining_quantity: '0.3' } })
  t.match(await exchange.cancelOrder({ symbol: 'BTC-USDT', order_id: '1' }), { ok: false, code: 'ORDER_NOT_FOUND' })
  t.match(await exchange.placeOrder({ symbol: 'BTC-USDT', side: 'buy', order_type: 'limit', quantity: '0.1', price: '1.001' }), { ok: false, code: 'VALIDATION_ERROR' })
  t.same(exchange.health().healthy, true)
})

t.test('a snapshot on demand covers what was accepted; without a journal there is none', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'exchange-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const first = open(t, {}, dir)
  await first.placeOrder({ symbol: 'ETH-USDT', side: 'buy', order_type: 'limit', quantity: '1', price: '2000' })
  t.same(await first.snapshot(), { seq: 1 })
  await first.close()
  const again = open(t, {}, dir)
  t.teardown(() => again.close())
  t.match(await again.book('ETH-USDT', 1), { ok: true, value: { bids: [['2000', '1']] } }, 'recovered from the files')

  const volatile = open(t, { JOURNAL_ENABLED: 'false' })
  t.teardown(() => volatile.close())
  t.equal(await volatile.snapshot(), null)
  t.match(await volatile.statistics(), { ok: true, value: { orders_processed: 0 } })
})
