/**
 * The `l3` market-data channel, transport-agnostic: every resting order's
 * add, change and delete by its public order id, for consumers that rebuild
 * the queue at each level (contract section 8).
 *
 * Once per event-loop turn it cuts what the engine did since the last cut:
 * per symbol, one delta (the changes in execution order, its seq, prev_seq
 * and the checksum of the book after it) and, for the subscribers waiting
 * for one, one snapshot; both are read from the book at the cut, when the
 * book is exactly the state after the delta. It then waits for the journal
 * (durable()) before sending anything, so market data never shows a command
 * a crash could take back, and sends each message, serialized once, to
 * every subscriber it is for. A new subscriber, and one the transport
 * resyncs, gets the snapshot of the next cut instead of its delta: a storm of
 * subscribes costs one snapshot per symbol and cut.
 */
import type { EngineEvent, MatchingEngine, OrderBook } from '../engine/index.js'
import { L3_CHANNEL, L3_TOO_LARGE } from '../../schemas/l3.js'
import { toSeconds } from '../wire/time.js'
import type { Subscriber } from './subscriber.js'
import { L3Tracker, type L3Change } from './l3-tracker.js'
import { l3Checksum, l3Rows } from './l3-view.js'

/** WS_L3_MAX_ORDERS' default: the most resting orders an l3 snapshot lists. */
export const DEFAULT_L3_MAX_ORDERS = 10_000
/** Why a resync was sent: the transport dropped messages for the subscriber. */
export const RESYNC_REASON = 'dropped'

export interface L3FeedOptions {
  /** A subscribe whose snapshot would list more resting orders than this is refused (L3_TOO_LARGE). */
  readonly maxOrders?: number
  /** Resolves when the commands executed so far are journaled (see HubOptions.durable). */
  readonly durable?: () => Promise<void>
  /**
   * When the command the engine just ran was taken (epoch ms), read right
   * after it runs: the timestamp of the messages that show it. Default: the clock.
   */
  readonly commandTime?: () => number
  /** Told of a symbol's cut that could not be sent (a bug): the other symbols still go out. */
  readonly onPublishError?: (error: unknown) => void
  /** Told once when the journal fails: the feed has stopped for good (the gateway closes its sessions). */
  readonly onFailure?: () => void
}

export type L3SubscribeResult = { ok: true } | { ok: false, code: typeof L3_TOO_LARGE, message: string }

export interface L3Stats {
  /** Deltas built (one per symbol and cut, however many subscribers share it). */
  deltasPublished: number
  /** Snapshots serialized (at most one of each kind per symbol and cut). */
  snapshotsBuilt: number
  /** Snapshots and resyncs handed out. */
  snapshotsSent: number
  resyncs: number
}

const Stage = { JOINING: 0, CUT: 1, LIVE: 2 } as const
type Stage = typeof Stage[keyof typeof Stage]

/** One subscription: waiting for the next cut's snapshot, its snapshot cut and on its way, or receiving deltas. */
class Member {
  readonly subscriber: Subscriber
  stage: Stage = Stage.JOINING
  /** Its snapshot goes as a resync message. */
  resync = false

  constructor (subscriber: Subscriber) {
    this.subscriber = subscriber
  }
}

/** A symbol with l3 subscribers: its tracker, its changes since the last cut and who is at which stage. */
class L3Symbol {
  readonly book: OrderBook
  readonly tracker: L3Tracker
  readonly members = new Map<Subscriber, Member>()
  joining: Member[] = []
  pending: L3Change[] = []
  pendingSeq = 0
  pendingTime = 0
  /** The seq and time of the state at the last cut. */
  seq: number
  time: number

  constructor (book: OrderBook, seq: number, time: number) {
    this.book = book
    this.tracker = new L3Tracker(book)
    this.seq = seq
    this.time = time
  }
}

/** What one symbol's cut sends once durable. */
interface Cut {
  readonly state: L3Symbol
  readonly delta: string | null
  readonly joiners: readonly Member[]
  readonly snapshot: string | null
  readonly resync: string | null
}

