/**
 * Private data fan-out: an account's order events and fills go only to that
 * account's connections, serialized once per account, symbol and window.
 * Never merged nor dropped for a slow reader: the connection's own buffer
 * limits apply instead.
 */
import type { EngineEvent, MatchingEngine, OrderBook, Trade } from '../engine/index.js'
import { fillView, orderView } from '../wire/order-views.js'
import { AccountFeed } from './account-feed.js'
import type { PrivateChannel, Subscriber } from './subscriber.js'

type Drained = ReturnType<AccountFeed['drain']>
/** One account's closed window. */
export interface AccountWindow extends Drained {
  readonly account: AccountFeed
}

export class PrivateFanout {
  private readonly engine: MatchingEngine
  /** Feeds of the accounts that have a private subscriber now, and which account each such subscriber speaks for. */
  private readonly accounts = new Map<string, AccountFeed>()
  private readonly accountOf = new Map<Subscriber, AccountFeed>()
  private readonly dirtyAccounts: AccountFeed[] = []

  constructor (engine: MatchingEngine) {
    this.engine = engine
  }

  /** How many accounts have a private subscriber now. */
  get accountCount (): number {
    return this.accounts.size
  }

  get pending (): boolean {
    return this.dirtyAccounts.length > 0
  }

  subscribers (): Iterable<Subscriber> {
    return this.accountOf.keys()
  }

  subscribe (subscriber: Subscriber, accountId: string, channel: PrivateChannel, symbol: string | null): boolean {
    const current = this.accountOf.get(subscriber)
    if (current !== undefined && current.accountId !== accountId) {
      throw new Error('a subscriber speaks for one account only')
    }
    let feed = this.accounts.get(accountId)
    if (feed === undefined) {
      feed = new AccountFeed(accountId)
      this.accounts.set(accountId, feed)
    }
    this.accountOf.set(subscriber, feed)
    return feed.subscribe(subscriber, channel, symbol)
  }

  unsubscribe (subscriber: Subscriber, channel: PrivateChannel, symbol: string | null): boolean {
    const feed = this.accountOf.get(subscriber)
    if (feed === undefined || !feed.unsubscribe(subscriber, channel, symbol)) return false
    if (!feed.members.has(subscriber)) this.leave(feed, subscriber)
    return true
  }

  remove (subscriber: Subscriber): void {
    const account = this.accountOf.get(subscriber)
    if (account === undefined) return
    account.remove(subscriber)
    this.leave(account, subscriber)
  }

  /** Takes one command's events; true when an account now has something to send. */
  onEvent (event: EngineEvent): void {
    if (this.accounts.size === 0) return
    if (event.type === 'trade') {
      this.addFills(event.trade)
    } else if (event.type === 'order') {
      const account = this.accounts.get(event.order.accountId)
      if (account === undefined) return
      account.addOrderEvent(event.eventType, event.order)
      this.mark(account)
    }
  }

  /** Closes the window: each account's pending events, to publish once the journal holds them. */
  cut (): AccountWindow[] {
    return this.dirtyAccounts.splice(0).map((account) => ({ account, ...account.drain() }))
  }

  publish (windows: readonly AccountWindow[], onError: (error: unknown) => void): void {
    for (const window of windows) {
      try {
        this.publishAccount(window)
      } catch (error) {
        onError(error)
      }
    }
  }

  /** Forgets the subscriber's account once it holds no private subscription; an account nobody follows is dropped. */
  private leave (feed: AccountFeed, subscriber: Subscriber): void {
    this.accountOf.delete(subscriber)
    if (feed.empty) {
      this.accounts.delete(feed.accountId)
      // Its pending window goes with it: nobody is left to receive it.
      feed.drain()
    }
  }

  /** A trade is a fill of each side's account: two fills of one account when it traded with itself. */
  private addFills (trade: Trade): void {
    const maker = this.accounts.get(trade.makerAccountId)
    if (maker !== undefined) {
      maker.addFill(trade, 'maker')
      this.mark(maker)
    }
    const taker = this.accounts.get(trade.takerAccountId)
    if (taker !== undefined) {
      taker.addFill(trade, 'taker')
      this.mark(taker)
    }
  }

  private mark (account: AccountFeed): void {
    if (account.dirty && !account.queued) {
      account.queued = true
      this.dirtyAccounts.push(account)
    }
  }

  /**
   * One account's window: one order_event message per symbol and one fill message per fill, each
   * serialized once; every connection of the account gets those of the symbols it follows, corked
   * together, order events first.
   */
  private publishAccount ({ account, orders, fills }: AccountWindow): void {
    // The account's last subscriber may have left during the window.
    if (account.empty) return
    const events: Array<{ symbol: string, text: string }> = []
    for (const [symbol, list] of orders) {
      const spec = (this.engine.book(symbol) as OrderBook).spec
      events.push({
        symbol,
        text: JSON.stringify({
          type: 'order_event',
          symbol,
          data: list.map(({ eventType, order }) => ({ event_type: eventType, ...orderView(order, spec) }))
        })
      })
    }
    const fillTexts = fills.map(({ trade, role }) => ({
      symbol: trade.symbol,
      text: JSON.stringify({ type: 'fill', ...fillView(trade, role, (this.engine.book(trade.symbol) as OrderBook).spec, this.engine) })
    }))
    for (const subscriber of account.members.keys()) {
      subscriber.cork?.()
      for (const { symbol, text } of events) if (account.orders.has(subscriber, symbol)) subscriber.send(text)
      for (const { symbol, text } of fillTexts) if (account.fills.has(subscriber, symbol)) subscriber.send(text)
      subscriber.uncork?.()
    }
  }
}
