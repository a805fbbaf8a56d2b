/**
 * The `ticker` and `candles` WebSocket channels, transport-agnostic like the
 * market-data hub: it listens to the engine, marks a symbol's ticker (on a
 * trade or a change of its best levels) and candles (on a trade) as changed,
 * and publishes each at most once per throttle window (100 ms) per symbol
 * [and interval], built and serialized once, the same string to every
 * subscriber, and only when it differs from the last one published. A
 * message waits for the journal (durable()) like all market data, and
 * messages leave in the order they were built.
 */
import type { EngineEvent, MatchingEngine, OrderBook } from '../engine/index.js'
import { CANDLE_INTERVALS, INTERVAL_MS, isCandleInterval, type CandleInterval } from '../market/candle-series.js'
import type { MarketStats, SymbolStats } from '../market/market-stats.js'
import { candleView, tickerView } from '../wire/stats-views.js'
import { toSeconds } from '../wire/time.js'
import type { Subscriber } from './subscriber.js'

export const StatsChannel = { TICKER: 'ticker', CANDLES: 'candles' } as const
export type StatsChannel = typeof StatsChannel[keyof typeof StatsChannel]

export interface StatsFeedOptions {
  readonly stats: MarketStats
  /** At most one message per symbol (and interval) per this many ms. Default 100. */
  readonly throttleMs?: number
  /** How often a ticker is checked without trades, for buckets leaving its 24-hour window (aligned to the clock). Default 60000. */
  readonly windowCheckMs?: number
  /** The clock of timestamps and of the 24-hour window (epoch ms): the engine's. */
  readonly now: () => number
  /** Resolves when the commands executed so far are journaled: nothing is published before. */
  readonly durable?: () => Promise<void>
}

/** One published stream: a symbol's ticker, or its candles at one interval. */
interface Topic {
  readonly symbol: string
  readonly interval: CandleInterval | null
  readonly subscribers: Set<Subscriber>
  /** The last message published, without its timestamp: an unchanged one is not sent again. */
  last: string | null
  /** performance-clock time before which it may not publish again. */
  nextAt: number
}

interface Outgoing { readonly topic: Topic | null, readonly text: string, readonly to: readonly Subscriber[] }

export class StatsFeed {
  private readonly engine: MatchingEngine
  private readonly stats: MarketStats
  private readonly throttleMs: number
  private readonly windowCheckMs: number
  private readonly now: () => number
  private readonly durable: () => Promise<void>
  private readonly tickers = new Map<string, Topic>()
  /** Subscribers of every symbol's ticker. */
  private readonly allTickers = new Set<Subscriber>()
  private readonly candles = new Map<string, Topic>()
  private readonly dirty = new Set<Topic>()
  private timer: NodeJS.Timeout | null = null
  private windowTimer: NodeJS.Timeout | null = null
  private detach: (() => void) | null = null
  /** Sends leave in build order: each waits for the one before and for the journal. */
  private sending: Promise<void> = Promise.resolve()
  /** Set once the journal failed: nothing more is published. */
  failed = false

  constructor (engine: MatchingEngine, options: StatsFeedOptions) {
    this.engine = engine
    this.stats = options.stats
    this.throttleMs = options.throttleMs ?? 100
    this.windowCheckMs = options.windowCheckMs ?? 60_000
    this.now = options.now
    this.durable = options.durable ?? (() => Promise.resolve())
    for (const symbol of engine.symbols) this.tickers.set(symbol, topic(symbol, null))
  }

  start (): void {
    this.detach ??= this.engine.addListener((events) => this.onEvents(events))
  }

  stop (): void {
    this.detach?.()
    this.detach = null
    if (this.timer !== null) clearTimeout(this.timer)
    if (this.windowTimer !== null) clearTimeout(this.windowTimer)
    this.timer = this.windowTimer = null
    this.dirty.clear()
  }

