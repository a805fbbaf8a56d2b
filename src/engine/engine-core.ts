/**
 * The engine's state and everything but order entry: symbols → books, the
 * clock, ids, histories, fees, caps and listeners; identity commands,
 * cancel-all, trading status, and the reads. MatchingEngine (engine.ts)
 * adds the order commands on top. Deterministic by construction: the clock
 * is injected and every id comes from a counter, so the same commands
 * always produce the same trades, ids and books.
 */
import { ResultCode, accept, reject, type Rejection, type Result } from './codes.js'
import type { CancelAllCommand, Command, IdentityCommand, SetPriceBandCommand, SetTradingStatusCommand } from './commands.js'
import { AccountRegistry, type Account, type AccountStatus, type ApiKey, type Permission } from './accounts.js'
import { FillHistory } from './fill-history.js'
import { closedOrdersOf, fillsOf, openOrdersOf, type Fill, type Page } from './account-lists.js'
import {
  DEFAULT_FEE_RATE, DEFAULT_FILL_HISTORY_LIMIT, DEFAULT_HISTORY_LIMIT, DEFAULT_MAX_FILLS_PER_ORDER, DEFAULT_MAX_LIST_SCAN,
  DEFAULT_MAX_OPEN_ORDERS_PER_SYMBOL, feeRate, positiveLimit, type EngineOptions
} from './engine-options.js'
import { formatScaled, toScaled, type BigNumber, type ScaledDecimal } from './decimal.js'
import type { EngineListener } from './events.js'
import { CommandResults } from './command-results.js'
import { OrderHistory } from './history.js'
import { ANONYMOUS, CancelReason, Order, TRADING_STATUSES, type Side, type TradingStatus } from './order.js'
import { OrderBook, unlinkOco, type CommandOutput } from './order-book.js'
import { OpenOrderIndex } from './open-orders.js'
import { DEFAULT_SYMBOLS, SymbolSpec, priceBandOf } from './symbols.js'
import { normaliseSymbol } from './identifiers.js'
import { ExpiryQueue } from './expiry-queue.js'

export interface CancelInput {
  readonly symbol: string
  readonly orderId?: string | null
  readonly clientOrderId?: string | null
  /** Only this account's orders can be cancelled: another's answers ORDER_NOT_FOUND, like an unknown id. The anonymous account when not given. */
  readonly accountId?: string
}

export interface CancelAllInput {
  readonly accountId: string
  readonly symbol?: string | null
  readonly side?: Side | null
}

export class EngineCore {
  readonly makerFeeRate: BigNumber
  readonly takerFeeRate: BigNumber
  /** The same rates as integers and places, for exact fee arithmetic without bignumbers. */
  readonly makerFeeScaled: ScaledDecimal
  readonly takerFeeScaled: ScaledDecimal
  readonly history: OrderHistory
  readonly maxFillsPerOrder: number
  readonly maxOpenOrdersPerSymbol: number
  readonly maxOpenOrdersPerAccount: number | null
  readonly accounts = new AccountRegistry()
  readonly fills: FillHistory
  readonly maxListScan: number
  /** Every open order of every book (untriggered stops included), by number. */
  readonly openIndex = new OpenOrderIndex()
  /** Every open GTD order of every book, by expire time. */
  readonly expiries = new ExpiryQueue()
  protected readonly books = new Map<string, OrderBook>()
  protected readonly clock: () => number
  protected readonly onCommand: ((command: Command) => void) | undefined
  protected readonly results: CommandResults
  /** Last command sequence number executed. */
  sequence = 0
  nextOrderSeq = 1
  /**
   * Bumped by every command and by a state import: equal revisions of one
   * engine mean equal state (what the digest cache keys on). Never repeats,
   * unlike a sequence number that a rebuilt engine could reach again.
   */
  revision = 0

