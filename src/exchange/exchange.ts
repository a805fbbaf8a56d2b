/**
 * The application service: what every adapter (REST routes, the WebSocket
 * gateway, a future trading API or a remote gateway) asks of the exchange.
 * One object per process owns the engine, the journal, the market-data hub
 * and the statistics; it takes schema-validated requests and answers with
 * values typed from schemas/. Nothing here knows Fastify or HTTP: an
 * expected refusal is an Outcome with a stable error code, which an adapter
 * maps to its transport (one table in plugins/http-errors.ts for HTTP).
 *
 * Every method returns a promise, reads included, so that an implementation
 * that forwards to an engine in another process fits the same interface.
 */
import type { Static } from '@sinclair/typebox'
import type { ErrorCode } from '../../schemas/errors.js'
import type {
  AmendBody, CancelBody, CancelResponse, NewOrderAckResponse, NewOrderBody, NewOrderResponse, NewOrderResultResponse, OcoBody, OcoResponse, OrderStatusResponse, ResponseType
} from '../../schemas/order.js'
import type { BboResponse, BookResponse, EngineStatistics, SymbolStatistics, SymbolsResponse, TradingStatusName, TradingStatusResponse } from '../../schemas/market.js'
import type { MarketDataHub } from '../gateway/market-data-hub.js'
import type { L3Feed } from '../gateway/l3-feed.js'
import type { StatsFeed } from '../gateway/stats-feed.js'
import type { CandleInterval } from '../market/candle-series.js'
import type { CandlesResponse, TickersResponse, TickerView, TradesResponse } from '../../schemas/stats.js'
import type { AccountStatusChanged, AccountView, AccountsPage, ApiKeyView, Permission } from '../../schemas/identity.js'
import type { CancelAllBody, CancelAllResponse, FillsPage, OrdersPage } from '../../schemas/private.js'

export type Refusal = { readonly ok: false, readonly code: ErrorCode, readonly message: string }
export type Outcome<T> = { readonly ok: true, readonly value: T } | Refusal

export type NewOrderAnswer = Static<typeof NewOrderResponse>
export type NewOrderResultAnswer = Static<typeof NewOrderResultResponse>
export type NewOrderAckAnswer = Static<typeof NewOrderAckResponse>
/** An order-entry answer in the shape its request's response_type asked for. */
export type OrderEntryAnswer = NewOrderAnswer | NewOrderResultAnswer | NewOrderAckAnswer

/** What an order-entry request asks of its answer: its response_type (full by default) and whether to add the bbo. */
export interface AnswerShape {
  readonly type: ResponseType
  readonly bbo: boolean
}

export function answerShapeOf (body: { readonly response_type?: ResponseType, readonly include_bbo?: boolean }): AnswerShape {
  const type = body.response_type ?? 'full'
  return { type, bbo: body.include_bbo ?? type === 'full' }
}
export type OcoAnswer = Static<typeof OcoResponse>
export type CancelAnswer = Static<typeof CancelResponse>
export type OrderAnswer = Static<typeof OrderStatusResponse>
export type BookAnswer = Static<typeof BookResponse>
export type BboAnswer = Static<typeof BboResponse>
export type SymbolsAnswer = Static<typeof SymbolsResponse>
export type SymbolStatisticsAnswer = Static<typeof SymbolStatistics>
/** The exchange's part of /statistics; the adapters add their own figures (gateway, error counts). */
export type ExchangeStatistics = Omit<Static<typeof EngineStatistics>, 'gateway' | 'error_counts'>

/**
 * Who is asking: the account a verified API key (or, with AUTH=off, the
 * anonymous account) speaks for. Every private call takes one; an order of
 * another account is answered exactly like an unknown one.
 */
export interface Caller {
  readonly accountId: string
}

/** The account every order belongs to when AUTH=off (the seed's anonymous behaviour). */
export const ANONYMOUS_ACCOUNT = 'anonymous'

/** What the auth layer needs to know of a key to verify a request (never its secret). */
export interface ApiKeyRecord {
  readonly keyId: string
  readonly accountId: string
  readonly permissions: readonly Permission[]
  /** False once revoked. */
  readonly active: boolean
  /** False while its account is disabled. */
  readonly accountActive: boolean
  /** HMAC(secret, "fingerprint"), first 16 hex digits: tells whether the master secret still derives this key's secret. */
  readonly fingerprint: string
}

/** Keys and accounts that stopped being usable: open sessions signed in with them must end. */
export type IdentityChange =
  | { readonly kind: 'key_revoked', readonly keyId: string, readonly accountId: string }
  | { readonly kind: 'account_disabled', readonly accountId: string }

/** A page request: at most `limit` items, older than `cursor` (a next_cursor of an earlier page). */
export interface PageRequest {
  readonly symbol?: string
  readonly limit: number
  readonly cursor?: string
}
export interface OrdersRequest extends PageRequest {
  readonly status: 'open' | 'closed'
}

export type OrdersAnswer = OrdersPage
export type FillsAnswer = FillsPage
export type CancelAllAnswer = CancelAllResponse

export type TradesAnswer = Static<typeof TradesResponse>
export type TickerAnswer = TickerView
export type TickersAnswer = Static<typeof TickersResponse>
export type CandlesAnswer = Static<typeof CandlesResponse>
/** Candles opening in [start, end] (epoch ms, inclusive): the newest `limit` of them. */
export interface CandlesRequest {
  readonly interval: CandleInterval
  readonly start: number
  readonly end: number
  readonly limit: number
}

