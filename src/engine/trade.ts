import type { Side } from './order.js'

/** What a trade needs of each of its orders: fields fixed when the order was taken. An Order is one. */
export interface TradeParty {
  readonly seq: number
  readonly side: Side
  readonly accountId: string
  readonly clientOrderId: string | null
  readonly timestamp: number
}

/**
 * One trade. It points at its two orders instead of copying their fields,
 * and its ids are strings only when someone reads them (the trade id is
 * `<symbol>-<seq>`, order ids their numbers in decimal): matching allocates
 * one small object per trade and builds no string. The parties' fields it
 * reads never change after the order was taken.
 */
export class Trade {
  readonly symbol: string
  /** The trade's number in its symbol: 1, 2, 3, ... */
  readonly seq: number
  readonly priceTicks: number
  readonly quantityLots: number
  readonly maker: TradeParty
  readonly taker: TradeParty

  constructor (symbol: string, seq: number, priceTicks: number, quantityLots: number, maker: TradeParty, taker: TradeParty) {
    this.symbol = symbol
    this.seq = seq
    this.priceTicks = priceTicks
    this.quantityLots = quantityLots
    this.maker = maker
    this.taker = taker
  }

  /** When the command that made it was taken: for most trades the taker's own time (see LaterTrade). */
  get timestamp (): number {
    return this.taker.timestamp
  }

  get tradeId (): string {
    return this.symbol + '-' + this.seq
  }

  get aggressorSide (): Side {
    return this.taker.side
  }

  get makerOrderSeq (): number {
    return this.maker.seq
  }

  get takerOrderSeq (): number {
    return this.taker.seq
  }

  get makerOrderId (): string {
    return String(this.maker.seq)
  }

  get takerOrderId (): string {
    return String(this.taker.seq)
  }

  /** Private: who traded. Never on the public tape; each side sees its own in its fills. */
  get makerAccountId (): string {
    return this.maker.accountId
  }

  get takerAccountId (): string {
    return this.taker.accountId
  }

  get makerClientOrderId (): string | null {
    return this.maker.clientOrderId
  }

  get takerClientOrderId (): string | null {
    return this.taker.clientOrderId
  }

  /**
   * A trade rebuilt from stored fields (fill history, snapshots), when its
   * orders are long gone: each side becomes a small party record.
   */
  static rebuilt (symbol: string, seq: number, priceTicks: number, quantityLots: number, aggressorSide: Side,
    makerOrderSeq: number, takerOrderSeq: number, makerAccountId: string, takerAccountId: string,
    makerClientOrderId: string | null, takerClientOrderId: string | null, timestamp: number): Trade {
    const makerSide: Side = aggressorSide === 'buy' ? 'sell' : 'buy'
    return new Trade(symbol, seq, priceTicks, quantityLots,
      new PartyRecord(makerOrderSeq, makerSide, makerAccountId, makerClientOrderId, timestamp),
      new PartyRecord(takerOrderSeq, aggressorSide, takerAccountId, takerClientOrderId, timestamp))
  }
}

/**
 * A trade made by an order later than it was placed (a triggered stop, an
 * amended order): it carries the time of the command that made it. A class
 * of its own so that every other trade stays one field smaller.
 */
export class LaterTrade extends Trade {
  private readonly takenAt: number

  constructor (symbol: string, seq: number, priceTicks: number, quantityLots: number, maker: TradeParty, taker: TradeParty, takenAt: number) {
    super(symbol, seq, priceTicks, quantityLots, maker, taker)
    this.takenAt = takenAt
  }

  override get timestamp (): number {
    return this.takenAt
  }
}

class PartyRecord implements TradeParty {
  constructor (readonly seq: number, readonly side: Side, readonly accountId: string, readonly clientOrderId: string | null, readonly timestamp: number) {}
}
