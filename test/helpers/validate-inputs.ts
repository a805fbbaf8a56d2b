/**
 * Inputs for the validation equivalence tests: symbol specs at every edge
 * (power-of-ten and other steps, 2^53 − 1 units, huge and zero notionals)
 * and generators of anything the wire could carry, built around each
 * filter's boundary and written in every form a decimal may take.
 */
import type { SymbolConfig, SymbolSpec } from '../../src/engine/symbols.js'
import { intBetween, pick } from './random.js'

export type Random = () => number
export const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER)

export const SPECS: ReadonlyArray<SymbolConfig> = [
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

export const JUNK: readonly unknown[] = [
  '', '-', '--1', '-0', '+1', ' 1', '1 ', '1.', '.5', '1e', '1e+', '1e-', 'e5', '1.e5', '1..2', '1e5.5', '1e+-5', '1e12345',
  '0x10', 'NaN', 'Infinity', '-Infinity', '1_000', '1,5', '١', '１', '1\n', '\n1', '1\u0000', '0', '0.0', '000', '0e5', '0.000e-3',
  '1e9999', '1e-9999', '9'.repeat(40), '9'.repeat(41), '0.' + '0'.repeat(40), '0.' + '0'.repeat(39) + '1', '1.' + '0'.repeat(41),
  null, undefined, true, false, {}, [], ['1'], 1n, Number.NaN, Infinity, -Infinity, -0, 0, -1, -1e-7, 5e-324, 1e21, 1e300,
  Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER + 2, 0.1, 0.30000000000000004, 1e-7, 123456789.12345678
]

/** units × 10^-scale written out in one of the many texts that mean it. */
export function decimalText (random: Random, units: bigint, scale: number): string {
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
export function near (random: Random, boundary: bigint): bigint {
  const r = random()
  if (r < 0.5) return boundary + BigInt(intBetween(random, -1, 1))
  if (r < 0.7) return boundary * BigInt(intBetween(random, 1, 10)) / 10n
  return boundary + BigInt(intBetween(random, -1000, 1000))
}

export function randomDigits (random: Random, count: number): string {
  let s = ''
  for (let i = 0; i < count; i++) s += random() < 0.3 ? '0' : String(intBetween(random, 0, 9))
  return s
}

/** A step as an integer times 10^-scale: 0.05 is 5 × 10^-2, 100 is 100 × 10^0. */
export interface ScaledStep { readonly units: bigint, readonly scale: number }

export function scaledStep (text: string): ScaledStep {
  const [whole, fraction = ''] = text.split('.')
  return { units: BigInt(whole + fraction), scale: fraction.length }
}

/** count steps, written out. */
export function stepsText (random: Random, count: bigint, step: ScaledStep): string {
  return decimalText(random, count * step.units, step.scale)
}

/** Anything the wire could carry, from plausible decimals to noise. */
export function anyDecimal (random: Random, step: ScaledStep, boundaries: readonly bigint[]): unknown {
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

export const SIDES: readonly unknown[] = ['buy', 'sell', 'buy', 'sell', 'BUY', 'Sell', 'bUy', 'buy ', 'ſell', 'hold', '', 5, null, undefined]
export const TYPES: readonly unknown[] = ['limit', 'market', 'ioc', 'fok', 'limit', 'limit', 'LIMIT', 'Market', 'IOC', 'fOK', 'stop', 'limıt', '', null]
export const CLIENT_IDS: readonly unknown[] = [
  undefined, null, null, 'c-1', 'A.b_c:d-9', 'x'.repeat(64), 'x'.repeat(65), '', 'a b', 'é', 'a/b', 'a\n', 123, 'ok:1', '[', '@', '`', '{'
]
export const STPS: readonly unknown[] = [undefined, undefined, null, 'none', 'cancel_maker', 'cancel_taker', 'cancel_both', 'NONE', 'cancel', '', 0]
export const ACCOUNTS: readonly unknown[] = [undefined, 'alice']

export function boundariesOf (spec: SymbolSpec) {
  const quantity = [BigInt(spec.minLots), BigInt(spec.maxLots), MAX_SAFE, MAX_SAFE + 1n, 10n ** 16n, 10n ** 15n, 1n]
  const price = [1n, 100n, 6_500_000n, MAX_SAFE, MAX_SAFE + 1n, 10n ** 16n, 10n ** 18n]
  return { quantity, price }
}
