/**
 * The /ws market-data gateway: @fastify/websocket plus the hub. This file
 * owns the connection lifecycle (caps, heartbeat, shutdown, the end of
 * sessions whose key was revoked); sessions own the protocol; the hub owns
 * batching and fan-out.
 */
import fp from 'fastify-plugin'
import websocket from '@fastify/websocket'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { WebSocket } from 'ws'
import { randomUUID } from 'node:crypto'
import type { MarketDataHub } from '../src/gateway/market-data-hub.js'
import { SendBudget } from '../src/gateway/send-budget.js'
import { CloseCode, type AuthMode } from '../schemas/ws.js'
import { ErrorCode } from '../schemas/errors.js'
import { apiError } from './http-errors.js'
import type { Config } from '../src/config.js'
import type { IdentityChange } from '../src/exchange/exchange.js'
import type { Verifier } from '../src/auth/verifier.js'
import { Session, UNAVAILABLE, type SignIn } from './ws-session.js'
import { TradingDesk, type TradingContext, type Validate } from './ws-trading.js'
import { TRADING_PARAMS, TRADING_TYPES, type TradingType } from '../schemas/ws-trading.js'
import { CancelAfter, realTimers } from '../src/gateway/cancel-after.js'

export interface GatewayStats {
  connections: number
  subscriptions: number
  messages_sent: number
  deltas_published: number
  snapshots_sent: number
  /** Snapshots serialized; snapshots_sent minus this is how many were shared. */
  snapshots_built: number
  slow_consumer_disconnects: number
  /** Connections closed (1013) because all of them together held more than WS_MAX_TOTAL_BUFFERED_BYTES. */
  budget_evictions: number
  /** Bytes queued to peers and not yet sent, across open connections, now. */
  buffered_bytes: number
  refused_connections: number
  /** Upgrades refused (403) because of their Origin. */
  refused_origins: number
  /** Engine time of the newest command a public message reflects → handed to the socket (recent window; count and max all-time). */
  publish_to_write_ms: { count: number, p50: number, p99: number, max: number }
  /** Subscribers whose public data is being merged now because they fell behind. */
  behind_subscribers: number
  /** Public messages merged into a behind subscriber's backlog instead of sent. */
  conflated_messages: number
  /** Resync messages sent (a behind subscriber was owed more than its bound). */
  resyncs: number
  /** The most unsent bytes one connection holds now. */
  max_buffered_bytes: number
  /** order.* requests received (all connections, all time), refused ones included. */
  trading_requests: number
  /** order.* requests received and not yet answered, now. */
  trading_in_flight: number
  /** Connections with cancel_on_disconnect that ended (each one cancel_all of its account). */
  cancel_on_disconnect_fired: number
  /** Dead-man's switches (order.cancel_after) that ran out (each one cancel_all of its account). */
  cancel_after_fired: number
}

declare module 'fastify' {
  interface FastifyInstance {
    gateway: { hub: MarketDataHub, stats: () => GatewayStats, connections: () => number }
  }
}

export interface WebsocketPluginOptions {
  readonly config: Config['ws']
  /** AUTH: with off every connection is the anonymous account. */
  readonly authMode: AuthMode
}

