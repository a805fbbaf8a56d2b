import type { Side } from './order.js'

/**
 * One trade. Its numbers are kept as numbers: the trade id (`<symbol>-<seq>`)
 * and the order ids are strings only when someone reads them, at the edge,
 * so matching never builds a string per trade.
 */
export class Trade {
  readonly symbol: string
  /** The trade's number in its symbol: 1, 2, 3, ... */
  readonly seq: number
  readonly priceTicks: number
  readonly quantityLots: number
  readonly aggressorSide: Side
  readonly makerOrderSeq: number
  readonly takerOrderSeq: number
  /** Private: who traded. Never on the public tape; each side sees its own in its fills. */
  readonly makerAccountId: string
  readonly takerAccountId: string
  readonly makerClientOrderId: string | null
  readonly takerClientOrderId: string | null
  readonly timestamp: number

  constructor (symbol: string, seq: number, priceTicks: number, quantityLots: number, aggressorSide: Side,
    makerOrderSeq: number, takerOrderSeq: number, makerAccountId: string, takerAccountId: string,
    makerClientOrderId: string | null, takerClientOrderId: string | null, timestamp: number) {
    this.symbol = symbol
    this.seq = seq
    this.priceTicks = priceTicks
    this.quantityLots = quantityLots
    this.aggressorSide = aggressorSide
    this.makerOrderSeq = makerOrderSeq
    this.takerOrderSeq = takerOrderSeq
    this.makerAccountId = makerAccountId
    this.takerAccountId = takerAccountId
    this.makerClientOrderId = makerClientOrderId
    this.takerClientOrderId = takerClientOrderId
    this.timestamp = timestamp
  }

  get tradeId (): string {
    return this.symbol + '-' + this.seq
  }

  get makerOrderId (): string {
    return String(this.makerOrderSeq)
  }

  get takerOrderId (): string {
    return String(this.takerOrderSeq)
  }
}
