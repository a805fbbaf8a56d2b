/**
 * The WebSocket protocol at /ws: every message, both ways, is one JSON
 * object with a `type`. Inbound frames bypass Fastify's route schemas, so the
 * gateway compiles these with TypeBox's TypeCompiler once at start.
 */
import { Type, type Static } from '@sinclair/typebox'
import { EpochSeconds, Level } from './common.js'
import { FillView } from './private.js'

export const CHANNELS = ['l2_updates', 'trades', 'l3', 'ticker', 'candles', 'orders', 'fills'] as const
export type ChannelName = typeof CHANNELS[number]
/** Channels of the signed-in account's own data: they need a sign-in with `read` (or AUTH=off). */
export const PRIVATE_CHANNELS = ['orders', 'fills'] as const
export type PrivateChannelName = typeof PRIVATE_CHANNELS[number]

/** Whether the server verifies sign-ins (`required`) or treats every connection as the anonymous account (`off`). */
export const AUTH_MODES = ['required', 'off'] as const
export type AuthMode = typeof AUTH_MODES[number]

/** Request ids are echoed back; a short string or a number. */
export const RequestId = Type.Union([Type.String({ maxLength: 64 }), Type.Number()])

export const SubscribeMessage = Type.Object({
  type: Type.Union([Type.Literal('subscribe'), Type.Literal('unsubscribe')]),
  channel: Type.String({ maxLength: 32 }),
  symbol: Type.Optional(Type.String({ maxLength: 41 })),
  /** l2_updates only: how many levels per side the snapshot and deltas cover (see WS_MAX_DEPTH); "full" = WS_MAX_DEPTH. */
  depth: Type.Optional(Type.Union([Type.Number(), Type.String({ maxLength: 16 })])),
  /** l2_updates: how often deltas come (raw, 100ms, 1000ms); candles: the candle interval (1m ... 1d). */
  interval: Type.Optional(Type.String({ maxLength: 16 })),
  id: Type.Optional(RequestId)
}, { additionalProperties: false })
export type SubscribeMessage = Static<typeof SubscribeMessage>

export const PingMessage = Type.Object({
  type: Type.Literal('ping'),
  id: Type.Optional(RequestId)
}, { additionalProperties: false })
export type PingMessage = Static<typeof PingMessage>

/**
 * Sign-in: signature = hex(HMAC-SHA256(secret, timestamp + "AUTH" + "/ws" + nonce)) with the
 * nonce of this connection's `connected` message (src/auth/signature.ts wsSignInPayload), so a
 * sign-in captured on one connection is worth nothing on another. The timestamp (ms) may be a
 * JSON number or a string of digits; its decimal text is what was signed. Formats are checked by
 * the verifier, which answers them with the REST codes (INVALID_API_KEY, INVALID_TIMESTAMP...).
 */
export const AuthMessage = Type.Object({
  type: Type.Literal('auth'),
  api_key: Type.String({ maxLength: 64 }),
  timestamp: Type.Union([Type.String({ maxLength: 20 }), Type.Number()]),
  signature: Type.String({ maxLength: 128 }),
  /** When the connection ends for any reason, cancel the account's open orders (one journaled cancel_all). */
  cancel_on_disconnect: Type.Optional(Type.Boolean()),
  id: Type.Optional(RequestId)
}, { additionalProperties: false })
export type AuthMessage = Static<typeof AuthMessage>

export const WsErrorCode = {
  INVALID_JSON: 'INVALID_JSON',
  INVALID_MESSAGE: 'INVALID_MESSAGE',
  UNKNOWN_TYPE: 'UNKNOWN_TYPE',
  INVALID_CHANNEL: 'INVALID_CHANNEL',
  INVALID_DEPTH: 'INVALID_DEPTH',
  /** An l3 subscribe whose snapshot would list more than WS_L3_MAX_ORDERS resting orders. */
  L3_TOO_LARGE: 'L3_TOO_LARGE',
  /** An interval the channel does not have (l2_updates: raw, 100ms, 1000ms). */
  INVALID_INTERVAL: 'INVALID_INTERVAL',
  SYMBOL_REQUIRED: 'SYMBOL_REQUIRED',
  SYMBOL_NOT_FOUND: 'SYMBOL_NOT_FOUND',
  NOT_SUBSCRIBED: 'NOT_SUBSCRIBED',
  TOO_MANY_SUBSCRIPTIONS: 'TOO_MANY_SUBSCRIPTIONS',
  RATE_LIMIT: 'RATE_LIMIT',
  /** A private channel asked on a connection that has not signed in. */
  AUTH_REQUIRED: 'AUTH_REQUIRED',
  /** A second sign-in on a connection (a connection speaks for one key for its whole life). */
  ALREADY_AUTHENTICATED: 'ALREADY_AUTHENTICATED',
  /** The signed-in key lacks the permission (read) a private channel needs. */
  FORBIDDEN: 'FORBIDDEN',
  // Sign-in refusals: the same codes, in the same order of checks, as signed REST requests.
  INVALID_API_KEY: 'INVALID_API_KEY',
  INVALID_TIMESTAMP: 'INVALID_TIMESTAMP',
  INVALID_SIGNATURE: 'INVALID_SIGNATURE',
  REPLAYED_REQUEST: 'REPLAYED_REQUEST',
  /** The replay cache is full of live sign-ins: retry shortly (as 503 OVERLOADED over REST). */
  OVERLOADED: 'OVERLOADED',
  /** An order.* request past WS_MAX_IN_FLIGHT unanswered ones on its connection: not executed. */
  TOO_MANY_IN_FLIGHT: 'TOO_MANY_IN_FLIGHT'
} as const
export type WsErrorCode = typeof WsErrorCode[keyof typeof WsErrorCode]

