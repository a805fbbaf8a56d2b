/**
 * Accounts and API keys as the admin API shows them, typed from
 * schemas/identity.ts. A key's view never holds its secret: the admin route
 * that creates a key adds it to that one answer.
 */
import type { Account, ApiKey } from '../engine/index.js'
import type { AccountView, ApiKeyView } from '../../schemas/identity.js'
import { toSeconds } from './time.js'

export function keyView (key: ApiKey): ApiKeyView {
  return { key_id: key.keyId, account_id: key.accountId, permissions: [...key.permissions], status: key.revoked ? 'revoked' : 'active', created_at: toSeconds(key.createdAt) }
}

/** openOrders: how many orders the account has open now (the engine's count). */
export function accountView (account: Account, openOrders: number): AccountView {
  return {
    account_id: account.id,
    status: account.status,
    created_at: toSeconds(account.createdAt),
    open_orders: openOrders,
    api_keys: account.keys.map(keyView)
  }
}