async function websocketPlugin (app: FastifyInstance, opts: WebsocketPluginOptions): Promise<void> {
  const limits = opts.config
  const authMode = opts.authMode
  const hub = app.exchange.marketData
  const sessions = new Set<Session>()
  const perIp = new Map<string, number>()
  const counters = { slow: 0, refused: 0, sent: 0, origins: 0 }
  const budget = new SendBudget(limits.maxTotalBufferedBytes)
  const context = {
    hub,
    l3: app.exchange.orderFeed,
    stats: app.exchange.statsFeed,
    limits,
    budget,
    now: Date.now,
    onSlowConsumer: () => { counters.slow++ },
    onSent: () => { counters.sent++ },
    available: () => app.exchange.health().healthy,
    authMode,
    signIn: signInWith(app.verifier)
  }
  const exchange = app.exchange
  const cancelAfter = new CancelAfter({
    now: Date.now,
    timers: realTimers,
    // Journaled like any cancel_all; a refusal (a failed journal) leaves nothing to do here.
    fire: (accountId) => { exchange.cancelAll({ accountId }, {}).then(ignore, ignore) }
  })
  const trading: Omit<TradingContext, 'validators'> = {
    exchange,
    maxInFlight: limits.maxInFlight,
    maxOrdersPerSecond: limits.maxOrdersPerSecond,
    keyLimit: app.keyOrderLimit,
    cancelAfter,
    now: Date.now,
    counters: { requests: 0, inFlight: 0, cancelOnDisconnectFired: 0 }
  }
  let tradingContext: TradingContext | null = null
  hub.onFailure(() => {
    for (const session of sessions) session.close(CloseCode.TRY_AGAIN_LATER, UNAVAILABLE)
  })
  // A revoked key or a disabled account ends every session signed in with it, at once.
  app.exchange.onIdentityChange((change) => {
    for (const session of sessions) {
      const reason = endedBy(change, session)
      if (reason !== null) session.close(CloseCode.POLICY_VIOLATION, reason)
    }
  })

  await app.register(websocket, {
    options: { maxPayload: limits.maxPayload },
    errorHandler: (error: Error & { code?: string }, socket: WebSocket, request: FastifyRequest) => {
      // ws reports a peer's protocol faults (frame too large, bad UTF-8, bad close code...) as WS_ERR_*
      // errors and closes the connection itself with the matching code: a client fault, not ours.
      if (typeof error.code === 'string' && error.code.startsWith('WS_ERR_')) {
        request.log.debug({ code: error.code, reason: error.message }, 'websocket client fault')
        return
      }
      request.log.error({ err: error }, 'websocket failure')
      socket.terminate()
    },
    preClose: (done) => {
      for (const session of sessions) session.close(CloseCode.GOING_AWAY, 'server shutting down')
      done()
    }
  })

  app.decorate('gateway', {
    hub,
    // For /health, which is never rate limited: one number, not a walk over every session as stats() does.
    connections: () => sessions.size,
    stats: (): GatewayStats => ({
      connections: sessions.size,
      subscriptions: [...sessions].reduce((sum, s) => sum + s.subscriptionCount, 0),
      messages_sent: counters.sent,
      deltas_published: hub.stats.deltasPublished,
      snapshots_sent: hub.stats.snapshotsSent,
      snapshots_built: hub.stats.snapshotsBuilt,
      slow_consumer_disconnects: counters.slow,
      budget_evictions: budget.evictions,
      buffered_bytes: [...sessions].reduce((sum, s) => sum + s.bufferedBytes, 0),
      refused_connections: counters.refused,
      refused_origins: counters.origins,
      publish_to_write_ms: writeLatency(hub),
      behind_subscribers: hub.behindCount,
      conflated_messages: hub.stats.conflated,
      resyncs: hub.stats.resyncs,
      max_buffered_bytes: [...sessions].reduce((max, s) => Math.max(max, s.bufferedBytes), 0),
      trading_requests: trading.counters.requests,
      trading_in_flight: trading.counters.inFlight,
      cancel_on_disconnect_fired: trading.counters.cancelOnDisconnectFired,
      cancel_after_fired: cancelAfter.fired
    })
  })

  // Heartbeat: a peer that did not answer the previous ping is gone; drop it.
  const heartbeat = setInterval(() => {
    for (const session of sessions) {
      if (!session.alive) session.terminate()
      else session.ping()
    }
  }, limits.heartbeatMs)
  heartbeat.unref()

  // The heartbeat message: lets a client tell a quiet market from a dead feed without a ping of its own.
  const heartbeatMessages = limits.heartbeatMessageMs === 0
    ? null
    : setInterval(() => { for (const session of sessions) session.heartbeat() }, limits.heartbeatMessageMs)
  heartbeatMessages?.unref()

  app.addHook('onClose', async () => {
    clearInterval(heartbeat)
    cancelAfter.clear()
    if (heartbeatMessages !== null) clearInterval(heartbeatMessages)
  })

  // Browsers send Origin on every WebSocket upgrade and never enforce same-origin on it: without
  // this check any page could open /ws in its visitors' browsers. Clients that send no Origin are
  // not browsers and pass; the app's own page (same origin as the Host it called) always passes.
  const checkOrigin = async (request: FastifyRequest) => {
    if (originAllowed(request.headers.origin, request.headers.host, limits.allowedOrigins)) return
    counters.origins++
    request.log.info({ origin: String(request.headers.origin).slice(0, 128) }, 'websocket origin refused')
    // Thrown, not sent: the one error handler answers it from the one code → status table.
    throw apiError(ErrorCode.ORIGIN_NOT_ALLOWED, 'this origin may not open /ws')
  }

  app.get('/ws', { websocket: true, onRequest: checkOrigin }, (socket, request) => {
    const ip = request.ip
    const fromIp = perIp.get(ip) ?? 0
    if (sessions.size >= limits.maxConnections || fromIp >= limits.maxConnectionsPerIp) {
      counters.refused++
      socket.close(CloseCode.TRY_AGAIN_LATER, 'connection limit reached')
      return
    }
    if (!context.available()) {
      socket.close(CloseCode.TRY_AGAIN_LATER, UNAVAILABLE)
      return
    }
    const session = new Session(randomUUID(), socket, context, request.log)
    // order.* params: the REST body schemas, compiled once by this route's own validator compiler (the REST rules).
    tradingContext ??= { ...trading, validators: validatorsFor(request) }
    session.trading = new TradingDesk(session, tradingContext)
    sessions.add(session)
    perIp.set(ip, fromIp + 1)
    // Handlers attach synchronously, before any await, so no frame is missed.
    socket.on('message', (data) => {
      try {
        session.handle(data as Buffer)
      } catch (error) {
        request.log.error({ err: error }, 'websocket message handling failed')
      }
    })
    socket.on('pong', () => { session.alive = true })
    socket.on('close', () => {
      session.gone()
      sessions.delete(session)
      /* c8 ignore next -- the entry exists until this IP's last session closes; the fallback is for the type checker */
      const left = (perIp.get(ip) ?? 1) - 1
      if (left === 0) perIp.delete(ip)
      else perIp.set(ip, left)
    })
    session.reply({ type: 'connected', session_id: session.id, symbols: app.exchange.symbols, nonce: session.nonce, auth: authMode })
  })
}

