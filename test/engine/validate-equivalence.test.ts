/**
 * The submit path's validation against its reference (the bignumber.js and
 * regex implementation it replaced, frozen in test/helpers/validate-reference.ts):
 * many generated inputs, on several symbol specs (power-of-ten steps on the
 * fast reader, others on bignumber.js), must give exactly the same result:
 * the same fields on every accept, the same code and message on every refusal.
 * Inputs are built around every filter's boundary (MIN/MAX_QUANTITY, the lot
 * and the tick, 2^53 − 1 units, MIN_NOTIONAL), written in every form the wire
 * allows (leading and trailing zeros, exponents, JSON numbers), plus random
 * digit strings and junk.
 */
import t from 'tap'
import { deepStrictEqual } from 'node:assert'
import { SymbolSpec, type SymbolConfig } from '../../src/engine/symbols.js'
import { validateOrder, type NewOrderInput } from '../../src/engine/validate.js'
import { referenceValidateOrder } from '../helpers/validate-reference.js'
import { intBetween, pick, seededRandom } from '../helpers/random.js'
import {
  ACCOUNTS, CLIENT_IDS, SIDES, SPECS, STPS, TYPES, anyDecimal, boundariesOf, near, scaledStep, stepsText
} from '../helpers/validate-inputs.js'

for (const config of SPECS) {
  t.test(`${config.symbol}: validateOrder equals the reference on generated inputs`, async (t) => {
    const spec = new SymbolSpec(config)
    const random = seededRandom(config.symbol.length * 7919 + config.tickSize.length)
    const { quantity, price } = boundariesOf(spec)
    const lot = scaledStep(spec.lot.text)
    const tick = scaledStep(spec.tick.text)
    const seen = { accepted: 0, refused: new Map<string, number>() }
    let mismatches = 0
    let firstMismatch = ''
    const runs = 25_000
    for (let i = 0; i < runs; i++) {
      const sane = random() < 0.7
      const orderType = sane ? pick(random, ['limit', 'limit', 'market', 'ioc', 'fok']) : pick(random, TYPES)
      let q = anyDecimal(random, lot, quantity)
      let p: unknown = orderType === 'market' && random() < 0.9 ? pick(random, [undefined, null]) : anyDecimal(random, tick, price)
      if (random() < 0.25) {
        // Coupled near MIN_NOTIONAL: price ticks around minNotionalUnits / lots.
        const lots = BigInt(intBetween(random, spec.minLots, Math.min(spec.maxLots, spec.minLots * 1000)))
        const ticks = near(random, (spec.minNotionalUnits + lots - 1n) / lots)
        q = stepsText(random, lots, lot)
        p = stepsText(random, ticks > 0n ? ticks : 1n, tick)
      }
      if (random() < 0.1) p = pick(random, [undefined, null])
      const input = {
        symbol: config.symbol,
        side: sane ? pick(random, ['buy', 'sell']) : pick(random, SIDES),
        orderType,
        quantity: q,
        price: p,
        clientOrderId: sane ? null : pick(random, CLIENT_IDS),
        accountId: pick(random, ACCOUNTS),
        stp: sane ? undefined : pick(random, STPS)
      } as unknown as NewOrderInput
      const expected = referenceValidateOrder(input, spec)
      const actual = validateOrder(input, spec)
      try {
        deepStrictEqual(actual, expected)
        if (JSON.stringify(actual) !== JSON.stringify(expected)) throw new Error('fields in another order')
      } catch {
        if (mismatches++ === 0) {
          firstMismatch = `${String(input.quantity)} @ ${String(input.price)}: ${JSON.stringify(actual)} vs ${JSON.stringify(expected)}`
        }
      }
      if (expected.ok) {
        seen.accepted++
      } else {
        seen.refused.set(expected.message, (seen.refused.get(expected.message) ?? 0) + 1)
      }
    }
    t.equal(mismatches, 0, firstMismatch || `${runs} inputs, same results`)
    // The generator must reach both outcomes and every filter, or the comparison proves little.
    t.ok(seen.accepted > runs / 20, `accepted ${seen.accepted}`)
    for (const filter of ['MAX_QUANTITY', 'LOT_SIZE', 'MIN_QUANTITY', 'PRICE_FILTER', 'MIN_NOTIONAL', 'out of range', 'significant digits',
      'plain decimal', 'greater than zero', 'positive', 'finite', 'string or a number', 'side', 'order_type', 'client_order_id', 'stp',
      'required', 'must not be given']) {
      if (filter === 'MIN_NOTIONAL' && spec.minNotionalUnits === 0n) continue
      if (filter === 'MIN_QUANTITY' && spec.minLots === 1) continue
      const count = [...seen.refused].filter(([message]) => message.includes(filter)).reduce((n, [, c]) => n + c, 0)
      t.ok(count > 0, `${filter} refused ${count} times`)
    }
  })
}

t.test('power-of-ten steps never reach bignumber.js; other steps do', async (t) => {
  const actual = await import('../../src/engine/decimal.js')
  let calls = 0
  const mocked = await t.mockImport<typeof import('../../src/engine/validate.js')>('../../src/engine/validate.js', {
    '../../src/engine/decimal.js': { ...actual, parseDecimal: (input: unknown) => { calls++; return actual.parseDecimal(input) } }
  })
  const btc = new SymbolSpec(SPECS[0] as SymbolConfig)
  const inputs: Array<Partial<NewOrderInput>> = [
    {}, { orderType: 'market', price: null }, { quantity: 0.5, price: 30000.5 }, { quantity: '1e-9' }, { quantity: '1000' }, { quantity: '0.000001' },
    { price: '30000.001' }, { price: '1e20' }, { quantity: '0.0001', price: '1' }, { quantity: '-1' }, { price: 'x' }
  ]
  for (const over of inputs) {
    const input = { symbol: 'BTC-USDT', side: 'buy', orderType: 'limit', quantity: '0.5', price: '30000.00', ...over }
    t.strictSame(mocked.validateOrder(input, btc), referenceValidateOrder(input, btc))
  }
  t.equal(calls, 0, 'no decimal went through parseDecimal')
  const nickel = new SymbolSpec(SPECS.find((s) => s.symbol === 'NICKEL-USD') as SymbolConfig)
  t.ok(mocked.validateOrder({ symbol: 'NICKEL-USD', side: 'buy', orderType: 'limit', quantity: '1.5', price: '1.00' }, nickel).ok)
  t.equal(calls, 2, 'quantity and price of a 0.05 tick and 0.5 lot symbol through bignumber.js')
})
