/**
 * The commands of `npm run admin` (entry point: admin.ts): the admin API
 * (/admin/...) without curl.
 *
 *   quickstart [account]                  the account (created if missing) and a read+trade key
 *   create-account <account>
 *   create-key <account> [--read] [--trade]   (neither flag: both)
 *   disable <account> | enable <account> | show <account>
 *   list [--limit N] [--cursor C]
 *   revoke <key_id>
 *   trading-status <symbol> <trading|halted|cancel_only>
 * Options: --url URL (else EXCHANGE_URL, else http://127.0.0.1:3000); --json
 * prints the API's answer as JSON. The admin token comes from ADMIN_TOKEN,
 * ADMIN_TOKEN_FILE, or <SECRETS_DIR>/admin-token (SECRETS_DIR defaults to
 * ./secrets, as for the server). Exit 0 on success; 1 with one line naming
 * the error code otherwise.
 */
import { readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'

export const DEFAULT_URL = 'http://127.0.0.1:3000'
const DEFAULT_ACCOUNT = 'demo'

export interface Io {
  readonly out: (line: string) => void
  readonly err: (line: string) => void
}

class CliError extends Error {}

const USAGE = `usage: npm run admin -- <command> [--url URL] [--json]
  quickstart [account]            create the account if missing (default "${DEFAULT_ACCOUNT}") and a read+trade API key
  create-account <account>        create an account
  create-key <account> [--read] [--trade]   create an API key (both permissions unless one is given)
  disable <account>               disable an account: cancels its open orders, refuses its keys
  enable <account>                enable it again
  revoke <key_id>                 revoke an API key
  show <account>                  an account and its keys
  list [--limit N] [--cursor C]   accounts, a page at a time (100 by default)
  trading-status <symbol> <status>  set a symbol's trading status: trading, halted or cancel_only`

interface ApiKey { key_id: string, account_id: string, permissions: string[], status: string, secret?: string }
interface Account { account_id: string, status: string, open_orders: number, api_keys: ApiKey[] }
interface AccountStatusChanged extends Account { cancelled_orders: number }

export async function runAdmin (argv: readonly string[], env: Record<string, string | undefined>, io: Io): Promise<number> {
  try {
    const { command, args, flags, options, url } = parse(argv, env)
    const api = client(url, adminToken(env))
    const show = (value: unknown, text: string[]) => {
      for (const line of flags.has('json') ? [JSON.stringify(value, null, 2)] : text) io.out(line)
    }
    switch (command) {
      case 'quickstart': {
        const accountId = args[0] ?? DEFAULT_ACCOUNT
        const created = await api('POST', '/admin/accounts', { account_id: accountId }, ['ACCOUNT_EXISTS'])
        const key = await api('POST', `/admin/accounts/${encodeURIComponent(accountId)}/keys`, { permissions: ['read', 'trade'] }) as ApiKey
        show(key, [
          `account      ${accountId}${created === null ? '' : ' (created)'}`,
          ...keyLines(key),
          '',
          'Sign every private request (orders, cancels, your orders and fills) with the headers',
          '  X-API-KEY: the key id    X-TIMESTAMP: now in ms    X-SIGNATURE: hex HMAC-SHA256(secret, timestamp + METHOD + path + body)',
          `or sign in on the trading page (${url}/) with the key id and secret. See the README, "Accounts, API keys and signing".`
        ])
        return 0
      }
      case 'create-account': {
        const account = await api('POST', '/admin/accounts', { account_id: need(args, 'an account id') }) as Account
        show(account, accountLines(account))
        return 0
      }
      case 'create-key': {
        const permissions = ['read', 'trade'].filter((p) => flags.has(p))
        const key = await api('POST', `/admin/accounts/${encodeURIComponent(need(args, 'an account id'))}/keys`, { permissions: permissions.length === 0 ? ['read', 'trade'] : permissions }) as ApiKey
        show(key, keyLines(key))
        return 0
      }
      case 'disable':
      case 'enable': {
        const account = await api('POST', `/admin/accounts/${encodeURIComponent(need(args, 'an account id'))}/${command}`) as AccountStatusChanged
        show(account, [...accountLines(account), `cancelled    ${account.cancelled_orders} open orders`])
        return 0
      }
      case 'revoke': {
        const key = await api('POST', `/admin/keys/${encodeURIComponent(need(args, 'a key id'))}/revoke`) as ApiKey
        show(key, keyLines(key))
        return 0
      }
      case 'show': {
        const account = await api('GET', `/admin/accounts/${encodeURIComponent(need(args, 'an account id'))}`) as Account
        show(account, accountLines(account))
        return 0
      }
      case 'list': {
        const query = new URLSearchParams(options)
        const page = await api('GET', `/admin/accounts${query.size === 0 ? '' : `?${query}`}`) as { accounts: Account[], next_cursor: string | null }
        const lines = page.accounts.map((a) => `${a.account_id}  ${a.status}  ${a.open_orders} open orders  ${a.api_keys.filter((k) => k.status === 'active').length} active keys`)
        if (page.next_cursor !== null) lines.push(`more: npm run admin -- list --cursor ${page.next_cursor}`)
        show(page, lines)
        return 0
      }
      case 'trading-status': {
        const symbol = need(args, 'a symbol')
        const status = need(args.slice(1), 'a status (trading, halted or cancel_only)')
        const changed = await api('POST', `/admin/symbols/${encodeURIComponent(symbol)}/trading_status`, { status }) as { symbol: string, trading_status: string }
        show(changed, [`symbol          ${changed.symbol}`, `trading status  ${changed.trading_status}`])
        return 0
      }
      default:
        throw new CliError(`unknown command "${command}"\n${USAGE}`)
    }
  } catch (error) {
    /* c8 ignore next -- anything but a CliError is a bug: it keeps its stack */
    if (!(error instanceof CliError)) throw error
    io.err(`error: ${error.message}`)
    return 1
  }
}

function parse (argv: readonly string[], env: Record<string, string | undefined>) {
  const args: string[] = []
  const flags = new Set<string>()
  const options: Record<string, string> = {}
  let url = env.EXCHANGE_URL !== undefined && env.EXCHANGE_URL !== '' ? env.EXCHANGE_URL : DEFAULT_URL
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    if (arg === '--url' || arg === '--limit' || arg === '--cursor') {
      const value = argv[++i] ?? ''
      if (value === '') throw new CliError(`${arg} needs a value`)
      if (arg === '--url') url = value
      else options[arg.slice(2)] = value
    } else if (arg === '--read' || arg === '--trade' || arg === '--json') {
      flags.add(arg.slice(2))
    } else if (arg === '--help' || arg === '-h') {
      throw new CliError(USAGE)
    } else if (arg.startsWith('--')) {
      throw new CliError(`unknown option ${arg}\n${USAGE}`)
    } else {
      args.push(arg)
    }
  }
  const command = args.shift()
  if (command === undefined) throw new CliError(`no command\n${USAGE}`)
  if (!/^https?:\/\/[^/]/.test(url)) throw new CliError(`the server URL must be http://host:port, got "${url}" (--url or EXCHANGE_URL)`)
  if (!sendsTokenSafely(url)) {
    throw new CliError(`refusing to send the admin token in clear text to ${url}: use https:// or a loopback address (127.0.0.1, ::1, localhost)`)
  }
  return { command, args, flags, options, url: url.replace(/\/+$/, '') }
}