  constructor (options: EngineOptions = {}) {
    this.maxFillsPerOrder = positiveLimit(options.maxFillsPerOrder ?? DEFAULT_MAX_FILLS_PER_ORDER, 'max fills per order')
    this.maxOpenOrdersPerSymbol = positiveLimit(options.maxOpenOrdersPerSymbol ?? DEFAULT_MAX_OPEN_ORDERS_PER_SYMBOL, 'max open orders per symbol')
    const perAccount = options.maxOpenOrdersPerAccount ?? null
    this.maxOpenOrdersPerAccount = perAccount === null ? null : positiveLimit(perAccount, 'max open orders per account')
    this.fills = new FillHistory(options.fillHistoryLimit ?? DEFAULT_FILL_HISTORY_LIMIT)
    this.maxListScan = positiveLimit(options.maxListScan ?? DEFAULT_MAX_LIST_SCAN, 'max list scan')
    for (const config of options.symbols ?? DEFAULT_SYMBOLS) {
      const spec = new SymbolSpec(config)
      if (this.books.has(spec.symbol)) throw new Error(`symbol ${spec.symbol} is configured twice`)
      // The open-order cap bounds every level: it must keep level totals exact by construction.
      if (BigInt(spec.maxLots) * BigInt(this.maxOpenOrdersPerSymbol) > BigInt(Number.MAX_SAFE_INTEGER)) {
        throw new Error(`symbol ${spec.symbol}: max quantity ${spec.maxQuantity.toFixed()} (${spec.maxLots} lots of ${spec.lot.text}) × ` +
          `${this.maxOpenOrdersPerSymbol} open orders could pass 2^53 - 1 lots at one price; ` +
          'lower maxQuantity or the open-order cap, or use a coarser lotSize')
      }
      this.books.set(spec.symbol, new OrderBook(spec, this.accounts, this.openIndex, this.expiries))
    }
    this.makerFeeRate = feeRate(options.makerFeeRate ?? DEFAULT_FEE_RATE, 'maker')
    this.takerFeeRate = feeRate(options.takerFeeRate ?? DEFAULT_FEE_RATE, 'taker')
    this.makerFeeScaled = toScaled(this.makerFeeRate)
    this.takerFeeScaled = toScaled(this.takerFeeRate)
    this.history = new OrderHistory(options.historyLimit ?? DEFAULT_HISTORY_LIMIT)
    this.clock = options.clock ?? Date.now
    this.onCommand = options.onCommand
    this.results = new CommandResults(this.history, this.fills, options.onListenerError ?? (() => {}))
  }

  get symbols (): string[] {
    return [...this.books.keys()]
  }

  book (symbol: string): OrderBook | undefined {
    return this.books.get(normaliseSymbol(symbol))
  }

  allBooks (): IterableIterator<OrderBook> {
    return this.books.values()
  }

  /** Returns a function that removes the listener. */
  addListener (listener: EngineListener): () => void {
    return this.results.addListener(listener)
  }

  /** When the next open GTD order expires (epoch ms), for the adapter's timer; null when none. */
  nextExpiry (): number | null {
    return this.expiries.next()
  }

  /**
   * Snapshot restore: after its book took it back (restoreResting or
   * restoreStop), an open order joins the index, its account's list and the
   * expiry queue. Called in order-number order across every book.
   */
  restoreOpen (order: Order): void {
    this.openIndex.add(order)
    this.accounts.rested(order)
    if (order.expireAt !== null) this.expiries.add(order)
  }

  /**
   * Sets a symbol's price band (a decimal fraction strictly between 0 and
   * 1; null: none), as a journaled command: the service issues one at start
   * for every symbol whose configured band differs from the state's. The
   * band already in force is accepted without a command.
   */
  setPriceBand (symbol: string, band: string | null): Result<string | null> {
    const book = this.book(symbol)
    if (book === undefined) return this.unknownSymbol(symbol)
    const scaled = band === null ? null : priceBandOf(band)
    if (band !== null && scaled === null) return reject(ResultCode.VALIDATION_ERROR, 'price band must be a decimal fraction strictly between 0 and 1, like "0.1"')
    const text = scaled === null ? null : formatScaled(scaled.units, scaled.places)
    if (text === bandText(book.priceBand)) return accept(text)
    const command: SetPriceBandCommand = { kind: 'set_price_band', seq: this.sequence + 1, timestamp: this.clock(), symbol: book.symbol, band: text }
    this.onCommand?.(command)
    this.runPriceBand(book, command)
    return accept(text)
  }

  protected runPriceBand (book: OrderBook, command: SetPriceBandCommand): void {
    this.sequence = command.seq
    this.revision++
    book.priceBand = command.band === null ? null : priceBandOf(command.band)
  }

