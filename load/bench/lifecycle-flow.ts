/**
 * The second flow of the engine benchmark: issue 12's order lifecycle on top
 * of the standard flow's market (same mid walk, prices and sizes as flow.ts).
 *
 * Shape (defaults, per command): 8% cancels, 4% market, 4% ioc, 4% fok,
 * 5% stops (half stop_limit, half stop_market, 1..30 ticks beyond the last
 * trade so they trigger as the mid walks), 5% icebergs (a limit showing a
 * tenth to a half of its quantity), 5% amends of a live order (a new price
 * ±1..5 ticks, which may cross, or a smaller or larger quantity), 1% OCO
 * lists, and limits for the rest, a sixth of them GTD (expiring 0.5 to 5 s
 * after they were placed). Every command carries a timestamp 1 ms after the
 * previous one, and an expire command (engine.expire at that timestamp) is
 * emitted whenever an open GTD order is due, as the adapter's timer would.
 *
 * As in flow.ts the generator runs every command through an oracle engine
 * (untimed), so cancel and amend targets are live and stops are placed on
 * the right side of the last trade: a command the oracle refuses is replaced
 * by a passive limit order, so the timed runs refuse nothing. The commands
 * are the engine's own inputs (place fields, CancelInput, AmendInput and
 * OcoInput in decimal strings), built here once.
 */
import {
  ANONYMOUS, MatchingEngine, OrderType, Side, StpMode,
  type AmendInput, type CancelInput, type OcoInput, type OrderFields
} from '../../src/engine/index.js'
import { LOT_PLACES, LiveSet, SYMBOL, TICK_PLACES, formatUnits } from './flow.js'
import { mulberry32 } from './random.js'

export const Op = { PLACE: 0, CANCEL: 1, AMEND: 2, OCO: 3, EXPIRE: 4 } as const
export type Op = typeof Op[keyof typeof Op]

/** What the generator emitted, by name (the new-order kinds, then the other commands). */
export const LIFECYCLE_KINDS = ['limit', 'gtd', 'iceberg', 'stop_limit', 'stop_market', 'market', 'ioc', 'fok', 'oco', 'amend', 'cancel', 'expire', 'replaced'] as const

export interface LifecycleFlow {
  readonly size: number
  readonly seed: number
  readonly op: Uint8Array
  /** The command's timestamp (epoch ms), 1 ms apart. */
  readonly timestamp: Float64Array
  /** Per command: OrderFields (place), CancelInput, AmendInput, OcoInput, or null (expire). */
  readonly input: ReadonlyArray<OrderFields | CancelInput | AmendInput | OcoInput | null>
  readonly mix: Record<string, number>
  /** GTD orders the oracle expired. */
  readonly expired: number
  readonly openAtEnd: number
}

export interface LifecycleOptions {
  readonly size: number
  readonly seed: number
  readonly startMid?: number
  readonly maxLive?: number
  /** Timestamp of the first command (epoch ms). */
  readonly startTime?: number
}

const SIDES = [Side.BUY, Side.SELL] as const

/** 0.0002 .. ~0.02 BTC in steps of 0.00001 BTC (1000 lots), skewed small: flow.ts's sizes. */
function quantity (random: () => number, scale: number): number {
  const r = random()
  return 1000 * Math.floor(scale * (20 + 2000 * r * r * r))
}

const ticks = (t: number): string => formatUnits(t, TICK_PLACES)
const lots = (l: number): string => formatUnits(l, LOT_PLACES)

function fields (side: Side, orderType: OrderType, priceTicks: number | null, quantityLots: number, extra: Partial<OrderFields> = {}): OrderFields {
  return { symbol: SYMBOL, side, orderType, priceTicks, quantityLots, clientOrderId: null, accountId: ANONYMOUS, stp: StpMode.NONE, ...extra }
}

