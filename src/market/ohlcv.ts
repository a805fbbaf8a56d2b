/**
 * One interval's trades summed up: open, high, low and close in integer
 * ticks, volume in lots and quote volume in tick·lot units (exact BigInts: a
 * day of a busy symbol passes 2^53 tick·lots), and the number of trades. A
 * candle and a one-minute bucket of the rolling ticker are both one.
 */

/** [openTime (epoch ms), open, high, low, close, volume lots, quote tick·lots, trades] as a snapshot stores it. */
export type OhlcvTuple = [number, number, number, number, number, string, string, number]

export class Ohlcv {
  readonly openTime: number
  readonly open: number
  high: number
  low: number
  close: number
  volume: bigint
  quote: bigint
  trades: number

  constructor (openTime: number, open: number, high: number, low: number, close: number, volume: bigint, quote: bigint, trades: number) {
    this.openTime = openTime
    this.open = open
    this.high = high
    this.low = low
    this.close = close
    this.volume = volume
    this.quote = quote
    this.trades = trades
  }

  static first (openTime: number, priceTicks: number, quantityLots: number): Ohlcv {
    return new Ohlcv(openTime, priceTicks, priceTicks, priceTicks, priceTicks, BigInt(quantityLots), BigInt(priceTicks) * BigInt(quantityLots), 1)
  }

  add (priceTicks: number, quantityLots: number): void {
    if (priceTicks > this.high) this.high = priceTicks
    if (priceTicks < this.low) this.low = priceTicks
    this.close = priceTicks
    this.volume += BigInt(quantityLots)
    this.quote += BigInt(priceTicks) * BigInt(quantityLots)
    this.trades++
  }

  toTuple (): OhlcvTuple {
    return [this.openTime, this.open, this.high, this.low, this.close, this.volume.toString(), this.quote.toString(), this.trades]
  }

  static fromTuple ([openTime, open, high, low, close, volume, quote, trades]: OhlcvTuple): Ohlcv {
    return new Ohlcv(openTime, open, high, low, close, BigInt(volume), BigInt(quote), trades)
  }
}
