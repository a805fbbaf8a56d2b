/**
 * Accounts and API keys for the in-process exchange: the identity half of
 * the Exchange interface (the admin API's commands and the auth layer's
 * look-ups). Commands are journaled like orders and answer once durable;
 * listeners hear of revoked keys and disabled accounts after that.
 */
import type { Account, ApiKey, MatchingEngine, Permission } from '../engine/index.js'
import { accountView, keyView } from '../wire/identity-views.js'
import { ErrorCode } from '../../schemas/errors.js'
import type { AccountStatusChanged, AccountView, AccountsPage, ApiKeyView } from '../../schemas/identity.js'
import type { ApiKeyRecord, Caller, IdentityChange, Outcome, Refusal } from './exchange.js'
import type { DurableGate } from './durable-gate.js'
import { parseCursor, refuse } from './outcomes.js'

export class IdentityService {
  private readonly engine: MatchingEngine
  private readonly gate: DurableGate
  private readonly onListenerError: (error: unknown) => void
  private readonly listeners: Array<(change: IdentityChange) => void> = []
  /** Told after each accepted command (a disabled account's orders were cancelled: the next expiry may move). */
  private readonly afterCommand: () => void

  constructor (engine: MatchingEngine, gate: DurableGate, afterCommand: () => void, onListenerError: (error: unknown) => void) {
    this.engine = engine
    this.gate = gate
    this.afterCommand = afterCommand
    this.onListenerError = onListenerError
  }

  async createAccount (accountId: string): Promise<Outcome<AccountView>> {
    return await this.gate.command(() => this.engine.createAccount(accountId), (account) => this.accountView(account))
  }

  async setAccountStatus (accountId: string, status: 'active' | 'disabled'): Promise<Outcome<AccountStatusChanged>> {
    const outcome = await this.gate.command(() => {
      const result = this.engine.setAccountStatus(accountId, status)
      this.afterCommand()
      return result
    }, (cancelled) => ({ ...this.accountView(this.engine.accounts.get(accountId) as Account), cancelled_orders: cancelled.length }))
    if (outcome.ok && status === 'disabled') this.tell({ kind: 'account_disabled', accountId })
    return outcome
  }

  async account (accountId: string): Promise<Outcome<AccountView>> {
    const failed = this.gate.refuseIfFailed()
    if (failed !== null) return failed
    const account = this.engine.accounts.get(accountId)
    if (account === undefined) return refuse(ErrorCode.ACCOUNT_NOT_FOUND, `no account ${accountId}`)
    return await this.gate.read({ ok: true, value: this.accountView(account) })
  }

  async accounts (limit: number, cursor: string | undefined): Promise<Outcome<AccountsPage>> {
    const failed = this.gate.refuseIfFailed()
    if (failed !== null) return failed
    const from = cursor === undefined ? 0 : parseCursor(cursor)
    if (from === null) return refuse(ErrorCode.INVALID_PARAMETER, 'cursor must be a next_cursor from an earlier page')
    const accounts: AccountView[] = []
    let index = 0
    for (const account of this.engine.accounts.values()) {
      if (index++ < from) continue
      if (accounts.length === limit) return await this.gate.read({ ok: true, value: { accounts, next_cursor: String(index - 1) } })
      accounts.push(this.accountView(account))
    }
    return await this.gate.read({ ok: true, value: { accounts, next_cursor: null } })
  }

  async createApiKey (accountId: string, keyId: string, permissions: readonly Permission[], fingerprint: string): Promise<Outcome<ApiKeyView>> {
    return await this.gate.command(() => this.engine.createKey(accountId, keyId, permissions, fingerprint), keyView)
  }

  async revokeApiKey (keyId: string): Promise<Outcome<ApiKeyView>> {
    const outcome = await this.gate.command(() => this.engine.revokeKey(keyId), keyView)
    if (outcome.ok) this.tell({ kind: 'key_revoked', keyId, accountId: outcome.value.account_id })
    return outcome
  }

  apiKey (keyId: string): ApiKeyRecord | null {
    const key = this.engine.accounts.key(keyId)
    return key === undefined ? null : this.keyRecord(key)
  }

  * apiKeys (): Iterable<ApiKeyRecord> {
    for (const key of this.engine.accounts.allKeys()) yield this.keyRecord(key)
  }

  onIdentityChange (listener: (change: IdentityChange) => void): void {
    this.listeners.push(listener)
  }

  /** Orders of a disabled account are refused even if a key of it got this far. */
  refuseIfDisabled (caller: Caller): Refusal | null {
    const account = this.engine.accounts.get(caller.accountId)
    return account === undefined || account.isActive ? null : refuse(ErrorCode.ACCOUNT_DISABLED, `account ${caller.accountId} is disabled`)
  }

  private tell (change: IdentityChange): void {
    for (const listener of this.listeners) {
      try {
        listener(change)
      } catch (error) {
        this.onListenerError(error)
      }
    }
  }

  private accountView (account: Account): AccountView {
    return accountView(account, this.engine.accounts.openCount(account.id))
  }

  private keyRecord (key: ApiKey): ApiKeyRecord {
    const account = this.engine.accounts.get(key.accountId) as Account
    return { keyId: key.keyId, accountId: key.accountId, permissions: key.permissions, active: !key.revoked, accountActive: account.isActive, fingerprint: key.fingerprint }
  }
}