/** The admin token goes over TLS, or over plain HTTP only to this machine. */
function sendsTokenSafely (url: string): boolean {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return false
  }
  const host = parsed.hostname
  return parsed.protocol === 'https:' || host === 'localhost' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host)
}

function need (args: readonly string[], what: string): string {
  const value = args[0]
  if (value === undefined) throw new CliError(`this command needs ${what}`)
  return value
}

/** ADMIN_TOKEN, else ADMIN_TOKEN_FILE, else <SECRETS_DIR>/admin-token: the server's own order. */
export function adminToken (env: Record<string, string | undefined>): string {
  if (env.ADMIN_TOKEN !== undefined && env.ADMIN_TOKEN !== '') return env.ADMIN_TOKEN
  const file = env.ADMIN_TOKEN_FILE !== undefined && env.ADMIN_TOKEN_FILE !== ''
    ? env.ADMIN_TOKEN_FILE
    : join(resolve(env.SECRETS_DIR !== undefined && env.SECRETS_DIR !== '' ? env.SECRETS_DIR : './secrets'), 'admin-token')
  try {
    return readFileSync(file, 'utf8').trim()
  } catch (error) {
    throw new CliError(`no admin token: set ADMIN_TOKEN or ADMIN_TOKEN_FILE, or run from the directory the server started in (${file}: ${(error as NodeJS.ErrnoException).code})`)
  }
}

type Api = (method: string, path: string, body?: unknown, tolerated?: string[]) => Promise<unknown>

function client (url: string, token: string): Api {
  return async (method, path, body, tolerated = []) => {
    let response: Response
    try {
      response = await fetch(url + path, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body)
      })
    } catch (error) {
      // fetch rejects with a TypeError whose cause is the system error (ECONNREFUSED, ENOTFOUND...).
      throw new CliError(`cannot reach ${url} (${(error as { cause: Error }).cause.message}): is the server running (npm start)?`)
    }
    const text = await response.text()
    let answer: { error_code?: string, error?: string } | null = null
    try {
      answer = JSON.parse(text)
    } catch {}
    if (response.ok) return answer
    const code = answer?.error_code ?? `HTTP_${response.status}`
    if (tolerated.includes(code)) return null
    throw new CliError(`${code}: ${answer?.error ?? text.slice(0, 200)}`)
  }
}

function keyLines (key: ApiKey): string[] {
  const lines = [`key id       ${key.key_id}`]
  if (key.secret !== undefined) lines.push(`secret       ${key.secret}   (shown once: store it now)`)
  lines.push(`permissions  ${key.permissions.join(', ')}`, `status       ${key.status}`)
  return lines
}

function accountLines (account: Account): string[] {
  return [
    `account      ${account.account_id}`,
    `status       ${account.status}`,
    `open orders  ${account.open_orders}`,
    ...account.api_keys.map((k) => `key          ${k.key_id}  ${k.permissions.join('+')}  ${k.status}`)
  ]
}
