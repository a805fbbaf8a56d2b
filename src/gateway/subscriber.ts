/** What the hub needs of a connection: a way to hand it a serialized message. */
export interface Subscriber {
  /** Sends one already-serialized message; the transport applies its own backpressure policy. */
  send (text: string): void
  /** Optional: hold sends until uncork() so several messages leave in one write. */
  cork?(): void
  uncork?(): void
  /**
   * Optional: bytes queued to the peer and not yet sent. Past the hub's threshold the subscriber is
   * behind: its public market data is merged for it (backlog.ts) instead of queued.
   */
  readonly bufferedBytes?: number
}

/** l2_updates and trades are public market data; orders and fills are one account's own. */
export const Channel = { L2: 'l2_updates', TRADES: 'trades', ORDERS: 'orders', FILLS: 'fills' } as const
export type Channel = typeof Channel[keyof typeof Channel]
export type PublicChannel = typeof Channel.L2 | typeof Channel.TRADES
export type PrivateChannel = typeof Channel.ORDERS | typeof Channel.FILLS
