/**
 * An obviously correct exchange to check the engine against: plain arrays,
 * sorted in full after every change, linear scans. Slow on purpose; the point
 * is that each rule reads straight off the code.
 *
 * Limits, as the engine documents them: an order does at most `maxFills`
 * units of work, a unit being a trade or a resting order of its own account
 * met under self-trade prevention; one stopped by that cap while a crossing
 * order was still there is cancelled with reason MATCH_LIMIT (a FOK is
 * rejected whole instead). At `maxOpen` resting orders in the symbol, or
 * `maxPerAccount` open orders of its account, a limit order that would rest is
 * refused; whether it would rest is found by running it on a copy of the book.
 *
 * Self-trade prevention, as issue 10 states it: when an incoming order would
 * trade with a resting order of its own account, its mode decides:
 * cancel_maker cancels the resting order and keeps matching, cancel_taker
 * cancels the rest of the incoming order (trades already made stand),
 * cancel_both does both, none lets the trade happen. A FOK that could not
 * fill completely is rejected whole with nothing changed (no maker cancelled).
 */
export type RefSide = 'buy' | 'sell'
export type RefType = 'limit' | 'market' | 'ioc' | 'fok'
export type RefStp = 'cancel_maker' | 'cancel_taker' | 'cancel_both' | 'none'
export const REF_STP_MODES: readonly RefStp[] = ['cancel_maker', 'cancel_taker', 'cancel_both', 'none']
export const REF_ANONYMOUS = 'anonymous'

export interface RefOrder {
  id: string
  side: RefSide
  type: RefType
  price: number | null
  qty: number
  filled: number
  seq: number
  status: string
  account: string
  stp: RefStp
  cid: string | null
  reason: string | null
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

export interface RefOutcome { status: string, filled: number, trades: Array<{ price: number, qty: number, maker: string, taker: string }>, reason: string | null }

/** How matching ended: the taker is filled or nothing more crosses, the cap of work, or self-trade prevention stopped it. */
type MatchEnd = 'done' | 'capped' | 'stopped'

interface Limits { maxFills?: number, maxOpen?: number }

export class ReferenceBook {
  bids: RefOrder[] = []
  asks: RefOrder[] = []
  readonly symbol: string
  private seq = 0
  private tradeSeq = 1
  private readonly maxFills: number
  private readonly maxOpen: number

  constructor (limits: Limits = {}, symbol = 'UNIT-USD') {
    this.maxFills = limits.maxFills ?? Infinity
    this.maxOpen = limits.maxOpen ?? Infinity
    this.symbol = symbol
  }

  get openCount (): number {
    return this.bids.length + this.asks.length
  }

  /** The single-book, single-account form: the outcome, or 'TOO_MANY_OPEN_ORDERS' when the order was refused (book unchanged). */
  submit (order: { id: string, side: RefSide, type: RefType, price: number | null, qty: number }): RefOutcome | 'TOO_MANY_OPEN_ORDERS' {
    const taker: RefOrder = { ...order, filled: 0, seq: 0, status: 'pending', account: REF_ANONYMOUS, stp: 'none', cid: null, reason: null }
    const placed = this.place(taker, false, () => {})
    if (placed === 'TOO_MANY_OPEN_ORDERS' || placed === 'OPEN_ORDER_LIMIT') return 'TOO_MANY_OPEN_ORDERS'
    const trades = placed.map(({ price, qty, maker, taker }) => ({ price, qty, maker, taker }))
    return { status: taker.status, filled: taker.filled, trades, reason: taker.reason }
  }

  /**
   * Runs a new order: refusal when it would rest past a cap (accountFull: its
   * account is at its cap), the FOK check, matching with self-trade
   * prevention, then rest or end. retire sees each order that reaches a
   * terminal state, makers as they are met and the taker last.
   */
  place (taker: RefOrder, accountFull: boolean, retire: (order: RefOrder) => void): RefTrade[] | 'TOO_MANY_OPEN_ORDERS' | 'OPEN_ORDER_LIMIT' {
    if (taker.type === 'limit' && (this.openCount >= this.maxOpen || accountFull)) {
      const trial = this.trial(taker)
      if (trial.end === 'done' && trial.filled < taker.qty) return this.openCount >= this.maxOpen ? 'TOO_MANY_OPEN_ORDERS' : 'OPEN_ORDER_LIMIT'
    }
    taker.seq = this.seq++
    if (taker.type === 'fok') {
      const trial = this.trial(taker)
      if (trial.filled < taker.qty) {
        taker.status = 'rejected'
        taker.reason = trial.end === 'capped' ? 'MATCH_LIMIT' : trial.end === 'stopped' ? 'SELF_TRADE_PREVENTION' : null
        retire(taker)
        return []
      }
    }
    const trades: RefTrade[] = []
    const end = this.match(taker, taker.side === 'buy' ? this.asks : this.bids, trades, retire)
    if (taker.filled === taker.qty) {
      taker.status = 'filled'
    } else if (end === 'stopped') {
      taker.status = 'cancelled'
      taker.reason = 'SELF_TRADE_PREVENTION'
    } else if (end === 'capped') {
      taker.status = 'cancelled'
      taker.reason = 'MATCH_LIMIT'
    } else if (taker.type === 'limit') {
      taker.status = taker.filled > 0 ? 'partially_filled' : 'pending'
      ;(taker.side === 'buy' ? this.bids : this.asks).push(taker)
      this.sort()
      return trades
    } else {
      taker.status = 'cancelled'
    }
    retire(taker)
    return trades
  }