export function generateLifecycleFlow (options: LifecycleOptions): LifecycleFlow {
  const { size, seed } = options
  const startMid = options.startMid ?? 6_500_000
  const maxLive = options.maxLive ?? 8000
  const t0 = options.startTime ?? 1_700_000_000_000
  const random = mulberry32(seed)
  const op = new Uint8Array(size)
  const timestamp = new Float64Array(size)
  const input: Array<OrderFields | CancelInput | AmendInput | OcoInput | null> = new Array(size).fill(null)
  const mix: Record<string, number> = Object.fromEntries(LIFECYCLE_KINDS.map((k) => [k, 0]))

  const oracle = new MatchingEngine({ clock: () => t0, historyLimit: 1 })
  const book = oracle.book(SYMBOL)
  if (book === undefined) throw new Error(`${SYMBOL} is not a default symbol`)
  const live = new LiveSet() // every open order we placed: cancel targets
  const amendable = new LiveSet() // those an amend may change (not OCO legs)
  let expired = 0
  let mid = startMid

  /** A live order (dropping ids that are no longer open), or null. */
  const pickLive = (set: LiveSet): number | null => {
    for (let tries = 0; tries < 8 && set.size > 0; tries++) {
      const id = set.pick(random)
      if (book.openOrder(String(id)) !== undefined) return id
      live.remove(id)
      amendable.remove(id)
    }
    return null
  }
  const passive = (s: number): OrderFields => {
    const sign = s === 0 ? 1 : -1
    const r = random()
    return fields(SIDES[s] as Side, OrderType.LIMIT, mid - sign * (1 + Math.floor(50 * r * r)), quantity(random, 1))
  }
  const placeOk = (i: number, f: OrderFields, kind: string, canAmend: boolean): boolean => {
    const result = oracle.place(f, timestamp[i])
    if (!result.ok) return false
    op[i] = Op.PLACE
    input[i] = f
    mix[kind]++
    const id = Number(result.value.order.id)
    if (result.value.order.isOpen) {
      live.add(id)
      if (canAmend) amendable.add(id)
    }
    return true
  }

  for (let i = 0; i < size; i++) {
    const now = t0 + i
    timestamp[i] = now
    if (random() < 0.5) {
      if (mid > startMid * 0.95) mid--
    } else if (mid < startMid * 1.05) {
      mid++
    }

    // The adapter's timer: an expire command as soon as an open GTD order is due.
    const due = oracle.nextExpiry()
    if (due !== null && due <= now) {
      const result = oracle.expire(now)
      if (!result.ok) throw new Error(`lifecycle flow: expire at ${now} refused: ${result.message}`)
      expired += result.value.length
      op[i] = Op.EXPIRE
      mix.expire++
      continue
    }

    const s = random() < 0.5 ? 0 : 1
    const side = SIDES[s] as Side
    const sign = s === 0 ? 1 : -1 // buys below the mid, buy stops above the last trade
    const last = book.stats.lastTradePriceTicks ?? mid
    const r = random()
    let done = false
    if (r < 0.08 || book.openCount >= maxLive) {
      const target = pickLive(live)
      if (target !== null) {
        const cancel: CancelInput = { symbol: SYMBOL, orderId: String(target), accountId: ANONYMOUS }
        if (oracle.cancel(cancel, now).ok) {
          op[i] = Op.CANCEL
          input[i] = cancel
          mix.cancel++
          live.remove(target)
          amendable.remove(target)
          done = true
        }
      }
    } else if (r < 0.12) {
      done = placeOk(i, fields(side, OrderType.MARKET, null, quantity(random, 3)), 'market', false)
    } else if (r < 0.16) {
      done = placeOk(i, fields(side, OrderType.IOC, mid + sign * Math.floor(random() * 21), quantity(random, 3)), 'ioc', false)
    } else if (r < 0.20) {
      done = placeOk(i, fields(side, OrderType.FOK, mid + sign * Math.floor(random() * 21), quantity(random, 3)), 'fok', false)
    } else if (r < 0.25) {
      const stop = last + sign * (1 + Math.floor(30 * random() * random()))
      done = random() < 0.5
        ? placeOk(i, fields(side, OrderType.STOP_LIMIT, stop + sign * Math.floor(random() * 10), quantity(random, 2), { stopPriceTicks: stop }), 'stop_limit', true)
        : placeOk(i, fields(side, OrderType.STOP_MARKET, null, quantity(random, 2), { stopPriceTicks: stop }), 'stop_market', true)
    } else if (r < 0.30) {
      const total = quantity(random, 3) + 2000
      const display = Math.max(1000, 1000 * Math.floor(total / 1000 * (0.1 + 0.4 * random())))
      const f = passive(s)
      done = placeOk(i, { ...f, quantityLots: total, displayLots: Math.min(display, total) }, 'iceberg', true)
    } else if (r < 0.35) {
      const target = pickLive(amendable)
      const order = target === null ? undefined : book.openOrder(String(target))
      if (order !== undefined) {
        const amend: { symbol: string, orderId: string, accountId: string, newQuantity?: string, newPrice?: string } =
          { symbol: SYMBOL, orderId: order.id, accountId: ANONYMOUS }
        if (order.priceTicks !== null && random() < 0.5) {
          const delta = (1 + Math.floor(random() * 5)) * (random() < 0.5 ? 1 : -1)
          amend.newPrice = ticks(Math.max(1, order.priceTicks + delta))
        } else {
          const remaining = order.quantityLots - order.filledLots
          const smaller = order.filledLots + 1000 * Math.max(1, Math.floor(remaining / 2000))
          amend.newQuantity = lots(random() < 0.6 && smaller < order.quantityLots ? smaller : order.quantityLots + 1000 * (1 + Math.floor(random() * 20)))
        }
        if (oracle.amend(amend, now).ok) {
          op[i] = Op.AMEND
          input[i] = amend
          mix.amend++
          done = true
        }
      }
    } else if (r < 0.36) {
      const stop = last + sign * (5 + Math.floor(random() * 25))
      const oco: { symbol: string, side: string, quantity: string, price: string, stopPrice: string, stopLimitPrice?: string, accountId: string } = {
        symbol: SYMBOL,
        side,
        quantity: lots(quantity(random, 1)),
        price: ticks(mid - sign * (5 + Math.floor(random() * 25))),
        stopPrice: ticks(stop),
        accountId: ANONYMOUS
      }
      if (random() < 0.5) oco.stopLimitPrice = ticks(stop + sign * Math.floor(random() * 5))
      const result = oracle.submitOco(oco, now)
      if (result.ok) {
        op[i] = Op.OCO
        input[i] = oco
        mix.oco++
        for (const leg of [result.value.limit, result.value.stop]) if (leg.isOpen) live.add(Number(leg.id))
        done = true
      }
    } else {
      const crossing = random() < 0.10
      const f = crossing ? fields(side, OrderType.LIMIT, mid + sign * Math.floor(random() * 11), quantity(random, 1)) : passive(s)
      done = !crossing && random() < 1 / 6
        ? placeOk(i, { ...f, timeInForce: 'gtd', expireAt: now + 500 + Math.floor(random() * 4500) }, 'gtd', true)
        : placeOk(i, f, 'limit', true)
    }
    if (!done) {
      // Refused by the oracle (or no live target): a passive limit instead, so the timed runs refuse nothing.
      if (!placeOk(i, passive(s), 'limit', true)) throw new Error(`lifecycle flow: command ${i}: a passive limit was refused`)
      mix.replaced++
    }
  }
  return { size, seed, op, timestamp, input, mix, expired, openAtEnd: book.openCount }
}
