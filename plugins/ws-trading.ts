/**
 * The trading API of one /ws connection: order.* requests, pipelined. Each
 * request is executed as it arrives (the exchange's engine part runs at
 * once, in arrival order) and answered in that same order: an answer that
 * is ready early (a refusal the engine found at once) waits in a ring of
 * WS_MAX_IN_FLIGHT slots behind the answers still waiting for the journal.
 * Only the limits refuse a request before it takes a slot (RATE_LIMIT,
 * TOO_MANY_IN_FLIGHT, a missing id), and those are answered at once.
 * Answers are built as strings: this path runs at 100k orders/s.
 */
import { TypeCompiler, type ValueError } from '@sinclair/typebox/compiler'
import { CloseCode, WsErrorCode } from '../schemas/ws.js'
import { ErrorCode } from '../schemas/errors.js'
import { TRADING_PARAMS, TradingRequest, type CancelAfterParams, type OrderStatusParams, type TradingType } from '../schemas/ws-trading.js'
import type { AmendBody, CancelBody, NewOrderBody } from '../schemas/order.js'
import type { CancelAllBody } from '../schemas/private.js'
import type { Caller, Exchange, Outcome } from '../src/exchange/exchange.js'
import type { CancelAfter } from '../src/gateway/cancel-after.js'
import { requestIdOf, type RequestId, type SignedIn } from './ws-identity.js'
import { FixedWindow } from '../src/gateway/fixed-window.js'

const checkRequest = TypeCompiler.Compile(TradingRequest)

/** A compiled validator of the REST body schemas (Fastify's own validator compiler: the same rules as REST). */
export interface Validate {
  (data: unknown): boolean
  errors?: Array<{ instancePath: string, params: Record<string, unknown>, message?: string }> | null
}

/** The per-API-key order limit REST uses too (AUTH_KEY_ORDERS_PER_SECOND): the ms until the key's window ends when past it, else 0. */
export interface KeyOrderLimit {
  readonly perSecond: number
  take (keyId: string): number
}

/** Gateway-wide trading figures (/statistics). */
export interface TradingCounters {
  requests: number
  inFlight: number
  cancelOnDisconnectFired: number
}

/** What every connection's desk shares. */
export interface TradingContext {
  readonly exchange: Exchange
  readonly validators: Readonly<Record<TradingType, Validate>>
  readonly maxInFlight: number
  readonly maxOrdersPerSecond: number
  /** null with AUTH=off (no keys). */
  readonly keyLimit: KeyOrderLimit | null
  readonly cancelAfter: CancelAfter
  readonly now: () => number
  readonly counters: TradingCounters
}

/** What the desk needs of its connection. */
export interface TradingSession {
  /** Who the connection speaks for now (the anonymous account with AUTH=off); null before a required sign-in. */
  caller (): SignedIn | null
  /** Set by the sign-in's cancel_on_disconnect. */
  readonly cancelOnDisconnect: boolean
  /** Sends an answer; never dropped (the session stops reading instead while its peer does not read). */
  sendAnswer (text: string): void
  close (code: number, reason: string): void
}

const TRADE_ONLY = new Set<string>(['order.place', 'order.amend', 'order.cancel', 'order.cancel_all', 'order.cancel_after'])

export class TradingDesk {
  private readonly session: TradingSession
  private readonly context: TradingContext
  /** Answers by request seq modulo the ring size; null while that request is being executed. */
  private readonly slots: Array<string | null>
  /** The seq the next request gets. */
  private issued = 0
  /** The seq of the next answer to send. */
  private sent = 0
  private readonly orders = new FixedWindow()
  private ended = false

  constructor (session: TradingSession, context: TradingContext) {
    this.session = session
    this.context = context
    this.slots = new Array<string | null>(context.maxInFlight).fill(null)
  }

  /** order.* requests received and not yet answered. */
  get inFlight (): number {
    return this.issued - this.sent
  }

