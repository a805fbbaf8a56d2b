/**
 * The matching engine: symbols → books, with the clock, ids, history, fees
 * and listeners. Deterministic by construction: the clock is injected and
 * every id comes from a counter, so the same commands always produce the
 * same trades, ids and books.
 */
import { ResultCode, accept, reject, type Rejection, type Result } from './codes.js'
import type { CancelCommand, Command, OrderFields } from './commands.js'
import { decimal, toScaled, type BigNumber, type ScaledDecimal } from './decimal.js'
import type { EngineEvent, EngineListener, ListenerErrorHandler, Trade } from './events.js'
import { OrderHistory } from './history.js'
import { Order } from './order.js'
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
    for (const config of options.symbols ?? DEFAULT_SYMBOLS) {
      const spec = new SymbolSpec(config)
      if (this.books.has(spec.symbol)) throw new Error(`symbol ${spec.symbol} is configured twice`)
      // The open-order cap bounds every level: it must keep level totals exact by construction.
      if (BigInt(spec.maxLots) * BigInt(this.maxOpenOrdersPerSymbol) > BigInt(Number.MAX_SAFE_INTEGER)) {
        throw new Error(`symbol ${spec.symbol}: max quantity ${spec.maxQuantity.toFixed()} (${spec.maxLots} lots of ${spec.lot.text}) × ` +
          `${this.maxOpenOrdersPerSymbol} open orders could pass 2^53 - 1 lots at one price; ` +
          'lower maxQuantity or the open-order cap, or use a coarser lotSize')
      }
      this.books.set(spec.symbol, new OrderBook(spec))
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
    if (fields.clientOrderId !== null && book.openByClientId.has(fields.clientOrderId)) {
      return reject(ResultCode.DUPLICATE_CLIENT_ORDER_ID, `client_order_id ${fields.clientOrderId} is already used by an open order`)
    }
    // The usual case (room in the symbol and the level) costs two compares and the level lookup.
    if (fields.orderType === 'limit' &&
      (book.open.size >= this.maxOpenOrdersPerSymbol || !book.canRest(fields.side, fields.priceTicks as number, fields.quantityLots))) {
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
        maxFills: this.maxFillsPerOrder
      })
    }
    return accept(this.runNew(book, this.sequence + 1, orderSeq, orderId, timestamp, fields, this.maxFillsPerOrder))
  }

  cancel (input: CancelInput): Result<OrderOutcome> {
    const book = this.book(String(input.symbol))
    if (book === undefined) return reject(ResultCode.SYMBOL_NOT_FOUND, `symbol ${input.symbol} is not traded here; traded symbols: ${this.symbols.join(', ')}`)
    const { orderId, clientOrderId } = input
    if ((orderId === undefined || orderId === null) && (clientOrderId === undefined || clientOrderId === null)) {
      return reject(ResultCode.MISSING_ORDER_ID, 'order_id or client_order_id is required')
    }
    const order = orderId !== undefined && orderId !== null
      ? book.open.get(orderId)
      : book.openByClientId.get(clientOrderId as string)
    if (order === undefined) return reject(ResultCode.ORDER_NOT_FOUND, 'no open order with that id in this symbol')
    const command: CancelCommand = { kind: 'cancel', seq: this.sequence + 1, orderId: order.id, timestamp: this.clock(), symbol: book.symbol }
    this.onCommand?.(command)
    return accept(this.runCancel(book, order, command))
  }

  /**
   * Replays a journaled command exactly as it ran the first time. A sequence
   * gap or an unknown target means the journal and the state disagree, which
   * is a broken invariant, hence an exception rather than a result.
   */
  replay (command: Command): OrderOutcome {
    if (command.seq !== this.sequence + 1) throw new Error(`replay out of sequence: expected ${this.sequence + 1}, got ${command.seq}`)
    const book = this.books.get(command.symbol)
    if (book === undefined) throw new Error(`replay: symbol ${command.symbol} is not configured`)
    if (command.kind === 'new') {
      return this.runNew(book, command.seq, Number(command.orderId), command.orderId, command.timestamp, command, command.maxFills ?? NO_FILL_CAP)
    }
    const order = book.open.get(command.orderId)
    if (order === undefined) throw new Error(`replay: order ${command.orderId} is not open in ${command.symbol}`)
    return this.runCancel(book, order, command)
  }

  /** An open or terminal order of a symbol. */
  findOrder (symbol: string, ref: { orderId?: string | null, clientOrderId?: string | null }): Result<Order> {
    const book = this.book(symbol)
    if (book === undefined) return reject(ResultCode.SYMBOL_NOT_FOUND, `symbol ${symbol} is not traded here; traded symbols: ${this.symbols.join(', ')}`)
    let order: Order | undefined
    if (ref.orderId !== undefined && ref.orderId !== null) {
      order = book.open.get(ref.orderId) ?? this.history.get(ref.orderId)
    } else if (ref.clientOrderId !== undefined && ref.clientOrderId !== null) {
      order = book.openByClientId.get(ref.clientOrderId) ?? this.history.getByClientId(book.symbol, ref.clientOrderId)
    } else {
      return reject(ResultCode.MISSING_ORDER_ID, 'order_id or client_order_id is required')
    }
    if (order === undefined || order.symbol !== book.symbol) return reject(ResultCode.ORDER_NOT_FOUND, 'order not found')
    return accept(order)
  }

  /**
   * A limit order that would pass the open-order cap or fill its level, both
   * checked before the command is journaled, so replay never depends on these
   * limits. It is still taken when it would not rest (it fills, or the trade
   * cap ends it). The accounts issue adds its per-account count next to the
   * per-symbol one, here and in place().
   */
  private refuseResting (book: OrderBook, fields: OrderFields): Rejection | null {
    if (book.fillability(fields.side, fields.priceTicks, fields.quantityLots, this.maxFillsPerOrder) !== Fillability.SHORT) return null
    return book.open.size >= this.maxOpenOrdersPerSymbol
      ? reject(ResultCode.TOO_MANY_OPEN_ORDERS, `${book.symbol} holds its maximum of ${this.maxOpenOrdersPerSymbol} open orders; only orders that do not rest are taken until some are filled or cancelled`)
      : reject(ResultCode.PRICE_LEVEL_FULL, 'the price level would hold more than the largest exact quantity; use a smaller quantity or another price')
  }

  private runNew (book: OrderBook, seq: number, orderSeq: number, orderId: string, timestamp: number, fields: OrderFields, maxFills: number): OrderOutcome {
    this.sequence = seq
    this.revision++
    if (orderSeq >= this.nextOrderSeq) this.nextOrderSeq = orderSeq + 1
    const order = new Order(orderId, book.symbol, fields.side, fields.orderType, fields.priceTicks,
      fields.quantityLots, fields.clientOrderId, timestamp)
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
