/**
 * The reference model's matching, on plain arrays (see reference-model.ts):
 * one taker against one side of the book, best first, sorted in full after
 * every change. Issue 12's rules are read straight off the loop: an iceberg
 * maker gives at most its visible slice per fill and, when the slice is used
 * up with lots left, shows a fresh slice at the back of its level; a
 * quote-sized market order spends a budget; a market or stop-market order
 * stops at the price band.
 */
export type RefSide = 'buy' | 'sell'
export type RefType = 'limit' | 'market' | 'ioc' | 'fok' | 'stop_limit' | 'stop_market'
export type RefTif = 'gtc' | 'ioc' | 'fok' | 'gtd'
export type RefStp = 'cancel_maker' | 'cancel_taker' | 'cancel_both' | 'none'
export const REF_STP_MODES: readonly RefStp[] = ['cancel_maker', 'cancel_taker', 'cancel_both', 'none']
export const REF_ANONYMOUS = 'anonymous'

export interface RefOrder {
  id: string
  symbol: string
  side: RefSide
  type: RefType
  /** null: market and stop-market orders. */
  price: number | null
  /** Total lots; a quote-sized market order's is the symbol's max lots until it has run, then its filled lots. */
  qty: number
  filled: number
  /** Time priority in its level: taken from a counter each time the order joins a level (rests, refreshes, is moved by an amend). */
  seq: number
  status: string
  account: string
  stp: RefStp
  cid: string | null
  reason: string | null
  tif: RefTif
  postOnly: boolean
  /** Stop types only. */
  stop: number | null
  /** Iceberg slice; 0: an ordinary order, which shows all it has. */
  display: number
  /** What the book shows of it while it rests. */
  visible: number
  expireAt: number | null
  /** Quote-sized market orders: the budget in tick × lot units, and how much of it the fills used. */
  quote: number | null
  spent: number
  /** Its OCO list's id (the limit leg's id), null when not in a list; peer: the other leg while both are open. */
  listId: string | null
  peer: RefOrder | null
  timestamp: number
}

export interface RefTrade {
  id: string
  symbol: string
  price: number
  qty: number
  maker: string
  taker: string
  makerAccount: string
  takerAccount: string
}

/** How matching ended: done (filled, or nothing more crosses), the cap of work, self-trade prevention, the price band, the quote budget. */
export type MatchEnd = 'done' | 'capped' | 'stopped' | 'band' | 'budget'

export interface MatchHooks {
  maxFills: number
  /** The band's price limit for this taker (market and stop-market orders with a last trade price), else null. */
  bandLimit: number | null
  /** A maker cancelled by self-trade prevention (already off `book`). */
  stpCancel: (maker: RefOrder) => void
  /** A maker filled completely (already off `book`). */
  filled: (maker: RefOrder) => void
  /** Every fill of a maker, after its state changed (OCO: its first fill ends its list). */
  traded: (maker: RefOrder) => void
  trade: (taker: RefOrder, maker: RefOrder, qty: number) => void
  /** The next time priority (an iceberg's refresh). */
  nextSeq: () => number
}

export function remaining (o: RefOrder): number {
  return o.qty - o.filled
}

/** A fresh visible slice: an iceberg shows min(display, remaining), any other order all it has. */
export function freshSlice (o: RefOrder): number {
  return o.display > 0 ? Math.min(o.display, remaining(o)) : remaining(o)
}

/** Whether the taker's limit (none for market orders) reaches a maker at `price`. */
export function crossesAt (side: RefSide, limit: number | null, price: number): boolean {
  return limit === null || (side === 'buy' ? price <= limit : price >= limit)
}

export function sortSide (side: RefOrder[], which: RefSide): void {
  if (which === 'buy') side.sort((a, b) => b.price! - a.price! || a.seq - b.seq)
  else side.sort((a, b) => a.price! - b.price! || a.seq - b.seq)
}

/**
 * The band's limit in ticks: a buy trades at prices ≤ floor(last × (1 + band)),
 * a sell at ≥ ceil(last × (1 − band)). band is the configuration's decimal
 * text ("0.1"), turned into an exact fraction.
 */
export function bandLimit (side: RefSide, last: number, band: string): number {
  const places = band.includes('.') ? band.length - band.indexOf('.') - 1 : 0
  const den = 10 ** places
  const num = Number(band.replace('.', ''))
  return side === 'buy' ? Math.floor(last * (den + num) / den) : Math.ceil(last * (den - num) / den)
}

/** Matches against `book` (the opposite side, best first); each resting order met is one unit of work. */
export function matchOn (taker: RefOrder, book: RefOrder[], hooks: MatchHooks): MatchEnd {
  let work = 0
  while (taker.filled < taker.qty) {
    // Assumed order of the checks at the next maker: the crossing, the band, the budget, then the cap of work
    // (a maker the order could not take anyway ends it for that reason, not for the cap).
    if (taker.quote !== null && taker.quote - taker.spent === 0) return 'budget'
    const maker = book[0]
    if (maker === undefined || !crossesAt(taker.side, taker.price, maker.price!)) return 'done'
    if (hooks.bandLimit !== null && !crossesAt(taker.side, hooks.bandLimit, maker.price!)) return 'band'
    const affordable = taker.quote === null ? Infinity : Math.floor((taker.quote - taker.spent) / maker.price!)
    if (affordable === 0) return 'budget'
    if (work === hooks.maxFills) return 'capped'
    work++
    if (maker.account === taker.account && taker.stp !== 'none') {
      if (taker.stp === 'cancel_taker') return 'stopped'
      book.shift()
      hooks.stpCancel(maker)
      if (taker.stp === 'cancel_both') return 'stopped'
      continue
    }
    const qty = Math.min(remaining(taker), maker.visible, affordable)
    taker.filled += qty
    taker.visible -= qty
    if (taker.quote !== null) taker.spent += maker.price! * qty
    maker.filled += qty
    maker.visible -= qty
    maker.status = maker.filled === maker.qty ? 'filled' : 'partially_filled'
    hooks.trade(taker, maker, qty)
    if (maker.filled === maker.qty) {
      book.shift()
      hooks.filled(maker)
    } else if (maker.visible === 0) {
      // The slice is used up: a fresh one, at the back of the level.
      maker.visible = freshSlice(maker)
      maker.seq = hooks.nextSeq()
      sortSide(book, maker.side)
    }
    hooks.traded(maker)
  }
  return 'done'
}

/** Aggregated levels, best first: [price, total visible lots]. */
export function levelsOf (side: readonly RefOrder[]): Array<[number, number]> {
  const out: Array<[number, number]> = []
  for (const o of side) {
    const last = out[out.length - 1]
    if (last !== undefined && last[0] === o.price) last[1] += o.visible
    else out.push([o.price!, o.visible])
  }
  return out
}