/** Close codes the gateway uses (RFC 6455 section 7.4.1). */
export const CloseCode = {
  GOING_AWAY: 1001,
  POLICY_VIOLATION: 1008,
  MESSAGE_TOO_BIG: 1009,
  TRY_AGAIN_LATER: 1013
} as const

// Server → client shapes, for documentation and for clients that validate.
export const ConnectedMessage = Type.Object({
  type: Type.Literal('connected'),
  session_id: Type.String(),
  symbols: Type.Array(Type.String()),
  /** 32 random hex digits, new for every connection: what a sign-in on this connection signs. */
  nonce: Type.String({ minLength: 32, maxLength: 32 }),
  auth: Type.Union(AUTH_MODES.map((mode) => Type.Literal(mode))),
  timestamp: EpochSeconds
})
export type ConnectedMessage = Static<typeof ConnectedMessage>

export const AuthenticatedMessage = Type.Object({
  type: Type.Literal('authenticated'),
  account_id: Type.String(),
  permissions: Type.Array(Type.String()),
  /** Echoes the sign-in's cancel_on_disconnect (false when it was not set). */
  cancel_on_disconnect: Type.Boolean(),
  id: Type.Optional(RequestId),
  timestamp: EpochSeconds
})
export type AuthenticatedMessage = Static<typeof AuthenticatedMessage>

/** One fill of the signed-in account on the `fills` channel (a self-trade is two fills: maker and taker). */
export const FillMessage = Type.Object({
  type: Type.Literal('fill'),
  ...FillView.properties
})
export type FillMessage = Static<typeof FillMessage>

export const L2UpdateMessage = Type.Object({
  type: Type.Literal('l2_update'),
  symbol: Type.String(),
  kind: Type.Union([Type.Literal('snapshot'), Type.Literal('delta')]),
  /** The engine command seq of the newest command the book after this message reflects. */
  seq: Type.Integer(),
  /** Deltas: the seq of the state this delta applies to. */
  prev_seq: Type.Optional(Type.Integer()),
  /** Snapshots: the depth this book and its deltas cover. */
  depth: Type.Optional(Type.Integer()),
  /** Snapshots: how often deltas come. */
  interval: Type.Optional(Type.String()),
  bids: Type.Array(Level),
  asks: Type.Array(Level),
  /** CRC-32 of the top 10 levels per side after this message is applied (README: Checksums). */
  checksum: Type.Integer({ minimum: 0 }),
  /** Epoch seconds at which the engine ran the newest command this book reflects. */
  timestamp: EpochSeconds
})

/** Sent instead of what a subscriber fell too far behind to be owed: replace your book (l2) or your recent trades. */
export const ResyncMessage = Type.Object({
  type: Type.Literal('resync'),
  channel: Type.Union([Type.Literal('l2_updates'), Type.Literal('trades')]),
  symbol: Type.String(),
  reason: Type.Literal('dropped'),
  /** l2_updates: a full snapshot, as in a snapshot l2_update. */
  seq: Type.Optional(Type.Integer()),
  depth: Type.Optional(Type.Integer()),
  interval: Type.Optional(Type.String()),
  bids: Type.Optional(Type.Array(Level)),
  asks: Type.Optional(Type.Array(Level)),
  checksum: Type.Optional(Type.Integer({ minimum: 0 })),
  /** trades: how many trades were dropped, and the newest trades (oldest first). */
  dropped: Type.Optional(Type.Integer()),
  trades: Type.Optional(Type.Array(Type.Unknown())),
  timestamp: EpochSeconds
})

/** Every WS_HEARTBEAT_MESSAGE_MS on every connection: a quiet market, not a dead feed. */
export const HeartbeatMessage = Type.Object({
  type: Type.Literal('heartbeat'),
  /** 1, 2, 3... per connection. */
  count: Type.Integer({ minimum: 1 }),
  timestamp: EpochSeconds
})
export type L2UpdateMessage = Static<typeof L2UpdateMessage>

export const ErrorMessage = Type.Object({
  type: Type.Literal('error'),
  code: Type.String(),
  message: Type.String(),
  id: Type.Optional(RequestId)
})