  /** Stops for good (the journal failed): nothing built from memory may go out any more. */
  fail (): void {
    this.failed = true
    this.stop()
  }

  /** Whether `subscribe` takes this interval (the caller refuses others, e.g. with INVALID_INTERVAL). */
  static isInterval (interval: unknown): interval is CandleInterval {
    return isCandleInterval(interval)
  }

  /**
   * Adds a subscription and, when it is new, sends the subscriber the current state once (the
   * ticker, of every symbol when symbol is null; the current candle if one exists), after the
   * journal, before any later push. The caller has checked the symbol (a traded one; required for
   * candles) and the interval (candles only). Returns false if it already existed.
   */
  subscribe (subscriber: Subscriber, channel: StatsChannel, symbol: string | null, interval?: string): boolean {
    const set = this.subscribers(channel, symbol, interval, true) as Set<Subscriber>
    if (set.has(subscriber)) return false
    set.add(subscriber)
    const topics = channel === StatsChannel.TICKER && symbol === null ? [...this.tickers.values()] : [this.topicOf(channel, symbol, interval, true) as Topic]
    const out: Outgoing[] = []
    for (const t of topics) {
      const text = this.build(t)?.text
      if (text !== undefined) out.push({ topic: null, text, to: [subscriber] })
    }
    this.send(out, () => set.has(subscriber))
    if (channel === StatsChannel.TICKER) this.armWindowCheck()
    return true
  }

  unsubscribe (subscriber: Subscriber, channel: StatsChannel, symbol: string | null, interval?: string): boolean {
    const set = this.subscribers(channel, symbol, interval, false)
    if (set === undefined || !set.delete(subscriber)) return false
    if (channel === StatsChannel.CANDLES && set.size === 0) this.candles.delete(candleKey(this.symbolOf(symbol), interval as CandleInterval))
    return true
  }

  removeSubscriber (subscriber: Subscriber): void {
    this.allTickers.delete(subscriber)
    for (const t of this.tickers.values()) t.subscribers.delete(subscriber)
    for (const [key, t] of this.candles) {
      if (t.subscribers.delete(subscriber) && t.subscribers.size === 0) this.candles.delete(key)
    }
  }

  /** Publishes what is due now (also what the throttle timer calls). */
  flush (): void {
    this.timer = null
    const at = performance.now()
    const out: Outgoing[] = []
    for (const t of this.dirty) {
      if (t.nextAt > at) continue
      this.dirty.delete(t)
      const to = this.recipients(t)
      if (to.length === 0) continue
      const message = this.build(t)
      if (message === null || message.content === t.last) continue
      t.last = message.content
      t.nextAt = at + this.throttleMs
      out.push({ topic: t, text: message.text, to })
    }
    this.send(out, (subscriber, t) => (t as Topic).subscribers.has(subscriber) || ((t as Topic).interval === null && this.allTickers.has(subscriber)))
    this.schedule()
  }

  /** Marks every watched ticker as possibly changed (buckets leave the 24-hour window with time alone). */
  checkWindows (): void {
    for (const t of this.tickers.values()) this.mark(t)
  }

  private onEvents (events: readonly EngineEvent[]): void {
    for (const event of events) {
      if (event.type === 'order') continue
      const symbol = event.type === 'trade' ? event.trade.symbol : event.symbol
      const ticker = this.tickers.get(symbol)
      if (ticker !== undefined) this.mark(ticker)
      if (event.type !== 'trade' || this.candles.size === 0) continue
      for (const interval of CANDLE_INTERVALS) {
        const candle = this.candles.get(candleKey(symbol, interval))
        if (candle !== undefined) this.mark(candle)
      }
    }
  }

  private mark (t: Topic): void {
    if (this.failed || (t.subscribers.size === 0 && (t.interval !== null || this.allTickers.size === 0))) return
    this.dirty.add(t)
    this.schedule()
  }

