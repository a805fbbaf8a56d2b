/**
 * Symbol filters. A symbol exists only if it is configured here; orders never
 * create books. Every filter is kept both as a decimal (for messages) and in
 * integer units (for the checks on the hot path).
 */
import { Step, decimal, toScaled, type BigNumber, type ScaledDecimal } from './decimal.js'
import { normaliseSymbol } from './identifiers.js'

export interface SymbolConfig {
  readonly symbol: string
  readonly tickSize: string
  readonly lotSize?: string
  readonly minQuantity: string
  readonly maxQuantity?: string
  readonly minNotional?: string
  /**
   * Price protection: the fraction (e.g. "0.1" for 10%) around the last
   * trade price beyond which market and stop-market orders stop matching
   * (the rest is cancelled with reason PRICE_BAND). Absent: no band.
   */
  readonly priceBand?: string
}

export const DEFAULT_LOT_SIZE = '0.00000001'
/**
 * 900 × 10^8 lots (at the default lot size) × 100,000 open orders (the
 * default cap per symbol) stays under 2^53 − 1 lots, so no price level can
 * fill up (see MatchingEngine's check of every symbol).
 */
export const DEFAULT_MAX_QUANTITY = '900'
export const DEFAULT_MIN_NOTIONAL = '10'

/** The seed's crypto set. */
export const DEFAULT_SYMBOLS: readonly SymbolConfig[] = [
  { symbol: 'BTC-USDT', tickSize: '0.01', minQuantity: '0.00001' },
  { symbol: 'ETH-USDT', tickSize: '0.01', minQuantity: '0.0001' },
  { symbol: 'BNB-USDT', tickSize: '0.01', minQuantity: '0.001' },
  { symbol: 'SOL-USDT', tickSize: '0.01', minQuantity: '0.01' }
]

const SYMBOL_NAME = /^[A-Z0-9]{1,20}-[A-Z0-9]{1,20}$/

export class SymbolSpec {
  readonly symbol: string
  readonly tick: Step
  readonly lot: Step
  readonly minQuantity: BigNumber
  readonly maxQuantity: BigNumber
  readonly minNotional: BigNumber
  readonly minLots: number
  readonly maxLots: number
  /** min notional expressed in (tick × lot) units, rounded up, for a BigInt compare. */
  readonly minNotionalUnits: bigint
  /** minNotionalUnits as a number when it is a safe integer, else Infinity (every safe product is then below it). */
  readonly minNotionalSafeUnits: number
  /** Price protection for market and stop-market orders: a fraction of the last trade price, exact; null: none. */
  readonly priceBand: ScaledDecimal | null

  constructor (config: SymbolConfig) {
    const symbol = normaliseSymbol(config.symbol)
    if (!SYMBOL_NAME.test(symbol)) throw new Error(`symbol ${config.symbol}: name must look like BASE-QUOTE`)
    this.symbol = symbol
    this.tick = new Step(config.tickSize)
    this.lot = new Step(config.lotSize ?? DEFAULT_LOT_SIZE)
    this.minQuantity = decimal(config.minQuantity)
    this.maxQuantity = decimal(config.maxQuantity ?? DEFAULT_MAX_QUANTITY)
    this.minNotional = decimal(config.minNotional ?? DEFAULT_MIN_NOTIONAL)
    const minLots = this.lot.toUnits(this.minQuantity)
    const maxLots = this.lot.toUnits(this.maxQuantity)
    if (minLots === null || minLots < 1) throw new Error(`symbol ${symbol}: min quantity must be a positive multiple of the lot size`)
    if (maxLots === null || maxLots < minLots) throw new Error(`symbol ${symbol}: max quantity must be a multiple of the lot size and at least the min quantity`)
    if (this.minNotional.isNaN() || this.minNotional.lt(0)) throw new Error(`symbol ${symbol}: min notional must be zero or positive`)
    this.minLots = minLots
    this.maxLots = maxLots
    this.minNotionalUnits = BigInt(this.minNotional.div(this.tick.value.times(this.lot.value)).integerValue(2 /* ROUND_CEIL */).toFixed())
    this.minNotionalSafeUnits = this.minNotionalUnits <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(this.minNotionalUnits) : Infinity
    this.priceBand = null
    if (config.priceBand !== undefined) {
      this.priceBand = priceBandOf(config.priceBand)
      if (this.priceBand === null) throw new Error(`symbol ${symbol}: price band must be a fraction between 0 and 1, like "0.1"`)
    }
  }
}

/** A price band as exact units and places; null unless a decimal strictly between 0 and 1. */
export function priceBandOf (text: string): ScaledDecimal | null {
  const band = decimal(text)
  if (!band.isFinite() || band.lte(0) || band.gte(1)) return null
  return toScaled(band)
}

/**
 * The worst price a market order may trade at with the last trade at
 * `lastTicks`: floor(last × (1 + band)) for a buy, ceil(last × (1 − band))
 * for a sell, exact in BigInt.
 */
export function bandLimit (band: ScaledDecimal, buy: boolean, lastTicks: number): number {
  const scale = 10n ** BigInt(band.places)
  const last = BigInt(lastTicks)
  if (buy) return Number(last * (scale + band.units) / scale)
  return Number((last * (scale - band.units) + scale - 1n) / scale)
}
