/**
 * Issue 12's order lifecycle flow, ported from load/k6/lib/orders.js and
 * lib/api.js (lifecycleRequest, amendRequest, EXPECTED_REFUSALS, the
 * LIFECYCLE_MIX default): stops, icebergs, post-only and GTD limits,
 * quote-sized market orders, OCO lists (POST /oco) and amends (POST /amend)
 * of orders that rested. Unlike the seed's flow its requests cannot be made
 * ahead: GTD expire times follow the clock and an amend needs an order the
 * service answered as resting, so the load generator asks a RequestSource
 * for each request as it sends it and shows it every answer.
 */
import { SYMBOLS, SYMBOL_NAMES, formatFixed, randomOrder, parseMix as parseSeedMix, type OrderBody } from './orders.js'

export const LIFECYCLE_KINDS = ['limit', 'market', 'ioc', 'fok', 'stop_limit', 'stop_market', 'iceberg', 'post_only', 'gtd', 'quote_market', 'oco', 'amend'] as const
export type LifecycleKind = typeof LIFECYCLE_KINDS[number]
export const LIFECYCLE_MIX = 'limit:40,market:5,ioc:5,fok:5,stop_limit:6,stop_market:4,iceberg:6,post_only:6,gtd:8,quote_market:2,oco:3,amend:10'

/** The refusals the flow meets by design, by route: answers, not errors (as lib/api.js's EXPECTED_REFUSALS). */
export const EXPECTED_REFUSALS: Readonly<Record<string, readonly string[]>> = {
  '/order': ['STOP_WOULD_TRIGGER'],
  '/oco': ['STOP_WOULD_TRIGGER'],
  '/amend': ['ORDER_NOT_FOUND', 'STOP_WOULD_TRIGGER', 'POST_ONLY_WOULD_TAKE']
}

/** slot: which connection slot's key signs it (an amend must be signed by the account that placed its order). */
export interface LifecycleRequest { readonly path: string, readonly body: Record<string, unknown>, readonly slot?: number }

/** What the load generator needs from a flow made request by request. */
export interface RequestSource {
  /** The next request, made now, for connection slot `slot` (it may name another slot to sign it). */
  next (slot?: number): LifecycleRequest
  /** Every answer to a request it made (body null when not JSON or on a transport error). */
  answered (request: LifecycleRequest, status: number | null, body: Record<string, unknown> | null): void
  /** Whether a non-2xx answer with this error code is one the flow expects (counted as refused, not as an error). */
  expected (path: string, code: string): boolean
}

interface MixEntry { readonly kind: LifecycleKind, readonly cum: number }

export function parseLifecycleMix (spec: string = LIFECYCLE_MIX): MixEntry[] {
  const entries = spec.split(',').map((p) => p.trim()).filter(Boolean).map((p) => {
    const [kind, weight] = p.split(':')
    if (!(LIFECYCLE_KINDS as readonly string[]).includes(kind)) throw new Error(`LIFECYCLE_MIX: unknown kind '${kind}'`)
    const w = Number(weight)
    if (!(w >= 0)) throw new Error(`LIFECYCLE_MIX: bad weight in '${p}'`)
    return { kind: kind as LifecycleKind, w }
  })
  const total = entries.reduce((s, e) => s + e.w, 0)
  if (!(total > 0)) throw new Error('LIFECYCLE_MIX: weights sum to zero')
  let cum = 0
  return entries.map((e) => { cum += e.w / total; return { kind: e.kind, cum } })
}

const PRICE_DECIMALS = 2
const MIN_NOTIONAL = 10

function pickKindAt (mix: readonly MixEntry[], r: number): LifecycleKind {
  for (const e of mix) if (r < e.cum) return e.kind
  return mix[mix.length - 1].kind
}

const DECK = 100

const randInt = (lo: number, hi: number): number => lo + Math.floor(Math.random() * (hi - lo + 1))
const priceAt = (base: number, factor: number): string =>
  formatFixed(Math.max(1, Math.round(base * 10 ** PRICE_DECIMALS * factor)), PRICE_DECIMALS)

