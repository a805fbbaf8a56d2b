/**
 * An obviously correct order book to check the engine against: plain arrays,
 * sorted in full after every change, linear scans. Slow on purpose; the point
 * is that each rule reads straight off the code.
 *
 * Limits, as the engine documents them: an order makes at most `maxFills`
 * trades, and one stopped by that cap while a crossing order was still there
 * is cancelled with reason MATCH_LIMIT (a FOK is rejected whole instead). At
 * `maxOpen` resting orders a limit order that would rest is refused; whether
 * it would rest is found by running it on a copy of the book.
 */
export interface RefOrder {
  id: string
  side: 'buy' | 'sell'
  type: 'limit' | 'market' | 'ioc' | 'fok'
  price: number | null
  qty: number
  filled: number
  seq: number
  status: string
}

export interface RefTrade { price: number, qty: number, maker: string, taker: string }

export interface RefOutcome { status: string, filled: number, trades: RefTrade[], reason: string | null }

export class ReferenceBook {
  bids: RefOrder[] = []
  asks: RefOrder[] = []
  private seq = 0
  private readonly maxFills: number
  private readonly maxOpen: number

  constructor (limits: { maxFills?: number, maxOpen?: number } = {}) {
    this.maxFills = limits.maxFills ?? Infinity
    this.maxOpen = limits.maxOpen ?? Infinity
  }

  /** The outcome, or 'TOO_MANY_OPEN_ORDERS' when the order was refused (book unchanged). */
  submit (order: Omit<RefOrder, 'filled' | 'seq' | 'status'>): RefOutcome | 'TOO_MANY_OPEN_ORDERS' {
    if (order.type === 'limit' && this.bids.length + this.asks.length >= this.maxOpen) {
      const trial = new ReferenceBook({ maxFills: this.maxFills })
      trial.bids = this.bids.map((o) => ({ ...o }))
      trial.asks = this.asks.map((o) => ({ ...o }))
      const outcome = trial.submit(order) as RefOutcome
      if (outcome.status === 'pending' || outcome.status === 'partially_filled') return 'TOO_MANY_OPEN_ORDERS'
    }
    const taker: RefOrder = { ...order, filled: 0, seq: this.seq++, status: 'pending' }
    const book = taker.side === 'buy' ? this.asks : this.bids
    const crosses = (maker: RefOrder): boolean => taker.price === null ||
      (taker.side === 'buy' ? maker.price! <= taker.price : maker.price! >= taker.price)
    if (taker.type === 'fok') {
      // Walk the crossing makers as matching would; the cap is in the way when it comes before the quantity.
      let available = 0
      let makers = 0
      for (const maker of book.filter(crosses)) {
        if (available >= taker.qty) break
        if (makers === this.maxFills) return { status: 'rejected', filled: 0, trades: [], reason: 'MATCH_LIMIT' }
        available += maker.qty - maker.filled
        makers++
      }
      if (available < taker.qty) return { status: 'rejected', filled: 0, trades: [], reason: null }
    }
    const trades: RefTrade[] = []
    let reason: string | null = null
    while (taker.filled < taker.qty && book.length > 0 && crosses(book[0])) {
      if (trades.length === this.maxFills) { reason = 'MATCH_LIMIT'; break }
      const maker = book[0]
      const qty = Math.min(taker.qty - taker.filled, maker.qty - maker.filled)
      taker.filled += qty
      maker.filled += qty
      trades.push({ price: maker.price!, qty, maker: maker.id, taker: taker.id })
      if (maker.filled === maker.qty) book.shift()
    }
    let status: string
    if (taker.filled === taker.qty) status = 'filled'
    else if (reason !== null) status = 'cancelled'
    else if (taker.type === 'limit') {
      status = taker.filled > 0 ? 'partially_filled' : 'pending'
      ;(taker.side === 'buy' ? this.bids : this.asks).push(taker)
      this.sort()
    } else status = 'cancelled'
    return { status, filled: taker.filled, trades, reason }
  }

  cancel (id: string): boolean {
    for (const side of [this.bids, this.asks]) {
      const i = side.findIndex((o) => o.id === id)
      if (i >= 0) { side.splice(i, 1); return true }
    }
    return false
  }

  /** Aggregated levels, best first: [price, total qty]. */
  levels (side: 'buy' | 'sell'): Array<[number, number]> {
    const out: Array<[number, number]> = []
    for (const o of side === 'buy' ? this.bids : this.asks) {
      const last = out[out.length - 1]
      if (last !== undefined && last[0] === o.price) last[1] += o.qty - o.filled
      else out.push([o.price!, o.qty - o.filled])
    }
    return out
  }

  private sort (): void {
    this.bids.sort((a, b) => b.price! - a.price! || a.seq - b.seq)
    this.asks.sort((a, b) => a.price! - b.price! || a.seq - b.seq)
  }
}
