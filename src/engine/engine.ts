/**
 * The matching engine: symbols → books, with the clock, ids, history, fees
 * and listeners. Deterministic by construction: the clock is injected and
 * every id comes from a counter, so the same commands always produce the
 * same trades, ids and books.
 */
import { ResultCode, accept, reject, type Rejection, type Result } from './codes.js'
import type { CancelAllCommand, Command, ExpireCommand, IdentityCommand, NewOcoCommand, NewOrderCommand, OrderFields, SetTradingStatusCommand } from './commands.js'
import { AccountRegistry, type Account, type AccountStatus, type ApiKey, type Permission } from './accounts.js'
import { FillHistory } from './fill-history.js'
import { closedOrdersOf, fillsOf, openOrdersOf, type Fill, type Page } from './account-lists.js'
import {
  DEFAULT_FEE_RATE, DEFAULT_FILL_HISTORY_LIMIT, DEFAULT_HISTORY_LIMIT, DEFAULT_MAX_FILLS_PER_ORDER, DEFAULT_MAX_LIST_SCAN,
  DEFAULT_MAX_OPEN_ORDERS_PER_SYMBOL, feeRate, positiveLimit, type EngineOptions
} from './engine-options.js'
import { toScaled, type BigNumber, type ScaledDecimal } from './decimal.js'
import type { EngineListener } from './events.js'
import { CommandResults, OcoOutcome, OrderOutcome } from './command-results.js'
import { OrderHistory } from './history.js'
import { ANONYMOUS, CancelReason, Order, OrderStatus, OrderType, TimeInForce, TRADING_STATUSES, type Side, type TradingStatus } from './order.js'
import { Fillability, OrderBook, unlinkOco, type CommandOutput } from './order-book.js'
import { OpenOrderIndex, orderSeqOf } from './open-orders.js'
import { DEFAULT_SYMBOLS, SymbolSpec } from './symbols.js'
import { normaliseSymbol } from './identifiers.js'
import { validateAmend, validateOco, validateOrder, type AmendFields, type AmendInput, type NewOrderInput, type OcoInput } from './validate.js'
import { ExpiryQueue } from './expiry-queue.js'
import { amendChange, expiryRefusal, pausedRefusal, stopRefusal } from './admission.js'

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

/** Replays records journaled before the cap existed as they ran: uncapped. */
const NO_FILL_CAP = Number.MAX_SAFE_INTEGER

export class MatchingEngine {
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
  private readonly books = new Map<string, OrderBook>()
  private readonly clock: () => number
  private readonly onCommand: ((command: Command) => void) | undefined
  private readonly results: CommandResults
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

  /**
   * Validates untrusted input, then places the order. `timestamp` is when
   * the command was taken, for callers that read the clock once for a batch
   * of commands; by default the engine's clock is read.
   */
  submit (input: NewOrderInput, timestamp?: number): Result<OrderOutcome> {
    const book = this.bookOf(input.symbol)
    if (book === undefined) return this.unknownSymbol(input.symbol)
    const fields = validateOrder(input, book.spec)
    if (!fields.ok) return fields
    return this.place(fields.value, timestamp)
  }

