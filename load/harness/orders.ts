/**
 * The seed's order generator, ported from load/k6/lib/orders.js (same
 * symbols, bases, ±5% band on the 0.01 tick, quantities on the lot, min
 * notional respected, market orders without price, the same default mix).
 * Kept in step with the k6 module so both harnesses send the same flow.
 */

export const MIN_NOTIONAL = 10
const PRICE_DECIMALS = 2

export type OrderType = 'limit' | 'market' | 'ioc' | 'fok'

interface SymbolSpec {
  readonly base: number
  readonly qtyDecimals: number
  readonly qtyUnits: readonly [number, number]
}

export const SYMBOLS: Readonly<Record<string, SymbolSpec>> = {
  'BTC-USDT': { base: 30000, qtyDecimals: 5, qtyUnits: [100, 50000] },
  'ETH-USDT': { base: 2000, qtyDecimals: 4, qtyUnits: [100, 50000] },
  'BNB-USDT': { base: 300, qtyDecimals: 3, qtyUnits: [50, 20000] },
  'SOL-USDT': { base: 100, qtyDecimals: 2, qtyUnits: [20, 5000] }
}
export const SYMBOL_NAMES = Object.keys(SYMBOLS)

export const DEFAULT_MIX = 'limit:70,market:10,ioc:10,fok:10'
const ORDER_TYPES: readonly OrderType[] = ['limit', 'market', 'ioc', 'fok']

export interface MixEntry { readonly type: OrderType, readonly cum: number }

export interface OrderBody {
  symbol: string
  side: 'buy' | 'sell'
  order_type: OrderType
  price?: string
  quantity: string
  client_order_id?: string
}

/** 'limit:70,market:10' → cumulative weights. */
export function parseMix (spec: string = DEFAULT_MIX): MixEntry[] {
  const parts = spec.split(',').map((p) => p.trim()).filter(Boolean)
  const entries = parts.map((p) => {
    const [type, weight] = p.split(':')
    if (!ORDER_TYPES.includes(type as OrderType)) throw new Error(`ORDER_MIX: unknown order type '${type}'`)
    const w = Number(weight)
    if (!(w >= 0)) throw new Error(`ORDER_MIX: bad weight in '${p}'`)
    return { type: type as OrderType, w }
  })
  const total = entries.reduce((sum, e) => sum + e.w, 0)
  if (!(total > 0)) throw new Error('ORDER_MIX: weights sum to zero')
  let cum = 0
  return entries.map((e) => { cum += e.w / total; return { type: e.type, cum } })
}

const DEFAULT_MIX_PARSED = parseMix(DEFAULT_MIX)
const CROSSING_MIX = parseMix('limit:80,ioc:20')

function pickType (mix: readonly MixEntry[]): OrderType {
  const r = Math.random()
  for (const e of mix) if (r < e.cum) return e.type
  return mix[mix.length - 1].type
}

function randInt (lo: number, hi: number): number {
  return lo + Math.floor(Math.random() * (hi - lo + 1))
}

/** Integer count of 10^-decimals units → exact decimal string. */
export function formatFixed (units: number, decimals: number): string {
  const s = String(units).padStart(decimals + 1, '0')
  return decimals === 0 ? s : `${s.slice(0, -decimals)}.${s.slice(-decimals)}`
}

function priceTicks (base: number, band: number): number {
  const variation = 1 + (Math.random() * 2 - 1) * band
  return Math.max(1, Math.round(base * 10 ** PRICE_DECIMALS * variation))
}

function minUnitsForNotional (ticks: number, qtyDecimals: number): number {
  return Math.ceil((MIN_NOTIONAL * 10 ** (PRICE_DECIMALS + qtyDecimals)) / ticks)
}

export interface OrderOptions {
  readonly symbols?: readonly string[]
  readonly mix?: readonly MixEntry[]
  readonly band?: number
  readonly clientOrderId?: string
}

/** One body for POST /order, as the seed generated them (tightened to the grid). */
export function randomOrder (options: OrderOptions = {}): OrderBody {
  const { symbols = SYMBOL_NAMES, mix = DEFAULT_MIX_PARSED, band = 0.05, clientOrderId } = options
  const symbol = symbols[Math.floor(Math.random() * symbols.length)]
  const spec = SYMBOLS[symbol]
  if (spec === undefined) throw new Error(`unknown symbol ${symbol}`)
  const orderType = pickType(mix)
  let units = randInt(spec.qtyUnits[0], spec.qtyUnits[1])
  const order: OrderBody = { symbol, side: Math.random() < 0.5 ? 'buy' : 'sell', order_type: orderType, quantity: '' }
  if (orderType !== 'market') {
    const ticks = priceTicks(spec.base, band)
    units = Math.max(units, minUnitsForNotional(ticks, spec.qtyDecimals))
    order.price = formatFixed(ticks, PRICE_DECIMALS)
  }
  order.quantity = formatFixed(units, spec.qtyDecimals)
  if (clientOrderId !== undefined) order.client_order_id = clientOrderId
  return order
}

/** Orders for one symbol in a narrow band (±0.2%) so buys and sells cross and trades flow. */
export function crossingOrder (symbol: string, options: { band?: number, clientOrderId?: string } = {}): OrderBody {
  return randomOrder({ symbols: [symbol], mix: CROSSING_MIX, band: options.band ?? 0.002, clientOrderId: options.clientOrderId })
}
