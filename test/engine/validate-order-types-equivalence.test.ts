/**
 * Issue 12's validation against its reference (test/helpers/validate-reference.ts:
 * the contract's rules written out one by one, every decimal on bignumber.js,
 * the quote step as an exact BigInt fraction): generated orders with time in
 * force, expire time, post-only, stop price, display and quote quantity, OCO
 * lists and amends, on every symbol spec of the seed equivalence test (the
 * fast reader on power-of-ten steps, bignumber.js on the others), must give
 * exactly the same result: the same fields (and keys, in the same order) on
 * every accept, the same code and message on every refusal.
 */
import t, { type Test } from 'tap'
import { deepStrictEqual } from 'node:assert'
import { SymbolSpec } from '../../src/engine/symbols.js'
import { validateAmend, validateOco, validateOrder, type AmendInput, type NewOrderInput, type OcoInput } from '../../src/engine/validate.js'
import type { Result } from '../../src/engine/codes.js'
import { referenceValidateAmend, referenceValidateOco, referenceValidateOrderTypes } from '../helpers/validate-reference.js'
import { pick, seededRandom } from '../helpers/random.js'
import {
  ACCOUNTS, CLIENT_IDS, SPECS, STPS, anyDecimal, boundariesOf, near, scaledStep, stepsText, type ScaledStep
} from '../helpers/validate-inputs.js'

type Random = () => number
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER)

const ORDER_TYPES: readonly unknown[] = ['limit', 'market', 'ioc', 'fok', 'stop_limit', 'stop_market', 'stop_limit', 'stop_market', 'STOP_LIMIT', 'Stop_Market', 'stop']
const TIFS: readonly unknown[] = [undefined, undefined, undefined, null, 'gtc', 'ioc', 'fok', 'gtd', 'gtd', 'GTC', 'day', '', 5]
const EXPIRES: readonly unknown[] = [1, 1_700_000_000_000, Number.MAX_SAFE_INTEGER, 0, -1, 1.5, Number.NaN, 2 ** 53, '1700000000000', null]
const POST_ONLYS: readonly unknown[] = [undefined, undefined, true, true, false, null, 'true', 1]
const SANE_TYPES: readonly string[] = ['limit', 'market', 'ioc', 'fok', 'stop_limit', 'stop_market']
const TAKES: Record<string, readonly string[]> = {
  limit: ['gtc', 'ioc', 'fok', 'gtd'], ioc: ['ioc'], fok: ['fok'], market: ['ioc'], stop_limit: ['gtc', 'gtd', 'ioc', 'fok'], stop_market: ['gtc', 'gtd']
}

/** The tally of outcomes: the comparison proves little unless every rule is reached. */
class Seen {
  accepted = 0
  readonly keys = new Set<string>()
  readonly refused = new Map<string, number>()

  add (expected: Result<object>) {
    if (expected.ok) {
      this.accepted++
      for (const key of Object.keys(expected.value)) this.keys.add(key)
    } else {
      const key = `${expected.code} ${expected.message}`
      this.refused.set(key, (this.refused.get(key) ?? 0) + 1)
    }
  }

  count (pattern: string) {
    return [...this.refused].filter(([key]) => key.includes(pattern)).reduce((n, [, c]) => n + c, 0)
  }
}

function compare<I> (t: Test, runs: number, generate: () => I, actualOf: (input: I) => Result<object>, expectedOf: (input: I) => Result<object>): Seen {
  const seen = new Seen()
  let mismatches = 0
  let firstMismatch = ''
  for (let i = 0; i < runs; i++) {
    const input = generate()
    const expected = expectedOf(input)
    const actual = actualOf(input)
    try {
      deepStrictEqual(actual, expected)
      if (JSON.stringify(actual) !== JSON.stringify(expected)) throw new Error('fields in another order')
    } catch {
      if (mismatches++ === 0) firstMismatch = `${JSON.stringify(input)}: ${JSON.stringify(actual)} vs ${JSON.stringify(expected)}`
    }
    seen.add(expected)
  }
  t.equal(mismatches, 0, firstMismatch || `${runs} inputs, same results`)
  return seen
}

/** A sometimes-absent decimal: mostly around the boundaries, sometimes anything. */
function maybe (random: Random, present: number, step: ScaledStep, boundaries: readonly bigint[]): unknown {
  return random() < present ? anyDecimal(random, step, boundaries) : pick(random, [undefined, undefined, null])
}

