/**
 * The in-process exchange: engine, journal, market-data hub and statistics
 * in this process. It is the only place that wires them together: the
 * journal's command hook into the engine, the hub onto the engine's events,
 * durability before every answer.
 *
 * Refused means never applied, acknowledged means durable: every answer
 * waits for the journal; once the journal has failed, memory may hold
 * commands that were never acknowledged (and may not be on disk), so from
 * then on nothing is answered from that memory — orders, cancels and reads
 * alike get JOURNAL_UNAVAILABLE, and health() says the process is no longer
 * useful, until a restart rebuilds the state from the files.
 */
import { performance } from 'node:perf_hooks'
import { MatchingEngine, stateDigest, type Command, type OrderBook, type OrderOutcome, type Rejection } from '../engine/index.js'
import { Persistence } from '../journal/persistence.js'
import type { WriterIo } from '../journal/journal-writer.js'
import { MarketDataHub } from '../gateway/market-data-hub.js'
import { bboView, depthView, symbolFiltersView, symbolStatsView, volumeText } from '../wire/market-views.js'
import { orderView, tradeAmounts, tradeView } from '../wire/order-views.js'
import { toSeconds } from '../wire/time.js'
import { ErrorCode } from '../../schemas/errors.js'
import type { CancelBody, NewOrderBody } from '../../schemas/order.js'
import type { AccountStatusChanged, AccountView, AccountsPage, ApiKeyView, Permission } from '../../schemas/identity.js'
import type { CancelAllBody, FillsQuery, OrdersQuery } from '../../schemas/private.js'
import type { Config } from '../config.js'
import { LatencyRecorder } from './latency-recorder.js'
import type {
  ApiKeyRecord, BboAnswer, BookAnswer, CancelAllAnswer, CancelAnswer, Caller, Exchange, FillsAnswer, IdentityChange, OrdersAnswer, ExchangeHealth, ExchangeStatistics, NewOrderAnswer, OrderAnswer,
  OrderObserver, OrderRef, Outcome, Refusal, SymbolStatisticsAnswer, SymbolsAnswer
} from './exchange.js'

/** The structured logger the exchange reports to (pino's satisfies it). */
export interface ExchangeLog {
  info (fields: object, message: string): void
  warn (fields: object | string, message?: string): void
  error (fields: object, message: string): void
}

export interface LocalExchangeOptions {
  readonly engine: Config['engine']
  readonly journal: Config['journal']
  /** Market-data batching window (ms). */
  readonly batchMs: number
  /** Trades listed in one order's answer; the rest are counted (trade_count) and summed in the totals. */
  readonly maxTradesInAnswer: number
  readonly log: ExchangeLog
  /** Injected in tests for determinism; the real clock otherwise. */
  readonly clock?: () => number
  /**
   * Test seam only: replaces file operations of the journal writer (see
   * PersistenceOptions.io) so a test can make the disk fail under a real
   * journal. Never set by the application.
   */
  readonly journalIo?: Partial<WriterIo>
}

const resolved = Promise.resolve()

export class LocalExchange implements Exchange {
  readonly marketData: MarketDataHub
  private readonly engine: MatchingEngine
  private readonly persistence: Persistence | null
  private readonly latency = new LatencyRecorder()
  private readonly observers: OrderObserver[] = []
  private readonly startedAt = Date.now()
  private readonly maxTradesInAnswer: number
  private readonly log: ExchangeLog

