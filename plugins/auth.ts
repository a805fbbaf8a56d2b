/**
 * Authentication of private routes (config `auth: 'read' | 'trade'`).
 * AUTH=required: a preValidation hook verifies the signed request (before
 * the schema sees the body, so an unsigned bad body is 401, not 400, and
 * nothing unsigned reaches the exchange) and sets request.caller; order
 * entry is then counted per API key (AUTH_KEY_ORDERS_PER_SECOND).
 * AUTH=off: every request is the anonymous account, and the start says so.
 * Routes flagged `admin: true` need the admin token (Authorization: Bearer),
 * checked in an onRequest hook, and answer with Cache-Control: no-store.
 * Decorates `verifier` (REST and WebSocket sign-in share it) and `adminAuth`
 * (the admin API's token check and key issuing); both null with AUTH=off.
 * The secrets are loaded or created here (src/auth/secrets.ts) and never
 * logged: only the admin token's path is.
 */
import fp from 'fastify-plugin'
import type { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify'
import { ANONYMOUS_ACCOUNT, type Caller } from '../src/exchange/exchange.js'
import type { Config } from '../src/config.js'
import { ErrorCode } from '../schemas/errors.js'
import type { Permission } from '../schemas/identity.js'
import { createVerifier, type Verifier } from '../src/auth/verifier.js'
import { loadSecrets } from '../src/auth/secrets.js'
import { adminTokenChecker } from '../src/auth/admin-token.js'
import { issueKey } from '../src/auth/key-secrets.js'
import { KeyRateLimit } from '../src/auth/key-rate-limit.js'
import { signingPayload } from '../src/auth/signature.js'
import { apiError } from './http-errors.js'
import type { KeyOrderLimit } from './ws-trading.js'
import './route-flags.js'

export interface AdminAuth {
  /** A new key id with its derived secret and fingerprint (the master secret stays in here). */
  issueKey (): { keyId: string, secret: string, fingerprint: string }
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The account a private route acts for: set by the auth hook before validation. */
    caller: Caller
  }
  interface FastifyInstance {
    /** Verifies signed requests and WebSocket sign-ins; null with AUTH=off (every caller is anonymous). */
    verifier: Verifier | null
    /** Key issuing for the admin API; null with AUTH=off (no admin API). */
    adminAuth: AdminAuth | null
    /** Orders per API key per second, one budget for REST and /ws order entry; null with AUTH=off. */
    keyOrderLimit: KeyOrderLimit | null
  }
}

export interface AuthPluginOptions {
  readonly config: Config['auth']
  /** ms since the epoch, injected in tests; Date.now otherwise. */
  readonly clock?: () => number
}

export const WWW_AUTHENTICATE = 'HMAC-SHA256 realm="exchange", headers="X-API-KEY X-TIMESTAMP X-SIGNATURE"'
export const ADMIN_WWW_AUTHENTICATE = 'Bearer realm="admin"'
const anonymous: Caller = Object.freeze({ accountId: ANONYMOUS_ACCOUNT })

const header = (request: FastifyRequest, name: string): string | undefined => {
  const value = request.headers[name]
  return typeof value === 'string' ? value : undefined
}

