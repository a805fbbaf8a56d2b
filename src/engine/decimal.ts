/**
 * The decimal edge of the engine: the only file that touches bignumber.js.
 * Inputs become integer units (ticks, lots) here, or, for power-of-ten steps
 * on the submit path, in decimal-reader.ts (same answers, no bignumber), and
 * integer units become decimal strings here; everything in between is
 * safe-integer arithmetic.
 */
import BigNumberModule from 'bignumber.js'

const BigNumber = BigNumberModule.clone({
  DECIMAL_PLACES: 40,
  // Never print exponent notation: wire decimals are always plain.
  EXPONENTIAL_AT: 1e9
})
type BigNumber = InstanceType<typeof BigNumber>

const MAX_SAFE = new BigNumber(Number.MAX_SAFE_INTEGER)

/** Input decimals: at most this many significant digits (issue contract). */
export const MAX_SIGNIFICANT_DIGITS = 18
const DECIMAL_TEXT = /^[0-9]{1,40}(\.[0-9]{1,40})?([eE][+-]?[0-9]{1,4})?$/

/** Why a decimal input is refused: shared by parseDecimal and the submit path's DecimalReader. */
export const DecimalRefusal = {
  NOT_FINITE: 'must be a finite number',
  NOT_DECIMAL: 'must be a decimal string or a number',
  NEGATIVE: 'must be positive',
  NOT_PLAIN: 'is not a plain decimal',
  ZERO: 'must be greater than zero',
  TOO_PRECISE: `has more than ${MAX_SIGNIFICANT_DIGITS} significant digits`
} as const

export type ParsedDecimal = { ok: true, value: BigNumber } | { ok: false, reason: string }

/**
 * Reads a decimal given as a string or a JSON number. A number is read
 * through its shortest round-trip string (what JSON.stringify prints), so
 * 0.1 is exactly one tenth and never 0.1000000000000000055511151231257827.
 */
export function parseDecimal (input: unknown): ParsedDecimal {
  let text: string
  if (typeof input === 'number') {
    if (!Number.isFinite(input)) return { ok: false, reason: DecimalRefusal.NOT_FINITE }
    text = String(input)
  } else if (typeof input === 'string') {
    text = input
  } else {
    return { ok: false, reason: DecimalRefusal.NOT_DECIMAL }
  }
  if (text.startsWith('-')) return { ok: false, reason: DecimalRefusal.NEGATIVE }
  if (!DECIMAL_TEXT.test(text)) return { ok: false, reason: DecimalRefusal.NOT_PLAIN }
  // Finite by construction: DECIMAL_TEXT allows at most 40 + 40 digits and a 4-digit exponent, far inside bignumber.js's range.
  const value = new BigNumber(text)
  if (value.isZero()) return { ok: false, reason: DecimalRefusal.ZERO }
  if (value.sd(false) > MAX_SIGNIFICANT_DIGITS) return { ok: false, reason: DecimalRefusal.TOO_PRECISE }
  return { ok: true, value }
}

/**
 * A step (tick or lot) and the fast formatter for integer multiples of it.
 * Steps that are a power of ten (the usual case) format with string
 * operations alone; any other step goes through bignumber.js.
 */
export class Step {
  readonly text: string
  readonly value: BigNumber
  /** Decimal places when the step is 10^-places, otherwise -1. */
  readonly places: number

  constructor (text: string) {
    const value = new BigNumber(text)
    if (!value.isFinite() || value.lte(0)) throw new Error(`invalid step ${text}`)
    this.value = value
    this.text = value.toFixed()
    // decimalPlaces() is null only for NaN and ±Infinity, refused above.
    const places = value.decimalPlaces() as number
    this.places = value.eq(new BigNumber(1).shiftedBy(-places)) ? places : -1
  }

  /** units = value / step, or null when value is not an exact safe multiple. */
  toUnits (value: BigNumber): number | null {
    // A power-of-ten step is a shift of the decimal point: exact and much cheaper than a division.
    if (this.places < 0 && !value.mod(this.value).isZero()) return null
    const units = this.places >= 0 ? value.shiftedBy(this.places) : value.div(this.value)
    if (!units.isInteger() || units.gt(MAX_SAFE)) return null
    return units.toNumber()
  }

  /** True when value is more steps than a safe integer can count. */
  exceedsRange (value: BigNumber): boolean {
    return value.gt(this.value.times(MAX_SAFE))
  }

  /** Formats an integer number of steps as a canonical decimal string. */
  format (units: number): string {
    if (this.places < 0) return this.value.times(units).toFixed()
    return formatScaled(units, this.places)
  }

  /** Formats sum / 2 steps exactly (a mid price may fall on half a step). */
  formatHalf (sum: number): string {
    if (this.places < 0) return this.value.times(sum).div(2).toFixed()
    if (sum % 2 === 0) return this.format(sum / 2)
    return formatScaled(BigInt(sum) * 5n, this.places + 1)
  }
}

/** An exact decimal as an integer count of 10^-places. */
export interface ScaledDecimal {
  readonly units: bigint
  readonly places: number
}

/** `value` must be finite (callers pass validated fee rates): decimalPlaces() is null only for NaN and ±Infinity. */
export function toScaled (value: BigNumber): ScaledDecimal {
  const places = value.decimalPlaces() as number
  return { units: BigInt(value.shiftedBy(places).toFixed()), places }
}

/**
 * Prints units × 10^-places as a canonical decimal (no exponent, no
 * trailing zeros) with string operations only: the wire-format hot path
 * never allocates a bignumber for a power-of-ten step.
 */
export function formatScaled (units: bigint | number, places: number): string {
  let digits = String(units)
  if (places === 0) return digits
  if (digits.length <= places) digits = '0'.repeat(places - digits.length + 1) + digits
  const cut = digits.length - places
  let end = digits.length
  while (end > cut && digits.charCodeAt(end - 1) === 48) end--
  return end === cut ? digits.slice(0, cut) : digits.slice(0, cut) + '.' + digits.slice(cut, end)
}

/** Exact product of integer units and steps, e.g. price × quantity. */
export function product (aUnits: number, aStep: Step, bUnits: number, bStep: Step): BigNumber {
  return aStep.value.times(aUnits).times(bStep.value.times(bUnits))
}

export function decimal (text: string | number): BigNumber {
  return new BigNumber(text)
}

export { BigNumber }
