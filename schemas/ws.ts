/**
 * The WebSocket protocol at /ws: every message, both ways, is one JSON
 * object with a `type`. Inbound frames bypass Fastify's route schemas, so the
 * gateway compiles these with TypeBox's TypeCompiler once at start.
 */
import { Type, type Static } from '@sinclair/typebox'
import { EpochSeconds, Level } from './common.js'

export const CHANNELS = ['l2_updates', 'trades', 'orders'] as const
export type ChannelName = typeof CHANNELS[number]

/** Request ids are echoed back; a short string or a number. */
export const RequestId = Type.Union([Type.String({ maxLength: 64 }), Type.Number()])

export const SubscribeMessage = Type.Object({
  type: Type.Union([Type.Literal('subscribe'), Type.Literal('unsubscribe')]),
  channel: Type.String({ maxLength: 32 }),
  symbol: Type.Optional(Type.String({ maxLength: 41 })),
  /** l2_updates only: how many levels per side the snapshot and deltas cover (see WS_MAX_DEPTH). */
  depth: Type.Optional(Type.Integer({ minimum: 1 })),
  id: Type.Optional(RequestId)
}, { additionalProperties: false })
export type SubscribeMessage = Static<typeof SubscribeMessage>

export const PingMessage = Type.Object({
  type: Type.Literal('ping'),
  id: Type.Optional(RequestId)
}, { additionalProperties: false })
export type PingMessage = Static<typeof PingMessage>

export const WsErrorCode = {
  INVALID_JSON: 'INVALID_JSON',
  INVALID_MESSAGE: 'INVALID_MESSAGE',
  UNKNOWN_TYPE: 'UNKNOWN_TYPE',
  INVALID_CHANNEL: 'INVALID_CHANNEL',
  INVALID_DEPTH: 'INVALID_DEPTH',
  SYMBOL_REQUIRED: 'SYMBOL_REQUIRED',
  SYMBOL_NOT_FOUND: 'SYMBOL_NOT_FOUND',
  NOT_SUBSCRIBED: 'NOT_SUBSCRIBED',
  TOO_MANY_SUBSCRIPTIONS: 'TOO_MANY_SUBSCRIPTIONS',
  RATE_LIMIT: 'RATE_LIMIT'
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
export const L2UpdateMessage = Type.Object({
  type: Type.Literal('l2_update'),
  symbol: Type.String(),
  kind: Type.Union([Type.Literal('snapshot'), Type.Literal('delta')]),
  seq: Type.Integer(),
  /** Snapshots: the depth this book and its deltas cover. */
  depth: Type.Optional(Type.Integer()),
  bids: Type.Array(Level),
  asks: Type.Array(Level),
  timestamp: EpochSeconds
})
export type L2UpdateMessage = Static<typeof L2UpdateMessage>

export const ErrorMessage = Type.Object({
  type: Type.Literal('error'),
  code: Type.String(),
  message: Type.String(),
  id: Type.Optional(RequestId)
})
