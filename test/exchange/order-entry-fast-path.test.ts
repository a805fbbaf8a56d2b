// A plain order over the service takes validation's fast path: issue 12's
// absent fields reach the engine as absent, not as null (validation counts
// null as given, which sends the order down the order-type path).
import t from 'tap'
import { loadConfig } from '../../src/config.js'
import { LocalExchange, type ExchangeLog } from '../../src/exchange/local-exchange.js'
import type { NewOrderInput } from '../../src/engine/index.js'
import { steppingClock } from '../helpers/clock.js'

const quiet: ExchangeLog = { info () {}, warn () {}, error () {} }
const NEW_FIELDS = ['timeInForce', 'postOnly', 'stopPrice', 'displayQuantity', 'expireTime', 'quoteQuantity'] as const

t.test('an order without issue 12 fields reaches engine.submit without them', async (t) => {
  const config = loadConfig({ JOURNAL_ENABLED: 'false' })
  const exchange = new LocalExchange({ engine: config.engine, journal: config.journal, batchMs: 0, maxTradesInAnswer: config.maxTradesInAnswer, log: quiet, clock: steppingClock() })
  t.teardown(() => exchange.close())
  const engine = exchange.engineForTests
  const inputs: NewOrderInput[] = []
  const submit = engine.submit.bind(engine)
  engine.submit = (input, timestamp) => { inputs.push(input); return submit(input, timestamp) }
  const caller = { accountId: 'anonymous' }
  t.match(await exchange.placeOrder(caller, { symbol: 'BTC-USDT', side: 'buy', order_type: 'limit', quantity: '0.1', price: '30000' }), { ok: true })
  t.match(await exchange.placeOrder(caller, { symbol: 'BTC-USDT', side: 'buy', order_type: 'limit', quantity: '0.1', price: '29000', time_in_force: 'gtd', expire_time: 4102444800 }), { ok: true })
  t.same(NEW_FIELDS.filter((field) => inputs[0][field] !== undefined), [], 'the plain order: every new field undefined')
  t.equal(inputs[1].expireTime, 4102444800000, 'the GTD order: its expire time in ms')
})
