/**
 * The reference for the submit path's validation: validateOrder, parseDecimal,
 * Step.toUnits/exceedsRange and asciiLower as they were before the fast
 * reader (commit f6fd55a), on bignumber.js and regular expressions only,
 * copied here so that later changes to src/ cannot change the reference too
 * (one change since, by the issue 12 contract: a missing quantity is
 * refused as "quantity is required").
 * test/engine/validate-equivalence.test.ts compares src/ against it.
 *
 * Below it, the reference for issue 12's inputs (referenceValidateOrderTypes,
 * referenceValidateOco, referenceValidateAmend): the contract's rules written
 * out one after the other, every decimal on bignumber.js and the quote step
 * as an exact BigInt fraction; test/engine/validate-order-types-equivalence.test.ts
 * compares src/ against them.
 */
import BigNumberModule from 'bignumber.js'
import { ResultCode, accept, reject, type Result } from '../../src/engine/codes.js'
import { ANONYMOUS, ORDER_TYPES, OrderType, SIDES, STP_MODES, StpMode, type Side } from '../../src/engine/order.js'
import type { SymbolSpec } from '../../src/engine/symbols.js'
import type { OrderFields } from '../../src/engine/commands.js'
import type { AmendFields, AmendInput, NewOrderInput, OcoFields, OcoInput } from '../../src/engine/validate.js'

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

// ---------------------------------------------------------------------------------------------
// Issue 12: time in force, post-only, stops, icebergs, GTD, quote-sized market orders, OCO, amend.

const TIF_BY_TYPE: Record<string, string[]> = {
  limit: ['gtc', 'ioc', 'fok', 'gtd'],
  ioc: ['ioc'],
  fok: ['fok'],
  market: ['ioc'],
  stop_limit: ['gtc', 'gtd', 'ioc', 'fok'],
  stop_market: ['gtc', 'gtd']
}
const DEFAULT_TIF: Record<string, string> = { limit: 'gtc', ioc: 'ioc', fok: 'fok', market: 'ioc', stop_limit: 'gtc', stop_market: 'gtc' }

const absent = (value: unknown) => value === undefined || value === null
const refuse = (code: ResultCode, message: string) => reject(code, message)

/** A quantity-like field: the order's quantity checks, with this field's name and code. */
function refLots (input: unknown, spec: SymbolSpec, field: string, code: ResultCode): number | ReturnType<typeof reject> {
  const parsed = parseDecimal(input)
  if (!parsed.ok) return refuse(code, `${field} ${parsed.reason}`)
  if (parsed.value.gt(new BigNumber(spec.maxQuantity.toFixed()))) {
    return refuse(code, `${field} fails the MAX_QUANTITY filter: it must be at most ${spec.maxQuantity.toFixed()}`)
  }
  const lots = toUnits(spec.lot, parsed.value)
  if (lots === null) return refuse(code, `${field} ${parsed.value.toFixed()} fails the LOT_SIZE filter: it must be a multiple of ${spec.lot.text}`)
  if (lots < spec.minLots) return refuse(code, `${field} fails the MIN_QUANTITY filter: it must be at least ${spec.minQuantity.toFixed()}`)
  return lots
}

/** A price-like field: the order's price checks, with this field's name and code. */
function refTicks (input: unknown, spec: SymbolSpec, field: string, code: ResultCode): number | ReturnType<typeof reject> {
  const parsed = parseDecimal(input)
  if (!parsed.ok) return refuse(code, `${field} ${parsed.reason}`)
  if (exceedsRange(spec.tick, parsed.value)) return refuse(code, `${field} is out of range`)
  const ticks = toUnits(spec.tick, parsed.value)
  if (ticks === null) {
    return refuse(code, `${field} ${parsed.value.toFixed()} fails the PRICE_FILTER: it must be a multiple of the tick size ${spec.tick.text}`)
  }
  return ticks
}

/** A decimal as an exact fraction numerator / 10^scale. */
function fraction (value: BigNumber): { numerator: bigint, scale: bigint } {
  const places = value.decimalPlaces() ?? 0
  return { numerator: BigInt(value.shiftedBy(places).toFixed()), scale: 10n ** BigInt(places) }
}

