/**
 * The matching engine: EngineCore's state plus the order commands (new
 * orders of every type, OCO lists, amends, cancels, GTD expiry) and replay.
 * Every command is checked against the state before it is journaled
 * (admission.ts), so a refused command never happens and replay never
 * meets one.
 */
import { ResultCode, accept, reject, type Rejection, type Result } from './codes.js'
import type { Command, ExpireCommand, NewOcoCommand, NewOrderCommand, OrderFields } from './commands.js'
import { LaterOutcome, OcoOutcome, OrderOutcome } from './command-results.js'
import { Order, OrderStatus, OrderType, TimeInForce, TradingStatus, restsWhenShort } from './order.js'
import { Fillability, OrderBook, type CommandOutput } from './order-book.js'
import { orderSeqOf } from './open-orders.js'
import { validateAmend, validateOco, validateOrder, type AmendFields, type AmendInput, type NewOrderInput, type OcoInput } from './validate.js'
import { amendChange, expiryRefusal, pausedRefusal, stopRefusal } from './admission.js'

import { EngineCore, type CancelInput } from './engine-core.js'

export type { CancelInput, CancelAllInput } from './engine-core.js'

/** Replays records journaled before the cap existed as they ran: uncapped. */
const NO_FILL_CAP = Number.MAX_SAFE_INTEGER
export class MatchingEngine extends EngineCore {
  /**
   * Validates untrusted input, then places the order. `timestamp` is when
   * the command was taken, for callers that read the clock once for a batch
   * of commands; by default the engine's clock is read.
   */
  submit (input: NewOrderInput, timestamp?: number): Result<OrderOutcome> {
    const book = this.bookOf(input.symbol)
    if (book === undefined) return this.unknownSymbol(input.symbol)
    // A paused symbol answers that first, whatever else is wrong with the order.
    if (book.tradingStatus !== TradingStatus.TRADING) return pausedRefusal(book) as Rejection
    const fields = validateOrder(input, book.spec)
    if (!fields.ok) return fields
    return this.place(fields.value, timestamp)
  }