  /**
   * An order.* frame (a parsed JSON object whose type starts with "order."). `refused`: the strict JSON
   * reader's refusal of it (a duplicate key, an inexact number, a prototype key), answered in its turn
   * like any other refusal, never ahead of earlier requests; `idUnknown` when the key it repeats is the id.
   */
  request (message: object, type: string, refused: { readonly message: string, readonly idUnknown: boolean } | null = null): void {
    const { context } = this
    context.counters.requests++
    const id = refused?.idUnknown === true ? undefined : requestIdOf(message)
    if (!this.withinRate(id)) return
    if (id === undefined) return this.session.sendAnswer(errorText(WsErrorCode.INVALID_MESSAGE, 'order.* requests need an "id": a string of at most 64 characters or a number', undefined))
    if (this.inFlight >= context.maxInFlight) {
      return this.session.sendAnswer(errorText(WsErrorCode.TOO_MANY_IN_FLIGHT, `at most ${context.maxInFlight} order.* requests in flight per connection; wait for answers`, id))
    }
    if (refused !== null) return this.settle(this.takeSlot(), errorText(WsErrorCode.INVALID_JSON, refused.message, id))
    const caller = this.session.caller()
    if ((type === 'order.place' || type === 'order.amend') && caller !== null && caller.keyId !== null && context.keyLimit !== null && caller.permissions.includes('trade')) {
      // The key's budget is shared with REST order entry, counted (as there) before the body is checked.
      if (context.keyLimit.take(caller.keyId) > 0) {
        return this.session.sendAnswer(errorText(ErrorCode.RATE_LIMIT, `rate limit of ${context.keyLimit.perSecond} orders per second for this API key exceeded`, id))
      }
    }
    const seq = this.takeSlot()
    const refusal = this.refusal(message, type, caller)
    if (refusal !== null) return this.settle(seq, errorText(refusal[0], refusal[1], id))
    this.execute(seq, type as TradingType, id, (message as TradingRequest).params, caller as SignedIn)
  }

  /**
   * The connection is over: the server closes it (shutdown included: this runs before the exchange
   * closes, so the cancel is journaled) or its socket is gone. Nothing more is sent; with
   * cancel_on_disconnect, the account's open orders are cancelled, once.
   */
  disconnected (): void {
    if (this.ended) return
    this.ended = true
    this.context.counters.inFlight -= this.inFlight
    const caller = this.session.caller()
    if (this.session.cancelOnDisconnect && caller !== null) {
      this.context.counters.cancelOnDisconnectFired++
      this.context.exchange.cancelAll({ accountId: caller.accountId }, {}).then(ignore, ignore)
    }
  }

  /** Why the request is refused before the exchange sees it (as [code, message]), or null. */
  private refusal (message: object, type: string, caller: SignedIn | null): [string, string] | null {
    if (!Object.hasOwn(TRADING_PARAMS, type)) return [WsErrorCode.UNKNOWN_TYPE, `unknown message type "${type.slice(0, 32)}"`]
    if (!checkRequest.Check(message)) {
      // The message is an object, so a failed check always names a field of it (/id, /params, /extra).
      const first = checkRequest.Errors(message).First() as ValueError
      return [WsErrorCode.INVALID_MESSAGE, `invalid field ${first.path.slice(1)}`]
    }
    if (caller === null) return [WsErrorCode.AUTH_REQUIRED, 'sign in first: {"type":"auth", ...} over this connection\'s nonce']
    const permission = TRADE_ONLY.has(type) ? 'trade' : 'read'
    if (!caller.permissions.includes(permission)) return [WsErrorCode.FORBIDDEN, `this API key has no ${permission} permission`]
    const validate = this.context.validators[type as TradingType]
    if (!validate(message.params)) return [WsErrorCode.INVALID_MESSAGE, describe(validate)]
    return null
  }

