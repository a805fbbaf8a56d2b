/**
 * The reference for the submit path's validation: validateOrder, parseDecimal,
 * Step.toUnits/exceedsRange and asciiLower as they were before the fast
 * reader (commit f6fd55a), on bignumber.js and regular expressions only,
 * copied here so that later changes to src/ cannot change the reference too
 * (one change since, by the issue 12 contract: a missing quantity is
 * refused as "quantity is required").
 * test/engine/validate-equivalence.test.ts compares src/ against it.
 */
import BigNumberModule from 'bignumber.js'
import { ResultCode, accept, reject, type Result } from '../../src/engine/codes.js'
import { ANONYMOUS, ORDER_TYPES, OrderType, SIDES, STP_MODES, StpMode, type Side } from '../../src/engine/order.js'
import type { SymbolSpec } from '../../src/engine/symbols.js'
import type { OrderFields } from '../../src/engine/commands.js'
import type { NewOrderInput } from '../../src/engine/validate.js'

const BigNumber = BigNumberModule.clone({ DECIMAL_PLACES: 40, EXPONENTIAL_AT: 1e9 })
type BigNumber = InstanceType<typeof BigNumber>

const MAX_SAFE = new BigNumber(Number.MAX_SAFE_INTEGER)
const MAX_SIGNIFICANT_DIGITS = 18
const DECIMAL_TEXT = /^[0-9]{1,40}(\.[0-9]{1,40})?([eE][+-]?[0-9]{1,4})?$/
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/
const CLIENT_ORDER_ID = /^[A-Za-z0-9._:-]{1,64}$/

type ParsedDecimal = { ok: true, value: BigNumber } | { ok: false, reason: string }

function parseDecimal (input: unknown): ParsedDecimal {
  let text: string
  if (typeof input === 'number') {
    if (!Number.isFinite(input)) return { ok: false, reason: 'must be a finite number' }
    text = String(input)
  } else if (typeof input === 'string') {
    text = input
  } else {
    return { ok: false, reason: 'must be a decimal string or a number' }
  }
  if (text.startsWith('-')) return { ok: false, reason: 'must be positive' }
  if (!DECIMAL_TEXT.test(text)) return { ok: false, reason: 'is not a plain decimal' }
  const value = new BigNumber(text)
  if (value.isZero()) return { ok: false, reason: 'must be greater than zero' }
  if (value.sd(false) > MAX_SIGNIFICANT_DIGITS) {
    return { ok: false, reason: `has more than ${MAX_SIGNIFICANT_DIGITS} significant digits` }
  }
  return { ok: true, value }
}

interface StepLike { readonly text: string, readonly places: number, readonly value: { toFixed (): string } }

function toUnits (step: StepLike, value: BigNumber): number | null {
  const stepValue = new BigNumber(step.value.toFixed())
  if (step.places < 0 && !value.mod(stepValue).isZero()) return null
  const units = step.places >= 0 ? value.shiftedBy(step.places) : value.div(stepValue)
  if (!units.isInteger() || units.gt(MAX_SAFE)) return null
  return units.toNumber()
}

function exceedsRange (step: StepLike, value: BigNumber): boolean {
  return value.gt(new BigNumber(step.value.toFixed()).times(MAX_SAFE))
}

function asciiLower (text: string): string {
  return PRINTABLE_ASCII.test(text) ? text.toLowerCase() : ''
}

const invalid = (message: string) => reject(ResultCode.VALIDATION_ERROR, message)

export function referenceValidateOrder (input: NewOrderInput, spec: SymbolSpec): Result<OrderFields> {
  const maxQuantity = new BigNumber(spec.maxQuantity.toFixed())
  const side = asciiLower(String(input.side)) as Side
  if (!SIDES.includes(side)) return invalid(`side must be one of ${SIDES.join(', ')}`)
  const orderType = asciiLower(String(input.orderType)) as OrderType
  if (!ORDER_TYPES.includes(orderType)) return invalid(`order_type must be one of ${ORDER_TYPES.join(', ')}`)

  const clientOrderId = input.clientOrderId ?? null
  if (clientOrderId !== null && !CLIENT_ORDER_ID.test(clientOrderId)) {
    return invalid('client_order_id must be 1 to 64 characters of A-Z a-z 0-9 . _ : -')
  }

  const stp = (input.stp ?? StpMode.NONE) as StpMode
  if (!STP_MODES.includes(stp)) return invalid(`stp must be one of ${STP_MODES.join(', ')}`)
  const accountId = input.accountId ?? ANONYMOUS

  // Issue 12: quantity became optional on the wire (quote-sized market orders), so its absence has its own message.
  if (input.quantity === undefined || input.quantity === null) return invalid('quantity is required')
  const quantity = parseDecimal(input.quantity)
  if (!quantity.ok) return invalid(`quantity ${quantity.reason}`)
  if (quantity.value.gt(maxQuantity)) return invalid(`quantity fails the MAX_QUANTITY filter: it must be at most ${spec.maxQuantity.toFixed()}`)
  const quantityLots = toUnits(spec.lot, quantity.value)
  if (quantityLots === null) {
    return invalid(`quantity ${quantity.value.toFixed()} fails the LOT_SIZE filter: it must be a multiple of ${spec.lot.text}`)
  }
  if (quantityLots < spec.minLots) return invalid(`quantity fails the MIN_QUANTITY filter: it must be at least ${spec.minQuantity.toFixed()}`)

  const hasPrice = input.price !== undefined && input.price !== null
  if (orderType === OrderType.MARKET) {
    if (hasPrice) return invalid('price must not be given for a market order')
    return accept({ symbol: spec.symbol, side, orderType, priceTicks: null, quantityLots, clientOrderId, accountId, stp })
  }
  if (!hasPrice) return invalid(`price is required for a ${orderType} order`)
  const price = parseDecimal(input.price)
  if (!price.ok) return invalid(`price ${price.reason}`)
  if (exceedsRange(spec.tick, price.value)) return invalid('price is out of range')
  const priceTicks = toUnits(spec.tick, price.value)
  if (priceTicks === null) {
    return invalid(`price ${price.value.toFixed()} fails the PRICE_FILTER: it must be a multiple of the tick size ${spec.tick.text}`)
  }
  if (BigInt(priceTicks) * BigInt(quantityLots) < spec.minNotionalUnits) {
    return invalid(`price × quantity fails the MIN_NOTIONAL filter: it must be at least ${spec.minNotional.toFixed()}`)
  }
  return accept({ symbol: spec.symbol, side, orderType, priceTicks, quantityLots, clientOrderId, accountId, stp })
}