  /** Switches a symbol between trading, halted and cancel_only (a journaled command; the current status again is accepted without one). */
  setTradingStatus (symbol: string, status: TradingStatus): Result<TradingStatus> {
    const book = this.book(symbol)
    if (book === undefined) return this.unknownSymbol(symbol)
    if (!TRADING_STATUSES.includes(status)) return reject(ResultCode.VALIDATION_ERROR, `status must be one of ${TRADING_STATUSES.join(', ')}`)
    if (book.tradingStatus === status) return accept(status)
    const command: SetTradingStatusCommand = { kind: 'set_trading_status', seq: this.sequence + 1, timestamp: this.clock(), symbol: book.symbol, status }
    this.onCommand?.(command)
    this.runTradingStatus(book, command)
    return accept(status)
  }

  /**
   * Cancels the account's open orders (of one symbol and/or side when given)
   * in one command, oldest first. Bounded by the per-account cap (or, for the
   * uncapped anonymous account, the per-symbol caps).
   */
  cancelAll (input: CancelAllInput): Result<Order[]> {
    let symbol: string | null = null
    if (input.symbol !== undefined && input.symbol !== null) {
      const book = this.book(input.symbol)
      if (book === undefined) return this.unknownSymbol(input.symbol)
      symbol = book.symbol
    }
    const command: CancelAllCommand = { kind: 'cancel_all', seq: this.sequence + 1, timestamp: this.clock(), accountId: input.accountId, symbol, side: input.side ?? null }
    this.onCommand?.(command)
    return accept(this.runCancelAll(command))
  }

  createAccount (accountId: string): Result<Account> {
    return this.identity({ kind: 'create_account', seq: this.sequence + 1, timestamp: this.clock(), accountId }) as Result<Account>
  }

  /** Disabling cancels every open order of the account (ACCOUNT_DISABLED); the cancelled orders are returned. */
  setAccountStatus (accountId: string, status: AccountStatus): Result<Order[]> {
    return this.identity({ kind: 'set_account_status', seq: this.sequence + 1, timestamp: this.clock(), accountId, status }) as Result<Order[]>
  }

  createKey (accountId: string, keyId: string, permissions: readonly Permission[], fingerprint: string): Result<ApiKey> {
    return this.identity({ kind: 'create_key', seq: this.sequence + 1, timestamp: this.clock(), accountId, keyId, permissions: [...permissions], fingerprint }) as Result<ApiKey>
  }

  revokeKey (keyId: string): Result<ApiKey> {
    return this.identity({ kind: 'revoke_key', seq: this.sequence + 1, timestamp: this.clock(), keyId }) as Result<ApiKey>
  }

  /** The account's open orders, newest first, of one symbol if given; before: an order number (the previous page's cursor). */
  openOrders (accountId: string, symbol: string | null, limit: number, before: number | null): Page<Order> {
    return openOrdersOf(this.accounts.ordersOf(accountId), symbol, limit, before)
  }

  /** The account's terminal orders still in the history, newest first (see closedOrdersOf). */
  closedOrders (accountId: string, symbol: string | null, limit: number, before: number | null): Page<Order> {
    return closedOrdersOf(this.history, accountId, symbol, limit, before, this.maxListScan)
  }

  /** The account's fills still in the fill history, newest first (see fillsOf in account-lists.ts). */
  fillsOf (accountId: string, symbol: string | null, limit: number, before: number | null): Page<Fill> {
    return fillsOf(this.fills, accountId, symbol, limit, before, this.maxListScan)
  }

  /** The open order a cancel or amend names, if it is the caller's: another account's answers ORDER_NOT_FOUND, like an unknown id. */
  protected openOrderOf (book: OrderBook, input: CancelInput): Result<Order> {
    const { orderId, clientOrderId } = input
    const accountId = input.accountId ?? ANONYMOUS
    if ((orderId === undefined || orderId === null) && (clientOrderId === undefined || clientOrderId === null)) {
      return reject(ResultCode.MISSING_ORDER_ID, 'order_id or client_order_id is required')
    }
    const order = orderId !== undefined && orderId !== null
      ? book.openOrder(orderId)
      : book.openByClient(accountId, clientOrderId as string)
    if (order === undefined || order.accountId !== accountId) return reject(ResultCode.ORDER_NOT_FOUND, 'no open order with that id in this symbol')
    return accept(order)
  }

