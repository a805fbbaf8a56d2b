/**
 * Several books, accounts and their limits (see reference-model.ts): orders
 * owned by accounts, client ids unique per account among its open orders of a
 * symbol, a cap on each account's open orders, cancel-all, disabling an
 * account (its open orders cancelled with ACCOUNT_DISABLED), the lists an
 * account reads (open orders, closed orders, fills; newest first), and issue
 * 12's commands: OCO lists, amends, GTD expiry, trading status.
 */
import { type RefOrder, type RefSide, type RefStp, type RefTrade, type RefType } from './reference-match.js'
import {
  ReferenceBook, isOpen, type RefLimits, type RefOcoInput, type RefOcoPlaced, type RefOrderInput, type RefPlaced, type RefResult, type RefTradingStatus
} from './reference-book.js'

export interface RefNewOrder extends Omit<RefOrderInput, 'account' | 'cid' | 'stp'> {
  symbol: string
  account: string
  side: RefSide
  type: RefType
  price: number | null
  qty: number
  cid: string | null
  stp: RefStp
}

export interface RefOrderRef { symbol: string, account: string, orderId?: string, cid?: string }

export class ReferenceExchange {
  readonly books = new Map<string, ReferenceBook>()
  readonly accounts = new Map<string, 'active' | 'disabled'>()
  readonly orders = new Map<string, RefOrder>()
  readonly trades: RefTrade[] = []
  /** Terminal orders in the order they ended. */
  readonly closed: RefOrder[] = []
  /** Ids of the orders the last command created or changed. */
  touched = new Set<string>()
  nextId = 1
  private readonly maxPerAccount: number

  constructor (symbols: readonly string[], limits: RefLimits & { maxPerAccount?: number } = {}) {
    this.maxPerAccount = limits.maxPerAccount ?? Infinity
    const host = {
      retire: (order: RefOrder) => this.retire(order),
      openOf: (account: string) => this.openOf(account).length,
      maxPerAccount: this.maxPerAccount
    }
    for (const symbol of symbols) this.books.set(symbol, new ReferenceBook(limits, symbol, host))
  }

  /** The account's open orders in every book (untriggered stops included), oldest first. */
  openOf (account: string, symbol: string | null = null): RefOrder[] {
    const out: RefOrder[] = []
    for (const [name, book] of this.books) if (symbol === null || name === symbol) out.push(...book.open().filter((o) => o.account === account))
    return out.sort((a, b) => Number(a.id) - Number(b.id))
  }

  submit (input: RefNewOrder, timestamp = 0): RefResult<RefPlaced & { trades: RefTrade[] }> {
    this.touched = new Set()
    const book = this.books.get(input.symbol)
    if (book === undefined) return { ok: false, code: 'SYMBOL_NOT_FOUND' }
    const placed = book.place(String(this.nextId), input, timestamp)
    if (!placed.ok) return placed
    this.nextId++
    this.record([placed.value.order], placed.value.all)
    return { ok: true, value: { ...placed.value, trades: placed.value.own } }
  }

  submitOco (input: RefOcoInput & { symbol: string }, timestamp = 0): RefResult<RefOcoPlaced> {
    this.touched = new Set()
    const book = this.books.get(input.symbol)
    if (book === undefined) return { ok: false, code: 'SYMBOL_NOT_FOUND' }
    const placed = book.placeOco(String(this.nextId), input, timestamp)
    if (!placed.ok) return placed
    this.nextId += 2
    this.record([placed.value.limit, placed.value.stop], placed.value.all)
    return placed
  }

  /** new values null: unchanged. */
  amend (input: RefOrderRef & { qty?: number | null, price?: number | null, stop?: number | null }): RefResult<RefPlaced> {
    const found = this.find(input)
    if (!found.ok) return found
    const [book, order] = found.value
    const amended = book.amend(order, { qty: input.qty ?? null, price: input.price ?? null, stop: input.stop ?? null })
    if (amended.ok) this.record([order], amended.value.all)
    return amended
  }

  /** Every book, in configuration order; the expired orders. Never refused. */
  expire (timestamp: number): RefOrder[] {
    this.touched = new Set()
    return [...this.books.values()].flatMap((book) => book.expire(timestamp))
  }

  setTradingStatus (symbol: string, status: RefTradingStatus): RefResult<RefTradingStatus> {
    this.touched = new Set()
    const book = this.books.get(symbol)
    if (book === undefined) return { ok: false, code: 'SYMBOL_NOT_FOUND' }
    book.tradingStatus = status
    return { ok: true, value: status }
  }

  /** Works in every trading status; an OCO leg takes its peer with it (reason OCO). */
  cancel (input: RefOrderRef): RefResult<RefOrder> {
    const found = this.find(input)
    if (!found.ok) return found
    const [book, order] = found.value
    book.end(order, 'cancelled', null)
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

  /** An open order of the account (found by id, or by its client id among the account's), with its book. */
  private find (input: RefOrderRef): RefResult<[ReferenceBook, RefOrder]> {
    this.touched = new Set()
    const book = this.books.get(input.symbol)
    if (book === undefined) return { ok: false, code: 'SYMBOL_NOT_FOUND' }
    if (input.orderId === undefined && input.cid === undefined) return { ok: false, code: 'MISSING_ORDER_ID' }
    const order = book.open().find((o) => input.orderId !== undefined ? o.id === input.orderId : (o.cid === input.cid && o.account === input.account))
    if (order === undefined || order.account !== input.account) return { ok: false, code: 'ORDER_NOT_FOUND' }
    return { ok: true, value: [book, order] }
  }

  private record (orders: RefOrder[], trades: RefTrade[]): void {
    for (const order of orders) {
      this.orders.set(order.id, order)
      this.touched.add(order.id)
    }
    for (const trade of trades) {
      this.trades.push(trade)
      this.touched.add(trade.maker)
      this.touched.add(trade.taker)
    }
  }

  /** Both legs of an OCO list are cancelled, each with the command's own reason. */
  private cancelOrdersOf (account: string, symbol: string | null, side: RefSide | null, reason: string | null): string[] {
    const ids: string[] = []
    for (const [name, book] of this.books) {
      if (symbol !== null && name !== symbol) continue
      const mine = book.open().filter((o) => o.account === account && (side === null || o.side === side)).sort((a, b) => Number(a.id) - Number(b.id))
      for (const order of mine) {
        if (!isOpen(order)) continue
        book.cancelAlone(order, reason)
        ids.push(order.id)
      }
    }
    return ids
  }

  private retire (order: RefOrder): void {
    this.closed.push(order)
    this.touched.add(order.id)
  }
}
