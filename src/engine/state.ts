/**
 * The engine's full state as plain data (for snapshots) and back, plus a
 * digest of books and open orders so two runs can be compared cheaply.
 * Resting orders are listed best level first and in queue order inside a
 * level, so a restore rebuilds exactly the same time priority. Untriggered
 * stops are listed per book by order number.
 */
import { createHash } from 'node:crypto'
import type { MatchingEngine } from './engine.js'
import { bandText } from './engine-core.js'
import { priceBandOf } from './symbols.js'
import { ANONYMOUS, Order, OrderType, StpMode, TradingStatus, type CancelReason, type OrderStatus, type Side } from './order.js'
import { Account, type AccountStatus, type ApiKey, type Permission } from './accounts.js'
import { Trade } from './trade.js'
import { orderSeqOf } from './open-orders.js'
import { applyOptions, optionsOf, type OrderOptions } from './order-options.js'

export type { OrderOptions } from './order-options.js'

/**
 * [id, side, type, priceTicks, quantityLots, filledLots, status, clientOrderId, timestamp, cancelReason, accountId, stp, options]
 * Version 1 snapshots end at timestamp or cancelReason (left out when null): their orders are the
 * anonymous account's, without self-trade prevention. options (version 3) is left out when every
 * one of its fields has its default.
 */
export type OrderTuple = [string, Side, OrderType, number | null, number, number, OrderStatus, string | null, number, (CancelReason | null)?, string?, StpMode?, OrderOptions?]

/** [accountId, status, createdAt] */
export type AccountTuple = [string, AccountStatus, number]
/** [keyId, accountId, permissions, fingerprint, createdAt, revoked] (a fingerprint, never a secret) */
export type KeyTuple = [string, string, Permission[], string, number, boolean]
/** [symbol, tradeId, priceTicks, quantityLots, aggressorSide, makerOrderId, takerOrderId, makerAccountId, takerAccountId, makerClientOrderId, takerClientOrderId, timestamp] */
export type TradeTuple = [string, string, number, number, Side, string, string, string, string, string | null, string | null, number]

export interface BookState {
  symbol: string
  /** The filters the integer units were counted in: restoring under other ones would misprice every order. */
  tickSize: string
  lotSize: string
  nextTradeSeq: number
  totalOrders: number
  totalTrades: number
  volumeLots: string
  lastTradePriceTicks: number | null
  lastTradeTime: number | null
  /** Resting orders, bids then asks, best level first, queue order within a level. */
  resting: OrderTuple[]
  /** Version 3: untriggered stops by order number (absent before: none). */
  stops?: OrderTuple[]
  /** Version 3 (absent before: trading). */
  tradingStatus?: TradingStatus
  /** Version 3: the price band in force, a decimal fraction (absent or null: none). */
  priceBand?: string | null
}

export interface EngineState {
  /** 3 since issue 12's order types (stops, order options, trading status), 2 since accounts; 1 and 2 are still read. */
  version: 1 | 2 | 3
  sequence: number
  nextOrderSeq: number
  books: BookState[]
  /** Terminal orders, oldest first, with their symbol. */
  history: Array<[string, ...OrderTuple]>
  /** Version 2: accounts in creation order, their keys in creation order, and the fill history, oldest first. */
  accounts?: AccountTuple[]
  keys?: KeyTuple[]
  fills?: TradeTuple[]
}

export const STATE_VERSION = 3
/** The snapshot formats importState reads. */
export const READABLE_STATE_VERSIONS: readonly number[] = [1, 2, STATE_VERSION]

export function exportState (engine: MatchingEngine): EngineState {
  const books: BookState[] = []
  for (const book of engine.allBooks()) {
    const resting: OrderTuple[] = []
    for (const side of [book.bids, book.asks]) {
      for (const level of side.bestFirst()) {
        for (let order = level.head; order !== null; order = order.next) resting.push(tupleOf(order))
      }
    }
    const stops: OrderTuple[] = []
    for (const order of book.stopOrders()) stops.push(tupleOf(order))
    const { stats } = book
    books.push({
      symbol: book.symbol,
      tickSize: book.spec.tick.text,
      lotSize: book.spec.lot.text,
      nextTradeSeq: book.nextTradeSeq,
      totalOrders: stats.totalOrders,
      totalTrades: stats.totalTrades,
      volumeLots: stats.volumeLots.total.toString(),
      lastTradePriceTicks: stats.lastTradePriceTicks,
      lastTradeTime: stats.lastTradeTime,
      resting,
      stops,
      tradingStatus: book.tradingStatus,
      priceBand: bandText(book.priceBand)
    })
  }
  const history: EngineState['history'] = []
  for (const order of engine.history.values()) history.push([order.symbol, ...tupleOf(order)])
  const accounts: AccountTuple[] = []
  const keys: KeyTuple[] = []
  for (const account of engine.accounts.values()) {
    accounts.push([account.id, account.status, account.createdAt])
    for (const key of account.keys) keys.push([key.keyId, key.accountId, [...key.permissions], key.fingerprint, key.createdAt, key.revoked])
  }
  const fills: TradeTuple[] = []
  for (const t of engine.fills.values()) {
    fills.push([t.symbol, t.tradeId, t.priceTicks, t.quantityLots, t.aggressorSide, t.makerOrderId, t.takerOrderId,
      t.makerAccountId, t.takerAccountId, t.makerClientOrderId, t.takerClientOrderId, t.timestamp])
  }
  return { version: STATE_VERSION, sequence: engine.sequence, nextOrderSeq: engine.nextOrderSeq, books, history, accounts, keys, fills }
}