  private schedule (): void {
    if (this.timer !== null || this.dirty.size === 0) return
    let due = Number.POSITIVE_INFINITY
    for (const t of this.dirty) due = Math.min(due, t.nextAt)
    this.timer = setTimeout(() => this.flush(), Math.max(0, due - performance.now()))
  }

  /** While anyone follows a ticker, checks the windows at each multiple of windowCheckMs. */
  private armWindowCheck (): void {
    if (this.windowTimer !== null || this.failed) return
    const delay = this.windowCheckMs - (this.now() % this.windowCheckMs)
    this.windowTimer = setTimeout(() => {
      this.windowTimer = null
      this.checkWindows()
      if (this.allTickers.size > 0 || [...this.tickers.values()].some((t) => t.subscribers.size > 0)) this.armWindowCheck()
    }, delay)
    this.windowTimer.unref()
  }

  /** Queues messages behind the ones before them; each goes out once the journal holds what it shows, to those still subscribed. */
  private send (out: Outgoing[], stillThere: (subscriber: Subscriber, topic: Topic | null) => boolean): void {
    if (out.length === 0) return
    this.sending = this.sending.then(() => this.durable()).then(() => {
      if (this.failed) return
      for (const { topic: t, text, to } of out) {
        for (const subscriber of to) if (stillThere(subscriber, t)) subscriber.send(text)
      }
    }, () => this.fail())
  }

  /** The message of a topic now (content: without its timestamp); null for candles of a symbol that has not traded. */
  private build (t: Topic): { text: string, content: string } | null {
    const stats = this.stats.of(t.symbol) as SymbolStats
    const book = this.engine.book(t.symbol) as OrderBook
    const now = this.now()
    if (t.interval === null) {
      const { timestamp, ...ticker } = tickerView(stats, book, now)
      return { content: JSON.stringify(ticker), text: JSON.stringify({ type: 'ticker', ...ticker, timestamp }) }
    }
    const current = stats.candles[t.interval].current
    if (current === null) return null
    const candle = { type: 'candle', symbol: t.symbol, interval: t.interval, ...candleView(current, INTERVAL_MS[t.interval], book.spec) }
    const content = JSON.stringify(candle)
    return { content, text: content.slice(0, -1) + ',"timestamp":' + JSON.stringify(toSeconds(now)) + '}' }
  }

  private recipients (t: Topic): Subscriber[] {
    if (t.interval !== null || this.allTickers.size === 0) return [...t.subscribers]
    const all = new Set(this.allTickers)
    for (const s of t.subscribers) all.add(s)
    return [...all]
  }

  private subscribers (channel: StatsChannel, symbol: string | null, interval: string | undefined, create: boolean): Set<Subscriber> | undefined {
    if (channel === StatsChannel.TICKER && symbol === null) return this.allTickers
    return this.topicOf(channel, symbol, interval, create)?.subscribers
  }

  private topicOf (channel: StatsChannel, symbol: string | null, interval: string | undefined, create: boolean): Topic | undefined {
    const name = this.symbolOf(symbol)
    if (channel === StatsChannel.TICKER) return this.tickers.get(name)
    if (!isCandleInterval(interval)) throw new Error(`candles need an interval of ${CANDLE_INTERVALS.join(', ')}`)
    const key = candleKey(name, interval)
    let t = this.candles.get(key)
    if (t === undefined && create) {
      t = topic(name, interval)
      this.candles.set(key, t)
    }
    return t
  }

  /** The engine's name of a traded symbol (case-insensitive); anything else is the caller's bug. */
  private symbolOf (symbol: string | null): string {
    const book = symbol === null ? undefined : this.engine.book(symbol)
    if (book === undefined) throw new Error(`not a traded symbol: ${String(symbol)}`)
    return book.symbol
  }
}

function topic (symbol: string, interval: CandleInterval | null): Topic {
  return { symbol, interval, subscribers: new Set(), last: null, nextAt: 0 }
}

function candleKey (symbol: string, interval: CandleInterval): string {
  return symbol + ' ' + interval
}