/** A quantity (in 10^-qtyDecimals units) that clears the min notional at `factor` of the base. */
function units (symbol: string, factor: number, scale: number): number {
  const spec = SYMBOLS[symbol]
  const ticks = Math.round(spec.base * 10 ** PRICE_DECIMALS * factor)
  return Math.max(randInt(spec.qtyUnits[0], spec.qtyUnits[1]) * scale, Math.ceil(MIN_NOTIONAL * 10 ** (PRICE_DECIMALS + spec.qtyDecimals) / ticks))
}

/** One request of `kind` (anything but amend), as lifecycleRequest in load/k6/lib/orders.js. */
export function lifecycleRequest (kind: Exclude<LifecycleKind, 'amend'>, options: { symbols?: readonly string[], nowMs?: number, clientOrderId?: string } = {}): LifecycleRequest {
  const symbols = options.symbols ?? SYMBOL_NAMES
  const symbol = symbols[Math.floor(Math.random() * symbols.length)]
  const spec = SYMBOLS[symbol]
  if (spec === undefined) throw new Error(`unknown symbol ${symbol}`)
  const side = Math.random() < 0.5 ? 'buy' : 'sell'
  const sign = side === 'buy' ? 1 : -1
  const nowMs = options.nowMs ?? Date.now()
  if (kind === 'oco') {
    const stop = 1 + sign * (0.02 + 0.05 * Math.random())
    const body: Record<string, unknown> = {
      symbol,
      side,
      quantity: formatFixed(units(symbol, 0.9, 1), spec.qtyDecimals),
      price: priceAt(spec.base, 1 - sign * (0.01 + 0.03 * Math.random())),
      stop_price: priceAt(spec.base, stop)
    }
    if (Math.random() < 0.5) body.stop_limit_price = priceAt(spec.base, stop + sign * 0.005)
    if (options.clientOrderId !== undefined) {
      body.limit_client_order_id = `${options.clientOrderId}-l`
      body.stop_client_order_id = `${options.clientOrderId}-s`
    }
    return { path: '/oco', body }
  }
  const seedKind = kind === 'market' || kind === 'ioc' || kind === 'fok' ? kind : kind === 'quote_market' ? 'market' : 'limit'
  const seed: OrderBody = randomOrder({ symbols: [symbol], mix: parseSeedMix(`${seedKind}:1`), clientOrderId: options.clientOrderId })
  const order: Record<string, unknown> = { ...seed, side }
  if (kind === 'quote_market') {
    delete order.quantity
    order.quote_quantity = formatFixed(randInt(20 * 100, 500 * 100), 2)
  } else if (kind === 'stop_limit' || kind === 'stop_market') {
    const stop = 1 + sign * (0.02 + 0.05 * Math.random())
    order.order_type = kind
    order.stop_price = priceAt(spec.base, stop)
    order.quantity = formatFixed(units(symbol, 0.9, 1), spec.qtyDecimals)
    if (kind === 'stop_limit') order.price = priceAt(spec.base, stop + sign * 0.005)
    else delete order.price
  } else if (kind === 'iceberg') {
    const u = units(symbol, 0.9, 4)
    order.quantity = formatFixed(u, spec.qtyDecimals)
    order.display_quantity = formatFixed(Math.max(spec.qtyUnits[0], Math.floor(u * (0.1 + 0.4 * Math.random()))), spec.qtyDecimals)
  } else if (kind === 'post_only') {
    order.post_only = true
  } else if (kind === 'gtd') {
    order.time_in_force = 'gtd'
    order.expire_time = Math.floor(nowMs + 2000 + Math.random() * 28000) / 1000
  }
  return { path: '/order', body: order }
}

export interface Resting { symbol: string, order_id: string, price: string | null, quantity: string, slot?: number }

