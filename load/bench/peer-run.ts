/**
 * The peer run: nodejs-order-book (npm, a price-time limit order book in
 * TypeScript) replaying the same seeded flow.
 *
 * Mapping: limit → `limit()` with timeInForce GTC; ioc / fok → `limit()` with
 * timeInForce IOC / FOK; market → `market()`; cancel → `cancel(id)`. Order ids
 * are the engine's order sequence as strings (1, 2, 3, ... for every new
 * order, market orders included, which take no id there), so the flow's
 * cancel targets name the same orders. Prices and sizes are the flow's integer
 * ticks and lots as plain numbers (the peer works in JS numbers; integers stay
 * exact below 2^53, and every sum here does).
 *
 * Its fills, as its API exposes them: `done` lists the resting orders a
 * command filled completely (each with the size it had, which is what traded)
 * plus, for a limit order filled completely, the incoming order itself;
 * `partial` is the one resting order filled in part, with
 * `partialQuantityProcessed` traded, or the incoming order itself when it
 * traded and then rested. So one trade per entry of `done` and per `partial`
 * that is not the incoming order.
 *
 * Where its rules differ from ours (reported, never a failure):
 * - a FOK that cannot fill is an error (LIMIT_ORDER_FOK_NOT_FILLABLE, code
 *   1106), where our engine accepts the order and rejects it as its outcome;
 *   counted as `fokNotFillable`, not as a refused command;
 * - a market order with too little (or nothing) to match returns no error and
 *   leaves `quantityLeft`, where ours cancels the rest; counted as
 *   `marketRemainder`;
 * - no cap on trades per order (ours: maxFillsPerOrder, default 1000), no
 *   symbol filters (tick, lot, minimum notional), no accounts and no history;
 *   its cancel removes the id from a per-level index by walking that level.
 */
import { OrderBook, Side, type LimitOrderOptions, type MarketOrderOptions } from 'nodejs-order-book'
import { Kind, SIDE_NAMES } from './flow.js'
import type { RunDefinition, RunTotals } from './runners.js'

type TimeInForce = NonNullable<LimitOrderOptions['timeInForce']>
// The package declares TimeInForce as an enum in its types but does not export it from its index;
// its values are these strings (dist/types/types.d.ts).
const TIME_IN_FORCE = ['GTC', 'IOC', 'FOK'] as unknown as readonly TimeInForce[]
const TIF_OF_KIND = [TIME_IN_FORCE[0], null, TIME_IN_FORCE[1], TIME_IN_FORCE[2]] as const
/** ErrorCodes.LIMIT_ORDER_FOK_NOT_FILLABLE, which the package's index does not export either. */
const FOK_NOT_FILLABLE = 1106
const PEER_SIDES = { buy: Side.BUY, sell: Side.SELL } as const

export const peerRun: RunDefinition = {
  key: 'peer',
  name: 'nodejs-order-book (peer)',
  description: 'nodejs-order-book@10 (npm): limit/market/cancel with integer ticks and lots as numbers, ids = the engine order sequence; red-black tree of price levels, a deque per level',
  peer: true,
  prepare (flow) {
    const limits: Array<LimitOrderOptions | null> = new Array(flow.size)
    const markets: Array<MarketOrderOptions | null> = new Array(flow.size)
    const cancels: Array<string | null> = new Array(flow.size)
    let seq = 0
    for (let i = 0; i < flow.size; i++) {
      const k = flow.kind[i] as Kind
      limits[i] = null
      markets[i] = null
      cancels[i] = null
      if (k === Kind.CANCEL) {
        cancels[i] = String(flow.cancelTarget[i])
        continue
      }
      const id = String(++seq)
      const side = PEER_SIDES[SIDE_NAMES[flow.side[i] as number] as 'buy' | 'sell']
      const size = flow.quantityLots[i] as number
      if (k === Kind.MARKET) {
        markets[i] = { side, size }
      } else {
        limits[i] = { id, side, size, price: flow.priceTicks[i] as number, timeInForce: TIF_OF_KIND[k] as TimeInForce }
      }
    }
    return () => {
      const book = new OrderBook()
      let trades = 0
      let tradedLots = 0
      let rejected = 0
      let fokNotFillable = 0
      let marketRemainder = 0
      const step = (i: number): void => {
        const limit = limits[i] as LimitOrderOptions | null
        if (limit !== null) {
          const r = book.limit(limit)
          if (r.err !== null) {
            if (r.err.code === FOK_NOT_FILLABLE) fokNotFillable++
            else rejected++
            return
          }
          const id = limit.id
          const done = r.done
          for (let d = 0; d < done.length; d++) {
            const o = done[d]
            if (o.id !== id) {
              trades++
              tradedLots += o.size
            }
          }
          if (r.partial !== null && r.partial.id !== id) {
            trades++
            tradedLots += r.partialQuantityProcessed
          }
          return
        }
        const market = markets[i] as MarketOrderOptions | null
        if (market !== null) {
          const r = book.market(market)
          if (r.err !== null) {
            rejected++
            return
          }
          const done = r.done
          for (let d = 0; d < done.length; d++) tradedLots += done[d].size
          trades += done.length
          if (r.partial !== null) {
            trades++
            tradedLots += r.partialQuantityProcessed
          }
          if (r.quantityLeft > 0) marketRemainder++
          return
        }
        if (book.cancel(cancels[i] as string) === undefined) rejected++
      }
      const totals = (): RunTotals => {
        if (!Number.isSafeInteger(tradedLots)) throw new Error('traded lots passed 2^53')
        // Its open orders through its public API: the snapshot's levels (untimed, after the pass).
        const snapshot = book.snapshot()
        let open = 0
        for (const level of snapshot.bids) open += level.orders.length
        for (const level of snapshot.asks) open += level.orders.length
        return { trades, tradedLots: String(tradedLots), rejected, openAtEnd: open, notes: { fokNotFillable, marketRemainder } }
      }
      return { step, totals }
    }
  }
}
