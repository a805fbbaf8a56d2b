/**
 * One account's private data between two flushes: its order events (by
 * symbol) and its fills, and which of its connections follow which channel,
 * for every symbol or for one. The hub keeps a feed only while the account
 * has a private subscriber, so events of everyone else cost one map lookup.
 */
import type { OrderEventType, OrderSnapshot, Trade } from '../engine/index.js'
import type { PrivateChannel, Subscriber } from './subscriber.js'

/** Which side of a trade an account's order was. */
export type FillRole = 'maker' | 'taker'

class Listeners {
  /** Following every symbol. */
  readonly all = new Set<Subscriber>()
  readonly bySymbol = new Map<string, Set<Subscriber>>()

  wants (symbol: string): boolean {
    return this.all.size > 0 || this.bySymbol.has(symbol)
  }

  /** Whether this subscriber gets this symbol's messages (a symbol and all symbols at once still get each once). */
  has (subscriber: Subscriber, symbol: string): boolean {
    return this.all.has(subscriber) || this.bySymbol.get(symbol)?.has(subscriber) === true
  }

  add (subscriber: Subscriber, symbol: string | null): boolean {
    if (symbol === null) return addTo(this.all, subscriber)
    let set = this.bySymbol.get(symbol)
    if (set === undefined) {
      set = new Set()
      this.bySymbol.set(symbol, set)
    }
    return addTo(set, subscriber)
  }

  delete (subscriber: Subscriber, symbol: string | null): boolean {
    if (symbol === null) return this.all.delete(subscriber)
    const set = this.bySymbol.get(symbol)
    if (set === undefined || !set.delete(subscriber)) return false
    if (set.size === 0) this.bySymbol.delete(symbol)
    return true
  }

  removeEverywhere (subscriber: Subscriber): void {
    this.all.delete(subscriber)
    for (const symbol of [...this.bySymbol.keys()]) this.delete(subscriber, symbol)
  }
}

export interface PendingFill { readonly trade: Trade, readonly role: FillRole }

export class AccountFeed {
  readonly accountId: string
  readonly orders = new Listeners()
  readonly fills = new Listeners()
  /** Each subscriber and how many private subscriptions it holds here. */
  readonly members = new Map<Subscriber, number>()
  /** Order events of the window by symbol, each in the order they happened. */
  pendingOrders = new Map<string, Array<{ eventType: OrderEventType, order: OrderSnapshot }>>()
  pendingFills: PendingFill[] = []
  dirty = false
  /** In the hub's list of feeds to publish (a flag, not a search of the list: many accounts may trade in one window). */
  queued = false

  constructor (accountId: string) {
    this.accountId = accountId
  }

  subscribe (subscriber: Subscriber, channel: PrivateChannel, symbol: string | null): boolean {
    if (!this.listeners(channel).add(subscriber, symbol)) return false
    this.members.set(subscriber, (this.members.get(subscriber) ?? 0) + 1)
    return true
  }

  unsubscribe (subscriber: Subscriber, channel: PrivateChannel, symbol: string | null): boolean {
    if (!this.listeners(channel).delete(subscriber, symbol)) return false
    const left = (this.members.get(subscriber) as number) - 1
    if (left === 0) this.members.delete(subscriber)
    else this.members.set(subscriber, left)
    return true
  }

  remove (subscriber: Subscriber): void {
    this.orders.removeEverywhere(subscriber)
    this.fills.removeEverywhere(subscriber)
    this.members.delete(subscriber)
  }

  get empty (): boolean {
    return this.members.size === 0
  }

  addOrderEvent (eventType: OrderEventType, order: OrderSnapshot): void {
    if (!this.orders.wants(order.symbol)) return
    let list = this.pendingOrders.get(order.symbol)
    if (list === undefined) {
      list = []
      this.pendingOrders.set(order.symbol, list)
    }
    list.push({ eventType, order })
    this.dirty = true
  }

  addFill (trade: Trade, role: FillRole): void {
    if (!this.fills.wants(trade.symbol)) return
    this.pendingFills.push({ trade, role })
    this.dirty = true
  }

  /** Takes the window's contents and resets it. */
  drain () {
    const orders = this.pendingOrders
    const fills = this.pendingFills
    this.pendingOrders = new Map()
    this.pendingFills = []
    this.dirty = false
    this.queued = false
    return { orders, fills }
  }

  private listeners (channel: PrivateChannel): Listeners {
    return channel === 'orders' ? this.orders : this.fills
  }
}

function addTo (set: Set<Subscriber>, subscriber: Subscriber): boolean {
  if (set.has(subscriber)) return false
  set.add(subscriber)
  return true
}