/** Loads a state into a freshly built engine with the same symbols. */
export function importState (engine: MatchingEngine, state: EngineState): void {
  if (!READABLE_STATE_VERSIONS.includes(state.version)) throw new Error(`unsupported snapshot version ${String(state.version)}`)
  if (engine.sequence !== 0) throw new Error('state can only be loaded into a fresh engine')
  const open: Order[] = []
  for (const saved of state.books) {
    const book = engine.book(saved.symbol)
    if (book === undefined) throw new Error(`snapshot holds symbol ${saved.symbol}, which is not configured`)
    if (saved.tickSize !== book.spec.tick.text || saved.lotSize !== book.spec.lot.text) {
      throw new Error(`snapshot counts ${saved.symbol} in tick ${saved.tickSize} / lot ${saved.lotSize}, but it is now configured with tick ${book.spec.tick.text} / lot ${book.spec.lot.text}`)
    }
    book.nextTradeSeq = saved.nextTradeSeq
    book.stats.totalOrders = saved.totalOrders
    book.stats.totalTrades = saved.totalTrades
    book.stats.volumeLots.total = BigInt(saved.volumeLots)
    book.stats.lastTradePriceTicks = saved.lastTradePriceTicks
    book.stats.lastTradeTime = saved.lastTradeTime
    book.tradingStatus = saved.tradingStatus ?? TradingStatus.TRADING
    // The band the snapshot's commands ran under, not the configured one: a changed configuration is a journaled command of its own.
    book.priceBand = saved.priceBand === undefined || saved.priceBand === null ? null : priceBandOf(saved.priceBand)
    for (const tuple of saved.resting) {
      const order = orderOf(saved.symbol, tuple)
      book.restoreResting(order)
      open.push(order)
    }
    for (const tuple of saved.stops ?? []) {
      const order = orderOf(saved.symbol, tuple)
      book.restoreStop(order)
      open.push(order)
    }
  }
  // Each account lists its open orders in the order they were placed, which is their order ids' order; the index and expiry queue take them in that order too.
  open.sort((a, b) => a.seq - b.seq)
  for (const order of open) engine.restoreOpen(order)
  // The two open orders of an OCO list point at each other (a list lives only while both legs are open).
  const lists = new Map<number, Order>()
  for (const order of open) {
    if (order.listSeq === 0) continue
    const peer = lists.get(order.listSeq)
    if (peer === undefined) {
      lists.set(order.listSeq, order)
    } else {
      peer.ocoPeer = order
      order.ocoPeer = peer
    }
  }
  for (const [symbol, ...tuple] of state.history) engine.history.add(orderOf(symbol, tuple as OrderTuple))
  for (const [id, status, createdAt] of state.accounts ?? []) {
    const account = new Account(id, createdAt)
    account.status = status
    engine.accounts.add(account)
  }
  for (const [keyId, accountId, permissions, fingerprint, createdAt, revoked] of state.keys ?? []) {
    const key: ApiKey = { keyId, accountId, permissions, fingerprint, createdAt, revoked }
    engine.accounts.addKey(key)
  }
  for (const [symbol, tradeId, priceTicks, quantityLots, aggressorSide, makerOrderId, takerOrderId, makerAccountId, takerAccountId,
    makerClientOrderId, takerClientOrderId, timestamp] of state.fills ?? []) {
    const tradeSeq = tradeId.startsWith(symbol + '-') ? orderSeqOf(tradeId.slice(symbol.length + 1)) : -1
    if (tradeSeq < 0) throw new Error(`snapshot: trade id ${tradeId} is not ${symbol}-<number>`)
    engine.fills.add(Trade.rebuilt(symbol, tradeSeq, priceTicks, quantityLots, aggressorSide, seqOf(makerOrderId), seqOf(takerOrderId),
      makerAccountId, takerAccountId, makerClientOrderId, takerClientOrderId, timestamp))
  }
  engine.sequence = state.sequence
  engine.nextOrderSeq = state.nextOrderSeq
  engine.revision++
}