export default fp(websocketPlugin, { name: 'websocket', dependencies: ['exchange', 'auth'], fastify: '5.x' })

/** The close reason if this identity change ends this session's sign-in, else null. */
function endedBy (change: IdentityChange, session: Session): string | null {
  const identity = session.identity
  if (identity === null || identity.keyId === null) return null
  if (change.kind === 'key_revoked') return identity.keyId === change.keyId ? 'api key revoked' : null
  return identity.accountId === change.accountId ? 'account disabled' : null
}

/**
 * Sign-in on a connection: the REST verifier (plugins/auth.ts) over the
 * connection's nonce, so both share one replay cache and one set of rules.
 * The permission a private channel needs is checked at subscribe.
 */
export function signInWith (verifier: Verifier | null): SignIn {
  return ({ keyId, timestamp, signature, payload }) => verifier === null
    ? { ok: false, code: ErrorCode.INVALID_API_KEY, message: 'signing in is off on this server (AUTH=off): every connection is the anonymous account' }
    : verifier.verify({ keyId, timestamp, signature, payload, permission: null })
}

/** What is left to do once a cancel-all of a switch or a disconnect settles: nothing (it is journaled like any other). */
function ignore (): void {}

/** The REST body schemas of the order.* params, compiled as a body is. */
function validatorsFor (request: FastifyRequest): Record<TradingType, Validate> {
  const entries = TRADING_TYPES.map((type) => [type, request.compileValidationSchema(TRADING_PARAMS[type], 'body') as Validate])
  return Object.fromEntries(entries) as Record<TradingType, Validate>
}

/** True when a request with this Origin and Host may open /ws under the allow-list. */
export function originAllowed (origin: string | undefined, host: string | undefined, allowed: readonly string[]): boolean {
  if (allowed.length === 0 || origin === undefined) return true
  let url: URL
  try {
    url = new URL(origin)
  } catch {
    return false
  }
  if (allowed.includes(url.origin)) return true
  try {
    // Same origin: the page this app served calls back the host it came from (ports normalised by URL).
    return host !== undefined && url.origin !== 'null' && new URL(`${url.protocol}//${host}`).host === url.host
  } catch {
    return false
  }
}

/** The hub's publish-to-write latency: percentiles of the recent window, count and max of all time. */
function writeLatency (hub: MarketDataHub): GatewayStats['publish_to_write_ms'] {
  const { p50, p99 } = hub.writeLatency.summary()
  return { ...hub.writeLatency.totals(), p50, p99 }
}