async function authPlugin (app: FastifyInstance, opts: AuthPluginOptions): Promise<void> {
  const { config } = opts
  app.decorateRequest('caller', null as unknown as Caller)
  if (config.mode === 'off') {
    app.decorate('verifier', null)
    app.decorate('adminAuth', null)
    app.decorate('keyOrderLimit', null)
    app.log.warn('AUTH=off: no API key is needed, every order belongs to the one anonymous account and anyone can cancel it; the admin API is off')
    onRoutesFlagged(app, 'auth', 'onRequest', (request, _reply, done) => {
      request.caller = anonymous
      done()
    })
    return
  }

  const clock = opts.clock ?? Date.now
  const secrets = loadSecrets(config)
  for (const path of secrets.created) app.log.info({ path }, 'secret created (mode 0600)')
  for (const path of secrets.exposed) app.log.warn({ path }, 'secret file readable by other users: chmod 600 it')
  if (secrets.adminTokenPath !== null) app.log.info({ path: secrets.adminTokenPath }, 'admin token file (npm run admin reads it)')

  const exchange = app.exchange
  const verifier = createVerifier({
    lookup: (keyId) => exchange.apiKey(keyId),
    masterSecret: secrets.masterSecret,
    recvWindowMs: config.recvWindowMs,
    replayCacheMax: config.replayCacheMax,
    clock
  })
  const isAdmin = adminTokenChecker(secrets.adminToken)
  const master = secrets.masterSecret
  app.decorate('verifier', verifier)
  app.decorate('adminAuth', { issueKey: () => issueKey(master) })

  // Keys journaled under another master secret cannot work: say which, once, by key id only.
  for (const record of exchange.apiKeys()) {
    if (record.active && !verifier.derives(record)) {
      app.log.error({ keyId: record.keyId, accountId: record.accountId }, 'API key not derived by the master secret in use: it is refused (was the master secret changed?)')
    }
  }

  // Admin routes: the token before anything else (the body is not even read without it); answers never cached.
  onRoutesFlagged(app, 'admin', 'onRequest', (request, reply, done) => {
    reply.header('cache-control', 'no-store')
    if (isAdmin(request.headers.authorization)) return done()
    const error = apiError(ErrorCode.UNAUTHORIZED, 'the admin API needs Authorization: Bearer <admin token> (ADMIN_TOKEN, ADMIN_TOKEN_FILE or <SECRETS_DIR>/admin-token)')
    error.headers = { 'www-authenticate': ADMIN_WWW_AUTHENTICATE }
    done(error)
  })

  const perKey = new KeyRateLimit(config.keyOrdersPerSecond)
  app.decorate('keyOrderLimit', { perSecond: config.keyOrdersPerSecond, take: (keyId: string) => perKey.take(keyId, clock()) })
  onRoutesFlagged(app, 'auth', 'preValidation', (request, _reply, done) => {
    const routeConfig = request.routeOptions.config
    const timestamp = header(request, 'x-timestamp')
    const outcome = verifier.verify({
      keyId: header(request, 'x-api-key'),
      timestamp,
      signature: header(request, 'x-signature'),
      // request.url is the raw URL as sent: path and query, undecoded.
      payload: signingPayload(timestamp ?? '', request.method, request.url, request.rawBody),
      permission: routeConfig.auth as Permission
    })
    if (!outcome.ok) {
      const error = apiError(outcome.code, outcome.message)
      if (error.statusCode === 401) error.headers = { 'www-authenticate': WWW_AUTHENTICATE }
      return done(error)
    }
    if (routeConfig.orderEntry === true) {
      const waitMs = perKey.take(outcome.value.keyId, clock())
      if (waitMs > 0) {
        const error = apiError(ErrorCode.RATE_LIMIT, `rate limit of ${config.keyOrdersPerSecond} orders per second for this API key exceeded`)
        error.retryAfter = Math.ceil(waitMs / 1000)
        return done(error)
      }
    }
    request.caller = { accountId: outcome.value.accountId }
    done()
  })
}

type FlagHook = (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) => void

/**
 * Puts `hook` first in the `phase` hooks of every route registered from now
 * on whose config has `flag`: the cost lands only on the routes that need it
 * (a public read pays for no signature check), and a callback hook spares
 * the promise an async one allocates on every request.
 */
function onRoutesFlagged (app: FastifyInstance, flag: 'auth' | 'admin', phase: 'onRequest' | 'preValidation', hook: FlagHook): void {
  app.addHook('onRoute', (route) => {
    if (route.config?.[flag] === undefined || route.config[flag] === false) return
    const existing = route[phase]
    route[phase] = existing === undefined ? [hook] : [hook, ...(Array.isArray(existing) ? existing : [existing])] as never
  })
}

export default fp(authPlugin, { name: 'auth', fastify: '5.x', dependencies: ['exchange', 'json-body'] })
