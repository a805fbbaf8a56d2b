/**
 * Who a /ws connection speaks for: the sign-in's input and verdict, and the
 * anonymous account of AUTH=off. Shared by the session (market data, sign-in)
 * and the trading desk (order.*).
 */
import type { Permission } from '../schemas/identity.js'
import { ANONYMOUS_ACCOUNT, type Outcome } from '../src/exchange/exchange.js'

/** What a sign-in presents: the key id, the timestamp text signed, the signature, and the payload it must sign. */
export interface SignInInput {
  readonly keyId: string
  readonly timestamp: string
  readonly signature: string
  readonly payload: string
}

/** Who a signed-in connection speaks for. keyId is null for the anonymous account of AUTH=off. */
export interface SignedIn {
  readonly accountId: string
  readonly keyId: string | null
  readonly permissions: readonly Permission[]
}

/**
 * The auth layer's verdict on a sign-in: the same checks, order and codes as a signed REST request
 * (INVALID_API_KEY, INVALID_TIMESTAMP, INVALID_SIGNATURE, REPLAYED_REQUEST).
 */
export type SignIn = (input: SignInInput) => Outcome<SignedIn & { readonly keyId: string }>

export const ANONYMOUS: SignedIn = Object.freeze({ accountId: ANONYMOUS_ACCOUNT, keyId: null, permissions: Object.freeze(['read', 'trade'] as const) })

export type RequestId = string | number | undefined

/** The frame's id if it is one the protocol allows (a short string or a finite number); an invalid id is not echoed. */
export function requestIdOf (message: object): RequestId {
  const id = (message as { id?: unknown }).id
  if (typeof id === 'string') return id.length <= 64 ? id : undefined
  return typeof id === 'number' && Number.isFinite(id) ? id : undefined
}