export class L3Feed {
  private readonly engine: MatchingEngine
  private readonly maxOrders: number
  private readonly durable: () => Promise<void>
  private readonly commandTime: () => number
  private readonly onPublishError: (error: unknown) => void
  private readonly onFailure: () => void
  private readonly symbols = new Map<string, L3Symbol>()
  private readonly dirty = new Set<L3Symbol>()
  private handle: NodeJS.Immediate | null = null
  /** A cut waits for durable(): the next one is taken after it is sent, so cuts go out in order. */
  private inFlight = false
  private detach: (() => void) | null = null
  /** Set once the journal has failed: nothing more is sent. */
  failed = false
  readonly stats: L3Stats = { deltasPublished: 0, snapshotsBuilt: 0, snapshotsSent: 0, resyncs: 0 }

  constructor (engine: MatchingEngine, options: L3FeedOptions = {}) {
    this.engine = engine
    this.maxOrders = options.maxOrders ?? DEFAULT_L3_MAX_ORDERS
    this.durable = options.durable ?? (() => Promise.resolve())
    this.commandTime = options.commandTime ?? Date.now
    this.onPublishError = options.onPublishError ?? (() => {})
    this.onFailure = options.onFailure ?? (() => {})
  }

  start (): void {
    this.detach ??= this.engine.addListener((events) => this.onEvents(events))
  }

  /** Stops listening and drops anything not yet cut (a cut waiting for durable() still goes out). */
  stop (): void {
    this.detach?.()
    this.detach = null
    if (this.handle !== null) clearImmediate(this.handle)
    this.handle = null
    this.dirty.clear()
  }

  /**
   * Subscribes to a symbol's l3 book (the caller has checked the symbol is
   * traded): the snapshot follows at the next cut, then the deltas.
   * Subscribing again is a no-op. Refused when the book holds more resting
   * orders than WS_L3_MAX_ORDERS.
   */
  subscribe (subscriber: Subscriber, symbol: string): L3SubscribeResult {
    const book = this.engine.book(symbol) as OrderBook
    let state = this.symbols.get(book.symbol)
    if (state?.members.has(subscriber) === true) return { ok: true }
    if (book.restingCount > this.maxOrders) {
      return {
        ok: false,
        code: L3_TOO_LARGE,
        message: `${book.symbol} holds ${book.restingCount} resting orders, more than the ${this.maxOrders} an l3 snapshot lists; l2_updates shows the book by level`
      }
    }
    if (state === undefined) {
      // Built from the book as it is now; every later command's events keep it in step.
      state = new L3Symbol(book, this.engine.sequence, this.commandTime())
      this.symbols.set(book.symbol, state)
    }
    const member = new Member(subscriber)
    state.members.set(subscriber, member)
    this.join(state, member)
    return { ok: true }
  }

  /** Returns false if it was not subscribed. A symbol nobody follows any more is forgotten. */
  unsubscribe (subscriber: Subscriber, symbol: string): boolean {
    const state = this.symbols.get(this.engine.book(symbol)?.symbol ?? symbol)
    const member = state?.members.get(subscriber)
    if (state === undefined || member === undefined) return false
    state.members.delete(subscriber)
    if (member.stage === Stage.JOINING) state.joining = state.joining.filter((m) => m !== member)
    if (state.members.size === 0) {
      this.symbols.delete(state.book.symbol)
      this.dirty.delete(state)
    }
    return true
  }

  removeSubscriber (subscriber: Subscriber): void {
    for (const symbol of [...this.symbols.keys()]) this.unsubscribe(subscriber, symbol)
  }

  /**
   * The transport dropped l3 messages for this subscriber: instead of more
   * deltas it gets, at the next cut, a fresh snapshot as a `resync` message.
   * Returns false if it is not subscribed; a subscriber whose snapshot is
   * already coming waits for that one.
   */
  resync (subscriber: Subscriber, symbol: string): boolean {
    const state = this.symbols.get(this.engine.book(symbol)?.symbol ?? symbol)
    const member = state?.members.get(subscriber)
    if (state === undefined || member === undefined) return false
    if (member.stage === Stage.LIVE) {
      member.resync = true
      this.join(state, member)
    }
    return true
  }

  /** How many subscriptions it holds, all symbols together. */
  get subscriptionCount (): number {
    let count = 0
    for (const state of this.symbols.values()) count += state.members.size
    return count
  }

  /** Nothing waiting to be cut or sent: every subscriber holds the book as the engine has it now (or has failed). */
  get idle (): boolean {
    return this.handle === null && !this.inFlight && this.dirty.size === 0
  }

  private join (state: L3Symbol, member: Member): void {
    member.stage = Stage.JOINING
    state.joining.push(member)
    this.markDirty(state)
  }