function refQuoteUnits (input: unknown, spec: SymbolSpec): number | ReturnType<typeof reject> {
  const code = ResultCode.INVALID_QUOTE_QUANTITY
  const parsed = parseDecimal(input)
  if (!parsed.ok) return refuse(code, `quote_quantity ${parsed.reason}`)
  const unit = new BigNumber(spec.tick.value.toFixed()).times(spec.lot.value.toFixed())
  // units = value / unit = (v / 10^a) / (u / 10^b) = v × 10^b / (u × 10^a)
  const v = fraction(parsed.value)
  const u = fraction(unit)
  const top = v.numerator * u.scale
  const bottom = u.numerator * v.scale
  if (top > BigInt(Number.MAX_SAFE_INTEGER) * bottom) {
    return refuse(code, `quote_quantity is out of range: it must be at most 2^53 − 1 units of ${unit.toFixed()}`)
  }
  if (top % bottom !== 0n) {
    return refuse(code, `quote_quantity ${parsed.value.toFixed()} must be a multiple of ${unit.toFixed()} (the tick size ${spec.tick.text} × the lot size ${spec.lot.text})`)
  }
  if (parsed.value.lt(new BigNumber(spec.minNotional.toFixed()))) {
    return invalid(`quote_quantity fails the MIN_NOTIONAL filter: it must be at least ${spec.minNotional.toFixed()}`)
  }
  return Number(top / bottom)
}

function refNotional (priceTicks: number, quantityLots: number, spec: SymbolSpec) {
  const notional = new BigNumber(spec.tick.value.toFixed()).times(priceTicks).times(new BigNumber(spec.lot.value.toFixed()).times(quantityLots))
  return notional.lt(new BigNumber(spec.minNotional.toFixed()))
    ? invalid(`price × quantity fails the MIN_NOTIONAL filter: it must be at least ${spec.minNotional.toFixed()}`)
    : null
}

function refExpire (tif: string, expireTime: unknown) {
  if (tif !== 'gtd') return absent(expireTime) ? null : refuse(ResultCode.INVALID_EXPIRE_TIME, 'expire_time is only allowed with time_in_force gtd')
  if (absent(expireTime)) return refuse(ResultCode.INVALID_EXPIRE_TIME, 'expire_time is required with time_in_force gtd')
  const ok = typeof expireTime === 'number' && Number.isInteger(expireTime) && expireTime >= 1 && expireTime <= Number.MAX_SAFE_INTEGER
  return ok ? null : refuse(ResultCode.INVALID_EXPIRE_TIME, 'expire_time must be a positive integer of epoch milliseconds')
}

