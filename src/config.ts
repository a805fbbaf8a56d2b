/**
 * Configuration: read from the environment once, validated, frozen. A bad
 * value stops the start with one clear line naming the variable.
 */
import { readFileSync } from 'node:fs'
import { totalmem } from 'node:os'
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import {
  DEFAULT_FEE_RATE, DEFAULT_FILL_HISTORY_LIMIT, DEFAULT_HISTORY_LIMIT, DEFAULT_MAX_FILLS_PER_ORDER, DEFAULT_MAX_OPEN_ORDERS_PER_ACCOUNT,
  DEFAULT_MAX_OPEN_ORDERS_PER_SYMBOL, DEFAULT_SYMBOLS, MatchingEngine, STP_MODES, StpMode, type SymbolConfig
} from './engine/index.js'
import { AUTH_MODES, type AuthMode } from '../schemas/ws.js'

/**
 * The l2 depths a WebSocket subscriber may ask for: a few classes, so deltas are built once per class;
 * none below the 10 levels the checksum covers.
 */
export const WS_DEPTHS = [10, 50, 100, 500, 1000, 5000, 10000] as const

export const FSYNC_POLICIES = ['always', 'batch', 'none'] as const
export type FsyncPolicy = typeof FSYNC_POLICIES[number]

export { AUTH_MODES, type AuthMode }

export interface Config {
  readonly host: string
  readonly port: number
  readonly logLevel: string
  readonly bodyLimit: number
  readonly staticDir: string
  /** Trades listed in one order's answer (the rest are counted and summed, never lost). */
  readonly maxTradesInAnswer: number
  readonly engine: {
    readonly symbols: readonly SymbolConfig[]
    readonly makerFeeRate: string
    readonly takerFeeRate: string
    readonly historyLimit: number
    readonly maxFillsPerOrder: number
    readonly maxOpenOrdersPerSymbol: number
    /** Open orders one account may hold (MAX_OPEN_ORDERS_PER_ACCOUNT); null with AUTH=off (the anonymous account is everyone: only the per-symbol cap applies). */
    readonly maxOpenOrdersPerAccount: number | null
    /** Trades kept for the accounts' fill lists (GET /fills). */
    readonly fillHistoryLimit: number
    /** Self-trade prevention of orders that name none. */
    readonly defaultStp: StpMode
  }
  readonly auth: {
    /** required: private routes need a signed request; off: every caller is the anonymous account. */
    readonly mode: AuthMode
    /** How far X-TIMESTAMP may be from the server clock, either way (ms). */
    readonly recvWindowMs: number
    /** Signatures remembered against replay (each for 2 × the window); when full, signed requests get 503. */
    readonly replayCacheMax: number
    /** Order entry per API key per second, counted after the signature verified. */
    readonly keyOrdersPerSecond: number
    /** Where generated secrets live (master.key, admin-token): never inside DATA_DIR. */
    readonly secretsDir: string
    /** ADMIN_TOKEN, or the content of ADMIN_TOKEN_FILE; null: <secretsDir>/admin-token, created at first start. */
    readonly adminToken: string | null
    /** AUTH_MASTER_SECRET, or the content of AUTH_MASTER_SECRET_FILE; null: <secretsDir>/master.key, created at first start. */
    readonly masterSecret: string | null
  }
  readonly rateLimit: {
    readonly enabled: boolean
    /** Per client IP, per route and window: order entry and cancel. */
    readonly max: number
    /** Per client IP, per route and window: GET /book, /bbo, /symbols, /statistics, /order. */
    readonly readMax: number
    readonly windowMs: number
  }
  readonly metrics: {
    /** Bearer token GET /metrics requires; '' for none. */
    readonly token: string
    /** Without a token, /metrics answers only when this is true. */
    readonly public: boolean
  }
  readonly ws: {
    /** The raw interval's window; 0 = once per event-loop turn. */
    readonly batchMs: number
    /** Ping/pong: a peer that does not answer within it is terminated. */
    readonly heartbeatMs: number
    /** The `heartbeat` message every connection gets; 0 = none. */
    readonly heartbeatMessageMs: number
    /** Unsent bytes past which a subscriber's public market data is merged instead of queued. */
    readonly conflateBytes: number
    /** Trades a behind subscriber is owed per symbol before they are dropped for a resync. */
    readonly tradeTail: number
    /** The most resting orders an l3 snapshot lists; a bigger book's l3 subscribe is refused (L3_TOO_LARGE). */
    readonly l3MaxOrders: number
    readonly maxPayload: number
    readonly maxMessagesPerSecond: number
    readonly maxSubscriptions: number
    readonly maxConnections: number
    readonly maxConnectionsPerIp: number
    readonly maxBufferedBytes: number
    /** Unsent bytes across every connection; past it the largest holders are closed first (1013). */
    readonly maxTotalBufferedBytes: number
    /** The deepest l2 book a subscriber may ask for (one of WS_DEPTHS). */
    readonly maxDepth: number
    /** Browser origins allowed to open /ws besides the app's own; empty = any origin. */
    readonly allowedOrigins: readonly string[]
    /** order.* requests of a connection received and not yet answered; past it → TOO_MANY_IN_FLIGHT. */
    readonly maxInFlight: number
    /** order.* requests per connection per second; past it → RATE_LIMIT, past twice it → close 1008. */
    readonly maxOrdersPerSecond: number
  }
  readonly pressure: {
    /** 0 switches a check off. */
    readonly maxEventLoopDelayMs: number
    readonly maxHeapUsedBytes: number
    readonly maxRssBytes: number
    readonly retryAfterSeconds: number
    /**
     * HTTP connections (WebSockets included) held at once; the server closes
     * further ones as it accepts them. Kept below the descriptor limit, so
     * that a flood of connections cannot leave the journal, snapshots or the
     * process itself without descriptors (EMFILE).
     */
    readonly maxConnections: number
  }
  readonly shutdownGraceMs: number
  readonly docs: boolean
  readonly journal: {
    readonly enabled: boolean
    readonly dataDir: string
    readonly fsync: FsyncPolicy
    readonly fsyncIntervalMs: number
    readonly snapshotEvery: number
  }
}

