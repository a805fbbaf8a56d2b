/**
 * One symbol of the reference model (see reference-model.ts for the rules and
 * the assumptions): resting orders in two plain arrays sorted in full after
 * every change, untriggered stops in a third, every rule a linear scan.
 */
import {
  bandLimit, crossesAt, freshSlice, levelsOf, matchOn, remaining, sortSide,
  REF_ANONYMOUS, type MatchEnd, type MatchHooks, type RefOrder, type RefSide, type RefStp, type RefTif, type RefTrade, type RefType
} from './reference-match.js'

export type RefTradingStatus = 'trading' | 'halted' | 'cancel_only'
export type RefResult<T> = { ok: true, value: T } | { ok: false, code: string }

export interface RefLimits {
  maxFills?: number
  maxOpen?: number
  /** The symbol's price band, as configured ("0.1"); absent: none. */
  priceBand?: string
}

/** What a book needs from the exchange around it: where ended orders go, and the account caps. */
export interface RefHost {
  retire: (order: RefOrder) => void
  /** The account's open orders in every book (untriggered stops included). */
  openOf: (account: string) => number
  maxPerAccount: number
}

/** A validated new order in integer units; absent fields take their defaults. */
export interface RefOrderInput {
  side: RefSide
  type: RefType
  price: number | null
  /** A quote-sized market order passes the symbol's max lots here (a bound, as the engine's command does). */
  qty: number
  account?: string
  cid?: string | null
  stp?: RefStp
  tif?: RefTif
  postOnly?: boolean
  stop?: number | null
  display?: number | null
  expireAt?: number | null
  quote?: number | null
}

export interface RefOcoInput {
  side: RefSide
  qty: number
  price: number
  stop: number
  /** The stop leg's limit price: a stop_limit leg; null: stop_market. */
  stopLimit: number | null
  account?: string
  limitCid?: string | null
  stopCid?: string | null
  stp?: RefStp
  tif?: 'gtc' | 'gtd'
  expireAt?: number | null
}

/** An amend's new values; null: unchanged. */
export interface RefAmendValues { qty: number | null, price: number | null, stop: number | null }

/** own: the placed (or amended) order's trades, the answer's; all: every trade of the command, triggered orders' included, in order. */
export interface RefPlaced { order: RefOrder, own: RefTrade[], all: RefTrade[] }
export interface RefOcoPlaced { limit: RefOrder, stop: RefOrder, own: RefTrade[], all: RefTrade[] }

const defaultTif = (type: RefType): RefTif => type === 'fok' ? 'fok' : type === 'ioc' || type === 'market' ? 'ioc' : 'gtc'

export function refOrder (id: string, symbol: string, input: RefOrderInput, timestamp: number): RefOrder {
  return {
    id,
    symbol,
    side: input.side,
    type: input.type,
    price: input.price,
    qty: input.qty,
    filled: 0,
    seq: 0,
    status: 'pending',
    account: input.account ?? REF_ANONYMOUS,
    stp: input.stp ?? 'none',
    cid: input.cid ?? null,
    reason: null,
    tif: input.tif ?? defaultTif(input.type),
    postOnly: input.postOnly ?? false,
    stop: input.stop ?? null,
    display: input.display ?? 0,
    visible: input.display ?? input.qty,
    expireAt: input.expireAt ?? null,
    quote: input.quote ?? null,
    spent: 0,
    listId: null,
    peer: null,
    timestamp
  }
}

const isStop = (o: RefOrder): boolean => o.type === 'stop_limit' || o.type === 'stop_market'
export const isOpen = (o: RefOrder): boolean => o.status === 'pending' || o.status === 'partially_filled' || o.status === 'untriggered'
const reasonOf = (end: MatchEnd): string | null =>
  end === 'stopped' ? 'SELF_TRADE_PREVENTION' : end === 'capped' ? 'MATCH_LIMIT' : end === 'band' ? 'PRICE_BAND' : null