/** The whole of validateOrder, issue 12 included. */
export function referenceValidateOrderTypes (input: NewOrderInput, spec: SymbolSpec): Result<OrderFields> {
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
  const isStop = orderType === 'stop_limit' || orderType === 'stop_market'
  const news = [input.timeInForce, input.postOnly, input.stopPrice, input.displayQuantity, input.expireTime, input.quoteQuantity]
  if (!isStop && news.every(absent)) return referenceValidateOrder(input, spec)

  let tif = DEFAULT_TIF[orderType] as string
  if (!absent(input.timeInForce)) {
    const given = input.timeInForce as string
    if (!['gtc', 'ioc', 'fok', 'gtd'].includes(given)) {
      return refuse(ResultCode.INVALID_TIME_IN_FORCE, `time_in_force ${String(given)} is not one of gtc, ioc, fok, gtd`)
    }
    const allowed = TIF_BY_TYPE[orderType] as string[]
    if (!allowed.includes(given)) {
      return refuse(ResultCode.INVALID_TIME_IN_FORCE, `time_in_force ${given} is not allowed for a ${orderType} order: it takes ${allowed.join(', ')}`)
    }
    tif = given
  }
  const expireRefusal = refExpire(tif, input.expireTime)
  if (expireRefusal !== null) return expireRefusal
  const canRest = (orderType === 'limit' || orderType === 'stop_limit') && (tif === 'gtc' || tif === 'gtd')
  if (!absent(input.postOnly) && input.postOnly !== true && input.postOnly !== false) return invalid('post_only must be a boolean')
  if (input.postOnly === true && !canRest) {
    return refuse(ResultCode.POST_ONLY_NOT_ALLOWED, 'post_only is only allowed on limit and stop_limit orders with time_in_force gtc or gtd')
  }
  if (isStop && absent(input.stopPrice)) return refuse(ResultCode.INVALID_STOP_PRICE, `stop_price is required for a ${orderType} order`)
  if (!isStop && !absent(input.stopPrice)) return refuse(ResultCode.INVALID_STOP_PRICE, 'stop_price is only allowed on stop_limit and stop_market orders')
  if (!absent(input.displayQuantity) && !canRest) {
    return refuse(ResultCode.INVALID_DISPLAY_QUANTITY, 'display_quantity is only allowed on limit and stop_limit orders with time_in_force gtc or gtd')
  }
  const quoted = !absent(input.quoteQuantity)
  if (quoted && orderType !== 'market') return refuse(ResultCode.INVALID_QUOTE_QUANTITY, 'quote_quantity is only allowed on market orders')
  if (quoted && !absent(input.quantity)) return refuse(ResultCode.INVALID_QUOTE_QUANTITY, 'quote_quantity and quantity must not both be given')

  let quantityLots = spec.maxLots
  let quoteUnits = 0
  if (quoted) {
    const units = refQuoteUnits(input.quoteQuantity, spec)
    if (typeof units !== 'number') return units
    quoteUnits = units
  } else {
    if (absent(input.quantity)) return invalid('quantity is required')
    const lots = refLots(input.quantity, spec, 'quantity', ResultCode.VALIDATION_ERROR)
    if (typeof lots !== 'number') return lots
    quantityLots = lots
  }
  let priceTicks: number | null = null
  if (orderType === 'market' || orderType === 'stop_market') {
    if (!absent(input.price)) return invalid(`price must not be given for a ${orderType} order`)
  } else {
    if (absent(input.price)) return invalid(`price is required for a ${orderType} order`)
    const ticks = refTicks(input.price, spec, 'price', ResultCode.VALIDATION_ERROR)
    if (typeof ticks !== 'number') return ticks
    const notional = refNotional(ticks, quantityLots, spec)
    if (notional !== null) return notional
    priceTicks = ticks
  }
  let stopPriceTicks = 0
  if (isStop) {
    const ticks = refTicks(input.stopPrice, spec, 'stop_price', ResultCode.INVALID_STOP_PRICE)
    if (typeof ticks !== 'number') return ticks
    stopPriceTicks = ticks
  }
  let displayLots = 0
  if (!absent(input.displayQuantity)) {
    const lots = refLots(input.displayQuantity, spec, 'display_quantity', ResultCode.INVALID_DISPLAY_QUANTITY)
    if (typeof lots !== 'number') return lots
    if (lots > quantityLots) return refuse(ResultCode.INVALID_DISPLAY_QUANTITY, 'display_quantity must be at most the quantity')
    displayLots = lots
  }
  const fields: Record<string, unknown> = { symbol: spec.symbol, side, orderType, priceTicks, quantityLots, clientOrderId, accountId, stp }
  if (tif !== DEFAULT_TIF[orderType]) fields.timeInForce = tif
  if (input.postOnly === true) fields.postOnly = true
  if (isStop) fields.stopPriceTicks = stopPriceTicks
  if (!absent(input.displayQuantity)) fields.displayLots = displayLots
  if (tif === 'gtd') fields.expireAt = input.expireTime
  if (quoted) fields.quoteUnits = quoteUnits
  return accept(fields as unknown as OrderFields)
}

