/**
 * The symbol filters every validation shares (orders, OCO lists, amends):
 * their refusal messages, which name the field and the filter, and the
 * readers that turn one decimal field into integer units of the lot, the
 * tick or the (tick × lot) unit of a quote amount, or a refusal.
 *
 * The readers return the units (a number) or the Rejection, so an accepted
 * value allocates nothing. A power-of-ten step reads with DecimalReader;
 * any other step goes through bignumber.js (same answers: see
 * test/engine/validate-order-types-equivalence.test.ts).
 */
import { ResultCode, reject, type Rejection } from './codes.js'
import { parseDecimal } from './decimal.js'
import { DecimalReader } from './decimal-reader.js'
import { asciiLower } from './identifiers.js'
import { SIDES, STP_MODES, Side, StpMode } from './order.js'
import type { SymbolSpec } from './symbols.js'

export const CLIENT_ORDER_ID = /^[A-Za-z0-9._:-]{1,64}$/
const MAX_CLIENT_ORDER_ID = 64
export const MAX_SAFE = Number.MAX_SAFE_INTEGER

export const invalid = (message: string) => reject(ResultCode.VALIDATION_ERROR, message)

export const SIDE_LIST = SIDES.join(', ')
export const STP_LIST = STP_MODES.join(', ')
export const CLIENT_ORDER_ID_RULE = 'must be 1 to 64 characters of A-Z a-z 0-9 . _ : -'

/** The messages of the filters that name a value or a symbol's setting (field: the wire name, e.g. quantity, new_price). */
export const maxQuantityRefusal = (spec: SymbolSpec, field = 'quantity', code: ResultCode = ResultCode.VALIDATION_ERROR) =>
  reject(code, `${field} fails the MAX_QUANTITY filter: it must be at most ${spec.maxQuantity.toFixed()}`)
export const lotSizeRefusal = (quantity: string, spec: SymbolSpec, field = 'quantity', code: ResultCode = ResultCode.VALIDATION_ERROR) =>
  reject(code, `${field} ${quantity} fails the LOT_SIZE filter: it must be a multiple of ${spec.lot.text}`)
export const minQuantityRefusal = (spec: SymbolSpec, field = 'quantity', code: ResultCode = ResultCode.VALIDATION_ERROR) =>
  reject(code, `${field} fails the MIN_QUANTITY filter: it must be at least ${spec.minQuantity.toFixed()}`)
export const priceFilterRefusal = (price: string, spec: SymbolSpec, field = 'price', code: ResultCode = ResultCode.VALIDATION_ERROR) =>
  reject(code, `${field} ${price} fails the PRICE_FILTER: it must be a multiple of the tick size ${spec.tick.text}`)
export const priceRangeRefusal = (field = 'price', code: ResultCode = ResultCode.VALIDATION_ERROR) => reject(code, `${field} is out of range`)
export const minNotionalRefusal = (spec: SymbolSpec, what = 'price × quantity') =>
  invalid(`${what} fails the MIN_NOTIONAL filter: it must be at least ${spec.minNotional.toFixed()}`)

/**
 * MIN_NOTIONAL on price × quantity in integer units: the refusal, or null.
 * Exported for the engine's amend (only it knows the order's other value).
 */
export function minNotionalCheck (priceTicks: number, quantityLots: number, spec: SymbolSpec): Rejection | null {
  // Both are safe integers: a product under 2^53 is exact as a double, a larger one needs BigInt.
  const notional = priceTicks * quantityLots
  const below = notional <= MAX_SAFE ? notional < spec.minNotionalSafeUnits : BigInt(priceTicks) * BigInt(quantityLots) < spec.minNotionalUnits
  return below ? minNotionalRefusal(spec) : null
}

export function sideOf (value: string): Side | null {
  if (value === Side.BUY || value === Side.SELL) return value
  const side = asciiLower(String(value)) as Side
  return SIDES.includes(side) ? side : null
}

/** The stp mode given (none when absent), or null when it is not one. */
export function stpOf (value: string | undefined): StpMode | null {
  const stp = value ?? StpMode.NONE
  return stp === StpMode.NONE || stp === StpMode.CANCEL_MAKER || stp === StpMode.CANCEL_TAKER || stp === StpMode.CANCEL_BOTH ? stp : null
}

/** CLIENT_ORDER_ID on the characters of a string; anything else is tested (and stringified) by the regex as before. */
export function isClientOrderId (value: string): boolean {
  if (typeof value !== 'string') return CLIENT_ORDER_ID.test(value)
  const length = value.length
  if (length === 0 || length > MAX_CLIENT_ORDER_ID) return false
  for (let i = 0; i < length; i++) {
    const c = value.charCodeAt(i)
    // A-Z a-z 0-9 . _ : -
    if (!((c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 58) || c === 46 || c === 95 || c === 45)) return false
  }
  return true
}