  /** Names are normalised only when the exact one is not a book's: clients almost always send it as listed. */
  protected bookOf (symbol: string): OrderBook | undefined {
    return this.books.get(symbol) ?? this.book(String(symbol))
  }

  protected unknownSymbol (symbol: unknown): Rejection {
    return reject(ResultCode.SYMBOL_NOT_FOUND, `symbol ${String(symbol)} is not traded here; traded symbols: ${this.symbols.join(', ')}`)
  }

  protected bookOrThrow (symbol: string): OrderBook {
    const book = this.books.get(symbol)
    if (book === undefined) throw new Error(`replay: symbol ${symbol} is not configured`)
    return book
  }

  /** Checks an identity command against the state, journals it, runs it. */
  protected identity (command: IdentityCommand): Result<Account | Order[] | ApiKey> {
    const refused = this.accounts.refusal(command)
    if (refused !== null) return refused
    this.onCommand?.(command)
    return accept(this.runIdentity(command))
  }

  protected runIdentity (command: IdentityCommand): Account | Order[] | ApiKey {
    this.sequence = command.seq
    this.revision++
    if (command.kind !== 'set_account_status') return this.accounts.apply(command)
    const account = this.accounts.get(command.accountId) as Account
    const wasActive = account.isActive
    account.status = command.status
    // Disabling cancels what the account has open, in the same command.
    return wasActive && !account.isActive ? this.cancelOrdersOf(command.accountId, null, null, CancelReason.ACCOUNT_DISABLED) : []
  }

  protected runCancelAll (command: CancelAllCommand): Order[] {
    this.sequence = command.seq
    this.revision++
    return this.cancelOrdersOf(command.accountId, command.symbol, command.side, null)
  }

  /**
   * Cancels an account's open orders, book by book (each book's changes are
   * one batch of events), oldest first within a book.
   */
  private cancelOrdersOf (accountId: string, symbol: string | null, side: Side | null, reason: CancelReason | null): Order[] {
    const cancelled: Order[] = []
    const orders = this.accounts.ordersOf(accountId)
    for (const book of this.books.values()) {
      if (orders.count === 0) break
      if (symbol !== null && book.symbol !== symbol) continue
      let out: CommandOutput | null = null
      for (let order = orders.head; order !== null;) {
        const next = order.accountNext
        if (order.symbol === book.symbol && (side === null || order.side === side)) {
          // Cancels trade nothing: the output needs no time.
          out ??= this.results.start(0)
          // Both legs of an OCO list are the account's and match the same filters: each ends with this command's reason.
          if (order.ocoPeer !== null) unlinkOco(order)
          book.cancel(order, out, reason)
          cancelled.push(order)
        }
        order = next
      }
      // Several of these orders can share a level: complete() lists each changed level once.
      if (out !== null) this.results.complete(book.symbol, out)
    }
    return cancelled
  }

  /** An open or terminal order of a symbol. */
  findOrder (symbol: string, ref: { orderId?: string | null, clientOrderId?: string | null }, accountId: string = ANONYMOUS): Result<Order> {
    const book = this.book(symbol)
    if (book === undefined) return this.unknownSymbol(symbol)
    let order: Order | undefined
    if (ref.orderId !== undefined && ref.orderId !== null) {
      order = book.openOrder(ref.orderId) ?? this.history.get(ref.orderId)
    } else if (ref.clientOrderId !== undefined && ref.clientOrderId !== null) {
      order = book.openByClient(accountId, ref.clientOrderId) ?? this.history.getByClientId(book.symbol, ref.clientOrderId, accountId)
    } else {
      return reject(ResultCode.MISSING_ORDER_ID, 'order_id or client_order_id is required')
    }
    if (order === undefined || order.symbol !== book.symbol || order.accountId !== accountId) return reject(ResultCode.ORDER_NOT_FOUND, 'order not found')
    return accept(order)
  }

  protected runTradingStatus (book: OrderBook, command: SetTradingStatusCommand): void {
    this.sequence = command.seq
    this.revision++
    book.tradingStatus = command.status
  }
}

/** A band as the canonical decimal its commands carry; null for none. */
export function bandText (band: ScaledDecimal | null): string | null {
  return band === null ? null : formatScaled(band.units, band.places)
}