  /** Places already validated integer fields (the fast path benchmarks use). */
  place (fields: OrderFields, timestamp?: number): Result<OrderOutcome> {
    const book = this.books.get(fields.symbol)
    if (book === undefined) return reject(ResultCode.SYMBOL_NOT_FOUND, `symbol ${fields.symbol} is not traded here`)
    const paused = pausedRefusal(book)
    if (paused !== null) return paused
    if (fields.clientOrderId !== null && book.openByClient(fields.accountId, fields.clientOrderId) !== undefined) {
      return reject(ResultCode.DUPLICATE_CLIENT_ORDER_ID, `client_order_id ${fields.clientOrderId} is already used by an open order`)
    }
    const takenAt = timestamp ?? this.clock()
    const stop = fields.stopPriceTicks !== undefined && fields.stopPriceTicks !== null
    if (fields.expireAt !== undefined) {
      const refused = expiryRefusal(fields.expireAt, takenAt)
      if (refused !== null) return refused
    }
    if (stop) {
      const refused = stopRefusal(book, fields.side, fields.stopPriceTicks as number)
      if (refused !== null) return refused
    }
    // The usual case (room in the symbol and the account) costs a few compares. A level can only pass
    // 2^53 - 1 lots with orders above the max quantity (see the constructor): only then is it looked up.
    // An untriggered stop is open from the start, so it always takes a place.
    if ((stop || (fields.orderType === OrderType.LIMIT && restsWhenShort(fields.timeInForce))) &&
      (book.openCount >= this.maxOpenOrdersPerSymbol ||
        (!stop && (book.oversized || fields.quantityLots > book.spec.maxLots) && !book.canRest(fields.side, fields.priceTicks as number, fields.quantityLots)) ||
        (this.maxOpenOrdersPerAccount !== null && this.accounts.openCount(fields.accountId) >= this.maxOpenOrdersPerAccount))) {
      const refused = this.refuseResting(book, fields, stop)
      if (refused !== null) return refused
    }
    const orderSeq = this.nextOrderSeq
    if (this.onCommand !== undefined) {
      this.onCommand(withOrderTypeFields({
        kind: 'new',
        seq: this.sequence + 1,
        orderId: String(orderSeq),
        timestamp: takenAt,
        symbol: fields.symbol,
        side: fields.side,
        orderType: fields.orderType,
        priceTicks: fields.priceTicks,
        quantityLots: fields.quantityLots,
        clientOrderId: fields.clientOrderId,
        maxFills: this.maxFillsPerOrder,
        accountId: fields.accountId,
        stp: fields.stp
      }, fields))
    }
    return this.runNew(book, this.sequence + 1, orderSeq, takenAt, fields, this.maxFillsPerOrder)
  }

  /** Places an OCO list (see NewOcoCommand): both legs or neither. */
  submitOco (input: OcoInput, timestamp?: number): Result<OcoOutcome> {
    const book = this.bookOf(input.symbol)
    if (book === undefined) return this.unknownSymbol(input.symbol)
    const paused = pausedRefusal(book)
    if (paused !== null) return paused
    const valid = validateOco(input, book.spec)
    if (!valid.ok) return valid
    const fields = valid.value
    for (const clientOrderId of [fields.limitClientOrderId, fields.stopClientOrderId]) {
      if (clientOrderId !== null && book.openByClient(fields.accountId, clientOrderId) !== undefined) {
        return reject(ResultCode.DUPLICATE_CLIENT_ORDER_ID, `client_order_id ${clientOrderId} is already used by an open order`)
      }
    }
    const takenAt = timestamp ?? this.clock()
    const refused = expiryRefusal(fields.expireAt, takenAt) ?? stopRefusal(book, fields.side, fields.stopPriceTicks)
    if (refused !== null) return refused
    // Both legs are open from the start: the list needs two places (even if its limit leg would trade at once).
    if (book.openCount + 2 > this.maxOpenOrdersPerSymbol) {
      return reject(ResultCode.TOO_MANY_OPEN_ORDERS, `${book.symbol} has no room for the two open orders of an OCO list (at most ${this.maxOpenOrdersPerSymbol})`)
    }
    if (this.maxOpenOrdersPerAccount !== null && this.accounts.openCount(fields.accountId) + 2 > this.maxOpenOrdersPerAccount) {
      return reject(ResultCode.OPEN_ORDER_LIMIT, `the account has no room for the two open orders of an OCO list (at most ${this.maxOpenOrdersPerAccount})`)
    }
    const command: NewOcoCommand = { kind: 'oco', seq: this.sequence + 1, orderId: String(this.nextOrderSeq), timestamp: takenAt, ...fields, maxFills: this.maxFillsPerOrder }
    this.onCommand?.(command)
    return this.runOco(book, command, this.nextOrderSeq)
  }

