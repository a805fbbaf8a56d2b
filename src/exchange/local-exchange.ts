/**
 * The in-process exchange: engine, journal, market-data hub and statistics
 * in this process. It is the only place that wires them together: the
 * journal's command hook into the engine, the hub onto the engine's events,
 * durability before every answer (DurableGate), the GTD expiry timer. Order
 * entry (order-entry.ts) and identity (identity-service.ts) are its parts;
 * cancels, reads and the symbols' trading status are here.
 *
 * Refused means never applied, acknowledged means durable: every answer
 * waits for the journal; once the journal has failed, nothing is answered
 * from memory any more — orders, cancels and reads alike get
 * JOURNAL_UNAVAILABLE, and health() says the process is no longer useful,
 * until a restart rebuilds the state from the files.
 */
import { performance } from 'node:perf_hooks'
import {
  MatchingEngine, SIDES, bandText, stateDigest, type Command, type OrderBook, type Permission, type Side, type SymbolSpec
} from '../engine/index.js'
import { Persistence } from '../journal/persistence.js'
import type { WriterIo } from '../journal/journal-writer.js'
import { MarketDataHub } from '../gateway/market-data-hub.js'
import { L3Feed } from '../gateway/l3-feed.js'
import { StatsFeed } from '../gateway/stats-feed.js'
import { INTERVAL_MS } from '../market/candle-series.js'
import { MarketStats, type SymbolStats } from '../market/market-stats.js'
import { candleView, tapeView, tickerView } from '../wire/stats-views.js'
import { bboView, symbolFiltersView, symbolStatsView, volumeText } from '../wire/market-views.js'
import { fillView, orderView } from '../wire/order-views.js'
import { toSeconds } from '../wire/time.js'
import { ErrorCode } from '../../schemas/errors.js'
import type { AmendBody, CancelBody, NewOrderBody, OcoBody } from '../../schemas/order.js'
import type { AccountStatusChanged, AccountView, AccountsPage, ApiKeyView } from '../../schemas/identity.js'
import type { TradingStatusName, TradingStatusResponse } from '../../schemas/market.js'
import type { CancelAllBody } from '../../schemas/private.js'
import type { Config } from '../config.js'
import type {
  ApiKeyRecord, BboAnswer, BookAnswer, CandlesAnswer, CandlesRequest, CancelAllAnswer, CancelAnswer, Caller, Exchange, FillsAnswer, IdentityChange, OrdersAnswer, ExchangeHealth, ExchangeStatistics, OrderEntryAnswer,
  OcoAnswer, OrderAnswer, OrderObserver, OrderRef, OrdersRequest, Outcome, PageRequest, SymbolStatisticsAnswer, SymbolsAnswer, TickerAnswer,
  TickersAnswer, TradesAnswer
} from './exchange.js'
import { DurableGate } from './durable-gate.js'
import { ExpiryTimer } from './expiry-timer.js'
import { IdentityService } from './identity-service.js'
import { OrderEntry } from './order-entry.js'
import { configuredEngine } from './configured-engine.js'
import { cursorText, parseCursor, refusal, refuse, roundToMicroseconds } from './outcomes.js'

/** The structured logger the exchange reports to (pino's satisfies it). */
export interface ExchangeLog {
  info (fields: object, message: string): void
  warn (fields: object | string, message?: string): void
  error (fields: object, message: string): void
}