for (const config of SPECS) {
  t.test(`${config.symbol}: issue 12's validation equals the reference on generated inputs`, async (t) => {
    const spec = new SymbolSpec(config)
    const random = seededRandom(config.symbol.length * 104_729 + config.tickSize.length)
    const { quantity, price } = boundariesOf(spec)
    const lot = scaledStep(spec.lot.text)
    const tick = scaledStep(spec.tick.text)
    // The quote step: one tick × one lot.
    const unit: ScaledStep = { units: tick.units * lot.units, scale: tick.scale + lot.scale }
    const quote = [spec.minNotionalUnits, spec.minNotionalUnits + 1n, MAX_SAFE, MAX_SAFE + 1n, 1n, 10n ** 16n, 10n ** 12n]

    t.test('orders', async (t) => {
      const seen = compare(t, 20_000, (): NewOrderInput => {
        // Sane: the fields fit together (each rule's boundary is then reached past the ones before); else anything.
        const sane = random() < 0.6
        const orderType = sane ? pick(random, SANE_TYPES) : pick(random, ORDER_TYPES) as string
        const lower = String(orderType).toLowerCase()
        const stop = lower.startsWith('stop_')
        const priced = lower !== 'market' && lower !== 'stop_market'
        const timeInForce = sane ? pick(random, [undefined, ...(TAKES[lower] ?? [])]) : pick(random, TIFS)
        const canRest = (lower === 'limit' || lower === 'stop_limit') && (timeInForce === undefined || timeInForce === 'gtc' || timeInForce === 'gtd')
        const quoted = lower === 'market' && random() < 0.5
        // Coupled near MIN_NOTIONAL, so that most orders pass the seed's filters and reach the new ones.
        const lots = BigInt(Math.min(spec.maxLots, spec.minLots * (1 + Math.floor(random() * 1000))))
        const ticks = near(random, (spec.minNotionalUnits + lots - 1n) / lots)
        const q = quoted ? (sane ? undefined : maybe(random, 0.1, lot, quantity)) : sane ? stepsText(random, lots, lot) : maybe(random, 0.95, lot, quantity)
        const p = priced ? (sane ? stepsText(random, ticks > 0n ? ticks : 1n, tick) : maybe(random, 0.95, tick, price)) : maybe(random, sane ? 0 : 0.15, tick, price)
        let display: unknown = sane ? undefined : maybe(random, 0.1, lot, quantity)
        if (canRest && random() < 0.5) {
          // Around the min quantity, around the quantity, or anywhere between.
          const low = BigInt(spec.minLots)
          const r = random()
          const count = r < 0.3 ? near(random, low) : r < 0.6 ? near(random, lots) : low + BigInt(Math.floor(random() * Number(lots - low + 1n)))
          display = stepsText(random, count > 0n ? count : 1n, lot)
        }
        const expireTime = timeInForce === 'gtd' ? (random() < 0.8 ? 1_700_000_000_000 : pick(random, EXPIRES)) : (random() < 0.9 ? undefined : pick(random, EXPIRES))
        return {
          symbol: config.symbol,
          side: sane ? pick(random, ['buy', 'sell']) : pick(random, ['buy', 'sell', 'SELL', 'hold']),
          orderType,
          quantity: q as string,
          price: p as string,
          timeInForce: timeInForce as string,
          expireTime: (sane && timeInForce !== 'gtd' ? undefined : expireTime) as number,
          postOnly: (sane ? (canRest && random() < 0.5 ? true : pick(random, [undefined, false])) : pick(random, POST_ONLYS)) as boolean,
          stopPrice: (stop && sane ? stepsText(random, near(random, ticks > 0n ? ticks : 1n) || 1n, tick) : maybe(random, stop ? 0.95 : sane ? 0 : 0.05, tick, price)) as string,
          displayQuantity: display as string,
          quoteQuantity: (quoted ? (sane ? stepsText(random, near(random, spec.minNotionalUnits) || 1n, unit) : anyDecimal(random, unit, quote)) : maybe(random, sane ? 0 : 0.03, unit, quote)) as string,
          clientOrderId: random() < 0.9 ? null : pick(random, CLIENT_IDS) as string,
          accountId: pick(random, ACCOUNTS) as string,
          stp: random() < 0.9 ? undefined : pick(random, STPS) as string
        }
      }, (input) => validateOrder(input, spec), (input) => referenceValidateOrderTypes(input, spec))
      t.ok(seen.accepted > 2000, `accepted ${seen.accepted}`)
      const keys = ['timeInForce', 'postOnly', 'stopPriceTicks', 'displayLots', 'expireAt']
      // A min notional past 2^53 − 1 quote units refuses every quote amount.
      if (spec.minNotionalUnits <= MAX_SAFE) keys.push('quoteUnits')
      for (const key of keys) t.ok(seen.keys.has(key), `accepted with ${key}`)
      const reached = [
        'INVALID_TIME_IN_FORCE', 'not one of gtc', 'INVALID_EXPIRE_TIME', 'required with time_in_force gtd', 'only allowed with time_in_force gtd',
        'epoch milliseconds', 'POST_ONLY_NOT_ALLOWED', 'post_only must be a boolean', 'INVALID_STOP_PRICE stop_price is required',
        'INVALID_STOP_PRICE stop_price is only allowed', 'stop_price is out of range', 'INVALID_DISPLAY_QUANTITY display_quantity is only allowed',
        'display_quantity must be at most the quantity', 'INVALID_DISPLAY_QUANTITY display_quantity must be', 'INVALID_QUOTE_QUANTITY quote_quantity is only allowed',
        'must not both be given', 'quote_quantity is out of range', 'the tick size', 'INVALID_QUOTE_QUANTITY quote_quantity must be', 'quantity is required',
        'price must not be given for a stop_market', 'price is required for a stop_limit', 'PRICE_FILTER', 'LOT_SIZE', 'MAX_QUANTITY'
      ]
      if (spec.minLots > 1) reached.push('display_quantity fails the MIN_QUANTITY')
      if (spec.minNotionalUnits > 1n) reached.push('quote_quantity fails the MIN_NOTIONAL', 'price × quantity fails the MIN_NOTIONAL')
      if (unit.units !== 1n || unit.scale !== 0) reached.push('INVALID_QUOTE_QUANTITY quote_quantity ')
      for (const pattern of reached) t.ok(seen.count(pattern) > 0, `${pattern}: ${seen.count(pattern)}`)
    })

    t.test('OCO lists', async (t) => {
      const seen = compare(t, 5_000, (): OcoInput => {
        const sane = random() < 0.6
        const lots = BigInt(Math.min(spec.maxLots, spec.minLots * (1 + Math.floor(random() * 1000))))
        const ticks = near(random, (spec.minNotionalUnits + lots - 1n) / lots)
        const timeInForce = sane ? pick(random, [undefined, 'gtc', 'gtd']) : pick(random, TIFS)
        const ids = sane ? [undefined, null, 'a', 'b'] : [undefined, null, 'a', 'a', 'b', 'bad id']
        const priceText = () => stepsText(random, near(random, ticks > 0n ? ticks : 1n) || 1n, tick)
        const expireTime = timeInForce === 'gtd' ? (random() < 0.8 ? 5 : pick(random, EXPIRES)) : (random() < 0.9 ? undefined : pick(random, EXPIRES))
        return {
          symbol: config.symbol,
          side: sane ? pick(random, ['buy', 'sell']) : pick(random, ['buy', 'sell', 'Sell', 'hold']),
          quantity: (sane ? stepsText(random, lots, lot) : maybe(random, 0.95, lot, quantity)) as string,
          price: (sane ? stepsText(random, ticks > 0n ? ticks : 1n, tick) : maybe(random, 0.95, tick, price)) as string,
          stopPrice: (sane ? priceText() : maybe(random, 0.95, tick, price)) as string,
          stopLimitPrice: (sane ? (random() < 0.5 ? priceText() : undefined) : maybe(random, 0.5, tick, price)) as string,
          timeInForce: timeInForce as string,
          expireTime: (sane && timeInForce !== 'gtd' ? undefined : expireTime) as number,
          limitClientOrderId: pick(random, ids) as string,
          stopClientOrderId: pick(random, ids) as string,
          accountId: pick(random, ACCOUNTS) as string,
          stp: random() < 0.9 ? undefined : pick(random, STPS) as string
        }
      }, (input) => validateOco(input, spec), (input) => referenceValidateOco(input, spec))
      t.ok(seen.accepted > 500, `accepted ${seen.accepted}`)
      for (const pattern of ['DUPLICATE_CLIENT_ORDER_ID', 'INVALID_TIME_IN_FORCE', 'INVALID_EXPIRE_TIME', 'INVALID_STOP_PRICE', 'stop_limit_price', 'side', 'client_order_id must']) {
        t.ok(seen.count(pattern) > 0, `${pattern}: ${seen.count(pattern)}`)
      }
    })

    t.test('amends', async (t) => {
      const seen = compare(t, 5_000, (): AmendInput => ({
        symbol: config.symbol,
        orderId: '1',
        newQuantity: maybe(random, 0.5, lot, quantity) as string,
        newPrice: maybe(random, 0.5, tick, price) as string,
        newStopPrice: maybe(random, 0.4, tick, price) as string
      }), (input) => validateAmend(input, spec), (input) => referenceValidateAmend(input, spec))
      t.ok(seen.accepted > 100, `accepted ${seen.accepted}`)
      for (const pattern of ['INVALID_AMEND', 'new_quantity', 'new_price', 'INVALID_STOP_PRICE new_stop_price']) t.ok(seen.count(pattern) > 0, `${pattern}: ${seen.count(pattern)}`)
    })
  })
}