  /** Changes an open order of the caller's account (see AmendCommand); the outcome's trades are the amended order's. */
  amend (input: AmendInput, timestamp?: number): Result<OrderOutcome> {
    const book = this.bookOf(input.symbol)
    if (book === undefined) return this.unknownSymbol(input.symbol)
    const found = this.openOrderOf(book, input)
    if (!found.ok) return found
    const order = found.value
    const halted = book.tradingStatus === 'halted' ? pausedRefusal(book) : null
    if (halted !== null) return halted
    const values = validateAmend(input, book.spec)
    if (!values.ok) return values
    const change = amendChange(book, order, values.value)
    if ('ok' in change) return change
    const seq = this.sequence + 1
    if (this.onCommand !== undefined) {
      this.onCommand({ kind: 'amend', seq, orderId: order.id, timestamp: timestamp ?? this.clock(), symbol: book.symbol, ...change, maxFills: this.maxFillsPerOrder })
    }
    return this.runAmend(book, order, change, seq, this.maxFillsPerOrder)
  }

  /**
   * Expires every open GTD order due at `timestamp` (the adapter's timer
   * reads its clock and passes it in). Journals a command only when some
   * order is due; never refuses. Returns the expired orders.
   */
  expire (timestamp: number): Result<Order[]> {
    const next = this.expiries.next()
    if (next === null || next > timestamp) return accept([])
    const command: ExpireCommand = { kind: 'expire', seq: this.sequence + 1, timestamp }
    this.onCommand?.(command)
    return accept(this.runExpire(command))
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

  cancel (input: CancelInput, timestamp?: number): Result<OrderOutcome> {
    const book = this.bookOf(input.symbol)
    if (book === undefined) return this.unknownSymbol(input.symbol)
    const found = this.openOrderOf(book, input)
    if (!found.ok) return found
    const order = found.value
    const seq = this.sequence + 1
    if (this.onCommand !== undefined) this.onCommand({ kind: 'cancel', seq, orderId: order.id, timestamp: timestamp ?? this.clock(), symbol: book.symbol })
    return this.runCancel(book, order, seq)
  }

  /**
   * Replays a journaled command exactly as it ran the first time. A sequence
   * gap or an unknown target means the journal and the state disagree, which
   * is a broken invariant, hence an exception rather than a result.
   */
  replay (command: Command): void {
    if (command.seq !== this.sequence + 1) throw new Error(`replay out of sequence: expected ${this.sequence + 1}, got ${command.seq}`)
    switch (command.kind) {
      case 'new':
        this.runNew(this.bookOrThrow(command.symbol), command.seq, this.replayedOrderSeq(command.orderId), command.timestamp, command, command.maxFills ?? NO_FILL_CAP)
        return
      case 'cancel': {
        const book = this.bookOrThrow(command.symbol)
        const order = book.openOrder(command.orderId)
        if (order === undefined) throw new Error(`replay: order ${command.orderId} is not open in ${command.symbol}`)
        this.runCancel(book, order, command.seq)
        return
      }
      case 'cancel_all':
        if (command.symbol !== null) this.bookOrThrow(command.symbol)
        this.runCancelAll(command)
        return
      case 'oco':
        this.runOco(this.bookOrThrow(command.symbol), command, this.replayedOrderSeq(command.orderId))
        return
      case 'amend': {
        const book = this.bookOrThrow(command.symbol)
        const order = book.openOrder(command.orderId)
        if (order === undefined) throw new Error(`replay: order ${command.orderId} is not open in ${command.symbol}`)
        this.runAmend(book, order, command, command.seq, command.maxFills)
        return
      }
      case 'expire':
        this.runExpire(command)
        return
      case 'set_trading_status':
        this.runTradingStatus(this.bookOrThrow(command.symbol), command)
        return
      default: {
        const refused = this.accounts.refusal(command)
        if (refused !== null) throw new Error(`replay: ${refused.message}`)
        this.runIdentity(command)
      }
    }
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

  private replayedOrderSeq (orderId: string): number {
    const orderSeq = orderSeqOf(orderId)
    if (orderSeq < 0) throw new Error(`replay: order id ${orderId} is not an order number`)
    return orderSeq
  }

  /** The open order a cancel or amend names, if it is the caller's: another account's answers ORDER_NOT_FOUND, like an unknown id. */
  private openOrderOf (book: OrderBook, input: CancelInput): Result<Order> {
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
  private bookOf (symbol: string): OrderBook | undefined {
    return this.books.get(symbol) ?? this.book(String(symbol))
  }

  private unknownSymbol (symbol: unknown): Rejection {
    return reject(ResultCode.SYMBOL_NOT_FOUND, `symbol ${String(symbol)} is not traded here; traded symbols: ${this.symbols.join(', ')}`)
  }

  private bookOrThrow (symbol: string): OrderBook {
    const book = this.books.get(symbol)
    if (book === undefined) throw new Error(`replay: symbol ${symbol} is not configured`)
    return book
  }

  /** Checks an identity command against the state, journals it, runs it. */
  private identity (command: IdentityCommand): Result<Account | Order[] | ApiKey> {
    const refused = this.accounts.refusal(command)
    if (refused !== null) return refused
    this.onCommand?.(command)
    return accept(this.runIdentity(command))
  }

  private runIdentity (command: IdentityCommand): Account | Order[] | ApiKey {
    this.sequence = command.seq
    this.revision++
    if (command.kind !== 'set_account_status') return this.accounts.apply(command)
    const account = this.accounts.get(command.accountId) as Account
    const wasActive = account.isActive
    account.status = command.status
    // Disabling cancels what the account has open, in the same command.
    return wasActive && !account.isActive ? this.cancelOrdersOf(command.accountId, null, null, CancelReason.ACCOUNT_DISABLED) : []
  }

  private runCancelAll (command: CancelAllCommand): Order[] {
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
          out ??= this.results.start()
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

  /**
   * A limit order that would pass the open-order cap or fill its level, both
   * checked before the command is journaled, so replay never depends on these
   * limits. It is still taken when it would not rest (it fills, the trade
   * cap or self-trade prevention ends it).
   */
  private refuseResting (book: OrderBook, fields: OrderFields, stop: boolean): Rejection | null {
    if (!stop) {
      if (fields.postOnly === true && book.wouldTake(fields.side, fields.priceTicks as number)) return null
      if (book.fillability(fields, this.maxFillsPerOrder) !== Fillability.SHORT) return null
    }
    if (book.openCount >= this.maxOpenOrdersPerSymbol) {
      return reject(ResultCode.TOO_MANY_OPEN_ORDERS, `${book.symbol} holds its maximum of ${this.maxOpenOrdersPerSymbol} open orders; only orders that do not rest are taken until some are filled or cancelled`)
    }
    if (this.maxOpenOrdersPerAccount !== null && this.accounts.openCount(fields.accountId) >= this.maxOpenOrdersPerAccount) {
      return reject(ResultCode.OPEN_ORDER_LIMIT, `the account holds its maximum of ${this.maxOpenOrdersPerAccount} open orders; only orders that do not rest are taken until some are filled or cancelled`)
    }
    return reject(ResultCode.PRICE_LEVEL_FULL, 'the price level would hold more than the largest exact quantity; use a smaller quantity or another price')
  }

  private runNew (book: OrderBook, seq: number, orderSeq: number, timestamp: number, fields: OrderFields, maxFills: number): OrderOutcome {
    this.sequence = seq
    this.revision++
    if (orderSeq >= this.nextOrderSeq) this.nextOrderSeq = orderSeq + 1
    const order = newOrder(orderSeq, book.symbol, fields, timestamp)
    const out = this.results.start()
    book.execute(order, out, maxFills)
    return new OrderOutcome(order, this.results.complete(book.symbol, out), book)
  }

  private runOco (book: OrderBook, command: NewOcoCommand, orderSeq: number): OcoOutcome {
    this.sequence = command.seq
    this.revision++
    if (orderSeq + 1 >= this.nextOrderSeq) this.nextOrderSeq = orderSeq + 2
    const { side, quantityLots, timestamp, accountId, stp } = command
    const limit = new Order(orderSeq, book.symbol, side, OrderType.LIMIT, command.priceTicks, quantityLots, command.limitClientOrderId, timestamp, accountId, stp)
    const stopType = command.stopLimitPriceTicks === null ? OrderType.STOP_MARKET : OrderType.STOP_LIMIT
    const stop = new Order(orderSeq + 1, book.symbol, side, stopType, command.stopLimitPriceTicks, quantityLots, command.stopClientOrderId, timestamp, accountId, stp)
    stop.stopPriceTicks = command.stopPriceTicks
    stop.status = OrderStatus.UNTRIGGERED
    for (const leg of [limit, stop]) {
      leg.timeInForce = command.timeInForce
      leg.expireAt = command.expireAt
      leg.listSeq = orderSeq
    }
    limit.ocoPeer = stop
    stop.ocoPeer = limit
    const out = this.results.start()
    book.execute(stop, out, command.maxFills)
    book.execute(limit, out, command.maxFills)
    return new OcoOutcome(limit, stop, this.results.complete(book.symbol, out), book)
  }

  private runAmend (book: OrderBook, order: Order, change: AmendFields, seq: number, maxFills: number): OrderOutcome {
    this.sequence = seq
    this.revision++
    const out = this.results.start()
    book.amend(order, change, out, maxFills)
    return new OrderOutcome(order, this.results.complete(book.symbol, out), book)
  }

  /** Each book's expired orders are one batch of events, in expiry order. */
  private runExpire (command: ExpireCommand): Order[] {
    this.sequence = command.seq
    this.revision++
    const due = this.expiries.due(command.timestamp)
    const expired: Order[] = []
    for (const book of this.books.values()) {
      let out: CommandOutput | null = null
      for (const order of due) {
        if (order.symbol !== book.symbol || !order.isOpen) continue
        out ??= this.results.start()
        book.expire(order, command.timestamp, out)
        expired.push(order)
      }
      if (out !== null) this.results.complete(book.symbol, out)
    }
    return expired
  }

  private runTradingStatus (book: OrderBook, command: SetTradingStatusCommand): void {
    this.sequence = command.seq
    this.revision++
    book.tradingStatus = command.status
  }

  private runCancel (book: OrderBook, order: Order, seq: number): OrderOutcome {
    this.sequence = seq
    this.revision++
    const out = this.results.start()
    book.cancel(order, out)
    return new OrderOutcome(order, this.results.complete(book.symbol, out), book)
  }
}

/** A limit order with this time in force rests what it cannot fill (gtc, the default, and gtd). */
function restsWhenShort (timeInForce: TimeInForce | undefined): boolean {
  return timeInForce === undefined || timeInForce === TimeInForce.GTC || timeInForce === TimeInForce.GTD
}

/** A new order from validated or journaled fields; the order-type fields are looked at only when present. */
function newOrder (seq: number, symbol: string, fields: OrderFields, timestamp: number): Order {
  const order = new Order(seq, symbol, fields.side, fields.orderType, fields.priceTicks, fields.quantityLots, fields.clientOrderId, timestamp, fields.accountId, fields.stp)
  if (fields.timeInForce !== undefined) order.timeInForce = fields.timeInForce
  if (fields.postOnly === true) order.postOnly = true
  if (fields.stopPriceTicks !== undefined && fields.stopPriceTicks !== null) {
    order.stopPriceTicks = fields.stopPriceTicks
    order.status = OrderStatus.UNTRIGGERED
  }
  if (fields.displayLots !== undefined && fields.displayLots !== null) order.displayLots = fields.displayLots
  if (fields.expireAt !== undefined && fields.expireAt !== null) order.expireAt = fields.expireAt
  if (fields.quoteUnits !== undefined && fields.quoteUnits !== null) order.quoteUnits = fields.quoteUnits
  return order
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] }

/** The journaled command gets the order-type fields that are present only, so that plain orders' records stay as they were. */
function withOrderTypeFields (command: Mutable<NewOrderCommand>, fields: OrderFields): NewOrderCommand {
  if (fields.timeInForce !== undefined) command.timeInForce = fields.timeInForce
  if (fields.postOnly === true) command.postOnly = true
  if (fields.stopPriceTicks !== undefined && fields.stopPriceTicks !== null) command.stopPriceTicks = fields.stopPriceTicks
  if (fields.displayLots !== undefined && fields.displayLots !== null) command.displayLots = fields.displayLots
  if (fields.expireAt !== undefined && fields.expireAt !== null) command.expireAt = fields.expireAt
  if (fields.quoteUnits !== undefined && fields.quoteUnits !== null) command.quoteUnits = fields.quoteUnits
  return command
}
