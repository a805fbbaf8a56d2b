/**
 * The seeded order flow of the engine benchmark, generated once, before any
 * timing, into flat typed arrays (integer ticks and lots).
 *
 * Shape (defaults): 75% limit orders, 5% market, 5% ioc, 5% fok, 10% cancels
 * of random live orders. The mid takes a bounded one-tick random walk on
 * every command. Passive limits rest 1..50 ticks behind the mid, skewed to the
 * top of the book (offset = 1 + 50·r²); a tenth of the limits cross the mid by
 * 0..10 ticks; ioc/fok are priced 0..20 ticks through the mid. Quantities are
 * multiples of the 0.00001 BTC minimum, skewed small (taker orders 3x the
 * maker size), and always clear the 10 USDT minimum notional so the decimal
 * (submit) path accepts every order. With these numbers the book settles at
 * a few thousand resting orders on its own (about 4,000 at 1M commands).
 *
 * To pick cancel targets that are really live, the generator replays every
 * order it emits into an oracle MatchingEngine (also untimed) and keeps the
 * live order ids in a swap-remove set. A safety cap (`maxLive`, 8,000) turns
 * a passive limit into a cancel should the book ever grow past it.
 * Order ids are the engine's counter (1, 2, 3, ... per new order), which the
 * baseline book reproduces, so the cancel targets are valid for both.
 */
import { ANONYMOUS, MatchingEngine, OrderType, Side, StpMode, type OrderFields } from '../../src/engine/index.js'
import { mulberry32 } from './random.js'
import { formatScaled } from '../../src/engine/decimal.js'

export const SYMBOL = 'BTC-USDT'
export const TICK_PLACES = 2 // tick 0.01 USDT
export const LOT_PLACES = 8 // lot 1e-8 BTC

export const Kind = { LIMIT: 0, MARKET: 1, IOC: 2, FOK: 3, CANCEL: 4 } as const
export type Kind = typeof Kind[keyof typeof Kind]
export const KIND_NAMES = ['limit', 'market', 'ioc', 'fok', 'cancel'] as const
export const KIND_TYPES = [OrderType.LIMIT, OrderType.MARKET, OrderType.IOC, OrderType.FOK] as const
export const SIDE_NAMES = [Side.BUY, Side.SELL] as const

export interface FlowOptions {
  readonly size: number
  readonly seed: number
  /** Mid price in ticks at the start (6,500,000 = 65,000.00 USDT). */
  readonly startMid?: number
  readonly maxLive?: number
}

export interface Flow {
  readonly size: number
  readonly seed: number
  readonly kind: Uint8Array
  /** 0 = buy, 1 = sell (unused for cancels). */
  readonly side: Uint8Array
  /** 0 for market orders and cancels. */
  readonly priceTicks: Float64Array
  readonly quantityLots: Float64Array
  /** Engine order sequence number of the cancel target (0 when not a cancel). */
  readonly cancelTarget: Float64Array
  /** What was emitted, per kind name, plus crossing limits. */
  readonly mix: Record<string, number>
  readonly liveAtEnd: number
  readonly liveMean: number
  readonly liveMax: number
  readonly midMin: number
  readonly midMax: number
}

/** Order ids with O(1) add, remove and uniform random pick (adding an id already there changes nothing). */
export class LiveSet {
  private readonly ids: number[] = []
  private readonly index = new Map<number, number>()

  get size (): number {
    return this.ids.length
  }

  add (id: number): void {
    if (this.index.has(id)) return
    this.index.set(id, this.ids.length)
    this.ids.push(id)
  }

  remove (id: number): void {
    const at = this.index.get(id)
    if (at === undefined) return
    const last = this.ids.pop() as number
    if (last !== id) {
      this.ids[at] = last
      this.index.set(last, at)
    }
    this.index.delete(id)
  }

  pick (random: () => number): number {
    return this.ids[Math.floor(random() * this.ids.length)] as number
  }
}

/** r², skewing offsets toward the top of the book. */
function r2 (random: () => number): number {
  const r = random()
  return r * r
}

/** 0.0002 .. ~0.02 BTC in steps of 0.00001 BTC (1000 lots), skewed small. */
function quantity (random: () => number, scale: number): number {
  const r = random()
  return 1000 * Math.floor(scale * (20 + 2000 * r * r * r))
}

