/**
 * What becomes of a command's results once it has run: its finished orders
 * go to the order history, its trades to the fill history, and its events,
 * as one batch, to the listeners. Also the one reusable CommandOutput that
 * every command fills in turn, and the outcome an order command answers.
 */
import type { Accepted } from './codes.js'
import type { EngineEvent, EngineListener, ListenerErrorHandler } from './events.js'
import type { FillHistory } from './fill-history.js'
import type { OrderHistory } from './history.js'
import type { Order } from './order.js'
import { OrderBook, type CommandOutput } from './order-book.js'
import type { PriceLevel } from './price-level.js'
import type { Trade } from './trade.js'

/**
 * What an accepted order command came to. It is its own Accepted result
 * (ok, value): accepting a command costs this one object, not two.
 */
export class OrderOutcome implements Accepted<OrderOutcome> {
  readonly ok = true
  readonly order: Order
  readonly trades: readonly Trade[]
  /** The order's book, so that callers need not look it up again. */
  readonly book: OrderBook

  constructor (order: Order, trades: readonly Trade[], book: OrderBook) {
    this.order = order
    this.trades = trades
    this.book = book
  }

  get value (): OrderOutcome {
    return this
  }

  /** When the command was taken: a new order's is its own time. */
  get timestamp (): number {
    return this.order.timestamp
  }
}

/**
 * The outcome of a command on an order that already existed (an amend, a
 * cancel): its time is the command's, not the order's. A class of its own
 * so that the outcome of every new order stays one field smaller.
 */
export class LaterOutcome extends OrderOutcome {
  /** 0 for a cancel without a journal, which reads no clock. */
  private readonly takenAt: number

  constructor (order: Order, trades: readonly Trade[], book: OrderBook, takenAt: number) {
    super(order, trades, book)
    this.takenAt = takenAt
  }

  override get timestamp (): number {
    return this.takenAt
  }
}

/** What an accepted OCO list came to: its two legs (the list's id is the limit leg's) and the limit leg's trades. */
export class OcoOutcome implements Accepted<OcoOutcome> {
  readonly ok = true
  readonly limit: Order
  readonly stop: Order
  readonly trades: readonly Trade[]
  readonly book: OrderBook

  constructor (limit: Order, stop: Order, trades: readonly Trade[], book: OrderBook) {
    this.limit = limit
    this.stop = stop
    this.trades = trades
    this.book = book
  }

  get value (): OcoOutcome {
    return this
  }
}

/** Most commands trade nothing: they share this empty list, frozen so that no caller can add to every later answer. */
const NO_TRADES: readonly Trade[] = Object.freeze([])

export class CommandResults {
  private readonly history: OrderHistory
  private readonly fills: FillHistory
  private readonly onListenerError: ListenerErrorHandler
  private listeners: EngineListener[] = []
  /** The one output every command fills in turn (see start()). */
  private readonly output: CommandOutput = { trades: [], events: null, touched: null, retired: [], ownTrades: -1, timestamp: 0 }
  /** Numbers the commands, so that each changed level is listed once per command (PriceLevel.mark). */
  private serial = 0
  /** The scratch lists behind output.events and output.touched, which are null when nobody listens. */
  private readonly events: EngineEvent[] = []
  private readonly touched: PriceLevel[] = []

  constructor (history: OrderHistory, fills: FillHistory, onListenerError: ListenerErrorHandler) {
    this.history = history
    this.fills = fills
    this.onListenerError = onListenerError
  }

  /** Returns a function that removes the listener. */
  addListener (listener: EngineListener): () => void {
    this.listeners = [...this.listeners, listener]
    return () => { this.listeners = this.listeners.filter((l) => l !== listener) }
  }

  /**
   * The output for the next command: always the same object with the same
   * scratch lists, which complete() has emptied after the last command. A
   * command's trades and events leave it as arrays of their own, of their
   * exact size (a list grown by push would reserve 17 slots at its first).
   */
  start (timestamp: number): CommandOutput {
    const out = this.output
    out.timestamp = timestamp
    const listening = this.listeners.length > 0
    out.events = listening ? this.events : null
    out.touched = listening ? this.touched : null
    out.ownTrades = -1
    return out
  }

  /**
   * State first (histories), then events: listeners only ever see a
   * finished command. Returns the command's trades and leaves the scratch
   * lists empty (by popping: setting an array's length is a call into the
   * runtime).
   */
  complete (symbol: string, out: CommandOutput): readonly Trade[] {
    const own = out.ownTrades
    const retired = out.retired
    for (let i = 0; i < retired.length; i++) this.history.add(retired[i])
    while (retired.length > 0) retired.pop()
    const scratch = out.trades
    let trades: readonly Trade[] = NO_TRADES
    if (scratch.length > 0) {
      for (let i = 0; i < scratch.length; i++) this.fills.add(scratch[i])
      // Stops it triggered traded after it: those trades are in the fills and events, not in its answer.
      if (own !== 0) trades = own < 0 || own === scratch.length ? scratch.slice() : scratch.slice(0, own)
      while (scratch.length > 0) scratch.pop()
    }
    if (out.events === null || out.touched === null) return trades
    const touched = out.touched
    if (touched.length > 0) {
      out.events.push({ type: 'levels', symbol, changes: OrderBook.levelChanges(this.onceEach(touched)) })
      while (touched.length > 0) touched.pop()
    }
    const events = out.events.slice()
    while (out.events.length > 0) out.events.pop()
    for (const listener of this.listeners) {
      try {
        listener(events)
      } catch (error) {
        this.onListenerError(error)
      }
    }
    return trades
  }

  /**
   * The changed levels, each once, in the order first touched: a cascade of
   * triggered stops, an amend or an iceberg refresh can touch a level
   * twice; a plain command never does, and costs one compare per level.
   */
  private onceEach (touched: PriceLevel[]): PriceLevel[] {
    const mark = ++this.serial
    let unique = true
    for (let i = 0; i < touched.length; i++) {
      if (touched[i].mark === mark) unique = false
      touched[i].mark = mark
    }
    if (unique) return touched
    return [...new Set(touched)]
  }
}
