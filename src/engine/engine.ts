/**
 * The matching engine: symbols → books, with the clock, ids, history, fees
 * and listeners. Deterministic by construction: the clock is injected and
 * every id comes from a counter, so the same commands always produce the
 * same trades, ids and books.
 */
import { ResultCode, accept, reject, type Rejection, type Result } from './codes.js'
import type { CancelAllCommand, CancelCommand, Command, IdentityCommand, OrderFields } from './commands.js'
import { Account, AccountRegistry, AccountStatus, MAX_KEYS_PER_ACCOUNT, type ApiKey, type Permission } from './accounts.js'
import { FillHistory } from './fill-history.js'
import { decimal, toScaled, type BigNumber, type ScaledDecimal } from './decimal.js'
import type { EngineEvent, EngineListener, ListenerErrorHandler, Trade } from './events.js'
import { OrderHistory } from './history.js'
import { ANONYMOUS, CancelReason, Order, type Side } from './order.js'
import { Fillability, NO_TRADES, OrderBook, type CommandOutput } from './order-book.js'
import { DEFAULT_SYMBOLS, SymbolSpec, type SymbolConfig } from './symbols.js'
import { normaliseSymbol } from './identifiers.js'
import { validateOrder, type NewOrderInput } from './validate.js'

export interface EngineOptions {
  readonly symbols?: readonly SymbolConfig[]
  readonly makerFeeRate?: string
  readonly takerFeeRate?: string
  /** Terminal orders kept queryable. */
  readonly historyLimit?: number
  /**
   * Most trades one order may produce. An order that reaches it with crossing
   * liquidity left is cancelled with cancelReason MATCH_LIMIT (a FOK that
   * would need more is rejected whole). Bounds the work of one command.
   */
  readonly maxFillsPerOrder?: number
  /**
   * Most resting orders per symbol. At the cap a limit order that would rest
   * is refused with TOO_MANY_OPEN_ORDERS; orders that do not rest still run.
   */
  readonly maxOpenOrdersPerSymbol?: number
  /**
   * Most open orders per account; null or absent: no cap (the service sets
   * DEFAULT_MAX_OPEN_ORDERS_PER_ACCOUNT unless AUTH=off, whose anonymous
   * account is everyone). Checked like the per-symbol cap, before the
   * command is journaled.
   */
  readonly maxOpenOrdersPerAccount?: number | null
  /** Trades kept for the accounts' fill lists. */
  readonly fillHistoryLimit?: number
  /**
   * History entries (or fill slots) one list call looks at, at most: the
   * histories are shared by every account, so this bounds the work one read
   * can cost the matching thread. Default DEFAULT_MAX_LIST_SCAN.
   */
  readonly maxListScan?: number
  /** Milliseconds since the epoch. */
  readonly clock?: () => number
  /** Sees every accepted command before it runs: the journal's hook. */
  readonly onCommand?: (command: Command) => void
  readonly onListenerError?: ListenerErrorHandler
}

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

/** A page of a list, newest first; next is the cursor of the following (older) page, null on the last. */
export interface Page<T> {
  readonly items: T[]
  readonly next: number | null
}

/** One account's side of a trade. */
export interface Fill {
  readonly trade: Trade
  readonly role: 'maker' | 'taker'
}

export interface OrderOutcome {
  readonly order: Order
  readonly trades: readonly Trade[]
  /** The order's book, so that callers need not look it up again. */
  readonly book: OrderBook
}