  private markDirty (state: L3Symbol): void {
    this.dirty.add(state)
    if (this.handle === null && !this.inFlight && !this.failed) this.handle = setImmediate(() => this.cut())
  }

  private onEvents (events: readonly EngineEvent[]): void {
    if (this.symbols.size === 0) return
    let symbol: string | null = null
    let state: L3Symbol | undefined
    let time: number | null = null
    for (let i = 0; i < events.length; i++) {
      const event = events[i]
      if (event.type !== 'order') continue
      if (event.order.symbol !== symbol) {
        symbol = event.order.symbol
        state = this.symbols.get(symbol)
      }
      if (state === undefined) continue
      const before = state.pending.length
      state.tracker.apply(events, i, state.pending)
      if (state.pending.length === before) continue
      // Called right after the command ran: the engine's sequence is that command's.
      state.pendingSeq = this.engine.sequence
      state.pendingTime = time ??= this.commandTime()
      this.markDirty(state)
    }
  }

  /** Takes every dirty symbol's cut from the book as it is now, then sends them once durable. */
  private cut (): void {
    this.handle = null
    const cuts: Cut[] = []
    for (const state of this.dirty) cuts.push(this.cutOf(state))
    this.dirty.clear()
    this.inFlight = true
    this.durable().then(() => {
      this.inFlight = false
      for (const cut of cuts) {
        // One symbol's failure must not take the others down, nor escape as an unhandled rejection.
        try {
          this.send(cut)
        } catch (error) {
          this.onPublishError(error)
        }
      }
      // What came meanwhile (markDirty does not schedule while a cut is in flight).
      if (this.dirty.size > 0) this.handle = setImmediate(() => this.cut())
    }, () => this.fail())
  }

  private cutOf (state: L3Symbol): Cut {
    const { book } = state
    const symbol = book.symbol
    let delta: string | null = null
    let checksum: number | null = null
    if (state.pending.length > 0) {
      const prevSeq = state.seq
      state.seq = state.pendingSeq
      state.time = state.pendingTime
      checksum = l3Checksum(book)
      const { tick, lot } = book.spec
      const events = state.pending.map((c) => ({ action: c.action, order_id: c.orderId, side: c.side, price: tick.format(c.priceTicks), quantity: lot.format(c.lots) }))
      state.pending = []
      delta = JSON.stringify({ type: 'l3_update', symbol, kind: 'delta', seq: state.seq, prev_seq: prevSeq, events, checksum, timestamp: toSeconds(state.time) })
      this.stats.deltasPublished++
    }
    const joiners = state.joining
    state.joining = []
    let snapshot: string | null = null
    let resync: string | null = null
    if (joiners.length > 0) {
      for (const member of joiners) member.stage = Stage.CUT
      const body = { seq: state.seq, bids: l3Rows(book, book.bids), asks: l3Rows(book, book.asks), checksum: checksum ?? l3Checksum(book), timestamp: toSeconds(state.time) }
      if (joiners.some((m) => !m.resync)) {
        snapshot = JSON.stringify({ type: 'l3_update', symbol, kind: 'snapshot', ...body })
        this.stats.snapshotsBuilt++
      }
      if (joiners.some((m) => m.resync)) {
        resync = JSON.stringify({ type: 'resync', channel: L3_CHANNEL, symbol, reason: RESYNC_REASON, ...body })
        this.stats.snapshotsBuilt++
      }
    }
    return { state, delta, joiners, snapshot, resync }
  }

  /** The delta to those who hold the previous state, then the snapshots to those who joined at this cut and are still here. */
  private send ({ state, delta, joiners, snapshot, resync }: Cut): void {
    if (delta !== null) {
      for (const member of state.members.values()) if (member.stage === Stage.LIVE) member.subscriber.send(delta)
    }
    for (const member of joiners) {
      // Gone meanwhile (a resync waits for this snapshot, so a member still here is at this stage).
      if (state.members.get(member.subscriber) !== member) continue
      member.subscriber.send((member.resync ? resync : snapshot) as string)
      if (member.resync) this.stats.resyncs++
      member.resync = false
      member.stage = Stage.LIVE
      this.stats.snapshotsSent++
    }
  }

  /** The journal failed: what was cut was never acknowledged, so it is dropped, and the feed stops for good. */
  private fail (): void {
    this.inFlight = false
    this.failed = true
    this.stop()
    this.symbols.clear()
    this.dirty.clear()
    this.onFailure()
  }
}