  constructor (options: LocalExchangeOptions) {
    this.log = options.log
    this.maxTradesInAnswer = options.maxTradesInAnswer
    const engineOptions = {
      ...options.engine,
      clock: options.clock,
      onListenerError: (error: unknown) => options.log.error({ err: error }, 'engine listener failed')
    }
    if (options.journal.enabled) {
      // The journal builds the engine around its own command hook, then recovers it from the files.
      this.persistence = new Persistence({
        ...options.journal,
        onError: (err, message) => {
          options.log.error({ err }, message)
          // After a failed background fsync nothing more may be served from memory, market data included.
          this.refuseIfFailed()
        },
        io: options.journalIo
      }, (onCommand: (command: Command) => void) => new MatchingEngine({ ...engineOptions, onCommand }))
      this.engine = this.persistence.engine
      for (const warning of this.persistence.recovery.warnings) options.log.warn(warning)
      options.log.info({ dataDir: options.journal.dataDir, fsync: options.journal.fsync, ...this.persistence.recovery, digest: stateDigest(this.engine) }, 'engine recovered')
    } else {
      this.persistence = null
      this.engine = new MatchingEngine(engineOptions)
    }
    this.marketData = new MarketDataHub(this.engine, {
      batchMs: options.batchMs,
      durable: () => this.durable(),
      onPublishError: (error) => options.log.error({ err: error }, 'market data could not be published')
    })
    this.marketData.start()
  }

  get symbols (): readonly string[] {
    return this.engine.symbols
  }

  observe (observer: OrderObserver): void {
    this.observers.push(observer)
  }

  async placeOrder (_caller: Caller, body: NewOrderBody): Promise<Outcome<NewOrderAnswer>> {
    const failed = this.refuseIfFailed()
    if (failed !== null) return failed
    const started = performance.now()
    const result = this.engine.submit({
      symbol: body.symbol,
      side: body.side,
      orderType: body.order_type,
      quantity: body.quantity,
      price: body.price,
      clientOrderId: body.client_order_id
    })
    const matched = performance.now()
    // A rejection can depend on commands not yet durable (a duplicate client id): answer it only once they are.
    if (!result.ok) return (await this.whenDurable()) ?? refusal(result)
    // Built now, not after the wait: the answer shows the state this command left, not a later one.
    const answer = this.newOrderAnswer(result.value)
    const unavailable = await this.whenDurable()
    if (unavailable !== null) return unavailable
    const trades = result.value.trades.length
    for (const observer of this.observers) observer.orderAccepted(answer.symbol, answer.order_type, answer.status, trades, (matched - started) / 1000)
    answer.processing_time_ms = roundToMicroseconds(performance.now() - started)
    this.latency.record(answer.processing_time_ms)
    return { ok: true, value: answer }
  }

  async cancelOrder (_caller: Caller, body: CancelBody): Promise<Outcome<CancelAnswer>> {
    const failed = this.refuseIfFailed()
    if (failed !== null) return failed
    const started = performance.now()
    const result = this.engine.cancel({ symbol: body.symbol, orderId: body.order_id, clientOrderId: body.client_order_id })
    if (!result.ok) return (await this.whenDurable()) ?? refusal(result)
    const { order, book } = result.value
    const view = orderView(order, book.spec)
    const answer: CancelAnswer = {
      success: true,
      order_id: view.order_id,
      client_order_id: view.client_order_id,
      symbol: view.symbol,
      status: 'cancelled',
      filled_quantity: view.filled_quantity,
      remaining_quantity: view.remaining_quantity,
      bbo: bboView(book, order.timestamp),
      processing_time_ms: 0
    }
    const unavailable = await this.whenDurable()
    if (unavailable !== null) return unavailable
    answer.processing_time_ms = roundToMicroseconds(performance.now() - started)
    return { ok: true, value: answer }
  }

  async findOrder (_caller: Caller, ref: OrderRef): Promise<Outcome<OrderAnswer>> {
    const failed = this.refuseIfFailed()
    if (failed !== null) return failed
    if (ref.symbol === undefined || ref.symbol === '') return refuse(ErrorCode.MISSING_SYMBOL, 'symbol query parameter is required')
    const result = this.engine.findOrder(ref.symbol, ref)
    if (!result.ok) return refusal(result)
    return await this.durableRead({ ok: true, value: orderView(result.value, (this.engine.book(result.value.symbol) as OrderBook).spec) })
  }