export class ReferenceBook {
  bids: RefOrder[] = []
  asks: RefOrder[] = []
  /** Untriggered stops, in placing order. */
  stops: RefOrder[] = []
  tradingStatus: RefTradingStatus = 'trading'
  /** The last trade price (the stops' trigger and the band's reference). */
  last: number | null = null
  readonly symbol: string
  private seq = 0
  private tradeSeq = 1
  private readonly maxFills: number
  private readonly maxOpen: number
  private readonly band: string | null
  private readonly host: RefHost

  constructor (limits: RefLimits = {}, symbol = 'UNIT-USD', host?: RefHost) {
    this.maxFills = limits.maxFills ?? Infinity
    this.maxOpen = limits.maxOpen ?? Infinity
    this.band = limits.priceBand ?? null
    this.symbol = symbol
    this.host = host ?? { retire: () => {}, openOf: (account) => this.open().filter((o) => o.account === account).length, maxPerAccount: Infinity }
  }

  /** Open orders of the symbol, untriggered stops included (they count against the caps). */
  get openCount (): number {
    return this.bids.length + this.asks.length + this.stops.length
  }

  open (): RefOrder[] {
    return [...this.bids, ...this.asks, ...this.stops]
  }

  /** The seed's single-account form: the outcome, or 'TOO_MANY_OPEN_ORDERS' when the order was refused (book unchanged). */
  submit (order: { id: string, side: RefSide, type: RefType, price: number | null, qty: number }): { status: string, filled: number, trades: Array<{ price: number, qty: number, maker: string, taker: string }>, reason: string | null } | 'TOO_MANY_OPEN_ORDERS' {
    const placed = this.place(order.id, order, 0)
    if (!placed.ok) return 'TOO_MANY_OPEN_ORDERS'
    const { order: taker, own } = placed.value
    return { status: taker.status, filled: taker.filled, trades: own.map(({ price, qty, maker, taker }) => ({ price, qty, maker, taker })), reason: taker.reason }
  }

  /** Cancels an open order (its OCO peer goes with it, reason OCO); false when it is not open here. */
  cancel (id: string): boolean {
    const order = this.open().find((o) => o.id === id)
    if (order === undefined) return false
    this.end(order, 'cancelled', null)
    return true
  }

  /**
   * A new order: the engine's refusals in its order (trading status,
   * duplicate client id, expire time, a stop that would trigger, the caps for
   * an order that would rest), then the command: a stop waits; anything else
   * executes, then the stops its trades trigger.
   */
  place (id: string, input: RefOrderInput, timestamp: number): RefResult<RefPlaced> {
    const order = refOrder(id, this.symbol, input, timestamp)
    const refused = this.refusal([order], timestamp)
    if (refused !== null) return { ok: false, code: refused }
    const all: RefTrade[] = []
    if (isStop(order)) {
      this.wait(order)
      return { ok: true, value: { order, own: [], all } }
    }
    this.execute(order, all)
    const own = all.slice()
    this.triggers(all)
    return { ok: true, value: { order, own, all } }
  }

  /** An OCO list: the stop leg (id + 1) waits first, then the limit leg (id) executes. */
  placeOco (id: string, input: RefOcoInput, timestamp: number): RefResult<RefOcoPlaced> {
    const common = { side: input.side, qty: input.qty, account: input.account, stp: input.stp, tif: input.tif, expireAt: input.expireAt }
    const limit = refOrder(id, this.symbol, { ...common, type: 'limit', price: input.price, cid: input.limitCid }, timestamp)
    const stopType = input.stopLimit === null ? 'stop_market' : 'stop_limit'
    const stop = refOrder(String(Number(id) + 1), this.symbol, { ...common, type: stopType, price: input.stopLimit, stop: input.stop, cid: input.stopCid }, timestamp)
    const refused = this.refusal([limit, stop], timestamp)
    if (refused !== null) return { ok: false, code: refused }
    limit.listId = stop.listId = id
    limit.peer = stop
    stop.peer = limit
    this.wait(stop)
    const all: RefTrade[] = []
    this.execute(limit, all)
    const own = all.slice()
    this.triggers(all)
    return { ok: true, value: { limit, stop, own, all } }
  }

