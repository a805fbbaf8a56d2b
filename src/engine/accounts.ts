/**
 * Accounts and their API keys as engine state: created, disabled, enabled
 * and revoked by journaled commands, so they replay exactly and are in the
 * snapshot and the digest. A key holds its id, permissions and a fingerprint
 * of its secret, never the secret (the service derives secrets from a master
 * kept outside the data directory).
 *
 * Also each account's open orders, as an intrusive list through the orders
 * themselves (accountPrev/accountNext): O(1) to add and remove, oldest first,
 * for listing, counting against the per-account cap and cancel-all. Orders
 * of accounts that are not registered (the anonymous account of AUTH=off)
 * are listed the same way.
 */
import { ResultCode, reject, type Rejection } from './codes.js'
import type { CreateAccountCommand, CreateKeyCommand, IdentityCommand, RevokeKeyCommand } from './commands.js'
import { ANONYMOUS, type Order } from './order.js'

export const AccountStatus = { ACTIVE: 'active', DISABLED: 'disabled' } as const
export type AccountStatus = typeof AccountStatus[keyof typeof AccountStatus]

export const Permission = { READ: 'read', TRADE: 'trade' } as const
export type Permission = typeof Permission[keyof typeof Permission]
export const PERMISSIONS: readonly Permission[] = [Permission.READ, Permission.TRADE]

/** Keys one account may hold, revoked ones included: every key is state kept forever. */
export const MAX_KEYS_PER_ACCOUNT = 16

export interface ApiKey {
  readonly keyId: string
  readonly accountId: string
  readonly permissions: readonly Permission[]
  readonly fingerprint: string
  readonly createdAt: number
  revoked: boolean
}

export class Account {
  readonly id: string
  readonly createdAt: number
  status: AccountStatus = AccountStatus.ACTIVE
  readonly keys: ApiKey[] = []

  constructor (id: string, createdAt: number) {
    this.id = id
    this.createdAt = createdAt
  }

  get isActive (): boolean {
    return this.status === AccountStatus.ACTIVE
  }
}

/** The open orders of one account, oldest first. */
export class AccountOrders {
  head: Order | null = null
  tail: Order | null = null
  count = 0

  /**
   * In number order. Orders open in number order, so this is an append,
   * except for an OCO list, whose stop leg (the higher number) opens just
   * before its limit leg: then it steps back once.
   */
  append (order: Order): void {
    let before = this.tail
    while (before !== null && before.seq > order.seq) before = before.accountPrev
    const after = before === null ? this.head : before.accountNext
    order.accountPrev = before
    order.accountNext = after
    if (before === null) this.head = order
    else before.accountNext = order
    if (after === null) this.tail = order
    else after.accountPrev = order
    this.count++
  }

  remove (order: Order): void {
    if (order.accountPrev === null) this.head = order.accountNext
    else order.accountPrev.accountNext = order.accountNext
    if (order.accountNext === null) this.tail = order.accountPrev
    else order.accountNext.accountPrev = order.accountPrev
    order.accountPrev = null
    order.accountNext = null
    this.count--
  }
}

export class AccountRegistry {
  private readonly accounts = new Map<string, Account>()
  private readonly keys = new Map<string, ApiKey>()
  private readonly openOrders = new Map<string, AccountOrders>()
  /** The account ordersOf() served last, and its list (lists are never dropped, so this never goes stale). */
  private lastAccountId: string | undefined
  private lastOrders = new AccountOrders()

  get size (): number {
    return this.accounts.size
  }

  get (accountId: string): Account | undefined {
    return this.accounts.get(accountId)
  }

  key (keyId: string): ApiKey | undefined {
    return this.keys.get(keyId)
  }

  /** Oldest first. */
  values (): IterableIterator<Account> {
    return this.accounts.values()
  }

  allKeys (): IterableIterator<ApiKey> {
    return this.keys.values()
  }

  add (account: Account): void {
    this.accounts.set(account.id, account)
  }

  addKey (key: ApiKey): void {
    this.keys.set(key.keyId, key)
    ;(this.accounts.get(key.accountId) as Account).keys.push(key)
  }

  /**
   * Why the state cannot take this identity command, or null. Replay runs
   * the same check: a journal that fails it is damaged.
   */
  refusal (command: IdentityCommand): Rejection | null {
    if (command.kind === 'revoke_key') {
      return this.keys.has(command.keyId) ? null : reject(ResultCode.API_KEY_NOT_FOUND, `no API key ${command.keyId}`)
    }
    const account = this.accounts.get(command.accountId)
    if (command.kind === 'create_account') {
      // The anonymous account owns every order of AUTH=off and of journals from before accounts: no key may ever speak for it.
      if (command.accountId === ANONYMOUS) return reject(ResultCode.ACCOUNT_EXISTS, `account ${ANONYMOUS} is reserved for the orders of AUTH=off`)
      return account === undefined ? null : reject(ResultCode.ACCOUNT_EXISTS, `account ${command.accountId} already exists`)
    }
    if (account === undefined) return reject(ResultCode.ACCOUNT_NOT_FOUND, `no account ${command.accountId}`)
    if (command.kind === 'set_account_status') return null
    if (!account.isActive) return reject(ResultCode.ACCOUNT_DISABLED, `account ${command.accountId} is disabled; enable it before creating keys`)
    if (this.keys.has(command.keyId)) return reject(ResultCode.VALIDATION_ERROR, `API key ${command.keyId} already exists`)
    if (account.keys.length >= MAX_KEYS_PER_ACCOUNT) {
      return reject(ResultCode.TOO_MANY_API_KEYS, `account ${command.accountId} holds its maximum of ${MAX_KEYS_PER_ACCOUNT} API keys (revoked ones included)`)
    }
    return null
  }

  /**
   * Applies an account or key command that refusal() passed. A status change
   * is the engine's (disabling also cancels the account's orders).
   */
  apply (command: CreateAccountCommand | CreateKeyCommand | RevokeKeyCommand): Account | ApiKey {
    switch (command.kind) {
      case 'create_account': {
        const account = new Account(command.accountId, command.timestamp)
        this.add(account)
        return account
      }
      case 'create_key': {
        const key: ApiKey = { keyId: command.keyId, accountId: command.accountId, permissions: command.permissions, fingerprint: command.fingerprint, createdAt: command.timestamp, revoked: false }
        this.addKey(key)
        return key
      }
      case 'revoke_key': {
        const key = this.keys.get(command.keyId) as ApiKey
        key.revoked = true
        return key
      }
    }
  }

  /** The account's open orders (an empty list for an account that never had any). */
  ordersOf (accountId: string): AccountOrders {
    // Runs of commands come from one account (all of AUTH=off is one): one compare instead of a hash lookup.
    if (accountId === this.lastAccountId) return this.lastOrders
    let orders = this.openOrders.get(accountId)
    if (orders === undefined) {
      orders = new AccountOrders()
      this.openOrders.set(accountId, orders)
    }
    this.lastAccountId = accountId
    this.lastOrders = orders
    return orders
  }

  openCount (accountId: string): number {
    return accountId === this.lastAccountId ? this.lastOrders.count : this.openOrders.get(accountId)?.count ?? 0
  }

  /** Called by the books when an order starts resting. */
  rested (order: Order): void {
    this.ordersOf(order.accountId).append(order)
  }

  /** Called by the books when a resting order leaves (filled or cancelled). */
  left (order: Order): void {
    this.ordersOf(order.accountId).remove(order)
  }
}