  async book (symbol: string, levels: number): Promise<Outcome<BookAnswer>> {
    const book = this.readableBook(symbol)
    if (!book.ok) return book
    return await this.durableRead({ ok: true, value: { timestamp: toSeconds(Date.now()), symbol: book.value.symbol, ...depthView(book.value, levels) } })
  }

  async bbo (symbol: string): Promise<Outcome<BboAnswer>> {
    const book = this.readableBook(symbol)
    if (!book.ok) return book
    return await this.durableRead({ ok: true, value: bboView(book.value, Date.now()) })
  }

  async symbolsInfo (): Promise<Outcome<SymbolsAnswer>> {
    const failed = this.refuseIfFailed()
    if (failed !== null) return failed
    const now = Date.now()
    const symbolInfo: SymbolsAnswer['symbol_info'] = {}
    for (const book of this.engine.allBooks()) {
      symbolInfo[book.symbol] = {
        bbo: bboView(book, now),
        active_orders: book.open.size,
        total_trades: book.stats.totalTrades,
        ...symbolFiltersView(book.spec)
      }
    }
    const symbols = this.engine.symbols
    return await this.durableRead({ ok: true, value: { symbols, symbol_info: symbolInfo, count: symbols.length } })
  }

  async symbolStatistics (symbol: string): Promise<Outcome<SymbolStatisticsAnswer>> {
    const book = this.readableBook(symbol)
    if (!book.ok) return book
    return await this.durableRead({ ok: true, value: symbolStatsView(book.value) })
  }

  async statistics (): Promise<Outcome<ExchangeStatistics>> {
    const failed = this.refuseIfFailed()
    if (failed !== null) return failed
    let orders = 0
    let trades = 0
    const volume: Record<string, string> = {}
    for (const book of this.engine.allBooks()) {
      orders += book.stats.totalOrders
      trades += book.stats.totalTrades
      volume[book.symbol] = volumeText(book.stats.volumeLots.total, book.spec)
    }
    const uptime = this.uptimeSeconds()
    const latency = this.latency.summary()
    return await this.durableRead({
      ok: true,
      value: {
        orders_processed: orders,
        trades_executed: trades,
        total_volume: volume,
        avg_latency_ms: latency.avg,
        p50_latency_ms: latency.p50,
        p99_latency_ms: latency.p99,
        uptime_seconds: uptime,
        symbols_count: this.engine.symbols.length,
        orders_per_second: uptime > 0 ? orders / uptime : 0,
        state_digest: stateDigest(this.engine),
        ...(this.persistence === null ? {} : { journal: this.persistence.stats() })
      }
    })
  }

  async listOrders (_caller: Caller, _query: OrdersQuery): Promise<Outcome<OrdersAnswer>> {
    return notYet()
  }

  async listFills (_caller: Caller, _query: FillsQuery): Promise<Outcome<FillsAnswer>> {
    return notYet()
  }

  async cancelAll (_caller: Caller, _body: CancelAllBody): Promise<Outcome<CancelAllAnswer>> {
    return notYet()
  }

  async createAccount (_accountId: string): Promise<Outcome<AccountView>> {
    return notYet()
  }

  async setAccountStatus (_accountId: string, _status: 'active' | 'disabled'): Promise<Outcome<AccountStatusChanged>> {
    return notYet()
  }

  async account (_accountId: string): Promise<Outcome<AccountView>> {
    return notYet()
  }

  async accounts (_limit: number, _cursor: string | undefined): Promise<Outcome<AccountsPage>> {
    return notYet()
  }

  async createApiKey (_accountId: string, _keyId: string, _permissions: readonly Permission[], _fingerprint: string): Promise<Outcome<ApiKeyView>> {
    return notYet()
  }

  async revokeApiKey (_keyId: string): Promise<Outcome<ApiKeyView>> {
    return notYet()
  }

  apiKey (_keyId: string): ApiKeyRecord | null {
    return null
  }

  apiKeys (): Iterable<ApiKeyRecord> {
    return []
  }

  onIdentityChange (_listener: (change: IdentityChange) => void): void {}