const digests = new WeakMap<MatchingEngine, { revision: number, digest: string }>()

/**
 * SHA-256 over the sequence, books (levels and queues) and open orders, in a
 * fixed order: a function of the state alone, so equal after a restart or a
 * replay. Hashing every open order is linear in the book (tens of ms at
 * 200,000 orders), so the result is cached per engine revision: readers pay
 * it at most once per state change, however many of them ask.
 */
export function stateDigest (engine: MatchingEngine): string {
  const cached = digests.get(engine)
  if (cached !== undefined && cached.revision === engine.revision) return cached.digest
  const digest = computeDigest(engine)
  digests.set(engine, { revision: engine.revision, digest })
  return digest
}

function computeDigest (engine: MatchingEngine): string {
  const hash = createHash('sha256')
  // The hash of a concatenation does not depend on how it is cut: feeding ~64 KB
  // at a time gives the same digest as one update per order, at a third of the cost.
  let text = `seq:${engine.sequence};next:${engine.nextOrderSeq};`
  for (const account of engine.accounts.values()) {
    text += `account:${account.id}:${account.status};`
    for (const key of account.keys) text += `key:${key.keyId}:${key.permissions.join('+')}:${key.fingerprint}:${key.revoked ? 'revoked' : 'active'};`
  }
  for (const book of engine.allBooks()) {
    text += `book:${book.symbol}:${book.nextTradeSeq};`
    for (const side of [book.bids, book.asks]) {
      for (const level of side.bestFirst()) {
        text += `${side.side}@${level.priceTicks}=${level.totalLots}:`
        for (let o = level.head; o !== null; o = o.next) text += `${o.id},${o.filledLots},${o.quantityLots},${o.clientOrderId ?? ''},${o.accountId},${o.stp}${optionsText(o)};`
        if (text.length > 65_536) {
          hash.update(text)
          text = ''
        }
      }
    }
    // Only books with stops or another status add anything: a plain book digests as it did before either existed.
    if (book.tradingStatus !== TradingStatus.TRADING) text += `status:${book.tradingStatus};`
    if (book.priceBand !== null) text += `band:${bandText(book.priceBand) as string};`
    for (const o of book.stopOrders()) {
      text += `stop:${o.id},${o.side},${o.type},${o.priceTicks ?? ''},${o.filledLots},${o.quantityLots},${o.clientOrderId ?? ''},${o.accountId},${o.stp}${optionsText(o)};`
      if (text.length > 65_536) {
        hash.update(text)
        text = ''
      }
    }
  }
  return hash.update(text).digest('hex')
}

/**
 * A resting order's fields beyond the seed's, for the digest: empty for an
 * order that has none, so plain books digest as before. (Side and price are
 * its level's; a resting order's type is limit unless it was a stop.)
 */
function optionsText (o: Order): string {
  const options = optionsOf(o)
  let text = o.type === OrderType.LIMIT ? '' : `,type=${o.type}`
  if (options === undefined) return text
  for (const [name, value] of Object.entries(options)) text += `,${name}=${String(value)}`
  return text
}

function tupleOf (order: Order): OrderTuple {
  const tuple: OrderTuple = [order.id, order.side, order.type, order.priceTicks, order.quantityLots, order.filledLots, order.status, order.clientOrderId,
    order.timestamp, order.cancelReason, order.accountId, order.stp]
  const options = optionsOf(order)
  if (options !== undefined) tuple.push(options)
  return tuple
}

function orderOf (symbol: string, [id, side, type, price, quantity, filled, status, clientOrderId, timestamp, cancelReason, accountId, stp, options]: OrderTuple): Order {
  const order = new Order(seqOf(id), symbol, side, type, price, quantity, clientOrderId, timestamp, accountId ?? ANONYMOUS, stp ?? StpMode.NONE)
  order.filledLots = filled
  order.status = status
  order.cancelReason = cancelReason ?? null
  applyOptions(order, options)
  return order
}

/** Order ids are the engine's numbers in decimal: anything else means the snapshot is damaged. */
function seqOf (orderId: string): number {
  const seq = orderSeqOf(orderId)
  if (seq < 0) throw new Error(`snapshot: order id ${orderId} is not an order number`)
  return seq
}