export function referenceValidateOco (input: OcoInput, spec: SymbolSpec): Result<OcoFields> {
  const side = asciiLower(String(input.side)) as Side
  if (!SIDES.includes(side)) return invalid(`side must be one of ${SIDES.join(', ')}`)
  const rule = 'must be 1 to 64 characters of A-Z a-z 0-9 . _ : -'
  const limitClientOrderId = input.limitClientOrderId ?? null
  if (limitClientOrderId !== null && !CLIENT_ORDER_ID.test(limitClientOrderId)) return invalid(`limit_client_order_id ${rule}`)
  const stopClientOrderId = input.stopClientOrderId ?? null
  if (stopClientOrderId !== null && !CLIENT_ORDER_ID.test(stopClientOrderId)) return invalid(`stop_client_order_id ${rule}`)
  if (limitClientOrderId !== null && stopClientOrderId !== null && limitClientOrderId === stopClientOrderId) {
    return refuse(ResultCode.DUPLICATE_CLIENT_ORDER_ID, 'limit_client_order_id and stop_client_order_id must differ')
  }
  const stp = (input.stp ?? StpMode.NONE) as StpMode
  if (!STP_MODES.includes(stp)) return invalid(`stp must be one of ${STP_MODES.join(', ')}`)
  let tif = 'gtc'
  if (!absent(input.timeInForce)) {
    const given = input.timeInForce as string
    if (!['gtc', 'ioc', 'fok', 'gtd'].includes(given)) {
      return refuse(ResultCode.INVALID_TIME_IN_FORCE, `time_in_force ${String(given)} is not one of gtc, ioc, fok, gtd`)
    }
    if (given !== 'gtc' && given !== 'gtd') return refuse(ResultCode.INVALID_TIME_IN_FORCE, `time_in_force ${given} is not allowed for an OCO list: it takes gtc, gtd`)
    tif = given
  }
  const expireRefusal = refExpire(tif, input.expireTime)
  if (expireRefusal !== null) return expireRefusal
  if (absent(input.quantity)) return invalid('quantity is required')
  const quantityLots = refLots(input.quantity, spec, 'quantity', ResultCode.VALIDATION_ERROR)
  if (typeof quantityLots !== 'number') return quantityLots
  if (absent(input.price)) return invalid('price is required for an OCO list')
  const priceTicks = refTicks(input.price, spec, 'price', ResultCode.VALIDATION_ERROR)
  if (typeof priceTicks !== 'number') return priceTicks
  const notional = refNotional(priceTicks, quantityLots, spec)
  if (notional !== null) return notional
  if (absent(input.stopPrice)) return refuse(ResultCode.INVALID_STOP_PRICE, 'stop_price is required for an OCO list')
  const stopPriceTicks = refTicks(input.stopPrice, spec, 'stop_price', ResultCode.INVALID_STOP_PRICE)
  if (typeof stopPriceTicks !== 'number') return stopPriceTicks
  let stopLimitPriceTicks: number | null = null
  if (!absent(input.stopLimitPrice)) {
    const ticks = refTicks(input.stopLimitPrice, spec, 'stop_limit_price', ResultCode.VALIDATION_ERROR)
    if (typeof ticks !== 'number') return ticks
    stopLimitPriceTicks = ticks
  }
  return accept({
    symbol: spec.symbol,
    side,
    quantityLots,
    priceTicks,
    stopPriceTicks,
    stopLimitPriceTicks,
    limitClientOrderId,
    stopClientOrderId,
    timeInForce: tif as 'gtc' | 'gtd',
    expireAt: tif === 'gtd' ? input.expireTime as number : null,
    accountId: input.accountId ?? ANONYMOUS,
    stp
  })
}

export function referenceValidateAmend (input: AmendInput, spec: SymbolSpec): Result<AmendFields> {
  if (absent(input.newQuantity) && absent(input.newPrice) && absent(input.newStopPrice)) {
    return refuse(ResultCode.INVALID_AMEND, 'an amend needs at least one of new_quantity, new_price, new_stop_price')
  }
  const quantityLots = absent(input.newQuantity) ? null : refLots(input.newQuantity, spec, 'new_quantity', ResultCode.VALIDATION_ERROR)
  if (quantityLots !== null && typeof quantityLots !== 'number') return quantityLots
  const priceTicks = absent(input.newPrice) ? null : refTicks(input.newPrice, spec, 'new_price', ResultCode.VALIDATION_ERROR)
  if (priceTicks !== null && typeof priceTicks !== 'number') return priceTicks
  const stopPriceTicks = absent(input.newStopPrice) ? null : refTicks(input.newStopPrice, spec, 'new_stop_price', ResultCode.INVALID_STOP_PRICE)
  if (stopPriceTicks !== null && typeof stopPriceTicks !== 'number') return stopPriceTicks
  return accept({ quantityLots, priceTicks, stopPriceTicks })
}
