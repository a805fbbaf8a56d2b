/**
 * Order entry for the in-process exchange: POST /order, /amend and /oco.
 * Wire bodies become engine inputs here (snake_case to the engine's names,
 * expire_time from epoch seconds to exact milliseconds), the engine runs the
 * command (its journal hook writes it), and the answer is built from the
 * state that command left, then given only once the command is durable.
 */
import { performance } from 'node:perf_hooks'
import {
  StpMode, type AmendInput, type MatchingEngine, type NewOrderInput, type OcoInput, type OcoOutcome, type OrderBook, type OrderOutcome, type Result,
  type Trade
} from '../engine/index.js'
import { bboView } from '../wire/market-views.js'
import { orderView, tradeAmounts, tradeSummary, tradeView, type TradeViewShape } from '../wire/order-views.js'
import { secondsToMs, toSeconds } from '../wire/time.js'
import { ErrorCode } from '../../schemas/errors.js'
import type { AmendBody, NewOrderBody, OcoBody } from '../../schemas/order.js'
import {
  ANONYMOUS_ACCOUNT, answerShapeOf, type AnswerShape, type BboAnswer, type Caller, type NewOrderAnswer, type OcoAnswer, type OrderEntryAnswer, type OrderObserver, type Outcome, type Refusal
} from './exchange.js'
import type { DurableGate } from './durable-gate.js'
import type { IdentityService } from './identity-service.js'
import { LatencyRecorder } from './latency-recorder.js'
import { refusal, refuse, roundToMicroseconds } from './outcomes.js'

export interface OrderEntryOptions {
  readonly engine: MatchingEngine
  readonly gate: DurableGate
  readonly identity: IdentityService
  /** Trades listed in one answer; the rest are counted (trade_count) and summed in the totals. */
  readonly maxTradesInAnswer: number
  readonly defaultStp: StpMode
  /** Told right after every command the engine ran (the next GTD expiry may have moved). */
  readonly afterCommand: () => void
}

export class OrderEntry {
  readonly latency = new LatencyRecorder()
  private readonly engine: MatchingEngine
  private readonly gate: DurableGate
  private readonly identity: IdentityService
  private readonly maxTradesInAnswer: number
  private readonly defaultStp: StpMode
  private readonly afterCommand: () => void
  private readonly observers: OrderObserver[] = []

  constructor (options: OrderEntryOptions) {
    this.engine = options.engine
    this.gate = options.gate
    this.identity = options.identity
    this.maxTradesInAnswer = options.maxTradesInAnswer
    this.defaultStp = options.defaultStp
    this.afterCommand = options.afterCommand
  }

  observe (observer: OrderObserver): void {
    this.observers.push(observer)
  }

  async placeOrder (caller: Caller, body: NewOrderBody): Promise<Outcome<OrderEntryAnswer>> {
    const failed = this.gate.refuseIfFailed() ?? this.identity.refuseIfDisabled(caller)
    if (failed !== null) return failed
    const expireTime = expireTimeOf(body.expire_time)
    if (typeof expireTime !== 'number' && expireTime !== undefined) return expireTime
    const started = performance.now()
    const input: NewOrderInput = {
      symbol: body.symbol,
      side: body.side,
      orderType: body.order_type,
      quantity: body.quantity,
      price: body.price,
      clientOrderId: body.client_order_id,
      accountId: caller.accountId,
      stp: this.stpOf(caller, body.stp),
      timeInForce: body.time_in_force,
      postOnly: body.post_only,
      stopPrice: body.stop_price,
      displayQuantity: body.display_quantity,
      expireTime,
      quoteQuantity: body.quote_quantity
    }
    const result = this.engine.submit(input)
    const matched = performance.now()
    const answer = await this.orderAnswer(result, started, answerShapeOf(body))
    if (answer.ok && result.ok) {
      const order = result.value.order
      for (const observer of this.observers) observer.orderAccepted(order.symbol, order.type, answer.value.status, result.value.trades.length, (matched - started) / 1000)
    }
    return answer
  }

  async amendOrder (caller: Caller, body: AmendBody): Promise<Outcome<OrderEntryAnswer>> {
    const failed = this.gate.refuseIfFailed() ?? this.identity.refuseIfDisabled(caller)
    if (failed !== null) return failed
    const started = performance.now()
    const input: AmendInput = {
      symbol: body.symbol,
      orderId: body.order_id,
      clientOrderId: body.client_order_id,
      accountId: caller.accountId,
      newQuantity: body.new_quantity,
      newPrice: body.new_price,
      newStopPrice: body.new_stop_price
    }
    return await this.orderAnswer(this.engine.amend(input), started, answerShapeOf(body))
  }

  async placeOco (caller: Caller, body: OcoBody): Promise<Outcome<OcoAnswer>> {
    const failed = this.gate.refuseIfFailed() ?? this.identity.refuseIfDisabled(caller)
    if (failed !== null) return failed
    const expireTime = expireTimeOf(body.expire_time)
    if (typeof expireTime !== 'number' && expireTime !== undefined) return expireTime
    const started = performance.now()
    const input: OcoInput = {
      symbol: body.symbol,
      side: body.side,
      quantity: body.quantity,
      price: body.price,
      stopPrice: body.stop_price,
      stopLimitPrice: body.stop_limit_price,
      timeInForce: body.time_in_force,
      expireTime,
      limitClientOrderId: body.limit_client_order_id,
      stopClientOrderId: body.stop_client_order_id,
      accountId: caller.accountId,
      stp: this.stpOf(caller, body.stp)
    }
    const result = this.engine.submitOco(input)
    const matched = performance.now()
    this.afterCommand()
    if (!result.ok) return (await this.gate.whenDurable()) ?? refusal(result)
    // Built now, not after the wait: the answer shows the state this command left, not a later one.
    const answer = this.ocoAnswer(result.value)
    const unavailable = await this.gate.whenDurable()
    if (unavailable !== null) return unavailable
    for (const [leg, trades] of [[result.value.limit, result.value.trades.length], [result.value.stop, 0]] as const) {
      for (const observer of this.observers) observer.orderAccepted(leg.symbol, leg.type, leg.status, trades, (matched - started) / 1000)
    }
    answer.processing_time_ms = roundToMicroseconds(performance.now() - started)
    return { ok: true, value: answer }
  }