export interface LocalExchangeOptions {
  readonly engine: Config['engine']
  readonly journal: Config['journal']
  /** Market-data batching window (ms); 0 = once per event-loop turn. */
  readonly batchMs: number
  /** Unsent bytes past which a subscriber's public market data is merged (MarketDataHub). */
  readonly conflateBytes?: number
  /** Trades a behind subscriber is owed per symbol before a resync. */
  readonly tradeTail?: number
  /** The deepest GET /book (the deepest WebSocket book, so a client can line the two up); default 1000. */
  readonly maxBookLevels?: number
  /** The most resting orders an l3 snapshot lists (L3Feed). */
  readonly l3MaxOrders?: number
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
  readonly orderFeed: L3Feed
  readonly maxBookLevels: number
  readonly statsFeed: StatsFeed
  private readonly engine: MatchingEngine
  /** Public trades, candles and ticker buckets: in every snapshot, extended by the replay. */
  private readonly market = new MarketStats()
  private readonly clock: () => number
  private readonly persistence: Persistence | null
  private readonly gate: DurableGate
  private readonly identity: IdentityService
  private readonly entry: OrderEntry
  private readonly expiry: ExpiryTimer
  private readonly startedAt = Date.now()
  private readonly log: ExchangeLog

  constructor (options: LocalExchangeOptions) {
    this.log = options.log
    const clock = this.clock = options.clock ?? Date.now
    this.gate = new DurableGate({
      failed: () => this.persistence?.failed ?? null,
      durable: () => this.persistence === null ? resolved : this.persistence.durable()
    }, () => {
      this.marketData.fail()
      this.statsFeed.fail()
    })
    const hooks = {
      market: this.market,
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
          this.gate.refuseIfFailed()
        },
        io: options.journalIo,
        market: this.market,
        // Periodic snapshots are taken by a replica in a worker thread, built like this engine.
        replica: { engine: options.engine }
      }, (onCommand: (command: Command) => void) => configuredEngine(options.engine, { ...hooks, onCommand }))
      this.engine = this.persistence.engine
      for (const warning of this.persistence.recovery.warnings) options.log.warn(warning)
      options.log.info({ dataDir: options.journal.dataDir, fsync: options.journal.fsync, ...this.persistence.recovery, digest: stateDigest(this.engine) }, 'engine recovered')
    } else {
      this.persistence = null
      this.engine = configuredEngine(options.engine, hooks)
    }
    // The configured bands take effect as journaled commands (none when the state already has them).
    for (const symbol of options.engine.symbols) {
      const set = this.engine.setPriceBand(symbol.symbol, symbol.priceBand ?? null)
      /* c8 ignore next -- config.ts refuses a band that is not a fraction between 0 and 1 */
      if (!set.ok) throw new Error(`symbol ${symbol.symbol}: ${set.message}`)
    }
    this.expiry = new ExpiryTimer(
      { nextExpiry: () => this.engine.nextExpiry(), expire: (now) => { this.engine.expire(now) } },
      clock,
      () => this.gate.refuseIfFailed() === null,
      (error) => options.log.error({ err: error }, 'GTD expiry failed; tried again after the next command')
    )
    const afterCommand = () => this.expiry.arm()
    this.identity = new IdentityService(this.engine, this.gate, afterCommand, (error) => options.log.error({ err: error }, 'identity change listener failed'))
    this.entry = new OrderEntry({
      engine: this.engine,
      gate: this.gate,
      identity: this.identity,
      maxTradesInAnswer: options.maxTradesInAnswer,
      defaultStp: options.engine.defaultStp,
      afterCommand
    })
    // A window that could not be published is a bug; the other symbols and feeds still go out.
    const onPublishError = (error: unknown) => options.log.error({ err: error }, 'market data could not be published')
    this.marketData = new MarketDataHub(this.engine, {
      batchMs: options.batchMs,
      conflateBytes: options.conflateBytes,
      tradeTail: options.tradeTail,
      durable: () => this.gate.durable(),
      onPublishError
    })
    this.marketData.start()
    this.orderFeed = new L3Feed(this.engine, {
      maxOrders: options.l3MaxOrders,
      durable: () => this.gate.durable(),
      onPublishError,
      // Both feeds stop together: the gateway closes its sessions once, on the hub's failure.
      onFailure: this.marketData.fail.bind(this.marketData)
    })
    this.orderFeed.start()
    this.maxBookLevels = options.maxBookLevels ?? 1000
    this.statsFeed = new StatsFeed(this.engine, { stats: this.market, now: clock, durable: () => this.gate.durable() })
    this.statsFeed.start()
    // Orders that came due while the process was down expire at once.
    this.expiry.arm()
  }

  get symbols (): readonly string[] {
    return this.engine.symbols
  }

  observe (observer: OrderObserver): void {
    this.entry.observe(observer)
  }

  async placeOrder (caller: Caller, body: NewOrderBody): Promise<Outcome<OrderEntryAnswer>> {
    return await this.entry.placeOrder(caller, body)
  }

  async amendOrder (caller: Caller, body: AmendBody): Promise<Outcome<OrderEntryAnswer>> {
    return await this.entry.amendOrder(caller, body)
  }

  async placeOco (caller: Caller, body: OcoBody): Promise<Outcome<OcoAnswer>> {
    return await this.entry.placeOco(caller, body)
  }

  async cancelOrder (caller: Caller, body: CancelBody): Promise<Outcome<CancelAnswer>> {
    const failed = this.gate.refuseIfFailed()
    if (failed !== null) return failed
    const started = performance.now()
    const result = this.engine.cancel({ symbol: body.symbol, orderId: body.order_id, clientOrderId: body.client_order_id, accountId: caller.accountId })
    this.expiry.arm()
    if (!result.ok) return (await this.gate.whenDurable()) ?? refusal(result)
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
    const unavailable = await this.gate.whenDurable()
    if (unavailable !== null) return unavailable
    answer.processing_time_ms = roundToMicroseconds(performance.now() - started)
    return { ok: true, value: answer }
  }

  async cancelAll (caller: Caller, body: CancelAllBody): Promise<Outcome<CancelAllAnswer>> {
    const failed = this.gate.refuseIfFailed()
    if (failed !== null) return failed
    let side: Side | null = null
    if (body.side !== undefined) {
      side = body.side.toLowerCase() as Side
      if (!SIDES.includes(side)) return refuse(ErrorCode.VALIDATION_ERROR, `side must be one of ${SIDES.join(', ')}`)
    }
    return await this.gate.command(() => {
      const result = this.engine.cancelAll({ accountId: caller.accountId, symbol: body.symbol ?? null, side })
      this.expiry.arm()
      return result
    }, (cancelled): CancelAllAnswer => ({ success: true, cancelled: cancelled.length, order_ids: cancelled.map((order) => order.id) }))
  }

  async setTradingStatus (symbol: string, status: TradingStatusName): Promise<Outcome<TradingStatusResponse>> {
    return await this.gate.command(() => this.engine.setTradingStatus(symbol, status),
      (now) => ({ symbol: (this.engine.book(symbol) as OrderBook).symbol, trading_status: now }))
  }

  async findOrder (caller: Caller, ref: OrderRef): Promise<Outcome<OrderAnswer>> {
    const failed = this.gate.refuseIfFailed()
    if (failed !== null) return failed
    if (ref.symbol === undefined || ref.symbol === '') return refuse(ErrorCode.MISSING_SYMBOL, 'symbol query parameter is required')
    const result = this.engine.findOrder(ref.symbol, ref, caller.accountId)
    if (!result.ok) return refusal(result)
    return await this.gate.read({ ok: true, value: orderView(result.value, this.specOf(result.value.symbol)) })
  }

  /**
   * The book as market data published it, at its seq: never a state between two published windows,
   * so a client can line it up with the stream's deltas. It waits for what was executed before the
   * request to be published (a client sees its own acknowledged order).
   */
  async book (symbol: string, levels: number): Promise<Outcome<BookAnswer>> {
    const book = this.readableBook(symbol)
    if (!book.ok) return book
    const refused = await this.gate.whenDurable()
    if (refused !== null) return refused
    await this.marketData.settled()
    const failed = this.gate.refuseIfFailed()
    if (failed !== null) return failed
    const { seq, checksum, bids, asks } = this.marketData.book(book.value.symbol, levels)
    return { ok: true, value: { timestamp: toSeconds(Date.now()), symbol: book.value.symbol, seq, checksum, bids, asks } }
  }

  async bbo (symbol: string): Promise<Outcome<BboAnswer>> {
    const book = this.readableBook(symbol)
    if (!book.ok) return book
    return await this.gate.read({ ok: true, value: bboView(book.value, Date.now()) })
  }

  async symbolsInfo (): Promise<Outcome<SymbolsAnswer>> {
    const failed = this.gate.refuseIfFailed()
    if (failed !== null) return failed
    const now = Date.now()
    const symbolInfo: SymbolsAnswer['symbol_info'] = {}
    for (const book of this.engine.allBooks()) {
      symbolInfo[book.symbol] = {
        bbo: bboView(book, now),
        active_orders: book.restingCount,
        total_trades: book.stats.totalTrades,
        ...symbolFiltersView(book.spec),
        trading_status: book.tradingStatus,
        price_band: bandText(book.priceBand)
      }
    }
    const symbols = this.engine.symbols
    return await this.gate.read({ ok: true, value: { symbols, symbol_info: symbolInfo, count: symbols.length } })
  }

  async symbolStatistics (symbol: string): Promise<Outcome<SymbolStatisticsAnswer>> {
    const book = this.readableBook(symbol)
    if (!book.ok) return book
    return await this.gate.read({ ok: true, value: symbolStatsView(book.value) })
  }

  async statistics (): Promise<Outcome<ExchangeStatistics>> {
    const failed = this.gate.refuseIfFailed()
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
    const latency = this.entry.latency.summary()
    return await this.gate.read({
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

  async recentTrades (symbol: string, limit: number): Promise<Outcome<TradesAnswer>> {
    const book = this.readableBook(symbol)
    if (!book.ok) return book
    const { symbol: name, spec } = book.value
    return await this.gate.read({ ok: true, value: { symbol: name, trades: tapeView(this.statsOf(name), spec, this.engine, limit) } })
  }

  async ticker (symbol: string): Promise<Outcome<TickerAnswer>> {
    const book = this.readableBook(symbol)
    if (!book.ok) return book
    return await this.gate.read({ ok: true, value: tickerView(this.statsOf(book.value.symbol), book.value, this.clock()) })
  }

  async tickers (): Promise<Outcome<TickersAnswer>> {
    const failed = this.gate.refuseIfFailed()
    if (failed !== null) return failed
    const now = this.clock()
    const tickers = Array.from(this.engine.allBooks(), (book) => tickerView(this.statsOf(book.symbol), book, now))
    return await this.gate.read({ ok: true, value: { tickers } })
  }

  async candles (symbol: string, request: CandlesRequest): Promise<Outcome<CandlesAnswer>> {
    const book = this.readableBook(symbol)
    if (!book.ok) return book
    const { symbol: name, spec } = book.value
    const { interval, start, end, limit } = request
    const candles = this.statsOf(name).candles[interval].range(start, end, limit).map((candle) => candleView(candle, INTERVAL_MS[interval], spec))
    return await this.gate.read({ ok: true, value: { symbol: name, interval, candles } })
  }

  async listOrders (caller: Caller, query: OrdersRequest): Promise<Outcome<OrdersAnswer>> {
    const scope = this.listScope(query.symbol, query.cursor)
    if (!scope.ok) return scope
    const { symbol, before } = scope.value
    const limit = query.limit
    const page = query.status === 'closed'
      ? this.engine.closedOrders(caller.accountId, symbol, limit, before)
      : this.engine.openOrders(caller.accountId, symbol, limit, before)
    const orders = page.items.map((order) => orderView(order, this.specOf(order.symbol)))
    return await this.gate.read({ ok: true, value: { orders, next_cursor: cursorText(page.next) } })
  }

  async listFills (caller: Caller, query: PageRequest): Promise<Outcome<FillsAnswer>> {
    const scope = this.listScope(query.symbol, query.cursor)
    if (!scope.ok) return scope
    const page = this.engine.fillsOf(caller.accountId, scope.value.symbol, query.limit, scope.value.before)
    const fills = page.items.map(({ trade, role }) => fillView(trade, role, this.specOf(trade.symbol), this.engine))
    return await this.gate.read({ ok: true, value: { fills, next_cursor: cursorText(page.next) } })
  }

  async createAccount (accountId: string): Promise<Outcome<AccountView>> {
    return await this.identity.createAccount(accountId)
  }

  async setAccountStatus (accountId: string, status: 'active' | 'disabled'): Promise<Outcome<AccountStatusChanged>> {
    return await this.identity.setAccountStatus(accountId, status)
  }

  async account (accountId: string): Promise<Outcome<AccountView>> {
    return await this.identity.account(accountId)
  }

  async accounts (limit: number, cursor: string | undefined): Promise<Outcome<AccountsPage>> {
    return await this.identity.accounts(limit, cursor)
  }

  async createApiKey (accountId: string, keyId: string, permissions: readonly Permission[], fingerprint: string): Promise<Outcome<ApiKeyView>> {
    return await this.identity.createApiKey(accountId, keyId, permissions, fingerprint)
  }

  async revokeApiKey (keyId: string): Promise<Outcome<ApiKeyView>> {
    return await this.identity.revokeApiKey(keyId)
  }

  apiKey (keyId: string): ApiKeyRecord | null {
    return this.identity.apiKey(keyId)
  }

  apiKeys (): Iterable<ApiKeyRecord> {
    return this.identity.apiKeys()
  }

  onIdentityChange (listener: (change: IdentityChange) => void): void {
    this.identity.onIdentityChange(listener)
  }

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
    this.expiry.close()
    this.marketData.stop()
    this.orderFeed.stop()
    this.statsFeed.stop()
    if (this.persistence !== null) await this.persistence.close()
    this.log.info({ sequence: this.engine.sequence, digest: stateDigest(this.engine) }, 'engine stopped')
  }

  /** The engine itself, for tests and in-process tools (benchmarks, invariant checks); adapters never use it. */
  get engineForTests (): MatchingEngine {
    return this.engine
  }

  /** The symbol (normalised) and cursor of a list request, or why they are refused. */
  private listScope (symbol: string | undefined, cursor: string | undefined): Outcome<{ symbol: string | null, before: number | null }> {
    const failed = this.gate.refuseIfFailed()
    if (failed !== null) return failed
    const book = symbol === undefined ? null : this.readableBook(symbol)
    if (book !== null && !book.ok) return book
    const before = cursor === undefined ? null : parseCursor(cursor)
    if (before === null && cursor !== undefined) return refuse(ErrorCode.INVALID_PARAMETER, 'cursor must be a next_cursor from an earlier page')
    return { ok: true, value: { symbol: book?.value.symbol ?? null, before } }
  }

  private statsOf (symbol: string): SymbolStats {
    return this.market.of(symbol) as SymbolStats
  }

  private specOf (symbol: string): SymbolSpec {
    return (this.engine.book(symbol) as OrderBook).spec
  }

  private uptimeSeconds (): number {
    return (Date.now() - this.startedAt) / 1000
  }

  private readableBook (symbol: string): Outcome<OrderBook> {
    const failed = this.gate.refuseIfFailed()
    if (failed !== null) return failed
    const book = this.engine.book(symbol)
    if (book === undefined) return refuse(ErrorCode.SYMBOL_NOT_FOUND, `symbol ${symbol} is not traded here; traded symbols: ${this.engine.symbols.join(', ')}`)
    return { ok: true, value: book }
  }
}
