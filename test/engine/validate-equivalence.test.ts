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

type Random = () => number
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER)

const SPECS: ReadonlyArray<SymbolConfig> = [
  // The default crypto symbol: tick 0.01, lot 1e-8, min notional 10.
  { symbol: 'BTC-USDT', tickSize: '0.01', minQuantity: '0.00001' },
  // Whole units, quantities up to 2^53 − 1 lots and a notional past 2^53 units.
  { symbol: 'WHOLE-UNITS', tickSize: '1', lotSize: '1', minQuantity: '1', maxQuantity: '9007199254740991', minNotional: '100000000000000000' },
  // maxLots exactly 2^53 − 1 at the default lot, no min notional.
  { symbol: 'EDGE-SAFE', tickSize: '0.0001', minQuantity: '0.00000001', maxQuantity: '90071992.54740991', minNotional: '0' },
  // A min notional past 2^53 − 1 (tick × lot) units.
  { symbol: 'HUGE-NOTIONAL', tickSize: '0.01', minQuantity: '0.001', maxQuantity: '1000000', minNotional: '100000000000' },
  // Very fine steps: 18 decimal places.
  { symbol: 'FINE-STEPS', tickSize: '0.000000000000000001', lotSize: '0.000000000000000001', minQuantity: '0.000000000000000001', maxQuantity: '0.009', minNotional: '0.000000000000000000000000000001' },
  // Not powers of ten: bignumber.js on both paths.
  { symbol: 'NICKEL-USD', tickSize: '0.05', lotSize: '0.5', minQuantity: '1', maxQuantity: '1000', minNotional: '1' },
  { symbol: 'HUNDREDS-USD', tickSize: '100', lotSize: '0.001', minQuantity: '0.001', minNotional: '0' },
  // One power-of-ten step and one not.
  { symbol: 'MIXED-USD', tickSize: '0.01', lotSize: '0.25', minQuantity: '0.25', minNotional: '5' }
]

const JUNK: readonly unknown[] = [
  '', '-', '--1', '-0', '+1', ' 1', '1 ', '1.', '.5', '1e', '1e+', '1e-', 'e5', '1.e5', '1..2', '1e5.5', '1e+-5', '1e12345',
  '0x10', 'NaN', 'Infinity', '-Infinity', '1_000', '1,5', '١', '１', '1\n', '\n1', '1\u0000', '0', '0.0', '000', '0e5', '0.000e-3',
  '1e9999', '1e-9999', '9'.repeat(40), '9'.repeat(41), '0.' + '0'.repeat(40), '0.' + '0'.repeat(39) + '1', '1.' + '0'.repeat(41),
  null, undefined, true, false, {}, [], ['1'], 1n, Number.NaN, Infinity, -Infinity, -0, 0, -1, -1e-7, 5e-324, 1e21, 1e300,
  Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER + 2, 0.1, 0.30000000000000004, 1e-7, 123456789.12345678
]

/** units × 10^-scale written out in one of the many texts that mean it. */
function decimalText (random: Random, units: bigint, scale: number): string {
  const digits = units.toString()
  // value = digits × 10^-scale = mantissa × 10^exponent
  const exponent = random() < 0.5 ? 0 : intBetween(random, -30, 30)
  const shift = scale + exponent // decimal places of the mantissa
  let mantissa: string
  if (shift <= 0) {
    mantissa = digits + '0'.repeat(-shift)
  } else {
    const padded = digits.padStart(shift + 1, '0')
    mantissa = padded.slice(0, padded.length - shift) + '.' + padded.slice(padded.length - shift)
  }
  if (random() < 0.2) mantissa = '0'.repeat(intBetween(random, 1, 3)) + mantissa
  if (random() < 0.2) mantissa += (mantissa.includes('.') ? '' : '.') + '0'.repeat(intBetween(random, 1, 5))
  if (exponent === 0 && random() < 0.8) return mantissa
  const sign = exponent < 0 ? '-' : pick(random, ['', '+'])
  const e = String(Math.abs(exponent)).padStart(intBetween(random, 1, 4), '0')
  return mantissa + pick(random, ['e', 'E']) + sign + e
}

