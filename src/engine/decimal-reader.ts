/**
 * The submit path's decimal reader: decimal text straight to integer units of
 * a power-of-ten step (10^-places), on the string's characters, with no
 * bignumber, no regex and no allocation while the order is accepted.
 *
 * It reads exactly what parseDecimal reads (the DECIMAL_TEXT grammar, JSON
 * numbers through String(n), the same refusals in the same order) and its
 * unit conversions agree with Step.toUnits and Step.exceedsRange: the
 * equivalence test in test/engine/validate-equivalence.test.ts runs both on
 * generated inputs. Steps that are not a power of ten stay on bignumber.js.
 *
 * Why plain doubles are exact here: a value is read as S × 10^exponent with
 * S its significant digits (at most 18, no leading or trailing zero). Units
 * are computed only when they have at most 16 digits, every step is an
 * integer operation rounded to nearest, and rounding is monotonic, so a true
 * result at most 2^53 − 1 comes out exact and a larger one comes out at
 * least 2^53: every compare against a safe integer is therefore exact.
 */
import { DecimalRefusal, MAX_SIGNIFICANT_DIGITS } from './decimal.js'

const MAX_SAFE = Number.MAX_SAFE_INTEGER
/** DECIMAL_TEXT: 1 to 40 integer digits, 1 to 40 fraction digits, 1 to 4 exponent digits. */
const MAX_PART_DIGITS = 40
const MAX_EXPONENT_DIGITS = 4
/** Integers of at most this many digits are below 10^16; more than that is past 2^53 − 1. */
const SAFE_DIGITS = 16
const POW10: readonly number[] = Array.from({ length: SAFE_DIGITS + 1 }, (_, k) => 10 ** k)

const DIGIT_0 = 48
const DIGIT_9 = 57
const POINT = 46
const MINUS = 45
const PLUS = 43
const LOWER_E = 101
const UPPER_E = 69

/**
 * Holds the last decimal read. One reader serves one validation at a time
 * (the engine is synchronous), so the hot path allocates nothing.
 */
export class DecimalReader {
  private text = ''
  /** Index in text of the first and the last non-zero digit. */
  private first = 0
  private last = 0
  /** Index in text where the integer digits end (the point, the exponent or the end). */
  private point = 0
  /** Significant digits: from the first to the last non-zero digit. */
  private digits = 0
  /** The power of ten of the last significant digit: value = S × 10^exponent. */
  private exponent = 0

  /** Reads a decimal string or JSON number: null when it is a positive decimal, else parseDecimal's reason. */
  read (input: unknown): string | null {
    let text: string
    if (typeof input === 'string') {
      text = input
    } else if (typeof input === 'number') {
      if (!Number.isFinite(input)) return DecimalRefusal.NOT_FINITE
      text = String(input)
    } else {
      return DecimalRefusal.NOT_DECIMAL
    }
    const length = text.length
    if (length > 0 && text.charCodeAt(0) === MINUS) return DecimalRefusal.NEGATIVE
    let first = -1
    let last = -1
    let i = 0
    let c = 0
    while (i < length && i <= MAX_PART_DIGITS) {
      c = text.charCodeAt(i)
      if (c < DIGIT_0 || c > DIGIT_9) break
      if (c !== DIGIT_0) {
        if (first < 0) first = i
        last = i
      }
      i++
    }
    const point = i
    if (point === 0 || point > MAX_PART_DIGITS) return DecimalRefusal.NOT_PLAIN
    if (i < length && c === POINT) {
      const start = ++i
      while (i < length && i - start <= MAX_PART_DIGITS) {
        c = text.charCodeAt(i)
        if (c < DIGIT_0 || c > DIGIT_9) break
        if (c !== DIGIT_0) {
          if (first < 0) first = i
          last = i
        }
        i++
      }
      if (i === start || i - start > MAX_PART_DIGITS) return DecimalRefusal.NOT_PLAIN
    }
    let exponent = 0
    if (i < length && (c === LOWER_E || c === UPPER_E)) {
      i++
      const sign = i < length ? text.charCodeAt(i) : 0
      if (sign === PLUS || sign === MINUS) i++
      const start = i
      while (i < length && i - start < MAX_EXPONENT_DIGITS) {
        c = text.charCodeAt(i)
        if (c < DIGIT_0 || c > DIGIT_9) break
        exponent = exponent * 10 + (c - DIGIT_0)
        i++
      }
      if (i === start) return DecimalRefusal.NOT_PLAIN
      if (sign === MINUS) exponent = -exponent
    }
    // Also refuses a fifth exponent digit and any other trailing character.
    if (i !== length) return DecimalRefusal.NOT_PLAIN
    if (first < 0) return DecimalRefusal.ZERO
    const digits = last - first + 1 - (last > point && first < point ? 1 : 0)
    if (digits > MAX_SIGNIFICANT_DIGITS) return DecimalRefusal.TOO_PRECISE
    this.text = text
    this.first = first
    this.last = last
    this.point = point
    this.digits = digits
    this.exponent = (last < point ? point - 1 - last : point - last) + exponent
    return null
  }

  /**
   * The value read, in units of 10^-places, when that is an integer of at
   * most 2^53 − 1, else -1 (Step.toUnits's null).
   */
  units (places: number): number {
    const shift = this.exponent + places
    if (shift < 0 || this.digits + shift > SAFE_DIGITS) return -1
    const units = this.leading(this.digits) * (POW10[shift] as number)
    return units > MAX_SAFE ? -1 : units
  }

  /** True when the value read, in units of 10^-places, is more than limit (an integer, 0 to 2^53 − 1). */
  exceeds (places: number, limit: number): boolean {
    const shift = this.exponent + places
    if (shift >= 0) {
      return this.digits + shift > SAFE_DIGITS || this.leading(this.digits) * (POW10[shift] as number) > limit
    }
    // A value with a fraction is more than an integer exactly when its integer part reaches it.
    const whole = this.digits + shift
    if (whole > SAFE_DIGITS) return true
    return (whole > 0 ? this.leading(whole) : 0) >= limit
  }

  /** The value read as BigNumber's toFixed() prints it: plain, no leading or trailing zeros. */
  toFixed (): string {
    const { text, first, last, point, digits, exponent } = this
    const significant = last > point && first < point
      ? text.slice(first, point) + text.slice(point + 1, last + 1)
      : text.slice(first, last + 1)
    if (exponent >= 0) return significant + '0'.repeat(exponent)
    const whole = digits + exponent
    if (whole > 0) return significant.slice(0, whole) + '.' + significant.slice(whole)
    return '0.' + '0'.repeat(-whole) + significant
  }

  /** The integer of the first count significant digits (count at most 16, see the note at the top). */
  private leading (count: number): number {
    const text = this.text
    let value = 0
    let i = this.first
    for (let n = 0; n < count; i++) {
      const c = text.charCodeAt(i)
      if (c === POINT) continue
      value = value * 10 + (c - DIGIT_0)
      n++
    }
    return value
  }
}