  private execute (seq: number, type: TradingType, id: string | number, params: Record<string, unknown>, identity: SignedIn): void {
    const { exchange } = this.context
    const caller: Caller = { accountId: identity.accountId }
    let pending: Promise<Outcome<unknown>>
    switch (type) {
      case 'order.place': pending = exchange.placeOrder(caller, params as NewOrderBody); break
      case 'order.amend': pending = exchange.amendOrder(caller, params as AmendBody); break
      case 'order.cancel': pending = exchange.cancelOrder(caller, params as CancelBody); break
      case 'order.cancel_all': pending = exchange.cancelAll(caller, params as CancelAllBody); break
      case 'order.status': {
        const { symbol, order_id: orderId, client_order_id: clientOrderId } = params as OrderStatusParams
        if (orderId === undefined && (clientOrderId === undefined || clientOrderId === '')) {
          return this.settle(seq, errorText(ErrorCode.MISSING_ORDER_ID, 'order_id or client_order_id is required', id))
        }
        pending = exchange.findOrder(caller, orderId === undefined ? { symbol, clientOrderId } : { symbol, orderId })
        break
      }
      default: return this.settle(seq, this.cancelAfter(type, id, identity.accountId, (params as CancelAfterParams).timeout_ms))
    }
    pending.then(
      (outcome) => this.settle(seq, outcome.ok ? resultText(type, id, outcome.value) : errorText(outcome.code, outcome.message, id)),
      /* c8 ignore next -- the exchange answers refusals as Outcomes; a throw is a bug, still answered so the id is never left open */
      () => this.settle(seq, errorText(ErrorCode.INTERNAL_ERROR, 'internal error', id))
    )
  }

  private cancelAfter (type: string, id: string | number, accountId: string, timeoutMs: number): string {
    const { now, triggerAt } = this.context.cancelAfter.arm(accountId, timeoutMs)
    return `{"type":"${type}","id":${idText(id)},"result":{"current_time":${now / 1000},"trigger_time":${triggerAt === null ? 'null' : triggerAt / 1000}}}`
  }

  /** The seq of a request that will be answered in its turn. */
  private takeSlot (): number {
    this.context.counters.inFlight++
    return this.issued++
  }

  /** Files the answer of request `seq` and sends every answer that is now next in line. */
  private settle (seq: number, text: string): void {
    if (this.ended) return
    const { slots } = this
    const size = slots.length
    slots[seq % size] = text
    while (this.sent < this.issued) {
      const index = this.sent % size
      const next = slots[index]
      if (next === null) return
      slots[index] = null
      this.sent++
      this.context.counters.inFlight--
      this.session.sendAnswer(next)
    }
  }

  /** WS_MAX_ORDERS_PER_SECOND in fixed one-second windows: over it → RATE_LIMIT (not executed); past twice it → close 1008. */
  private withinRate (id: RequestId): boolean {
    const count = this.orders.take(this.context.now())
    const limit = this.context.maxOrdersPerSecond
    if (count <= limit) return true
    if (count > limit * 2) {
      this.session.close(CloseCode.POLICY_VIOLATION, 'order rate limit exceeded')
    } else {
      this.session.sendAnswer(errorText(WsErrorCode.RATE_LIMIT, `at most ${limit} order.* requests per second on a connection`, id))
    }
    return false
  }
}

/** A cancel-all on disconnect is journaled like any other; once it settles there is nothing left to do. */
function ignore (): void {}

function idText (id: string | number): string {
  return typeof id === 'number' ? String(id) : JSON.stringify(id)
}

function resultText (type: string, id: string | number, value: unknown): string {
  return '{"type":"' + type + '","id":' + idText(id) + ',"result":' + JSON.stringify(value) + '}'
}

function errorText (code: string, message: string, id: RequestId): string {
  return '{"type":"error",' + (id === undefined ? '' : '"id":' + idText(id) + ',') + '"code":"' + code + '","message":' + JSON.stringify(message) + '}'
}

/** The first schema error, naming the field as REST does (params.quantity ...). */
function describe (validate: Validate): string {
  /* c8 ignore next -- a failed ajv validation always has errors; the fallback is for the type checker */
  const first = validate.errors?.[0] ?? { instancePath: '', params: {}, message: 'is invalid' }
  const name = (first.params.missingProperty ?? first.params.additionalProperty) as string | undefined
  const path = 'params' + first.instancePath.replaceAll('/', '.') + (name === undefined ? '' : '.' + name)
  const what = first.params.additionalProperty !== undefined ? 'is not a known field' : first.params.missingProperty !== undefined ? 'is required' : first.message
  return `invalid field ${path}: ${String(what)}`
}