  /** Removes an open order (cancel); false when it is not in this book. */
  cancel (id: string): boolean {
    return this.take(id) !== undefined
  }

  /** Takes an open order off the book and returns it. */
  take (id: string): RefOrder | undefined {
    for (const side of [this.bids, this.asks]) {
      const i = side.findIndex((o) => o.id === id)
      if (i >= 0) return side.splice(i, 1)[0]
    }
    return undefined
  }

  open (): RefOrder[] {
    return [...this.bids, ...this.asks]
  }

  /** Aggregated levels, best first: [price, total qty]. */
  levels (side: RefSide): Array<[number, number]> {
    const out: Array<[number, number]> = []
    for (const o of side === 'buy' ? this.bids : this.asks) {
      const last = out[out.length - 1]
      if (last !== undefined && last[0] === o.price) last[1] += o.qty - o.filled
      else out.push([o.price!, o.qty - o.filled])
    }
    return out
  }

  /** What running the taker now would come to, on copies: nothing here changes. */
  private trial (taker: RefOrder): { end: MatchEnd, filled: number } {
    const copy = { ...taker }
    const makers = (taker.side === 'buy' ? this.asks : this.bids).map((o) => ({ ...o }))
    const saved = this.tradeSeq
    const end = this.match(copy, makers, [], () => {})
    this.tradeSeq = saved
    return { end, filled: copy.filled }
  }

  /** Matches against `book` (the opposite side, best first), one unit of work per resting order met. */
  private match (taker: RefOrder, book: RefOrder[], trades: RefTrade[], retire: (order: RefOrder) => void): MatchEnd {
    const crosses = (maker: RefOrder): boolean => taker.price === null ||
      (taker.side === 'buy' ? maker.price! <= taker.price : maker.price! >= taker.price)
    let work = 0
    while (taker.filled < taker.qty && book.length > 0 && crosses(book[0])) {
      if (work === this.maxFills) return 'capped'
      work++
      const maker = book[0]
      if (maker.account === taker.account && taker.stp !== 'none') {
        if (taker.stp === 'cancel_taker') return 'stopped'
        book.shift()
        maker.status = 'cancelled'
        maker.reason = 'SELF_TRADE_PREVENTION'
        retire(maker)
        if (taker.stp === 'cancel_both') return 'stopped'
        continue
      }
      const qty = Math.min(taker.qty - taker.filled, maker.qty - maker.filled)
      taker.filled += qty
      maker.filled += qty
      maker.status = maker.filled === maker.qty ? 'filled' : 'partially_filled'
      trades.push({
        id: `${this.symbol}-${this.tradeSeq++}`,
        symbol: this.symbol,
        price: maker.price!,
        qty,
        maker: maker.id,
        taker: taker.id,
        makerAccount: maker.account,
        takerAccount: taker.account
      })
      if (maker.filled === maker.qty) {
        book.shift()
        retire(maker)
      }
    }
    return 'done'
  }

  private sort (): void {
    this.bids.sort((a, b) => b.price! - a.price! || a.seq - b.seq)
    this.asks.sort((a, b) => a.price! - b.price! || a.seq - b.seq)
  }
}

export interface RefNewOrder {
  symbol: string
  account: string
  side: RefSide
  type: RefType
  price: number | null
  qty: number
  cid: string | null
  stp: RefStp
}

export type RefResult<T> = { ok: true, value: T } | { ok: false, code: string }

/**
 * Several books, accounts and their limits: orders owned by accounts,
 * client ids unique per account among its open orders of a symbol, a cap on
 * each account's open orders, cancel-all, disabling an account (its open
 * orders cancelled with ACCOUNT_DISABLED), and the lists an account reads
 * (open orders, closed orders, fills; newest first).
 */
export class ReferenceExchange {
  readonly books = new Map<string, ReferenceBook>()
  readonly accounts = new Map<string, 'active' | 'disabled'>()
  readonly orders = new Map<string, RefOrder & { symbol: string }>()
  readonly trades: RefTrade[] = []
  /** Terminal orders in the order they ended. */
  readonly closed: RefOrder[] = []
  /** Ids of the orders the last command created or changed. */
  touched = new Set<string>()
  nextId = 1
  private readonly maxPerAccount: number

  constructor (symbols: readonly string[], limits: Limits & { maxPerAccount?: number } = {}) {
    for (const symbol of symbols) this.books.set(symbol, new ReferenceBook(limits, symbol))
    this.maxPerAccount = limits.maxPerAccount ?? Infinity
  }

