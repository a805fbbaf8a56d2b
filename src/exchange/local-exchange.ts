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
import {
  MatchingEngine, SIDES, StpMode, stateDigest, type Account, type ApiKey, type Command, type OrderBook, type OrderOutcome, type Permission,
  type Rejection, type Result, type Side, type SymbolSpec
} from '../engine/index.js'
import { Persistence } from '../journal/persistence.js'
import type { WriterIo } from '../journal/journal-writer.js'
import { MarketDataHub } from '../gateway/market-data-hub.js'
import { bboView, depthView, symbolFiltersView, symbolStatsView, volumeText } from '../wire/market-views.js'
import { fillView, orderView, tradeAmounts, tradeView } from '../wire/order-views.js'
import { accountView, keyView } from '../wire/identity-views.js'
import { toSeconds } from '../wire/time.js'
import { ErrorCode } from '../../schemas/errors.js'
import type { CancelBody, NewOrderBody } from '../../schemas/order.js'
import type { AccountStatusChanged, AccountView, AccountsPage, ApiKeyView } from '../../schemas/identity.js'
import type { CancelAllBody } from '../../schemas/private.js'
import type { Config } from '../config.js'
import { LatencyRecorder } from './latency-recorder.js'
import type {
  ApiKeyRecord, BboAnswer, BookAnswer, CancelAllAnswer, CancelAnswer, Caller, Exchange, FillsAnswer, IdentityChange, OrdersAnswer, ExchangeHealth, ExchangeStatistics, NewOrderAnswer, OrderAnswer,
  OrderObserver, OrderRef, OrdersRequest, Outcome, PageRequest, Refusal, SymbolStatisticsAnswer, SymbolsAnswer
} from './exchange.js'
import { ANONYMOUS_ACCOUNT } from './exchange.js'

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
  private readonly defaultStp: StpMode
  private readonly identityListeners: Array<(change: IdentityChange) => void> = []

  constructor (options: LocalExchangeOptions) {
    this.log = options.log
    this.maxTradesInAnswer = options.maxTradesInAnswer
    this.defaultStp = options.engine.defaultStp
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

  async placeOrder (caller: Caller, body: NewOrderBody): Promise<Outcome<NewOrderAnswer>> {
    const failed = this.refuseIfFailed() ?? this.refuseIfDisabled(caller)
    if (failed !== null) return failed
    const started = performance.now()
    const result = this.engine.submit({
      symbol: body.symbol,
      side: body.side,
      orderType: body.order_type,
      quantity: body.quantity,
      price: body.price,
      clientOrderId: body.client_order_id,
      accountId: caller.accountId,
      // The anonymous account of AUTH=off is everyone: preventing its "self-trades" would stop all trading.
      stp: body.stp ?? (caller.accountId === ANONYMOUS_ACCOUNT ? StpMode.NONE : this.defaultStp)
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

  async cancelOrder (caller: Caller, body: CancelBody): Promise<Outcome<CancelAnswer>> {
    const failed = this.refuseIfFailed()
    if (failed !== null) return failed
    const started = performance.now()
    const result = this.engine.cancel({ symbol: body.symbol, orderId: body.order_id, clientOrderId: body.client_order_id, accountId: caller.accountId })
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

  async findOrder (caller: Caller, ref: OrderRef): Promise<Outcome<OrderAnswer>> {
    const failed = this.refuseIfFailed()
    if (failed !== null) return failed
    if (ref.symbol === undefined || ref.symbol === '') return refuse(ErrorCode.MISSING_SYMBOL, 'symbol query parameter is required')
    const result = this.engine.findOrder(ref.symbol, ref, caller.accountId)
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
        active_orders: book.openCount,
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

  async listOrders (caller: Caller, query: OrdersRequest): Promise<Outcome<OrdersAnswer>> {
    const scope = this.listScope(query.symbol, query.cursor)
    if (!scope.ok) return scope
    const { symbol, before } = scope.value
    const limit = query.limit
    const page = query.status === 'closed'
      ? this.engine.closedOrders(caller.accountId, symbol, limit, before)
      : this.engine.openOrders(caller.accountId, symbol, limit, before)
    const orders = page.items.map((order) => orderView(order, this.specOf(order.symbol)))
    return await this.durableRead({ ok: true, value: { orders, next_cursor: cursorText(page.next) } })
  }

  async listFills (caller: Caller, query: PageRequest): Promise<Outcome<FillsAnswer>> {
    const scope = this.listScope(query.symbol, query.cursor)
    if (!scope.ok) return scope
    const page = this.engine.fillsOf(caller.accountId, scope.value.symbol, query.limit, scope.value.before)
    const fills = page.items.map(({ trade, role }) => fillView(trade, role, this.specOf(trade.symbol), this.engine))
    return await this.durableRead({ ok: true, value: { fills, next_cursor: cursorText(page.next) } })
  }

  async cancelAll (caller: Caller, body: CancelAllBody): Promise<Outcome<CancelAllAnswer>> {
    const failed = this.refuseIfFailed()
    if (failed !== null) return failed
    let side: Side | null = null
    if (body.side !== undefined) {
      side = body.side.toLowerCase() as Side
      if (!SIDES.includes(side)) return refuse(ErrorCode.VALIDATION_ERROR, `side must be one of ${SIDES.join(', ')}`)
    }
    const result = this.engine.cancelAll({ accountId: caller.accountId, symbol: body.symbol ?? null, side })
    if (!result.ok) return (await this.whenDurable()) ?? refusal(result)
    const answer: CancelAllAnswer = { success: true, cancelled: result.value.length, order_ids: result.value.map((order) => order.id) }
    return (await this.whenDurable()) ?? { ok: true, value: answer }
  }

  async createAccount (accountId: string): Promise<Outcome<AccountView>> {
    return await this.identityCommand(() => this.engine.createAccount(accountId), (account) => this.accountView(account))
  }

  async setAccountStatus (accountId: string, status: 'active' | 'disabled'): Promise<Outcome<AccountStatusChanged>> {
    const outcome = await this.identityCommand(() => this.engine.setAccountStatus(accountId, status),
      (cancelled) => ({ ...this.accountView(this.engine.accounts.get(accountId) as Account), cancelled_orders: cancelled.length }))
    if (outcome.ok && status === 'disabled') this.tellIdentityChange({ kind: 'account_disabled', accountId })
    return outcome
  }

  async account (accountId: string): Promise<Outcome<AccountView>> {
    const failed = this.refuseIfFailed()
    if (failed !== null) return failed
    const account = this.engine.accounts.get(accountId)
    if (account === undefined) return refuse(ErrorCode.ACCOUNT_NOT_FOUND, `no account ${accountId}`)
    return await this.durableRead({ ok: true, value: this.accountView(account) })
  }

  async accounts (limit: number, cursor: string | undefined): Promise<Outcome<AccountsPage>> {
    const failed = this.refuseIfFailed()
    if (failed !== null) return failed
    const from = cursor === undefined ? 0 : parseCursor(cursor)
    if (from === null) return refuse(ErrorCode.INVALID_PARAMETER, 'cursor must be a next_cursor from an earlier page')
    const accounts: AccountView[] = []
    let index = 0
    for (const account of this.engine.accounts.values()) {
      if (index++ < from) continue
      if (accounts.length === limit) return await this.durableRead({ ok: true, value: { accounts, next_cursor: String(index - 1) } })
      accounts.push(this.accountView(account))
    }
    return await this.durableRead({ ok: true, value: { accounts, next_cursor: null } })
  }

  async createApiKey (accountId: string, keyId: string, permissions: readonly Permission[], fingerprint: string): Promise<Outcome<ApiKeyView>> {
    return await this.identityCommand(() => this.engine.createKey(accountId, keyId, permissions, fingerprint), keyView)
  }

  async revokeApiKey (keyId: string): Promise<Outcome<ApiKeyView>> {
    const outcome = await this.identityCommand(() => this.engine.revokeKey(keyId), keyView)
    if (outcome.ok) this.tellIdentityChange({ kind: 'key_revoked', keyId, accountId: outcome.value.account_id })
    return outcome
  }

  apiKey (keyId: string): ApiKeyRecord | null {
    const key = this.engine.accounts.key(keyId)
    return key === undefined ? null : this.keyRecord(key)
  }

  * apiKeys (): Iterable<ApiKeyRecord> {
    for (const key of this.engine.accounts.allKeys()) yield this.keyRecord(key)
  }

  onIdentityChange (listener: (change: IdentityChange) => void): void {
    this.identityListeners.push(listener)
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
    this.marketData.stop()
    if (this.persistence !== null) await this.persistence.close()
    this.log.info({ sequence: this.engine.sequence, digest: stateDigest(this.engine) }, 'engine stopped')
  }

  /** The engine itself, for tests and in-process tools (benchmarks, invariant checks); adapters never use it. */
  get engineForTests (): MatchingEngine {
    return this.engine
  }

  /** Runs an identity command and answers once it is durable, like an order. */
  private async identityCommand<T, A> (run: () => Result<T>, view: (value: T) => A): Promise<Outcome<A>> {
    const failed = this.refuseIfFailed()
    if (failed !== null) return failed
    const result = run()
    if (!result.ok) return (await this.whenDurable()) ?? refusal(result)
    const answer = view(result.value)
    return (await this.whenDurable()) ?? { ok: true, value: answer }
  }

  private tellIdentityChange (change: IdentityChange): void {
    for (const listener of this.identityListeners) {
      try {
        listener(change)
      } catch (error) {
        this.log.error({ err: error }, 'identity change listener failed')
      }
    }
  }

  /** Orders of a disabled account are refused even if a key of it got this far. */
  private refuseIfDisabled (caller: Caller): Refusal | null {
    const account = this.engine.accounts.get(caller.accountId)
    return account === undefined || account.isActive ? null : refuse(ErrorCode.ACCOUNT_DISABLED, `account ${caller.accountId} is disabled`)
  }

  private accountView (account: Account): AccountView {
    return accountView(account, this.engine.accounts.openCount(account.id))
  }

  private keyRecord (key: ApiKey): ApiKeyRecord {
    const account = this.engine.accounts.get(key.accountId) as Account
    return { keyId: key.keyId, accountId: key.accountId, permissions: key.permissions, active: !key.revoked, accountActive: account.isActive, fingerprint: key.fingerprint }
  }

  /** The symbol (normalised) and cursor of a list request, or why they are refused. */
  private listScope (symbol: string | undefined, cursor: string | undefined): Outcome<{ symbol: string | null, before: number | null }> {
    const failed = this.refuseIfFailed()
    if (failed !== null) return failed
    const book = symbol === undefined ? null : this.readableBook(symbol)
    if (book !== null && !book.ok) return book
    const before = cursor === undefined ? null : parseCursor(cursor)
    if (before === null && cursor !== undefined) return refuse(ErrorCode.INVALID_PARAMETER, 'cursor must be a next_cursor from an earlier page')
    return { ok: true, value: { symbol: book?.value.symbol ?? null, before } }
  }

  private specOf (symbol: string): SymbolSpec {
    return (this.engine.book(symbol) as OrderBook).spec
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
      trades: listed.map((trade) => {
        const view = tradeView(trade, book.spec, this.engine)
        // The counterparty's order id would let a taker follow another account's resting order.
        if (trade.makerAccountId !== order.accountId) view.maker_order_id = null
        return view
      }),
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

/** Cursors are the engine's positions as decimal digits; anything else is not one we gave out. */
function parseCursor (text: string): number | null {
  return /^[0-9]{1,15}$/.test(text) ? Number(text) : null
}

function cursorText (next: number | null): string | null {
  return next === null ? null : String(next)
}

function journalUnavailable (): Refusal {
  return refuse(ErrorCode.JOURNAL_UNAVAILABLE, 'the journal cannot write; nothing is answered from this process until it restarts from its files')
}

/** Answers report milliseconds to the microsecond: finer digits are noise. */
function roundToMicroseconds (ms: number): number {
  return Math.round(ms * 1000) / 1000
}
