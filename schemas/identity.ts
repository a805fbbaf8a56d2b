/**
 * Accounts and API keys: the admin API's bodies and answers. A key's secret
 * appears in exactly one answer, the one that created it (ApiKeyCreated).
 */
import { Type, type Static } from '@sinclair/typebox'
import { EpochSeconds } from './common.js'

const strict = { additionalProperties: false } as const

export const ACCOUNT_ID_PATTERN = '^[A-Za-z0-9._-]{1,64}$'
export const AccountId = Type.String({ minLength: 1, maxLength: 64, pattern: ACCOUNT_ID_PATTERN, description: '1 to 64 letters, digits, . _ or -' })
/** Key ids are issued by the server: 32 lowercase hex digits. Headers are checked against this before any lookup. */
export const API_KEY_ID_PATTERN = '^[0-9a-f]{32}$'
export const ApiKeyId = Type.String({ minLength: 32, maxLength: 32, pattern: API_KEY_ID_PATTERN })

export const PERMISSIONS = ['read', 'trade'] as const
export type Permission = typeof PERMISSIONS[number]
export const Permission = Type.Union([Type.Literal('read'), Type.Literal('trade')])

export const ApiKeyView = Type.Object({
  key_id: Type.String(),
  account_id: Type.String(),
  permissions: Type.Array(Type.String()),
  status: Type.String({ description: 'active | revoked' }),
  created_at: EpochSeconds
})
export type ApiKeyView = Static<typeof ApiKeyView>

export const ApiKeyCreated = Type.Object({
  ...ApiKeyView.properties,
  secret: Type.String({ description: 'the HMAC secret: shown in this answer only, never again' })
})
export type ApiKeyCreated = Static<typeof ApiKeyCreated>

export const AccountView = Type.Object({
  account_id: Type.String(),
  status: Type.String({ description: 'active | disabled' }),
  created_at: EpochSeconds,
  open_orders: Type.Integer(),
  api_keys: Type.Array(ApiKeyView)
})
export type AccountView = Static<typeof AccountView>

export const AccountStatusChanged = Type.Object({
  ...AccountView.properties,
  cancelled_orders: Type.Integer({ description: 'open orders this change cancelled (disabling cancels them all)' })
})
export type AccountStatusChanged = Static<typeof AccountStatusChanged>

export const AccountsPage = Type.Object({
  accounts: Type.Array(AccountView),
  next_cursor: Type.Unsafe<string | null>({ type: ['string', 'null'] })
})
export type AccountsPage = Static<typeof AccountsPage>

export const CreateAccountBody = Type.Object({ account_id: AccountId }, strict)
export const CreateApiKeyBody = Type.Object({
  permissions: Type.Array(Permission, { minItems: 1, maxItems: 2, uniqueItems: true, description: 'read, trade or both' })
}, strict)
export const AccountParams = Type.Object({ account_id: AccountId })
export const ApiKeyParams = Type.Object({ key_id: ApiKeyId })
export const PageQuery = Type.Object({
  limit: Type.Optional(Type.String({ pattern: '^[0-9]{1,7}$', description: 'items per page, 1 to 1000 (default 100)' })),
  cursor: Type.Optional(Type.String({ maxLength: 64 }))
}, strict)