  /** An amend of an open order of this book (the caller found it): refusals, then the change. */
  amend (order: RefOrder, values: RefAmendValues): RefResult<RefPlaced> {
    const qtyChanges = values.qty !== null && values.qty !== order.qty
    const priceChanges = values.price !== null && values.price !== order.price
    const stopChanges = values.stop !== null && values.stop !== order.stop
    const reduction = qtyChanges && values.qty! < order.qty && !priceChanges && !stopChanges
    if (this.tradingStatus === 'halted') return { ok: false, code: 'SYMBOL_HALTED' }
    if (this.tradingStatus === 'cancel_only' && !reduction) return { ok: false, code: 'SYMBOL_CANCEL_ONLY' }
    if ((values.qty === null && values.price === null && values.stop === null) ||
      order.listId !== null ||
      (values.price !== null && order.price === null) ||
      (values.stop !== null && (!isStop(order) || order.status !== 'untriggered')) ||
      (!qtyChanges && !priceChanges && !stopChanges)) return { ok: false, code: 'INVALID_AMEND' }
    if (values.stop !== null && this.wouldTrigger(order.side, values.stop)) return { ok: false, code: 'STOP_WOULD_TRIGGER' }
    if (order.postOnly && order.status !== 'untriggered' && values.price !== null && this.crossesBest(order.side, values.price)) {
      return { ok: false, code: 'POST_ONLY_WOULD_TAKE' }
    }
    const all: RefTrade[] = []
    const done = { ok: true as const, value: { order, own: all, all } }
    if (order.status === 'untriggered') {
      order.qty = values.qty ?? order.qty
      order.price = values.price ?? order.price
      order.stop = values.stop ?? order.stop
      return done
    }
    if (values.qty !== null && values.qty <= order.filled) {
      order.qty = order.filled
      this.end(order, 'filled', null)
      return done
    }
    if (reduction) {
      order.qty = values.qty!
      order.visible = Math.min(order.visible, remaining(order))
      return done
    }
    // An increase or a new price: off the book, then in again as a taker at the back of the (new) level.
    this.takeOff(order)
    order.qty = values.qty ?? order.qty
    order.price = values.price ?? order.price
    this.execute(order, all)
    const own = all.slice()
    this.triggers(all)
    return { ok: true, value: { order, own, all } }
  }

  /** Expires the open orders due at `timestamp`, expireAt ascending then by number; an OCO peer goes with its leg. */
  expire (timestamp: number): RefOrder[] {
    const due = (o: RefOrder) => o.expireAt !== null && o.expireAt <= timestamp
    const expiring = this.open().filter(due).sort((a, b) => a.expireAt! - b.expireAt! || Number(a.id) - Number(b.id))
    const expired: RefOrder[] = []
    for (const order of expiring) {
      if (!isOpen(order)) continue
      // A peer due too is expired in its own right (it comes next: same expire time, the next number), not cancelled with OCO.
      if (order.peer !== null && due(order.peer)) this.unlink(order)
      this.end(order, 'expired', null)
      expired.push(order)
    }
    return expired
  }

  /** Cancels an open order without ending its OCO list's other leg (cancel-all and account disable cancel both, each with its own reason). */
  cancelAlone (order: RefOrder, reason: string | null): void {
    this.unlink(order)
    this.end(order, 'cancelled', reason)
  }

  /** Cancels an open order; the other leg of its OCO list is cancelled with reason OCO. */
  end (order: RefOrder, status: string, reason: string | null): void {
    this.takeOff(order)
    order.status = status
    order.reason = reason
    this.finish(order)
  }