  /** The anonymous account of AUTH=off is everyone: preventing its "self-trades" would stop all trading. */
  private stpOf (caller: Caller, stp: string | undefined): string {
    return stp ?? (caller.accountId === ANONYMOUS_ACCOUNT ? StpMode.NONE : this.defaultStp)
  }

  /** The answer of a command on one order (/order, /amend), in the shape asked for, once durable. */
  private async orderAnswer (result: Result<OrderOutcome>, started: number, shape: AnswerShape): Promise<Outcome<OrderEntryAnswer>> {
    this.afterCommand()
    // A rejection can depend on commands not yet durable (a duplicate client id): answer it only once they are.
    if (!result.ok) return (await this.gate.whenDurable()) ?? refusal(result)
    // Built now, not after the wait: the answer shows the state this command left, not a later one.
    const answer = shape.type === 'full' ? this.newOrderAnswer(result.value, shape.bbo) : shape.type === 'result' ? this.resultAnswer(result.value, shape.bbo) : ackAnswer(result.value, shape.bbo)
    const unavailable = await this.gate.whenDurable()
    if (unavailable !== null) return unavailable
    answer.processing_time_ms = roundToMicroseconds(performance.now() - started)
    this.latency.record(answer.processing_time_ms)
    return { ok: true, value: answer }
  }

  // Answers are the order's view with fields added in place (Object.assign): a spread into a new
  // literal ({ ...view, more }) took V8's slow path on Node 20, 7 to 11 µs per answer against
  // about 0.15 µs (BENCHMARKS.md, issue 14).
  private newOrderAnswer (outcome: OrderOutcome, withBbo: boolean): NewOrderAnswer {
    const { order, trades, book } = outcome
    return Object.assign(orderView(order, book.spec), this.tradesPart(trades, order.accountId, book), { processing_time_ms: 0 }, bboPart(outcome, withBbo))
  }

  private resultAnswer (outcome: OrderOutcome, withBbo: boolean): OrderEntryAnswer {
    const { order, trades, book } = outcome
    const summary = tradeSummary(trades, book.spec, this.engine)
    return Object.assign(orderView(order, book.spec), {
      trade_count: trades.length,
      traded_quantity: summary.quantity,
      traded_value: summary.value,
      average_price: summary.averagePrice,
      total_maker_fees: summary.makerFee,
      total_taker_fees: summary.takerFee
    }, { processing_time_ms: 0 }, bboPart(outcome, withBbo))
  }

  private ocoAnswer (outcome: OcoOutcome): OcoAnswer {
    const { limit, stop, trades, book } = outcome
    return Object.assign({ list_id: limit.id, orders: [orderView(limit, book.spec), orderView(stop, book.spec)] },
      this.tradesPart(trades, limit.accountId, book), { bbo: bboView(book, limit.timestamp), processing_time_ms: 0 })
  }

  /** The listed trades of an answer and the totals over all of them. */
  private tradesPart (trades: readonly Trade[], accountId: string, book: OrderBook) {
    const listed = trades.length > this.maxTradesInAnswer ? trades.slice(0, this.maxTradesInAnswer) : trades
    // Σ fees = (Σ value) × rate over every trade, computed once exactly rather than summing decimal strings.
    const totals = tradeAmounts(trades, book.spec, this.engine)
    return {
      trades: listed.map((trade): TradeViewShape => {
        const view = tradeView(trade, book.spec, this.engine)
        // The counterparty's order id would let a taker follow another account's resting order.
        if (trade.makerAccountId !== accountId) view.maker_order_id = null
        return view
      }),
      trade_count: trades.length,
      total_maker_fees: totals.makerFee,
      total_taker_fees: totals.takerFee
    }
  }
}

/** response_type ack: the order's identity and state, nothing computed. */
function ackAnswer (outcome: OrderOutcome, withBbo: boolean): OrderEntryAnswer {
  const { order } = outcome
  const answer = { order_id: order.id, client_order_id: order.clientOrderId, symbol: order.symbol, status: order.status, timestamp: toSeconds(order.timestamp) }
  return Object.assign(answer, { processing_time_ms: 0 }, bboPart(outcome, withBbo))
}

/** The bbo when asked, last: where REST's serializer puts an optional field, so a WebSocket answer has the same key order. */
function bboPart (outcome: OrderOutcome, withBbo: boolean): { bbo?: BboAnswer } {
  return withBbo ? { bbo: bboView(outcome.book, outcome.timestamp) } : {}
}

/** expire_time on the wire: epoch seconds, at most 3 decimals; the engine's input is exact milliseconds. */
/** Absent stays undefined (not null): validation takes its fast path only for orders without any of issue 12's fields. */
function expireTimeOf (seconds: number | null | undefined): number | undefined | Refusal {
  if (seconds === undefined || seconds === null) return undefined
  return secondsToMs(seconds) ?? refuse(ErrorCode.INVALID_EXPIRE_TIME, 'expire_time must be a positive time in epoch seconds with at most 3 decimals')
}
