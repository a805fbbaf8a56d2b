/**
 * What matching an order against one side of a book as it stands would come
 * to, without touching it: for FOK orders and for the caps, which must know
 * whether an order would rest before it is journaled. Bounded like the
 * matching itself: it visits at most maxFills + 1 resting orders, levels or
 * iceberg slices.
 */
import type { BookSide } from './book-side.js'
import type { PriceLevel } from './price-level.js'
import { Side, StpMode } from './order.js'

export const Fillability = {
  /** Fills completely within the cap on trades. */
  FILLS: 'fills',
  /** The crossing liquidity runs out first: a limit order would rest the rest. */
  SHORT: 'short',
  /** Needs more trades than the cap: the rest would be cancelled with MATCH_LIMIT. */
  CAP: 'cap',
  /** Self-trade prevention would cancel the incoming order before it fills (cancel_taker / cancel_both). */
  STOPPED: 'stopped'
} as const
export type Fillability = typeof Fillability[keyof typeof Fillability]

/** What fillability needs of an order (an Order, or validated fields before one exists). */
export interface MatchProbe {
  readonly side: Side
  readonly priceTicks: number | null
  readonly quantityLots: number
  readonly accountId: string
  readonly stp: StpMode
}

/**
 * Self-trade prevention counts as the matching does: a resting order of the
 * taker's own account is work (one of maxFills) that fills nothing, and
 * under cancel_taker or cancel_both it ends the taker (STOPPED). `selfTrade`
 * says whether the account can meet its own orders at all (it has some
 * open); otherwise whole levels without icebergs are summed.
 */
export function fillabilityOf (taker: MatchProbe, opposite: BookSide, maxFills: number, selfTrade: boolean): Fillability {
  const { side, priceTicks, accountId } = taker
  const stopsTaker = taker.stp === StpMode.CANCEL_TAKER || taker.stp === StpMode.CANCEL_BOTH
  const walk = { needed: taker.quantityLots, fills: 0 }
  for (let level = opposite.best() ?? null; level !== null; level = level.worse) {
    if (!crossesAt(side, priceTicks, level.priceTicks)) return Fillability.SHORT
    if (level.icebergs > 0) {
      const end = throughIcebergs(level, walk, maxFills, selfTrade ? accountId : null, stopsTaker)
      if (end !== null) return end
      continue
    }
    if (!selfTrade && level.totalLots < walk.needed) {
      // The whole level is taken and more is needed after it.
      walk.fills += level.count
      if (walk.fills > maxFills) return Fillability.CAP
      walk.needed -= level.totalLots
      continue
    }
    for (let maker = level.head; maker !== null; maker = maker.next) {
      if (++walk.fills > maxFills) return Fillability.CAP
      if (selfTrade && maker.accountId === accountId) {
        if (stopsTaker) return Fillability.STOPPED
        continue
      }
      walk.needed -= maker.remainingLots
      if (walk.needed <= 0) return Fillability.FILLS
    }
  }
  return Fillability.SHORT
}

/**
 * A level with icebergs, played out as OrderBook.match would: each fill
 * takes at most a maker's visible slice, and a used-up slice refreshes
 * behind every order still queued. The queue is walked in place; only the
 * refreshed slices are copies, and at most maxFills + 1 steps are taken
 * whatever the level holds. null: the level was taken whole and more is
 * needed.
 */
function throughIcebergs (level: PriceLevel, walk: { needed: number, fills: number }, maxFills: number,
  ownAccount: string | null, stopsTaker: boolean): Fillability | null {
  const refreshed: Array<{ remaining: number, display: number }> = []
  let maker = level.head
  let next = 0
  while (maker !== null || next < refreshed.length) {
    if (++walk.fills > maxFills) return Fillability.CAP
    let remaining: number
    let visible: number
    let display: number
    if (maker !== null) {
      const own = maker.accountId === ownAccount
      remaining = maker.remainingLots
      visible = maker.visibleLots
      display = maker.displayLots
      maker = maker.next
      if (own) {
        if (stopsTaker) return Fillability.STOPPED
        continue
      }
    } else {
      const slice = refreshed[next++]
      remaining = slice.remaining
      display = slice.display
      visible = Math.min(display, remaining)
    }
    const lots = Math.min(walk.needed, visible)
    walk.needed -= lots
    if (walk.needed === 0) return Fillability.FILLS
    remaining -= lots
    if (remaining > 0) refreshed.push({ remaining, display })
  }
  return null
}

/** Whether a taker on `side` with limit `limitTicks` (null: market) trades with a maker at `makerTicks`. */
export function crossesAt (side: Side, limitTicks: number | null, makerTicks: number): boolean {
  if (limitTicks === null) return true
  return side === Side.BUY ? makerTicks <= limitTicks : makerTicks >= limitTicks
}