  /** Places already validated integer fields (the fast path benchmarks use). */
  place (fields: OrderFields, timestamp?: number): Result<OrderOutcome> {
    const book = this.books.get(fields.symbol)
    if (book === undefined) return reject(ResultCode.SYMBOL_NOT_FOUND, `symbol ${fields.symbol} is not traded here`)
    if (book.tradingStatus !== TradingStatus.TRADING) return pausedRefusal(book) as Rejection
    if (fields.clientOrderId !== null && book.openByClient(fields.accountId, fields.clientOrderId) !== undefined) {
      return reject(ResultCode.DUPLICATE_CLIENT_ORDER_ID, `client_order_id ${fields.clientOrderId} is already used by an open order`)
    }
    const takenAt = timestamp ?? this.clock()
    // Validated fields carry a stop price exactly on the stop types and an expire time exactly with gtd:
    // a plain order is judged on fields it has (its type) and one it lacks (its time in force).
    const type = fields.orderType
    const stop = type === OrderType.STOP_LIMIT || type === OrderType.STOP_MARKET
    const timeInForce = fields.timeInForce
    if (timeInForce === TimeInForce.GTD) {
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
    if ((stop || (type === OrderType.LIMIT && (timeInForce === undefined || restsWhenShort(timeInForce)))) &&
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
    // Halted refuses every amend; cancel_only every one but a reduction, and one without values is none.
    if (book.tradingStatus === TradingStatus.HALTED || (book.tradingStatus === TradingStatus.CANCEL_ONLY && isEmptyAmend(input))) return pausedRefusal(book) as Rejection
    const values = validateAmend(input, book.spec)
    if (!values.ok) return values
    const change = amendChange(book, order, values.value)
    if ('ok' in change) return change
    const seq = this.sequence + 1
    const takenAt = timestamp ?? this.clock()
    this.onCommand?.({ kind: 'amend', seq, orderId: order.id, timestamp: takenAt, symbol: book.symbol, ...change, maxFills: this.maxFillsPerOrder })
    return this.runAmend(book, order, change, seq, this.maxFillsPerOrder, takenAt)
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

  cancel (input: CancelInput, timestamp?: number): Result<OrderOutcome> {
    const book = this.bookOf(input.symbol)
    if (book === undefined) return this.unknownSymbol(input.symbol)
    const found = this.openOrderOf(book, input)
    if (!found.ok) return found
    const order = found.value
    const seq = this.sequence + 1
    // Without a journal a cancel reads no clock (nothing it does depends on time).
    let takenAt = timestamp ?? 0
    if (this.onCommand !== undefined) {
      takenAt = timestamp ?? this.clock()
      this.onCommand({ kind: 'cancel', seq, orderId: order.id, timestamp: takenAt, symbol: book.symbol })
    }
    return this.runCancel(book, order, seq, takenAt)
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
        this.runCancel(book, order, command.seq, command.timestamp)
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
        this.runAmend(book, order, command, command.seq, command.maxFills, command.timestamp)
        return
      }
      case 'expire':
        this.runExpire(command)
        return
      case 'set_trading_status':
        this.runTradingStatus(this.bookOrThrow(command.symbol), command)
        return
      case 'set_price_band':
        this.runPriceBand(this.bookOrThrow(command.symbol), command)
        return
      default: {
        const refused = this.accounts.refusal(command)
        if (refused !== null) throw new Error(`replay: ${refused.message}`)
        this.runIdentity(command)
      }
    }
  }

  private replayedOrderSeq (orderId: string): number {
    const orderSeq = orderSeqOf(orderId)
    if (orderSeq < 0) throw new Error(`replay: order id ${orderId} is not an order number`)
    return orderSeq
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
    const out = this.results.start(timestamp)
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
    const out = this.results.start(timestamp)
    book.execute(stop, out, command.maxFills)
    book.execute(limit, out, command.maxFills)
    return new OcoOutcome(limit, stop, this.results.complete(book.symbol, out), book)
  }

  private runAmend (book: OrderBook, order: Order, change: AmendFields, seq: number, maxFills: number, timestamp: number): OrderOutcome {
    this.sequence = seq
    this.revision++
    const out = this.results.start(timestamp)
    book.amend(order, change, out, maxFills)
    return new LaterOutcome(order, this.results.complete(book.symbol, out), book, timestamp)
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
        out ??= this.results.start(command.timestamp)
        book.expire(order, command.timestamp, out)
        expired.push(order)
      }
      if (out !== null) this.results.complete(book.symbol, out)
    }
    return expired
  }

  private runCancel (book: OrderBook, order: Order, seq: number, timestamp: number): OrderOutcome {
    this.sequence = seq
    this.revision++
    const out = this.results.start(timestamp)
    book.cancel(order, out)
    return new LaterOutcome(order, this.results.complete(book.symbol, out), book, timestamp)
  }
}

function isEmptyAmend (input: AmendInput): boolean {
  return (input.newQuantity ?? null) === null && (input.newPrice ?? null) === null && (input.newStopPrice ?? null) === null
}

/** A new order from validated or journaled fields; the order-type fields are looked at only when present. */
function newOrder (seq: number, symbol: string, fields: OrderFields, timestamp: number): Order {
  const type = fields.orderType
  const order = new Order(seq, symbol, fields.side, type, fields.priceTicks, fields.quantityLots, fields.clientOrderId, timestamp, fields.accountId, fields.stp)
  // Each field is looked for only on the types that can have it (validation sees to that): a plain limit order reads three absent ones.
  const timeInForce = fields.timeInForce
  if (timeInForce !== undefined) {
    order.timeInForce = timeInForce
    if (timeInForce === TimeInForce.GTD && fields.expireAt !== undefined && fields.expireAt !== null) order.expireAt = fields.expireAt
  }
  if (type === OrderType.MARKET) {
    if (fields.quoteUnits !== undefined && fields.quoteUnits !== null) order.quoteUnits = fields.quoteUnits
  } else if (type !== OrderType.IOC && type !== OrderType.FOK) {
    if (fields.postOnly === true) order.postOnly = true
    if (fields.displayLots !== undefined && fields.displayLots !== null) order.displayLots = fields.displayLots
    if (type !== OrderType.LIMIT) {
      order.stopPriceTicks = fields.stopPriceTicks as number
      order.status = OrderStatus.UNTRIGGERED
    }
  }
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