/** Integer units around a boundary: the boundary itself, one either side, or somewhere below. */
function near (random: Random, boundary: bigint): bigint {
  const r = random()
  if (r < 0.5) return boundary + BigInt(intBetween(random, -1, 1))
  if (r < 0.7) return boundary * BigInt(intBetween(random, 1, 10)) / 10n
  return boundary + BigInt(intBetween(random, -1000, 1000))
}

function randomDigits (random: Random, count: number): string {
  let s = ''
  for (let i = 0; i < count; i++) s += random() < 0.3 ? '0' : String(intBetween(random, 0, 9))
  return s
}

/** A step as an integer times 10^-scale: 0.05 is 5 × 10^-2, 100 is 100 × 10^0. */
interface ScaledStep { readonly units: bigint, readonly scale: number }

function scaledStep (text: string): ScaledStep {
  const [whole, fraction = ''] = text.split('.')
  return { units: BigInt(whole + fraction), scale: fraction.length }
}

/** count steps, written out. */
function stepsText (random: Random, count: bigint, step: ScaledStep): string {
  return decimalText(random, count * step.units, step.scale)
}

/** Anything the wire could carry, from plausible decimals to noise. */
function anyDecimal (random: Random, step: ScaledStep, boundaries: readonly bigint[]): unknown {
  const r = random()
  if (r < 0.45) {
    const count = near(random, pick(random, boundaries))
    if (count <= 0n) return stepsText(random, -count, step)
    // Sometimes a finer digit: off the step (or on it again when it is a zero).
    if (random() < 0.2) return decimalText(random, count * step.units * 10n + BigInt(intBetween(random, 0, 9)), step.scale + 1)
    return stepsText(random, count, step)
  }
  if (r < 0.6) {
    const value = Number(decimalText(random, BigInt(intBetween(random, 1, 1e9)), intBetween(random, 0, 20)))
    return random() < 0.1 ? -value : value
  }
  if (r < 0.85) {
    let s = randomDigits(random, random() < 0.9 ? intBetween(random, 1, 20) : intBetween(random, 21, 44))
    if (random() < 0.5) s += '.' + randomDigits(random, random() < 0.9 ? intBetween(random, 1, 20) : intBetween(random, 0, 44))
    if (random() < 0.4) s += pick(random, ['e', 'E']) + pick(random, ['', '+', '-']) + randomDigits(random, intBetween(random, 0, 5))
    return s
  }
  return pick(random, JUNK)
}

const SIDES: readonly unknown[] = ['buy', 'sell', 'buy', 'sell', 'BUY', 'Sell', 'bUy', 'buy ', 'ſell', 'hold', '', 5, null, undefined]
const TYPES: readonly unknown[] = ['limit', 'market', 'ioc', 'fok', 'limit', 'limit', 'LIMIT', 'Market', 'IOC', 'fOK', 'stop', 'limıt', '', null]
const CLIENT_IDS: readonly unknown[] = [
  undefined, null, null, 'c-1', 'A.b_c:d-9', 'x'.repeat(64), 'x'.repeat(65), '', 'a b', 'é', 'a/b', 'a\n', 123, 'ok:1', '[', '@', '`', '{'
]
const STPS: readonly unknown[] = [undefined, undefined, null, 'none', 'cancel_maker', 'cancel_taker', 'cancel_both', 'NONE', 'cancel', '', 0]
const ACCOUNTS: readonly unknown[] = [undefined, 'alice']

function boundariesOf (spec: SymbolSpec) {
  const quantity = [BigInt(spec.minLots), BigInt(spec.maxLots), MAX_SAFE, MAX_SAFE + 1n, 10n ** 16n, 10n ** 15n, 1n]
  const price = [1n, 100n, 6_500_000n, MAX_SAFE, MAX_SAFE + 1n, 10n ** 16n, 10n ** 18n]
  return { quantity, price }
}

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