  /** Aggregated levels, best first: [price, total visible lots]. */
  levels (side: RefSide): Array<[number, number]> {
    return levelsOf(side === 'buy' ? this.bids : this.asks)
  }

  private refusal (orders: RefOrder[], timestamp: number): string | null {
    if (this.tradingStatus === 'halted') return 'SYMBOL_HALTED'
    if (this.tradingStatus === 'cancel_only') return 'SYMBOL_CANCEL_ONLY'
    const first = orders[0]
    const open = this.open()
    if (orders.some((o) => o.cid !== null && open.some((x) => x.account === o.account && x.cid === o.cid))) return 'DUPLICATE_CLIENT_ORDER_ID'
    if (first.expireAt !== null && first.expireAt <= timestamp) return 'INVALID_EXPIRE_TIME'
    if (orders.some((o) => isStop(o) && this.wouldTrigger(o.side, o.stop!))) return 'STOP_WOULD_TRIGGER'
    // An OCO list always needs two free places; a single order only when it would rest.
    const places = orders.length
    const symbolFull = this.openCount + places > this.maxOpen
    const accountFull = this.host.openOf(first.account) + places > this.host.maxPerAccount
    if ((symbolFull || accountFull) && (places > 1 || this.wouldRest(first))) return symbolFull ? 'TOO_MANY_OPEN_ORDERS' : 'OPEN_ORDER_LIMIT'
    return null
  }

  private wouldTrigger (side: RefSide, stop: number): boolean {
    return this.last !== null && (side === 'buy' ? this.last >= stop : this.last <= stop)
  }

  private crossesBest (side: RefSide, price: number): boolean {
    const best = (side === 'buy' ? this.asks : this.bids)[0]
    return best !== undefined && crossesAt(side, price, best.price!)
  }

  /**
   * Whether a new order would rest: a stop always (it waits); an order that
   * cannot rest (market, ioc, fok) never; a post-only order that would take is
   * rejected, so it does not (an assumption: the contract names no cap check
   * for it); any other when matching it on copies leaves lots and nothing else
   * (cap, self-trade prevention) ends it.
   */
  private wouldRest (order: RefOrder): boolean {
    if (isStop(order)) return true
    if (!this.rests(order)) return false
    if (order.postOnly && this.crossesBest(order.side, order.price!)) return false
    const trial = this.trial(order)
    return trial.end === 'done' && trial.filled < order.qty
  }

  private rests (order: RefOrder): boolean {
    return order.price !== null && (order.tif === 'gtc' || order.tif === 'gtd')
  }

  private wait (stop: RefOrder): void {
    stop.status = 'untriggered'
    this.stops.push(stop)
  }

  /** Steps 2-4 of the contract's execution for a new, triggered or moved (amended) order. */
  private execute (order: RefOrder, all: RefTrade[]): void {
    if (order.postOnly && this.crossesBest(order.side, order.price!)) {
      order.status = 'rejected'
      order.reason = 'POST_ONLY_WOULD_TAKE'
      this.finish(order)
      return
    }
    if (order.tif === 'fok') {
      const trial = this.trial(order)
      if (trial.filled < order.qty) {
        order.status = 'rejected'
        order.reason = reasonOf(trial.end)
        this.finish(order)
        return
      }
    }
    const market = order.type === 'market' || order.type === 'stop_market'
    const band = market && this.band !== null && this.last !== null ? bandLimit(order.side, this.last, this.band) : null
    const end = matchOn(order, order.side === 'buy' ? this.asks : this.bids, this.hooks(band, all))
    // The first fill of an OCO leg ends its list (before any stop is triggered: triggers come after).
    if (order.filled > 0) this.endList(order)
    if (order.quote !== null) {
      order.qty = order.filled
      order.status = end === 'budget' && order.filled > 0 ? 'filled' : 'cancelled'
      order.reason = reasonOf(end)
    } else if (order.filled === order.qty) {
      order.status = 'filled'
    } else if (end === 'done' && this.rests(order)) {
      order.status = order.filled > 0 ? 'partially_filled' : 'pending'
      order.visible = freshSlice(order)
      order.seq = this.seq++
      const side = order.side === 'buy' ? this.bids : this.asks
      side.push(order)
      sortSide(side, order.side)
      return
    } else {
      order.status = 'cancelled'
      order.reason = reasonOf(end)
    }
    this.finish(order)
  }