export const DEFAULT_FEE_RATE = '0.001'
export const DEFAULT_HISTORY_LIMIT = 100_000
export const DEFAULT_MAX_FILLS_PER_ORDER = 1000
/** About 1.8 KB per resting order: 100,000 hold about 180 MB per symbol. */
export const DEFAULT_MAX_OPEN_ORDERS_PER_SYMBOL = 100_000
export const DEFAULT_MAX_OPEN_ORDERS_PER_ACCOUNT = 1000
export const DEFAULT_FILL_HISTORY_LIMIT = 100_000
/** About 0.1 ms of scanning per list call. */
export const DEFAULT_MAX_LIST_SCAN = 10_000
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
  private readonly books = new Map<string, OrderBook>()
  private readonly clock: () => number
  private readonly onCommand: ((command: Command) => void) | undefined
  private readonly onListenerError: ListenerErrorHandler
  private listeners: EngineListener[] = []
  private readonly retired: Order[] = []
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
      this.books.set(spec.symbol, new OrderBook(spec, this.accounts))
    }
    this.makerFeeRate = feeRate(options.makerFeeRate ?? DEFAULT_FEE_RATE, 'maker')
    this.takerFeeRate = feeRate(options.takerFeeRate ?? DEFAULT_FEE_RATE, 'taker')
    this.makerFeeScaled = toScaled(this.makerFeeRate)
    this.takerFeeScaled = toScaled(this.takerFeeRate)
    this.history = new OrderHistory(options.historyLimit ?? DEFAULT_HISTORY_LIMIT)
    this.clock = options.clock ?? Date.now
    this.onCommand = options.onCommand
    this.onListenerError = options.onListenerError ?? (() => {})
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
    this.listeners = [...this.listeners, listener]
    return () => { this.listeners = this.listeners.filter((l) => l !== listener) }
  }

  /** Validates untrusted input, then places the order. */
  submit (input: NewOrderInput): Result<OrderOutcome> {
    const book = this.book(String(input.symbol))
    if (book === undefined) return reject(ResultCode.SYMBOL_NOT_FOUND, `symbol ${input.symbol} is not traded here; traded symbols: ${this.symbols.join(', ')}`)
    const fields = validateOrder(input, book.spec)
    if (!fields.ok) return fields
    return this.place(fields.value)
  }

  /** Places already validated integer fields (the fast path benchmarks use). */
  place (fields: OrderFields): Result<OrderOutcome> {
    const book = this.books.get(fields.symbol)
    if (book === undefined) return reject(ResultCode.SYMBOL_NOT_FOUND, `symbol ${fields.symbol} is not traded here`)
    if (fields.clientOrderId !== null && book.openByClient(fields.accountId, fields.clientOrderId) !== undefined) {
      return reject(ResultCode.DUPLICATE_CLIENT_ORDER_ID, `client_order_id ${fields.clientOrderId} is already used by an open order`)
    }
    // The usual case (room in the symbol, the account and the level) costs three compares and the level lookup.
    if (fields.orderType === 'limit' &&
      (book.open.size >= this.maxOpenOrdersPerSymbol || !book.canRest(fields.side, fields.priceTicks as number, fields.quantityLots) ||
        (this.maxOpenOrdersPerAccount !== null && this.accounts.openCount(fields.accountId) >= this.maxOpenOrdersPerAccount))) {
      const refused = this.refuseResting(book, fields)
      if (refused !== null) return refused
    }
    const orderSeq = this.nextOrderSeq
    const orderId = String(orderSeq)
    const timestamp = this.clock()
    if (this.onCommand !== undefined) {
      this.onCommand({
        kind: 'new',
        seq: this.sequence + 1,
        orderId,
        timestamp,
        symbol: fields.symbol,
        side: fields.side,
        orderType: fields.orderType,
        priceTicks: fields.priceTicks,
        quantityLots: fields.quantityLots,
        clientOrderId: fields.clientOrderId,
        maxFills: this.maxFillsPerOrder,
        accountId: fields.accountId,
        stp: fields.stp
      })
    }
    return accept(this.runNew(book, this.sequence + 1, orderSeq, orderId, timestamp, fields, this.maxFillsPerOrder))
  }

  cancel (input: CancelInput): Result<OrderOutcome> {
    const book = this.book(String(input.symbol))
    if (book === undefined) return reject(ResultCode.SYMBOL_NOT_FOUND, `symbol ${input.symbol} is not traded here; traded symbols: ${this.symbols.join(', ')}`)
    const { orderId, clientOrderId } = input
    const accountId = input.accountId ?? ANONYMOUS
    if ((orderId === undefined || orderId === null) && (clientOrderId === undefined || clientOrderId === null)) {
      return reject(ResultCode.MISSING_ORDER_ID, 'order_id or client_order_id is required')
    }
    const order = orderId !== undefined && orderId !== null
      ? book.open.get(orderId)
      : book.openByClient(accountId, clientOrderId as string)
    if (order === undefined || order.accountId !== accountId) return reject(ResultCode.ORDER_NOT_FOUND, 'no open order with that id in this symbol')
    const command: CancelCommand = { kind: 'cancel', seq: this.sequence + 1, orderId: order.id, timestamp: this.clock(), symbol: book.symbol }
    this.onCommand?.(command)
    return accept(this.runCancel(book, order, command))
  }

  /**
   * Replays a journaled command exactly as it ran the first time. A sequence
   * gap or an unknown target means the journal and the state disagree, which
   * is a broken invariant, hence an exception rather than a result.
   */
  replay (command: Command): void {
    if (command.seq !== this.sequence + 1) throw new Error(`replay out of sequence: expected ${this.sequence + 1}, got ${command.seq}`)
    switch (command.kind) {
      case 'new': {
        this.runNew(this.bookOrThrow(command.symbol), command.seq, Number(command.orderId), command.orderId, command.timestamp, command, command.maxFills ?? NO_FILL_CAP)
        return
      }
      case 'cancel': {
        const book = this.bookOrThrow(command.symbol)
        const order = book.open.get(command.orderId)
        if (order === undefined) throw new Error(`replay: order ${command.orderId} is not open in ${command.symbol}`)
        this.runCancel(book, order, command)
        return
      }
      case 'cancel_all':
        if (command.symbol !== null) this.bookOrThrow(command.symbol)
        this.runCancelAll(command)
        return
      default: {
        const refused = this.checkIdentity(command)
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
      if (book === undefined) return reject(ResultCode.SYMBOL_NOT_FOUND, `symbol ${input.symbol} is not traded here; traded symbols: ${this.symbols.join(', ')}`)
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
    const items: Order[] = []
    let order = this.accounts.ordersOf(accountId).tail
    if (before !== null) while (order !== null && Number(order.id) >= before) order = order.accountPrev
    for (; order !== null; order = order.accountPrev) {
      if (symbol !== null && order.symbol !== symbol) continue
      if (items.length === limit) return { items, next: Number(items[items.length - 1].id) }
      items.push(order)
    }
    return { items, next: null }
  }

  /**
   * The account's terminal orders still in the history, newest first; before: a history entry number.
   * The history is shared by every account, so one call looks at no more than maxListScan entries:
   * a page may then hold fewer than `limit` (even none) with a next cursor to go on from.
   */
  closedOrders (accountId: string, symbol: string | null, limit: number, before: number | null): Page<Order> {
    const items: Order[] = []
    const history = this.history
    const start = before === null ? history.added - 1 : Math.min(before, history.added) - 1
    const end = Math.max(history.oldest, start - this.maxListScan + 1)
    for (let n = start; n >= history.oldest; n--) {
      if (n < end) return { items, next: n + 1 }
      const order = history.at(n)
      if (order.accountId !== accountId || (symbol !== null && order.symbol !== symbol)) continue
      if (items.length === limit) return { items, next: n + 1 }
      items.push(order)
    }
    return { items, next: null }
  }

  /**
   * The account's fills still in the fill history, newest first. A trade is
   * two fill slots (2n + 1 its taker side, 2n its maker side), so a trade
   * between two orders of one account is two fills; before: a slot number.
   * Like closedOrders, one call looks at no more than maxListScan slots.
   */
  fillsOf (accountId: string, symbol: string | null, limit: number, before: number | null): Page<Fill> {
    const items: Fill[] = []
    const fills = this.fills
    const start = before === null ? 2 * fills.added - 1 : Math.min(before, 2 * fills.added) - 1
    const end = Math.max(2 * fills.oldest, start - this.maxListScan + 1)
    for (let slot = start; slot >= 2 * fills.oldest; slot--) {
      if (slot < end) return { items, next: slot + 1 }
      const n = slot >> 1
      const taker = (slot & 1) === 1
      if (fills.accountAt(n, taker) !== accountId || (symbol !== null && fills.symbolAt(n) !== symbol)) continue
      if (items.length === limit) return { items, next: slot + 1 }
      items.push({ trade: fills.at(n), role: taker ? 'taker' : 'maker' })
    }
    return { items, next: null }
  }

  private bookOrThrow (symbol: string): OrderBook {
    const book = this.books.get(symbol)
    if (book === undefined) throw new Error(`replay: symbol ${symbol} is not configured`)
    return book
  }

  /** Checks an identity command against the state, journals it, runs it. */
  private identity (command: IdentityCommand): Result<Account | Order[] | ApiKey> {
    const refused = this.checkIdentity(command)
    if (refused !== null) return refused
    this.onCommand?.(command)
    return accept(this.runIdentity(command))
  }

  /** Why the state cannot take this identity command, or null. Replay runs the same check: a journal that fails it is damaged. */
  private checkIdentity (command: IdentityCommand): Rejection | null {
    if (command.kind === 'revoke_key') {
      const key = this.accounts.key(command.keyId)
      return key === undefined ? reject(ResultCode.API_KEY_NOT_FOUND, `no API key ${command.keyId}`) : null
    }
    const account = this.accounts.get(command.accountId)
    if (command.kind === 'create_account') {
      // The anonymous account owns every order of AUTH=off and of journals from before accounts: no key may ever speak for it.
      if (command.accountId === ANONYMOUS) return reject(ResultCode.ACCOUNT_EXISTS, `account ${ANONYMOUS} is reserved for the orders of AUTH=off`)
      return account === undefined ? null : reject(ResultCode.ACCOUNT_EXISTS, `account ${command.accountId} already exists`)
    }
    if (account === undefined) return reject(ResultCode.ACCOUNT_NOT_FOUND, `no account ${command.accountId}`)
    if (command.kind === 'set_account_status') return null
    if (!account.isActive) return reject(ResultCode.ACCOUNT_DISABLED, `account ${command.accountId} is disabled; enable it before creating keys`)
    if (this.accounts.key(command.keyId) !== undefined) return reject(ResultCode.VALIDATION_ERROR, `API key ${command.keyId} already exists`)
    if (account.keys.length >= MAX_KEYS_PER_ACCOUNT) {
      return reject(ResultCode.TOO_MANY_API_KEYS, `account ${command.accountId} holds its maximum of ${MAX_KEYS_PER_ACCOUNT} API keys (revoked ones included)`)
    }
    return null
  }

  private runIdentity (command: IdentityCommand): Account | Order[] | ApiKey {
    this.sequence = command.seq
    this.revision++
    switch (command.kind) {
      case 'create_account': {
        const account = new Account(command.accountId, command.timestamp)
        this.accounts.add(account)
        return account
      }
      case 'set_account_status': {
        const account = this.accounts.get(command.accountId) as Account
        const wasActive = account.isActive
        account.status = command.status
        // Disabling cancels what the account has open, in the same command.
        return wasActive && !account.isActive ? this.cancelOrdersOf(command.accountId, null, null, CancelReason.ACCOUNT_DISABLED) : []
      }
      case 'create_key': {
        const key: ApiKey = { keyId: command.keyId, accountId: command.accountId, permissions: command.permissions, fingerprint: command.fingerprint, createdAt: command.timestamp, revoked: false }
        this.accounts.addKey(key)
        return key
      }
      case 'revoke_key': {
        const key = this.accounts.key(command.keyId) as ApiKey
        key.revoked = true
        return key
      }
    }
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
          out ??= this.newOutput()
          book.cancel(order, out, reason)
          cancelled.push(order)
        }
        order = next
      }
      if (out !== null) {
        // Several of these orders can share a level, and each cancel touched it: list every changed
        // level once, as every other command does (OrderBook.levelChanges relies on it).
        if (out.touched !== null && out.touched.length > 1) {
          const levels = new Set(out.touched)
          out.touched.length = 0
          out.touched.push(...levels)
        }
        this.complete(book.symbol, out)
      }
    }
    return cancelled
  }

  /** An open or terminal order of a symbol. */
  findOrder (symbol: string, ref: { orderId?: string | null, clientOrderId?: string | null }, accountId: string = ANONYMOUS): Result<Order> {
    const book = this.book(symbol)
    if (book === undefined) return reject(ResultCode.SYMBOL_NOT_FOUND, `symbol ${symbol} is not traded here; traded symbols: ${this.symbols.join(', ')}`)
    let order: Order | undefined
    if (ref.orderId !== undefined && ref.orderId !== null) {
      order = book.open.get(ref.orderId) ?? this.history.get(ref.orderId)
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
  private refuseResting (book: OrderBook, fields: OrderFields): Rejection | null {
    if (book.fillability(fields, this.maxFillsPerOrder) !== Fillability.SHORT) return null
    if (book.open.size >= this.maxOpenOrdersPerSymbol) {
      return reject(ResultCode.TOO_MANY_OPEN_ORDERS, `${book.symbol} holds its maximum of ${this.maxOpenOrdersPerSymbol} open orders; only orders that do not rest are taken until some are filled or cancelled`)
    }
    if (this.maxOpenOrdersPerAccount !== null && this.accounts.openCount(fields.accountId) >= this.maxOpenOrdersPerAccount) {
      return reject(ResultCode.OPEN_ORDER_LIMIT, `the account holds its maximum of ${this.maxOpenOrdersPerAccount} open orders; only orders that do not rest are taken until some are filled or cancelled`)
    }
    return reject(ResultCode.PRICE_LEVEL_FULL, 'the price level would hold more than the largest exact quantity; use a smaller quantity or another price')
  }

  private runNew (book: OrderBook, seq: number, orderSeq: number, orderId: string, timestamp: number, fields: OrderFields, maxFills: number): OrderOutcome {
    this.sequence = seq
    this.revision++
    if (orderSeq >= this.nextOrderSeq) this.nextOrderSeq = orderSeq + 1
    const order = new Order(orderId, book.symbol, fields.side, fields.orderType, fields.priceTicks,
      fields.quantityLots, fields.clientOrderId, timestamp, fields.accountId, fields.stp)
    const out = this.newOutput()
    book.execute(order, out, maxFills)
    this.complete(book.symbol, out)
    return { order, trades: out.trades, book }
  }

  private runCancel (book: OrderBook, order: Order, command: CancelCommand): OrderOutcome {
    this.sequence = command.seq
    this.revision++
    const out = this.newOutput()
    book.cancel(order, out)
    this.complete(book.symbol, out)
    return { order, trades: out.trades, book }
  }

  private newOutput (): CommandOutput {
    const listening = this.listeners.length > 0
    // retired is drained by complete() before the next command, so one array serves them all.
    this.retired.length = 0
    return { trades: NO_TRADES, events: listening ? [] : null, touched: listening ? [] : null, retired: this.retired }
  }

  /** State first (history), then events: listeners only ever see a finished command. */
  private complete (symbol: string, out: CommandOutput): void {
    for (const order of out.retired) this.history.add(order)
    for (const trade of out.trades) this.fills.add(trade)
    if (out.events === null || out.touched === null) return
    const events: EngineEvent[] = out.events
    if (out.touched.length > 0) {
      events.push({ type: 'levels', symbol, changes: OrderBook.levelChanges(out.touched) })
    }
    for (const listener of this.listeners) {
      try {
        listener(events)
      } catch (error) {
        this.onListenerError(error)
      }
    }
  }
}

function feeRate (text: string, which: string): BigNumber {
  const rate = decimal(text)
  if (!rate.isFinite() || rate.lt(0) || rate.gte(1)) throw new Error(`${which} fee rate must be a decimal in [0, 1), got ${text}`)
  return rate
}

function positiveLimit (value: number, which: string): number {
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`${which} must be a positive integer, got ${value}`)
  return value
}
