/**
 * The engine's full state as plain data (for snapshots) and back, plus a
 * digest of books and open orders so two runs can be compared cheaply.
 * Resting orders are listed best level first and in queue order inside a
 * level, so a restore rebuilds exactly the same time priority.
 */
import { createHash } from 'node:crypto'
import type { MatchingEngine } from './engine.js'
import { Order, type CancelReason, type OrderStatus, type OrderType, type Side } from './order.js'

/**
 * [id, side, type, priceTicks, quantityLots, filledLots, status, clientOrderId, timestamp, cancelReason?]
 * cancelReason is left out when null (and absent from snapshots written before it existed).
 */
export type OrderTuple = [string, Side, OrderType, number | null, number, number, OrderStatus, string | null, number, CancelReason?]

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
}

export interface EngineState {
  version: 1
  sequence: number
  nextOrderSeq: number
  books: BookState[]
  /** Terminal orders, oldest first, with their symbol. */
  history: Array<[string, ...OrderTuple]>
}

export function exportState (engine: MatchingEngine): EngineState {
  const books: BookState[] = []
  for (const book of engine.allBooks()) {
    const resting: OrderTuple[] = []
    for (const side of [book.bids, book.asks]) {
      for (const level of side.bestFirst()) {
        for (let order = level.head; order !== null; order = order.next) resting.push(tupleOf(order))
      }
    }
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
      resting
    })
  }
  const history: EngineState['history'] = []
  for (const order of engine.history.values()) history.push([order.symbol, ...tupleOf(order)])
  return { version: 1, sequence: engine.sequence, nextOrderSeq: engine.nextOrderSeq, books, history }
}

/** Loads a state into a freshly built engine with the same symbols. */
export function importState (engine: MatchingEngine, state: EngineState): void {
  if (state.version !== 1) throw new Error(`unsupported snapshot version ${String(state.version)}`)
  if (engine.sequence !== 0) throw new Error('state can only be loaded into a fresh engine')
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
    for (const tuple of saved.resting) book.restoreResting(orderOf(saved.symbol, tuple))
  }
  for (const [symbol, ...tuple] of state.history) engine.history.add(orderOf(symbol, tuple as OrderTuple))
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
  for (const book of engine.allBooks()) {
    text += `book:${book.symbol}:${book.nextTradeSeq};`
    for (const side of [book.bids, book.asks]) {
      for (const level of side.bestFirst()) {
        text += `${side.side}@${level.priceTicks}=${level.totalLots}:`
        for (let o = level.head; o !== null; o = o.next) text += `${o.id},${o.filledLots},${o.quantityLots},${o.clientOrderId ?? ''};`
        if (text.length > 65_536) {
          hash.update(text)
          text = ''
        }
      }
    }
  }
  return hash.update(text).digest('hex')
}

function tupleOf (order: Order): OrderTuple {
  const tuple: OrderTuple = [order.id, order.side, order.type, order.priceTicks, order.quantityLots, order.filledLots, order.status, order.clientOrderId, order.timestamp]
  if (order.cancelReason !== null) tuple.push(order.cancelReason)
  return tuple
}

function orderOf (symbol: string, [id, side, type, price, quantity, filled, status, clientOrderId, timestamp, cancelReason]: OrderTuple): Order {
  const order = new Order(id, symbol, side, type, price, quantity, clientOrderId, timestamp)
  order.filledLots = filled
  order.status = status
  order.cancelReason = cancelReason ?? null
  return order
}
