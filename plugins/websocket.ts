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
import { randomUUID, timingSafeEqual } from 'node:crypto'
import type { MarketDataHub } from '../src/gateway/market-data-hub.js'
import { SendBudget } from '../src/gateway/send-budget.js'
import { CloseCode, type AuthMode } from '../schemas/ws.js'
import { ErrorCode } from '../schemas/errors.js'
import { apiError } from './http-errors.js'
import type { Config } from '../src/config.js'
import type { Exchange, IdentityChange } from '../src/exchange/exchange.js'
import { sign } from '../src/auth/signature.js'
import { Session, UNAVAILABLE, type SignIn } from './ws-session.js'

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
}

declare module 'fastify' {
  interface FastifyInstance {
    gateway: { hub: MarketDataHub, stats: () => GatewayStats, connections: () => number }
  }
}

/** What the gateway needs of config.auth: whether sign-in is required, and what the interim verifier needs. */
export interface GatewayAuthOptions {
  readonly mode: AuthMode
  /** INTERIM (until the auth layer's verifier is wired in): the master secret key secrets derive from. */
  readonly masterSecret?: string
  /** INTERIM: AUTH_RECV_WINDOW_MS. */
  readonly recvWindowMs?: number
}

export interface WebsocketPluginOptions {
  readonly config: Config['ws']
  /** Absent: AUTH=off (every connection is the anonymous account). */
  readonly auth?: GatewayAuthOptions
}

async function websocketPlugin (app: FastifyInstance, opts: WebsocketPluginOptions): Promise<void> {
  const limits = opts.config
  const authMode = opts.auth?.mode ?? 'off'
  const hub = app.exchange.marketData
  const sessions = new Set<Session>()
  const perIp = new Map<string, number>()
  const counters = { slow: 0, refused: 0, sent: 0, origins: 0 }
  const budget = new SendBudget(limits.maxTotalBufferedBytes)
  const context = {
    hub,
    limits,
    budget,
    now: Date.now,
    onSlowConsumer: () => { counters.slow++ },
    onSent: () => { counters.sent++ },
    available: () => app.exchange.health().healthy,
    authMode,
    signIn: signInVerifier(app.exchange, opts.auth, Date.now)
  }
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
      refused_origins: counters.origins
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

  app.addHook('onClose', async () => { clearInterval(heartbeat) })

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

export default fp(websocketPlugin, { name: 'websocket', dependencies: ['exchange'], fastify: '5.x' })

/** The close reason if this identity change ends this session's sign-in, else null. */
function endedBy (change: IdentityChange, session: Session): string | null {
  const identity = session.identity
  if (identity === null || identity.keyId === null) return null
  if (change.kind === 'key_revoked') return identity.keyId === change.keyId ? 'api key revoked' : null
  return identity.accountId === change.accountId ? 'account disabled' : null
}

/**
 * INTERIM sign-in verifier, the one adapter to swap for the auth layer's (src/auth) at merge: the
 * contract's checks, order and codes over the contract's derived secrets
 * (secret = hex(HMAC(master, "api-key-secret:" + keyId)), fingerprint = HMAC(secret, "fingerprint")[0..16]).
 */
export function signInVerifier (exchange: Exchange, auth: GatewayAuthOptions | undefined, now: () => number, maxSeen = 100_000): SignIn {
  const master = auth?.masterSecret ?? ''
  const windowMs = auth?.recvWindowMs ?? 5000
  const seen = new Map<string, number>()
  const refuse = (code: ErrorCode, message: string) => ({ ok: false, code, message }) as const
  return ({ keyId, timestamp, signature, payload }) => {
    const key = /^[0-9a-f]{32}$/.test(keyId) ? exchange.apiKey(keyId) : null
    const secret = key === null || master === '' ? '' : sign(master, 'api-key-secret:' + keyId)
    if (key === null || secret === '' || !key.active || !key.accountActive || sign(secret, 'fingerprint').slice(0, 16) !== key.fingerprint) {
      return refuse(ErrorCode.INVALID_API_KEY, 'unknown or revoked API key')
    }
    const at = /^[0-9]{1,16}$/.test(timestamp) ? Number(timestamp) : NaN
    if (!(Math.abs(now() - at) <= windowMs)) return refuse(ErrorCode.INVALID_TIMESTAMP, `timestamp must be within ${windowMs} ms of the server's clock`)
    if (!/^[0-9a-f]{64}$/.test(signature) || !timingSafeEqual(Buffer.from(signature, 'hex'), Buffer.from(sign(secret, payload), 'hex'))) {
      return refuse(ErrorCode.INVALID_SIGNATURE, 'signature does not match')
    }
    // Entries expire in insertion order: drop the expired ones at the front.
    const t = now()
    for (const [seenSignature, expires] of seen) {
      if (expires >= t) break
      seen.delete(seenSignature)
    }
    if (seen.has(signature)) return refuse(ErrorCode.REPLAYED_REQUEST, 'this signature was already used')
    if (seen.size >= maxSeen) return refuse(ErrorCode.OVERLOADED, 'too many sign-ins at once; retry')
    seen.set(signature, t + 2 * windowMs)
    return { ok: true, value: { accountId: key.accountId, keyId, permissions: key.permissions } }
  }
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
