import t from 'tap'
import { ConfigError, defaultMaxRssBytes, loadConfig } from '../../src/config.js'

const GiB = 1024 ** 3

t.test('engine limits: defaults and overrides', async (t) => {
  const defaults = loadConfig({})
  t.same([defaults.engine.maxFillsPerOrder, defaults.engine.maxOpenOrdersPerSymbol], [1000, 100_000])
  const set = loadConfig({ MAX_FILLS_PER_ORDER: '5', MAX_OPEN_ORDERS_PER_SYMBOL: '7' })
  t.same([set.engine.maxFillsPerOrder, set.engine.maxOpenOrdersPerSymbol], [5, 7])
})

const bad: Array<[Record<string, string>, RegExp]> = [
  [{ MAX_FILLS_PER_ORDER: '0' }, /MAX_FILLS_PER_ORDER must be an integer from 1 to 1000000/],
  [{ MAX_OPEN_ORDERS_PER_SYMBOL: '0' }, /MAX_OPEN_ORDERS_PER_SYMBOL must be an integer from 1/],
  // The seed's max quantity with 100,000 open orders could pass 2^53 - 1 lots at one price.
  [{ SYMBOLS: '[{"symbol":"X-Y","tickSize":"0.01","minQuantity":"1","maxQuantity":"1000000"}]' },
    /invalid engine configuration: symbol X-Y: max quantity 1000000 \(100000000000000 lots of 0.00000001\) × 100000 open orders could pass/],
  [{ MAX_OPEN_ORDERS_PER_SYMBOL: '1000000' }, /symbol BTC-USDT: .* × 1000000 open orders could pass 2\^53 - 1 lots at one price/]
]
for (const [env, message] of bad) {
  t.test(`refuses ${JSON.stringify(env)}`, async (t) => {
    const error = t.throws(() => loadConfig(env)) as Error
    t.ok(error instanceof ConfigError)
    t.match(error.message, message)
  })
}

t.test('a coarser lot makes room for more open orders', async (t) => {
  const config = loadConfig({ MAX_OPEN_ORDERS_PER_SYMBOL: '1000000', SYMBOLS: '[{"symbol":"X-Y","tickSize":"0.01","minQuantity":"1","lotSize":"0.001","maxQuantity":"1000000"}]' })
  t.equal(config.engine.maxOpenOrdersPerSymbol, 1_000_000)
})

t.test('PRESSURE_MAX_RSS_BYTES is on by default: 1.5 GiB, or 3/4 of a smaller memory', async (t) => {
  t.equal(loadConfig({}).pressure.maxRssBytes, defaultMaxRssBytes())
  t.ok(defaultMaxRssBytes() > 0)
  t.equal(defaultMaxRssBytes(64 * GiB), 1.5 * GiB)
  t.equal(defaultMaxRssBytes(1 * GiB), 0.75 * GiB)
  t.equal(loadConfig({ PRESSURE_MAX_RSS_BYTES: '0' }).pressure.maxRssBytes, 0, '0 still switches it off')
})
