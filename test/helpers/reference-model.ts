/**
 * An obviously correct order book to check the engine against: plain arrays,
 * sorted in full after every change, linear scans. Slow on purpose; the point
 * is that each rule reads straight off the code.
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

export class ReferenceBook {
  bids: RefOrder[] = []
  asks: RefOrder[] = []
  private seq = 0

  submit (order: Omit<RefOrder, 'filled' | 'seq' | 'status'>): { status: string, filled: number, trades: RefTrade[] } {
    const taker: RefOrder = { ...order, filled: 0, seq: this.seq++, status: 'pending' }
    const book = taker.side === 'buy' ? this.asks : this.bids
    const crosses = (maker: RefOrder): boolean => taker.price === null ||
      (taker.side === 'buy' ? maker.price! <= taker.price : maker.price! >= taker.price)
    if (taker.type === 'fok') {
      const available = book.filter(crosses).reduce((sum, o) => sum + o.qty - o.filled, 0)
      if (available < taker.qty) return { status: 'rejected', filled: 0, trades: [] }
    }
    const trades: RefTrade[] = []
    while (taker.filled < taker.qty && book.length > 0 && crosses(book[0])) {
      const maker = book[0]
      const qty = Math.min(taker.qty - taker.filled, maker.qty - maker.filled)
      taker.filled += qty
      maker.filled += qty
      trades.push({ price: maker.price!, qty, maker: maker.id, taker: taker.id })
      if (maker.filled === maker.qty) book.shift()
    }
    let status: string
    if (taker.filled === taker.qty) status = 'filled'
    else if (taker.type === 'limit') {
      status = taker.filled > 0 ? 'partially_filled' : 'pending'
      ;(taker.side === 'buy' ? this.bids : this.asks).push(taker)
      this.sort()
    } else status = 'cancelled'
    return { status, filled: taker.filled, trades }
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
