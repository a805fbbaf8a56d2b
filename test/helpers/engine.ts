import { MatchingEngine, type EngineOptions, type NewOrderInput, type OrderOutcome } from '../../src/engine/index.js'
import { steppingClock } from './clock.js'

/** A symbol with whole-number ticks and lots, so tests read in plain integers. */
export const UNIT = { symbol: 'UNIT-USD', tickSize: '1', lotSize: '1', minQuantity: '1', maxQuantity: '1000000', minNotional: '0' }

export function unitEngine (options: EngineOptions = {}): MatchingEngine {
  return new MatchingEngine({ symbols: [UNIT], clock: steppingClock(), ...options })
}

type Short = { side: 'buy' | 'sell', type?: 'limit' | 'market' | 'ioc' | 'fok', qty: number, price?: number, cid?: string }

/** Submits on UNIT-USD and fails loudly on a rejection the test did not expect. */
export function place (engine: MatchingEngine, order: Short): OrderOutcome {
  const input: NewOrderInput = {
    symbol: UNIT.symbol,
    side: order.side,
    orderType: order.type ?? 'limit',
    quantity: order.qty,
    price: order.price,
    clientOrderId: order.cid
  }
  const result = engine.submit(input)
  if (!result.ok) throw new Error(`unexpected rejection: ${result.code} ${result.message}`)
  return result.value
}

export function levels (engine: MatchingEngine, symbol = UNIT.symbol) {
  const book = engine.book(symbol)!
  const side = (s: typeof book.bids) => [...s.bestFirst()].map((l) => [l.priceTicks, l.totalLots])
  return { bids: side(book.bids), asks: side(book.asks) }
}