/** POST /amend's body for an order that rested, as amendRequest in load/k6/lib/orders.js. */
export function amendRequest (resting: Resting): LifecycleRequest {
  const spec = SYMBOLS[resting.symbol]
  const body: Record<string, unknown> = { symbol: resting.symbol, order_id: resting.order_id }
  if (resting.price !== null && Math.random() < 0.5) {
    const ticks = Math.round(Number(resting.price) * 10 ** PRICE_DECIMALS)
    const delta = Math.max(1, Math.round(ticks * 0.005 * Math.random())) * (Math.random() < 0.5 ? 1 : -1)
    body.new_price = formatFixed(Math.max(1, ticks + delta), PRICE_DECIMALS)
  } else {
    const decimals = spec?.qtyDecimals ?? 8
    const u = Math.round(Number(resting.quantity) * 10 ** decimals)
    const next = Math.random() < 0.5 ? Math.max(1, Math.floor(u * 0.75)) : Math.ceil(u * 1.25)
    body.new_quantity = formatFixed(next === u ? u + 1 : next, decimals)
  }
  return { path: '/amend', body, slot: resting.slot }
}

const RESTING = new Set(['pending', 'partially_filled', 'untriggered'])
const REMEMBER = 256

/**
 * The flow as a RequestSource: kinds from the mix; an amend targets one of the last REMEMBER orders
 * answered as resting (a limit order while there is none); OCO legs are not amended (INVALID_AMEND).
 */
export class LifecycleSource implements RequestSource {
  private readonly mix: MixEntry[]
  private readonly resting: Resting[] = []
  private counter = 0
  /** Kinds dealt from shuffled decks of 100 in the mix's proportions: every 100 requests hold each kind its share, so a short phase still sees the rare ones. */
  private deck: LifecycleKind[] = []

  constructor (mix: string = LIFECYCLE_MIX, private readonly prefix = `lc-${Date.now().toString(36)}`) {
    this.mix = parseLifecycleMix(mix)
  }

  next (slot?: number): LifecycleRequest {
    let kind = this.deal()
    if (kind === 'amend' && this.resting.length === 0) kind = 'limit'
    // Signed by the slot that placed the order: with one account per key, another account's order is ORDER_NOT_FOUND.
    if (kind === 'amend') return amendRequest(this.resting[Math.floor(Math.random() * this.resting.length)])
    return { ...lifecycleRequest(kind, { clientOrderId: `${this.prefix}-${++this.counter}` }), slot }
  }

  answered (request: LifecycleRequest, status: number | null, body: Record<string, unknown> | null): void {
    if (status !== 200 || body === null) return
    if (request.path === '/amend') {
      const at = this.resting.findIndex((r) => r.order_id === body.order_id)
      if (at < 0) return
      if (RESTING.has(String(body.status))) this.resting[at] = this.view(body, request.slot)
      else this.resting.splice(at, 1)
      return
    }
    if (request.path === '/order' && RESTING.has(String(body.status))) {
      this.resting.push(this.view(body, request.slot))
      if (this.resting.length > REMEMBER) this.resting.shift()
    }
  }

  private deal (): LifecycleKind {
    if (this.deck.length === 0) {
      this.deck = Array.from({ length: DECK }, (_, i) => pickKindAt(this.mix, (i + 0.5) / DECK))
      for (let i = this.deck.length - 1; i > 0; i--) {
        const j = Math.floor(Math.random() * (i + 1))
        const card = this.deck[i]
        this.deck[i] = this.deck[j]
        this.deck[j] = card
      }
    }
    return this.deck.pop() as LifecycleKind
  }

  expected (path: string, code: string): boolean {
    return EXPECTED_REFUSALS[path]?.includes(code) ?? false
  }

  private view (body: Record<string, unknown>, slot: number | undefined): Resting {
    return { symbol: String(body.symbol), order_id: String(body.order_id), price: typeof body.price === 'string' ? body.price : null, quantity: String(body.quantity), slot }
  }
}
