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
import type { CancelBody, CancelResponse, NewOrderBody, NewOrderResponse, OrderStatusResponse } from '../../schemas/order.js'
import type { BboResponse, BookResponse, EngineStatistics, SymbolStatistics, SymbolsResponse } from '../../schemas/market.js'
import type { MarketDataHub } from '../gateway/market-data-hub.js'

export type Refusal = { readonly ok: false, readonly code: ErrorCode, readonly message: string }
export type Outcome<T> = { readonly ok: true, readonly value: T } | Refusal

export type NewOrderAnswer = Static<typeof NewOrderResponse>
export type CancelAnswer = Static<typeof CancelResponse>
export type OrderAnswer = Static<typeof OrderStatusResponse>
export type BookAnswer = Static<typeof BookResponse>
export type BboAnswer = Static<typeof BboResponse>
export type SymbolsAnswer = Static<typeof SymbolsResponse>
export type SymbolStatisticsAnswer = Static<typeof SymbolStatistics>
/** The exchange's part of /statistics; the adapters add their own figures (gateway, error counts). */
export type ExchangeStatistics = Omit<Static<typeof EngineStatistics>, 'gateway' | 'error_counts'>

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
  placeOrder (body: NewOrderBody): Promise<Outcome<NewOrderAnswer>>
  cancelOrder (body: CancelBody): Promise<Outcome<CancelAnswer>>
  findOrder (ref: OrderRef): Promise<Outcome<OrderAnswer>>
  book (symbol: string, levels: number): Promise<Outcome<BookAnswer>>
  bbo (symbol: string): Promise<Outcome<BboAnswer>>
  symbolsInfo (): Promise<Outcome<SymbolsAnswer>>
  symbolStatistics (symbol: string): Promise<Outcome<SymbolStatisticsAnswer>>
  statistics (): Promise<Outcome<ExchangeStatistics>>
  health (): ExchangeHealth
  observe (observer: OrderObserver): void
  /** Takes a snapshot now (no-op without a journal). */
  snapshot (): Promise<{ seq: number } | null>
  /** Flushes and closes everything it owns; the last call on it. */
  close (): Promise<void>
}