export class ConfigError extends Error {}

/** The package root, found from this file whether it runs from src/ or dist/src/. */
export const PACKAGE_ROOT = findPackageRoot(dirname(fileURLToPath(import.meta.url)))

type Env = Record<string, string | undefined>

export function loadConfig (env: Env = process.env): Config {
  const read = new EnvReader(env)
  const dataDir = resolve(read.string('DATA_DIR', './data'))
  const auth = read.auth(dataDir)
  const config: Config = {
    host: read.string('HOST', '127.0.0.1'),
    port: read.int('PORT', 3000, 0, 65535),
    logLevel: read.oneOf('LOG_LEVEL', 'info', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
    bodyLimit: read.int('BODY_LIMIT', 16 * 1024, 256, 1024 * 1024),
    staticDir: resolve(read.string('STATIC_DIR', resolve(PACKAGE_ROOT, 'static'))),
    maxTradesInAnswer: read.int('MAX_TRADES_IN_ANSWER', 100, 1, 100_000),
    engine: {
      symbols: read.symbols(),
      makerFeeRate: read.string('MAKER_FEE_RATE', DEFAULT_FEE_RATE),
      takerFeeRate: read.string('TAKER_FEE_RATE', DEFAULT_FEE_RATE),
      historyLimit: read.int('HISTORY_LIMIT', DEFAULT_HISTORY_LIMIT, 1, 100_000_000),
      maxFillsPerOrder: read.int('MAX_FILLS_PER_ORDER', DEFAULT_MAX_FILLS_PER_ORDER, 1, 1_000_000),
      maxOpenOrdersPerSymbol: read.int('MAX_OPEN_ORDERS_PER_SYMBOL', DEFAULT_MAX_OPEN_ORDERS_PER_SYMBOL, 1, 100_000_000),
      // Validated in both modes (a bad value stops the start either way); AUTH=off then applies no per-account cap.
      maxOpenOrdersPerAccount: perAccountCap(auth.mode, read.int('MAX_OPEN_ORDERS_PER_ACCOUNT', DEFAULT_MAX_OPEN_ORDERS_PER_ACCOUNT, 1, 100_000_000)),
      fillHistoryLimit: read.int('FILL_HISTORY_LIMIT', DEFAULT_FILL_HISTORY_LIMIT, 1, 100_000_000),
      defaultStp: read.oneOf('DEFAULT_STP', StpMode.CANCEL_MAKER, STP_MODES)
    },
    auth,
    rateLimit: {
      enabled: read.bool('RATE_LIMIT_ENABLED', true),
      max: read.int('RATE_LIMIT_MAX', 10_000, 1, 1e9),
      readMax: read.int('RATE_LIMIT_READ_MAX', 6_000, 1, 1e9),
      windowMs: read.int('RATE_LIMIT_WINDOW_MS', 60_000, 1, 86_400_000)
    },
    metrics: read.metrics(),
    ws: {
      batchMs: read.int('WS_BATCH_MS', 0, 0, 10_000),
      heartbeatMs: read.int('WS_HEARTBEAT_MS', 30_000, 10, 3_600_000),
      heartbeatMessageMs: read.int('WS_HEARTBEAT_MESSAGE_MS', 1000, 0, 3_600_000),
      conflateBytes: read.int('WS_CONFLATE_BYTES', 65_536, 1024, 1024 * 1024 * 1024),
      tradeTail: read.int('WS_TRADE_TAIL', 1000, 1, 1_000_000),
      l3MaxOrders: read.int('WS_L3_MAX_ORDERS', 10_000, 1, 10_000_000),
      maxPayload: read.int('WS_MAX_PAYLOAD', 4096, 64, 1024 * 1024),
      maxMessagesPerSecond: read.int('WS_MAX_MESSAGES_PER_SECOND', 50, 1, 1e6),
      maxSubscriptions: read.int('WS_MAX_SUBSCRIPTIONS', 50, 1, 10_000),
      maxConnections: read.int('WS_MAX_CONNECTIONS', 10_000, 1, 1e6),
      maxConnectionsPerIp: read.int('WS_MAX_CONNECTIONS_PER_IP', 2_000, 1, 1e6),
      maxBufferedBytes: read.int('WS_MAX_BUFFERED_BYTES', 4 * 1024 * 1024, 1024, 1024 * 1024 * 1024),
      maxTotalBufferedBytes: read.int('WS_MAX_TOTAL_BUFFERED_BYTES', 256 * 1024 * 1024, 1024, 64 * 1024 * 1024 * 1024),
      maxDepth: Number(read.oneOf('WS_MAX_DEPTH', '1000', WS_DEPTHS.map(String))),
      allowedOrigins: read.origins('WS_ALLOWED_ORIGINS'),
      maxInFlight: read.int('WS_MAX_IN_FLIGHT', 256, 1, 65_536),
      maxOrdersPerSecond: read.int('WS_MAX_ORDERS_PER_SECOND', 1000, 1, 1e7)
    },
    pressure: {
      maxEventLoopDelayMs: read.int('PRESSURE_MAX_EVENT_LOOP_DELAY_MS', 1000, 0, 60_000),
      maxHeapUsedBytes: read.int('PRESSURE_MAX_HEAP_USED_BYTES', 0, 0, Number.MAX_SAFE_INTEGER),
      maxRssBytes: read.int('PRESSURE_MAX_RSS_BYTES', defaultMaxRssBytes(), 0, Number.MAX_SAFE_INTEGER),
      retryAfterSeconds: read.int('PRESSURE_RETRY_AFTER_SECONDS', 1, 1, 3600),
      maxConnections: connectionCap(read.int('MAX_CONNECTIONS', 10_000, 1, 1e6), openFilesLimit())
    },
    shutdownGraceMs: read.int('SHUTDOWN_GRACE_MS', 10_000, 100, 600_000),
    docs: read.bool('DOCS_ENABLED', true),
    journal: {
      enabled: read.bool('JOURNAL_ENABLED', true),
      dataDir,
      fsync: read.oneOf('JOURNAL_FSYNC', 'batch', FSYNC_POLICIES),
      fsyncIntervalMs: read.int('JOURNAL_FSYNC_INTERVAL_MS', 10, 1, 10_000),
      snapshotEvery: read.int('SNAPSHOT_EVERY', 100_000, 0, 1e9)
    }
  }
  try {
    // Builds the books once to check tick/lot/fee values with the engine's own rules.
    // (read.symbols() never returns an empty list: an empty SYMBOLS is refused, the default set is not empty.)
    new MatchingEngine(config.engine) // eslint-disable-line no-new
  } catch (error) {
    throw new ConfigError(`invalid engine configuration: ${(error as Error).message}`)
  }
  return deepFreeze(config)
}

/** The anonymous account of AUTH=off is everyone: a per-account cap would be a global one. */
function perAccountCap (mode: AuthMode, cap: number): number | null {
  return mode === 'off' ? null : cap
}

/**
 * Descriptors kept for everything that is not an HTTP connection: Node's own
 * (about 20: event loop, thread pool, stdio), journal segments, snapshots,
 * the data-directory lock, /proc reads, static files, the shutdown watchdog.
 */
export const DESCRIPTOR_RESERVE = 64

/** The connection cap: as configured, but at most the descriptor limit less a reserve (half of it under 128). */
export function connectionCap (configured: number, limit: number | null): number {
  if (limit === null) return configured
  const reserve = Math.min(DESCRIPTOR_RESERVE, Math.floor(limit / 2))
  return Math.max(1, Math.min(configured, limit - reserve))
}

/**
 * The soft RLIMIT_NOFILE, as Node left it at start (it raises soft to hard).
 * Node has no getrlimit: read /proc/self/limits (Linux); null elsewhere, or
 * when unlimited or unreadable, which leaves MAX_CONNECTIONS as configured.
 */
export function openFilesLimit (readLimits: () => string = () => readFileSync('/proc/self/limits', 'utf8')): number | null {
  let text: string
  try {
    text = readLimits()
  } catch {
    return null
  }
  const match = /^Max open files\s+(\d+)\s/m.exec(text)
  return match === null ? null : Number(match[1])
}

const GiB = 1024 ** 3

/**
 * PRESSURE_MAX_RSS_BYTES when unset: 1.5 GiB, or three quarters of the memory
 * the process may use (its cgroup limit, else the machine's RAM) when that is
 * less, so load shedding starts before the OOM killer does.
 */
export function defaultMaxRssBytes (memoryBytes = usableMemory()): number {
  return Math.min(1.5 * GiB, Math.floor(memoryBytes * 0.75))
}

/** The cgroup's memory limit when there is one below the machine's RAM, else the RAM. */
export function usableMemory (machine = totalmem(), constrained = process.constrainedMemory?.()): number {
  // Node 20 answers undefined without a cgroup limit (0 on some versions); an unlimited cgroup reads as a huge number.
  return constrained !== undefined && constrained > 0 && constrained < machine ? constrained : machine
}

class EnvReader {
  private readonly env: Env
  constructor (env: Env) {
    this.env = env
  }

  string (name: string, fallback: string): string {
    const value = this.env[name]
    return value === undefined || value === '' ? fallback : value
  }

  int (name: string, fallback: number, min: number, max: number): number {
    const text = this.env[name]
    if (text === undefined || text === '') return fallback
    const value = Number(text)
    if (!/^[0-9]+$/.test(text) || !Number.isSafeInteger(value) || value < min || value > max) {
      throw new ConfigError(`${name} must be an integer from ${min} to ${max}, got "${text}"`)
    }
    return value
  }

  bool (name: string, fallback: boolean): boolean {
    const text = this.env[name]
    if (text === undefined || text === '') return fallback
    if (['true', '1', 'yes', 'on'].includes(text.toLowerCase())) return true
    if (['false', '0', 'no', 'off'].includes(text.toLowerCase())) return false
    throw new ConfigError(`${name} must be true or false, got "${text}"`)
  }

  oneOf<T extends string> (name: string, fallback: T, allowed: readonly T[]): T {
    const text = this.string(name, fallback).toLowerCase() as T
    if (!allowed.includes(text)) throw new ConfigError(`${name} must be one of ${allowed.join(', ')}, got "${text}"`)
    return text
  }

  /** A comma-separated list of origins (scheme://host[:port]), normalised; empty = none. */
  origins (name: string): readonly string[] {
    const out: string[] = []
    for (const entry of this.string(name, '').split(',').map((e) => e.trim()).filter((e) => e !== '')) {
      let url: URL | null = null
      try {
        url = new URL(entry)
      } catch {}
      // An origin is scheme://host[:port] and nothing more: a path, query or credentials would never match a browser's Origin.
      if (url === null || !['http:', 'https:'].includes(url.protocol) || url.pathname !== '/' || url.search !== '' || url.hash !== '' || url.username !== '') {
        throw new ConfigError(`${name} must be a comma-separated list of origins like https://example.com:8443, got "${entry}"`)
      }
      const origin = url.origin
      out.push(origin)
    }
    return out
  }

  /** METRICS_TOKEN and METRICS_PUBLIC: a token of 16+ visible ASCII characters, or an explicit choice of an open /metrics. */
  metrics (): Config['metrics'] {
    const token = this.string('METRICS_TOKEN', '')
    const open = this.bool('METRICS_PUBLIC', false)
    if (token !== '' && !/^[\x21-\x7e]{16,256}$/.test(token)) {
      throw new ConfigError('METRICS_TOKEN must be 16 to 256 visible ASCII characters (no spaces)')
    }
    if (token !== '' && open) throw new ConfigError('METRICS_TOKEN and METRICS_PUBLIC=true contradict each other: set one')
    return { token, public: open }
  }

  /**
   * AUTH and its secrets. The admin token and the master secret come from the
   * variable or from the file it names (read here, so a bad one stops the
   * start); neither may sit inside DATA_DIR, which backups and snapshots copy.
   * With AUTH=off no secret is read or created.
   */
  auth (dataDir: string): Config['auth'] {
    const mode = this.oneOf('AUTH', 'required', AUTH_MODES)
    const secretsDir = resolve(this.string('SECRETS_DIR', './secrets'))
    if (isInside(secretsDir, dataDir)) {
      throw new ConfigError(`SECRETS_DIR (${secretsDir}) must not be inside DATA_DIR (${dataDir}): whoever copies the data must not get the secrets`)
    }
    const required = mode === 'required'
    return {
      mode,
      recvWindowMs: this.int('AUTH_RECV_WINDOW_MS', 5000, 100, 600_000),
      replayCacheMax: this.int('AUTH_REPLAY_CACHE_MAX', 500_000, 1, 100_000_000),
      keyOrdersPerSecond: this.int('AUTH_KEY_ORDERS_PER_SECOND', 50, 1, 1_000_000),
      secretsDir,
      adminToken: required ? this.secret('ADMIN_TOKEN', 16, dataDir) : null,
      masterSecret: required ? this.secret('AUTH_MASTER_SECRET', 32, dataDir) : null
    }
  }

  /** NAME or NAME_FILE (not both): minLength to 1024 visible ASCII characters; null when neither is set. */
  private secret (name: string, minLength: number, dataDir: string): string | null {
    const inline = this.string(name, '')
    const file = this.string(`${name}_FILE`, '')
    if (inline !== '' && file !== '') throw new ConfigError(`${name} and ${name}_FILE are both set: set one`)
    if (inline === '' && file === '') return null
    let value = inline
    let source = name
    if (file !== '') {
      source = `${name}_FILE`
      if (isInside(resolve(file), dataDir)) throw new ConfigError(`${source} must not be inside DATA_DIR (${dataDir})`)
      try {
        value = readFileSync(file, 'utf8').trim()
      } catch (error) {
        throw new ConfigError(`${source} is not readable: ${(error as Error).message}`)
      }
    }
    if (!new RegExp(`^[\\x21-\\x7e]{${minLength},1024}$`).test(value)) {
      throw new ConfigError(`${source} must hold ${minLength} to 1024 visible ASCII characters (no spaces)`)
    }
    return value
  }

  /** SYMBOLS (a JSON array) or SYMBOLS_FILE (a JSON file holding one); else the default set. */
  symbols (): readonly SymbolConfig[] {
    const file = this.env.SYMBOLS_FILE
    const inline = this.env.SYMBOLS
    if ((file === undefined || file === '') && (inline === undefined || inline === '')) return DEFAULT_SYMBOLS
    const source = file !== undefined && file !== '' ? 'SYMBOLS_FILE' : 'SYMBOLS'
    let parsed: unknown
    try {
      parsed = JSON.parse(source === 'SYMBOLS_FILE' ? readFileSync(file as string, 'utf8') : inline as string)
    } catch (error) {
      throw new ConfigError(`${source} is not readable JSON: ${(error as Error).message}`)
    }
    if (!Array.isArray(parsed) || parsed.length === 0) throw new ConfigError(`${source} must be a non-empty JSON array of symbols`)
    return parsed.map((entry, i) => symbolConfig(entry, `${source}[${i}]`))
  }
}

function symbolConfig (entry: unknown, where: string): SymbolConfig {
  if (typeof entry !== 'object' || entry === null) throw new ConfigError(`${where} must be an object`)
  const record = entry as Record<string, unknown>
  const text = (key: string, required: boolean): string | undefined => {
    const value = record[key]
    if (value === undefined && !required) return undefined
    if (typeof value !== 'string' || value === '') throw new ConfigError(`${where}.${key} must be a decimal string`)
    return value
  }
  const config: SymbolConfig = {
    symbol: text('symbol', true) as string,
    tickSize: text('tickSize', true) as string,
    minQuantity: text('minQuantity', true) as string,
    lotSize: text('lotSize', false),
    maxQuantity: text('maxQuantity', false),
    minNotional: text('minNotional', false),
    priceBand: priceBand(text('priceBand', false), where)
  }
  return config
}

/** A price band is a fraction of the last trade price: strictly between 0 and 1 ("0.1" is 10%). */
function priceBand (text: string | undefined, where: string): string | undefined {
  if (text === undefined) return undefined
  if (!/^0?\.[0-9]{1,18}$/.test(text) || !/[1-9]/.test(text)) {
    throw new ConfigError(`${where}.priceBand must be a decimal fraction strictly between 0 and 1 (e.g. "0.1" for 10%), got "${text}"`)
  }
  return text
}

/** Whether `path` is `dir` or lies beneath it (both absolute). */
export function isInside (path: string, dir: string): boolean {
  const rel = relative(dir, path)
  return rel === '' || (rel !== '..' && !rel.startsWith('..' + sep) && !isAbsolute(rel))
}

/** The nearest directory from `start` upwards that holds a package.json; `start` itself if none does. */
export function findPackageRoot (start: string): string {
  let dir = start
  for (;;) {
    try {
      readFileSync(resolve(dir, 'package.json'))
      return dir
    } catch {
      const parent = dirname(dir)
      if (parent === dir) return start
      dir = parent
    }
  }
}

function deepFreeze<T> (value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const inner of Object.values(value)) deepFreeze(inner)
    Object.freeze(value)
  }
  return value
}
