import t from 'tap'
import { MatchingEngine, Trade } from '../../src/engine/index.js'
import { bboView, depthView, symbolStatsView } from '../../src/wire/market-views.js'
import { orderView, tradeAmounts, tradeView } from '../../src/wire/order-views.js'
import { Step } from '../../src/engine/decimal.js'
import { steppingClock } from '../helpers/clock.js'

t.test('Step formats integer units canonically, power-of-ten or not', async (t) => {
  const cents = new Step('0.01')
  t.equal(cents.format(3000005), '30000.05')
  t.equal(cents.format(3000000), '30000')
  t.equal(cents.format(5), '0.05')
  t.equal(cents.format(0), '0')
  const lots = new Step('0.00000001')
  t.equal(lots.format(1), '0.00000001')
  t.equal(lots.format(123450000), '1.2345')
  t.equal(new Step('1').format(42), '42')
  const nickel = new Step('0.05')
  t.equal(nickel.format(3), '0.15')
  t.equal(nickel.toUnits(nickel.value.times(7)), 7)
  t.equal(new Step('100').format(3), '300')
})

t.test('views print exact decimals, fees and a half-tick mid', async (t) => {
  const e = new MatchingEngine({ clock: steppingClock(1000), makerFeeRate: '0.0002', takerFeeRate: '0.0007' })
  t.ok(e.submit({ symbol: 'BTC-USDT', side: 'buy', orderType: 'limit', quantity: '0.1', price: '30000.01' }).ok)
  t.ok(e.submit({ symbol: 'BTC-USDT', side: 'sell', orderType: 'limit', quantity: '0.3', price: '30000.04' }).ok)
  const book = e.book('BTC-USDT')!
  t.same(bboView(book, 5000), { symbol: 'BTC-USDT', best_bid: '30000.01', best_ask: '30000.04', spread: '0.03', mid_price: '30000.025', timestamp: 5 })
  t.same(depthView(book, 10), { bids: [['30000.01', '0.1']], asks: [['30000.04', '0.3']] })
  const r = e.submit({ symbol: 'BTC-USDT', side: 'buy', orderType: 'ioc', quantity: '0.12345678', price: '30000.04' })
  t.ok(r.ok)
  if (!r.ok) return
  const trade = tradeView(r.value.trades[0], book.spec, e)
  t.equal(trade.trade_value, '3703.7083382712')
  t.equal(trade.maker_fee, '0.74074166765424')
  t.equal(trade.taker_fee, '2.59259583678984')
  t.same(orderView(r.value.order, book.spec), {
    order_id: '3',
    client_order_id: null,
    symbol: 'BTC-USDT',
    side: 'buy',
    order_type: 'ioc',
    status: 'filled',
    cancel_reason: null,
    account_id: 'anonymous',
    stp: 'none',
    price: '30000.04',
    quantity: '0.12345678',
    filled_quantity: '0.12345678',
    remaining_quantity: '0',
    timestamp: 1.002,
    time_in_force: 'ioc',
    post_only: false,
    stop_price: null,
    display_quantity: null,
    expire_time: null,
    quote_quantity: null,
    list_id: null
  })
  const stats = symbolStatsView(book)
  t.equal(stats.total_volume, '0.12345678')
  t.equal(stats.last_trade_price, '30000.04')
  t.equal(stats.total_orders, 3)
})

t.test('volume counter carries past 2^53 without losing units', async (t) => {
  const { UnitCounter } = await import('../../src/engine/volume.js')
  const c = new UnitCounter()
  for (let i = 0; i < 4; i++) c.add(2 ** 51 + 1)
  t.equal(c.total, 4n * (2n ** 51n + 1n))
})

t.test('half steps and trade amounts are exact on both the BigInt and the bignumber path', async (t) => {
  const cents = new Step('0.01')
  t.equal(cents.formatHalf(3), '0.015')
  t.equal(cents.formatHalf(4), '0.02')
  const nickel = new Step('0.05')
  t.equal(nickel.formatHalf(7), '0.175')
  const symbols = [
    { symbol: 'TEN-USD', tickSize: '0.01', lotSize: '0.001', minQuantity: '0.001', minNotional: '0' },
    { symbol: 'ODD-USD', tickSize: '0.05', lotSize: '0.003', minQuantity: '0.003', maxQuantity: '999.999', minNotional: '0' }
  ]
  const e = new MatchingEngine({ symbols, clock: steppingClock(), makerFeeRate: '0.00015', takerFeeRate: '0.0004' })
  const trade = (symbol: string, priceTicks: number, quantityLots: number) =>
    Trade.rebuilt(symbol, 1, priceTicks, quantityLots, 'buy', 1, 2, 'a', 'b', null, null, 0)
  // 123.45 × 0.007 + 0.01 × 0.001 = 0.86415 + 0.00001 = 0.86416
  t.same(tradeAmounts([trade('TEN-USD', 12345, 7), trade('TEN-USD', 1, 1)], e.book('TEN-USD')!.spec, e),
    { value: '0.86416', makerFee: '0.000129624', takerFee: '0.000345664' })
  // 0.05 × 3 × 0.003 × 7 = 0.15 × 0.021 = 0.00315
  t.same(tradeAmounts([trade('ODD-USD', 3, 7)], e.book('ODD-USD')!.spec, e),
    { value: '0.00315', makerFee: '0.0000004725', takerFee: '0.00000126' })
})