  health (): ExchangeHealth {
    const failure = this.persistence?.failed ?? null
    return {
      healthy: failure === null,
      reason: failure === null ? null : `journal failed (${failure.message}); restart the process to recover from its files`,
      uptimeSeconds: this.uptimeSeconds()
    }
  }

  async snapshot (): Promise<{ seq: number } | null> {
    if (this.persistence === null) return null
    await this.persistence.snapshot()
    return { seq: this.persistence.stats().last_snapshot_seq }
  }

  async close (): Promise<void> {
    this.marketData.stop()
    if (this.persistence !== null) await this.persistence.close()
    this.log.info({ sequence: this.engine.sequence, digest: stateDigest(this.engine) }, 'engine stopped')
  }

  /** The engine itself, for tests and in-process tools (benchmarks, invariant checks); adapters never use it. */
  get engineForTests (): MatchingEngine {
    return this.engine
  }

  private uptimeSeconds (): number {
    return (Date.now() - this.startedAt) / 1000
  }

  private durable (): Promise<void> {
    return this.persistence === null ? resolved : this.persistence.durable()
  }

  /** Waits until everything accepted so far is durable: null then, JOURNAL_UNAVAILABLE if it never will be. */
  private async whenDurable (): Promise<Refusal | null> {
    try {
      await this.durable()
      return null
    } catch {
      return this.journalFailed()
    }
  }

  private refuseIfFailed (): Refusal | null {
    return this.persistence?.failed == null ? null : this.journalFailed()
  }

  /** The refusal once the journal has failed; market data stops too (its sessions are closed), if it has not yet. */
  private journalFailed (): Refusal {
    this.marketData.fail()
    return journalUnavailable()
  }

  /** A read's answer, given only once everything it may show is durable (it may show an order whose write is still in flight). */
  private async durableRead<T> (outcome: Outcome<T>): Promise<Outcome<T>> {
    return (await this.whenDurable()) ?? outcome
  }

  private readableBook (symbol: string): Outcome<OrderBook> {
    const failed = this.refuseIfFailed()
    if (failed !== null) return failed
    const book = this.engine.book(symbol)
    if (book === undefined) return refuse(ErrorCode.SYMBOL_NOT_FOUND, `symbol ${symbol} is not traded here; traded symbols: ${this.engine.symbols.join(', ')}`)
    return { ok: true, value: book }
  }

  private newOrderAnswer (outcome: OrderOutcome): NewOrderAnswer {
    const { order, trades, book } = outcome
    const listed = trades.length > this.maxTradesInAnswer ? trades.slice(0, this.maxTradesInAnswer) : trades
    // Σ fees = (Σ value) × rate over every trade, computed once exactly rather than summing decimal strings.
    const totals = tradeAmounts(trades, book.spec, this.engine)
    return {
      ...orderView(order, book.spec),
      trades: listed.map((trade) => tradeView(trade, book.spec, this.engine)),
      trade_count: trades.length,
      total_maker_fees: totals.makerFee,
      total_taker_fees: totals.takerFee,
      bbo: bboView(book, order.timestamp),
      processing_time_ms: 0
    }
  }
}

function refuse (code: ErrorCode, message: string): Refusal {
  return { ok: false, code, message }
}

function refusal (rejection: Rejection): Refusal {
  return refuse(rejection.code, rejection.message)
}

// CONTRACT PLACEHOLDER: replaced by the engine's accounts in the identity change.
function notYet<T> (): Outcome<T> {
  return refuse(ErrorCode.INTERNAL_ERROR, 'not implemented yet')
}

function journalUnavailable (): Refusal {
  return refuse(ErrorCode.JOURNAL_UNAVAILABLE, 'the journal cannot write; nothing is answered from this process until it restarts from its files')
}

/** Answers report milliseconds to the microsecond: finer digits are noise. */
function roundToMicroseconds (ms: number): number {
  return Math.round(ms * 1000) / 1000
}