export function generateFlow (options: FlowOptions): Flow {
  const { size, seed } = options
  const startMid = options.startMid ?? 6_500_000
  const maxLive = options.maxLive ?? 8000
  const random = mulberry32(seed)
  const kind = new Uint8Array(size)
  const side = new Uint8Array(size)
  const priceTicks = new Float64Array(size)
  const quantityLots = new Float64Array(size)
  const cancelTarget = new Float64Array(size)
  const mix: Record<string, number> = { limit: 0, market: 0, ioc: 0, fok: 0, cancel: 0, crossingLimit: 0 }

  // historyLimit 1: the oracle only needs the open orders, not the history.
  const oracle = new MatchingEngine({ clock: () => 0, historyLimit: 1 })
  const book = oracle.book(SYMBOL)
  if (book === undefined) throw new Error(`${SYMBOL} is not a default symbol`)
  const live = new LiveSet()
  let mid = startMid
  let midMin = mid
  let midMax = mid
  let liveSum = 0
  let liveMax = 0
  let nextOrderSeq = 1

  for (let i = 0; i < size; i++) {
    // Bounded random walk of the mid: one tick up or down on every command.
    if (random() < 0.5) {
      if (mid > startMid * 0.95) mid--
    } else if (mid < startMid * 1.05) {
      mid++
    }
    if (mid < midMin) midMin = mid
    if (mid > midMax) midMax = mid

    const r = random()
    let k: Kind = r < 0.10 ? Kind.CANCEL : r < 0.15 ? Kind.MARKET : r < 0.20 ? Kind.IOC : r < 0.25 ? Kind.FOK : Kind.LIMIT
    const crossing = k === Kind.LIMIT && random() < 0.10
    if (k === Kind.LIMIT && !crossing && live.size >= maxLive) k = Kind.CANCEL
    if (k === Kind.CANCEL && live.size === 0) k = Kind.LIMIT
    kind[i] = k

    if (k === Kind.CANCEL) {
      const target = live.pick(random)
      cancelTarget[i] = target
      const result = oracle.cancel({ symbol: SYMBOL, orderId: String(target), accountId: ANONYMOUS })
      if (!result.ok) throw new Error(`flow: cancel of live order ${target} failed: ${result.message}`)
      live.remove(target)
      mix.cancel++
      liveSum += live.size
      continue
    }

    const s = random() < 0.5 ? 0 : 1
    const sign = s === 0 ? 1 : -1 // buys sit below the mid, sells above
    let price = 0
    if (k === Kind.LIMIT) {
      price = crossing ? mid + sign * Math.floor(random() * 11) : mid - sign * (1 + Math.floor(50 * r2(random)))
    } else if (k !== Kind.MARKET) {
      price = mid + sign * Math.floor(random() * 21)
    }
    const lots = quantity(random, k === Kind.LIMIT ? 1 : 3)
    side[i] = s
    priceTicks[i] = price
    quantityLots[i] = lots
    mix[KIND_NAMES[k]]++
    if (crossing) mix.crossingLimit++

    const id = nextOrderSeq++
    const result = oracle.place(fieldsOf(k, s, price, lots))
    if (!result.ok) throw new Error(`flow: order ${id} was rejected: ${result.message}`)
    const { order, trades } = result.value
    if (order.id !== String(id)) throw new Error(`flow: expected order id ${id}, the engine gave ${order.id}`)
    for (const trade of trades) {
      if (book.openOrder(trade.makerOrderId) === undefined) live.remove(Number(trade.makerOrderId))
    }
    if (book.openOrder(order.id) !== undefined) live.add(id)
    liveSum += live.size
    if (live.size > liveMax) liveMax = live.size
  }

  return {
    size,
    seed,
    kind,
    side,
    priceTicks,
    quantityLots,
    cancelTarget,
    mix,
    liveAtEnd: live.size,
    liveMean: Math.round(liveSum / Math.max(1, size)),
    liveMax,
    midMin,
    midMax
  }
}

/** The engine's integer fields for one new order. */
export function fieldsOf (k: Kind, s: number, priceTicks: number, quantityLots: number): OrderFields {
  return {
    symbol: SYMBOL,
    side: SIDE_NAMES[s] as Side,
    orderType: KIND_TYPES[k as number] as OrderType,
    priceTicks: k === Kind.MARKET ? null : priceTicks,
    quantityLots,
    clientOrderId: null,
    accountId: ANONYMOUS,
    stp: StpMode.NONE
  }
}

/** Integer units as a decimal string: the engine's own formatter, so inputs match what it prints. */
export const formatUnits = formatScaled