  /** The account's open orders in every book, oldest first. */
  openOf (account: string, symbol: string | null = null): RefOrder[] {
    const out: RefOrder[] = []
    for (const [name, book] of this.books) if (symbol === null || name === symbol) out.push(...book.open().filter((o) => o.account === account))
    return out.sort((a, b) => Number(a.id) - Number(b.id))
  }

  submit (input: RefNewOrder): RefResult<{ order: RefOrder, trades: RefTrade[] }> {
    this.touched = new Set()
    const book = this.books.get(input.symbol)
    if (book === undefined) return { ok: false, code: 'SYMBOL_NOT_FOUND' }
    if (input.cid !== null && book.open().some((o) => o.account === input.account && o.cid === input.cid)) return { ok: false, code: 'DUPLICATE_CLIENT_ORDER_ID' }
    const order = {
      id: String(this.nextId),
      symbol: input.symbol,
      side: input.side,
      type: input.type,
      price: input.price,
      qty: input.qty,
      filled: 0,
      seq: 0,
      status: 'pending',
      account: input.account,
      stp: input.stp,
      cid: input.cid,
      reason: null
    }
    const accountFull = this.openOf(input.account).length >= this.maxPerAccount
    const placed = book.place(order, accountFull, (o) => this.retire(o))
    if (typeof placed === 'string') return { ok: false, code: placed }
    this.nextId++
    this.orders.set(order.id, order)
    this.touched.add(order.id)
    for (const trade of placed) {
      this.trades.push(trade)
      this.touched.add(trade.maker)
    }
    return { ok: true, value: { order, trades: placed } }
  }

  cancel (input: { symbol: string, account: string, orderId?: string, cid?: string }): RefResult<RefOrder> {
    this.touched = new Set()
    const book = this.books.get(input.symbol)
    if (book === undefined) return { ok: false, code: 'SYMBOL_NOT_FOUND' }
    if (input.orderId === undefined && input.cid === undefined) return { ok: false, code: 'MISSING_ORDER_ID' }
    const order = book.open().find((o) => input.orderId !== undefined ? o.id === input.orderId : (o.cid === input.cid && o.account === input.account))
    if (order === undefined || order.account !== input.account) return { ok: false, code: 'ORDER_NOT_FOUND' }
    this.end(book, order, null)
    return { ok: true, value: order }
  }

  /** Book by book (in configuration order), oldest first within a book. */
  cancelAll (account: string, symbol: string | null, side: RefSide | null): RefResult<string[]> {
    this.touched = new Set()
    if (symbol !== null && !this.books.has(symbol)) return { ok: false, code: 'SYMBOL_NOT_FOUND' }
    return { ok: true, value: this.cancelOrdersOf(account, symbol, side, null) }
  }

  createAccount (account: string): RefResult<null> {
    this.touched = new Set()
    if (this.accounts.has(account)) return { ok: false, code: 'ACCOUNT_EXISTS' }
    this.accounts.set(account, 'active')
    return { ok: true, value: null }
  }

  setStatus (account: string, status: 'active' | 'disabled'): RefResult<string[]> {
    this.touched = new Set()
    const was = this.accounts.get(account)
    if (was === undefined) return { ok: false, code: 'ACCOUNT_NOT_FOUND' }
    this.accounts.set(account, status)
    return { ok: true, value: was === 'active' && status === 'disabled' ? this.cancelOrdersOf(account, null, null, 'ACCOUNT_DISABLED') : [] }
  }

  /** Newest first. */
  closedOf (account: string, symbol: string | null = null): RefOrder[] {
    return this.closed.filter((o) => o.account === account && (symbol === null || this.orders.get(o.id)!.symbol === symbol)).reverse()
  }

  /** Newest first; within a trade, the taker's side before the maker's. */
  fillsOf (account: string, symbol: string | null = null): Array<{ trade: RefTrade, role: 'maker' | 'taker' }> {
    const out: Array<{ trade: RefTrade, role: 'maker' | 'taker' }> = []
    for (let i = this.trades.length - 1; i >= 0; i--) {
      const trade = this.trades[i]
      if (symbol !== null && trade.symbol !== symbol) continue
      if (trade.takerAccount === account) out.push({ trade, role: 'taker' })
      if (trade.makerAccount === account) out.push({ trade, role: 'maker' })
    }
    return out
  }

  private cancelOrdersOf (account: string, symbol: string | null, side: RefSide | null, reason: string | null): string[] {
    const ids: string[] = []
    for (const [name, book] of this.books) {
      if (symbol !== null && name !== symbol) continue
      const mine = book.open().filter((o) => o.account === account && (side === null || o.side === side)).sort((a, b) => Number(a.id) - Number(b.id))
      for (const order of mine) {
        this.end(book, order, reason)
        ids.push(order.id)
      }
    }
    return ids
  }

  private end (book: ReferenceBook, order: RefOrder, reason: string | null): void {
    book.take(order.id)
    order.status = 'cancelled'
    order.reason = reason
    this.retire(order)
  }

  private retire (order: RefOrder): void {
    this.closed.push(order)
    this.touched.add(order.id)
  }
}