  /**
   * Stop triggers: every trade of the command in order; the stops one trade
   * triggers (buys by stop ascending, then sells by stop descending, then by
   * number) join a FIFO queue; each in turn triggers (its OCO peer is
   * cancelled then) and executes, its trades checked in turn.
   */
  private triggers (all: RefTrade[]): void {
    const taken = new Set<RefOrder>()
    const queue: RefOrder[] = []
    let checked = 0
    for (;;) {
      while (checked < all.length) {
        const price = all[checked++].price
        const hit = this.stops.filter((s) => !taken.has(s) && (s.side === 'buy' ? price >= s.stop! : price <= s.stop!))
        hit.sort((a, b) => (a.side === b.side ? (a.side === 'buy' ? a.stop! - b.stop! : b.stop! - a.stop!) : a.side === 'buy' ? -1 : 1) ||
          Number(a.id) - Number(b.id))
        for (const s of hit) {
          taken.add(s)
          queue.push(s)
        }
      }
      const stop = queue.shift()
      if (stop === undefined) return
      // Assumption: a stop taken by a trade but cancelled (OCO) before its turn does not trigger.
      if (stop.status !== 'untriggered') continue
      this.stops.splice(this.stops.indexOf(stop), 1)
      stop.status = 'pending'
      this.endList(stop)
      this.execute(stop, all)
    }
  }

  /** What matching the order now would come to, on copies: nothing here changes. */
  private trial (order: RefOrder): { end: MatchEnd, filled: number } {
    const copy = { ...order }
    const makers = (order.side === 'buy' ? this.asks : this.bids).map((o) => ({ ...o }))
    const seq = this.seq
    const end = matchOn(copy, makers, { ...this.hooks(null, []), stpCancel: () => {}, filled: () => {}, traded: () => {}, trade: () => {} })
    this.seq = seq
    return { end, filled: copy.filled }
  }

  private hooks (band: number | null, all: RefTrade[]): MatchHooks {
    return {
      maxFills: this.maxFills,
      bandLimit: band,
      stpCancel: (maker) => {
        maker.status = 'cancelled'
        maker.reason = 'SELF_TRADE_PREVENTION'
        this.finish(maker)
      },
      filled: (maker) => this.finish(maker),
      traded: (maker) => this.endList(maker),
      trade: (taker, maker, qty) => {
        this.last = maker.price!
        all.push({
          id: `${this.symbol}-${this.tradeSeq++}`,
          symbol: this.symbol,
          price: maker.price!,
          qty,
          maker: maker.id,
          taker: taker.id,
          makerAccount: maker.account,
          takerAccount: taker.account
        })
      },
      nextSeq: () => this.seq++
    }
  }

  /** Off its level or out of the stops, if there. */
  private takeOff (order: RefOrder): void {
    for (const list of [this.bids, this.asks, this.stops]) {
      const i = list.indexOf(order)
      if (i >= 0) list.splice(i, 1)
    }
  }

  /** An order reached a terminal state: the exchange records it, and its OCO list ends. */
  private finish (order: RefOrder): void {
    this.host.retire(order)
    this.endList(order)
  }

  /** Ends the order's OCO list if it is live: the other leg is cancelled with reason OCO. */
  private endList (order: RefOrder): void {
    const peer = order.peer
    if (peer === null) return
    this.unlink(order)
    this.end(peer, 'cancelled', 'OCO')
  }

  private unlink (order: RefOrder): void {
    if (order.peer !== null) order.peer.peer = null
    order.peer = null
  }
}