/** Which order a request names: by the engine's id or by the client's. */
export interface OrderRef {
  readonly symbol?: string
  readonly orderId?: string | null
  readonly clientOrderId?: string | null
}

/** What an orchestrator needs to know: is this process still worth sending work to? */
export interface ExchangeHealth {
  readonly healthy: boolean
  /** Why not, when not healthy. */
  readonly reason: string | null
  readonly uptimeSeconds: number
}

/** Told of every accepted order (metrics): figures only the exchange has, such as time inside the engine. */
export interface OrderObserver {
  orderAccepted (symbol: string, orderType: string, status: string, trades: number, matchingSeconds: number): void
}

export interface Exchange {
  readonly symbols: readonly string[]
  /** Market-data fan-out: the gateway subscribes its sessions here. */
  readonly marketData: MarketDataHub
  /** The l3 feed: every resting order's add, change and delete. */
  readonly orderFeed: L3Feed
  /** The most levels per side GET /book shows. */
  readonly maxBookLevels: number
  /** The ticker and candles channels: the gateway subscribes its sessions here. */
  readonly statsFeed: StatsFeed
  /** Answers in the shape body.response_type asks for (answerShapeOf). */
  placeOrder (caller: Caller, body: NewOrderBody): Promise<Outcome<OrderEntryAnswer>>
  /** Changes an open order of the caller's (quantity, price, stop price); answered like placeOrder, with the order after the amend and its trades. */
  amendOrder (caller: Caller, body: AmendBody): Promise<Outcome<OrderEntryAnswer>>
  /** Places an OCO list: a limit order and a stop order, each cancelling the other when it trades, triggers or ends. */
  placeOco (caller: Caller, body: OcoBody): Promise<Outcome<OcoAnswer>>
  cancelOrder (caller: Caller, body: CancelBody): Promise<Outcome<CancelAnswer>>
  findOrder (caller: Caller, ref: OrderRef): Promise<Outcome<OrderAnswer>>
  /** The caller's orders, newest first: open ones (status open) or its terminal ones still in the history (closed). */
  listOrders (caller: Caller, query: OrdersRequest): Promise<Outcome<OrdersAnswer>>
  /** The caller's fills still in the fill history, newest first. */
  listFills (caller: Caller, query: PageRequest): Promise<Outcome<FillsAnswer>>
  /** Cancels the caller's open orders (of one symbol and/or side if given) in one command. */
  cancelAll (caller: Caller, body: CancelAllBody): Promise<Outcome<CancelAllAnswer>>

  // Identity (admin API). Journaled commands like orders: durable before they answer.
  createAccount (accountId: string): Promise<Outcome<AccountView>>
  /** Disabling cancels the account's open orders and refuses its keys at once; enabling lets them work again. */
  setAccountStatus (accountId: string, status: 'active' | 'disabled'): Promise<Outcome<AccountStatusChanged>>
  account (accountId: string): Promise<Outcome<AccountView>>
  accounts (limit: number, cursor: string | undefined): Promise<Outcome<AccountsPage>>
  /** Records a key whose id the caller chose and whose secret it derived; the exchange never sees secrets. */
  createApiKey (accountId: string, keyId: string, permissions: readonly Permission[], fingerprint: string): Promise<Outcome<ApiKeyView>>
  revokeApiKey (keyId: string): Promise<Outcome<ApiKeyView>>
  /** The key as the state holds it now, for request verification; null if unknown. Synchronous: it runs on every signed request. */
  apiKey (keyId: string): ApiKeyRecord | null
  /** Every key the state holds (start-up checks of fingerprints). */
  apiKeys (): Iterable<ApiKeyRecord>
  /** Told when a key is revoked or an account disabled, after the change is durable. */
  onIdentityChange (listener: (change: IdentityChange) => void): void
  /** Switches a symbol between trading, halted and cancel_only (admin API; journaled, durable before it answers). */
  setTradingStatus (symbol: string, status: TradingStatusName): Promise<Outcome<TradingStatusResponse>>
  book (symbol: string, levels: number): Promise<Outcome<BookAnswer>>
  bbo (symbol: string): Promise<Outcome<BboAnswer>>
  symbolsInfo (): Promise<Outcome<SymbolsAnswer>>
  symbolStatistics (symbol: string): Promise<Outcome<SymbolStatisticsAnswer>>
  statistics (): Promise<Outcome<ExchangeStatistics>>
  /** The symbol's last `limit` public trades, newest first. */
  recentTrades (symbol: string, limit: number): Promise<Outcome<TradesAnswer>>
  /** Last price, best bid and ask, and the rolling 24 hours. */
  ticker (symbol: string): Promise<Outcome<TickerAnswer>>
  tickers (): Promise<Outcome<TickersAnswer>>
  candles (symbol: string, request: CandlesRequest): Promise<Outcome<CandlesAnswer>>
  health (): ExchangeHealth
  observe (observer: OrderObserver): void
  /** Takes a snapshot now (no-op without a journal). */
  snapshot (): Promise<{ seq: number } | null>
  /** Flushes and closes everything it owns; the last call on it. */
  close (): Promise<void>
}