/** Validation is synchronous: one reader serves every call of the readers below. */
const reader = new DecimalReader()

/** A quantity field in lots: MAX_QUANTITY, then LOT_SIZE, then MIN_QUANTITY, as an order's quantity. */
export function lotsOf (input: unknown, spec: SymbolSpec, field: string, code: ResultCode): number | Rejection {
  const places = spec.lot.places
  if (places >= 0) {
    const refusal = reader.read(input)
    if (refusal !== null) return reject(code, `${field} ${refusal}`)
    const lots = reader.units(places)
    // -1: off the lot or past 2^53 − 1 lots; MAX_QUANTITY is checked first, as with bignumber.js.
    if (lots > spec.maxLots || (lots < 0 && reader.exceeds(places, spec.maxLots))) return maxQuantityRefusal(spec, field, code)
    if (lots < 0) return lotSizeRefusal(reader.toFixed(), spec, field, code)
    return lots < spec.minLots ? minQuantityRefusal(spec, field, code) : lots
  }
  const quantity = parseDecimal(input)
  if (!quantity.ok) return reject(code, `${field} ${quantity.reason}`)
  if (quantity.value.gt(spec.maxQuantity)) return maxQuantityRefusal(spec, field, code)
  const lots = spec.lot.toUnits(quantity.value)
  if (lots === null) return lotSizeRefusal(quantity.value.toFixed(), spec, field, code)
  return lots < spec.minLots ? minQuantityRefusal(spec, field, code) : lots
}

/** A price field in ticks: out of range (past 2^53 − 1 ticks), then PRICE_FILTER, as an order's price. */
export function ticksOf (input: unknown, spec: SymbolSpec, field: string, code: ResultCode): number | Rejection {
  const places = spec.tick.places
  if (places >= 0) {
    const refusal = reader.read(input)
    if (refusal !== null) return reject(code, `${field} ${refusal}`)
    const ticks = reader.units(places)
    if (ticks >= 0) return ticks
    return reader.exceeds(places, MAX_SAFE) ? priceRangeRefusal(field, code) : priceFilterRefusal(reader.toFixed(), spec, field, code)
  }
  const price = parseDecimal(input)
  if (!price.ok) return reject(code, `${field} ${price.reason}`)
  if (spec.tick.exceedsRange(price.value)) return priceRangeRefusal(field, code)
  const ticks = spec.tick.toUnits(price.value)
  return ticks === null ? priceFilterRefusal(price.value.toFixed(), spec, field, code) : ticks
}

/**
 * A quote amount (quote_quantity) in (tick × lot) units: a whole number of
 * them, at most 2^53 − 1 (INVALID_QUOTE_QUANTITY), then at least the min
 * notional (VALIDATION_ERROR, the MIN_NOTIONAL filter).
 */
export function quoteUnitsOf (input: unknown, spec: SymbolSpec): number | Rejection {
  const code = ResultCode.INVALID_QUOTE_QUANTITY
  let units: number
  if (spec.tick.places >= 0 && spec.lot.places >= 0) {
    // A unit is 10^-(tick places + lot places).
    const places = spec.tick.places + spec.lot.places
    const refusal = reader.read(input)
    if (refusal !== null) return reject(code, `quote_quantity ${refusal}`)
    units = reader.units(places)
    if (units < 0) {
      return reader.exceeds(places, MAX_SAFE) ? quoteRangeRefusal(spec) : quoteStepRefusal(reader.toFixed(), spec)
    }
  } else {
    const quote = parseDecimal(input)
    if (!quote.ok) return reject(code, `quote_quantity ${quote.reason}`)
    const unit = spec.tick.value.times(spec.lot.value)
    if (quote.value.gt(unit.times(MAX_SAFE))) return quoteRangeRefusal(spec)
    // mod is exact; the division of a multiple then is too.
    if (!quote.value.mod(unit).isZero()) return quoteStepRefusal(quote.value.toFixed(), spec)
    units = quote.value.div(unit).toNumber()
  }
  return units < spec.minNotionalSafeUnits ? minNotionalRefusal(spec, 'quote_quantity') : units
}

const quoteUnitText = (spec: SymbolSpec) => spec.tick.value.times(spec.lot.value).toFixed()
const quoteRangeRefusal = (spec: SymbolSpec) =>
  reject(ResultCode.INVALID_QUOTE_QUANTITY, `quote_quantity is out of range: it must be at most 2^53 − 1 units of ${quoteUnitText(spec)}`)
const quoteStepRefusal = (quote: string, spec: SymbolSpec) =>
  reject(ResultCode.INVALID_QUOTE_QUANTITY,
    `quote_quantity ${quote} must be a multiple of ${quoteUnitText(spec)} (the tick size ${spec.tick.text} × the lot size ${spec.lot.text})`)
