/**
 * Shapes of the harness results: what load/results/*.json holds and what
 * the HTML report renders. Latencies are milliseconds, times since a phase
 * start are seconds, absolute times are epoch milliseconds.
 */
import type { MarketDataFigure } from './md-figures.js'
import type { WrkRun } from './wrk.js'
import type { WsOrdersPhase } from './ws-orders.js'

export interface LatencySummary {
  readonly count: number
  readonly mean: number
  readonly min: number
  readonly p50: number
  readonly p90: number
  readonly p99: number
  readonly p999: number
  readonly max: number
}

/** One second of an HTTP load phase (by completion time). */
export interface HttpSeriesPoint {
  /** Seconds since the phase started (start of the second). */
  readonly t: number
  /** Requests scheduled (rate mode) or sent (saturation) in this second. */
  readonly sent: number
  /** Responses completed in this second, any status. */
  readonly rps: number
  readonly errors: number
  readonly p50: number
  readonly p90: number
  readonly p99: number
  readonly max: number
}

export interface HttpLoadResult {
  readonly label: string
  readonly mode: 'rate' | 'saturation'
  /** Target arrival rate (rate mode; peak rate of a profile). */
  readonly targetRate: number | null
  readonly connections: number
  readonly startedAt: number
  readonly durationS: number
  readonly sent: number
  readonly completed: number
  /** Arrivals not sent because maxInFlight requests were already outstanding (open model only). */
  readonly dropped: number
  /** Completed responses per second over the phase. */
  readonly throughput: number
  /** 2xx responses per second. */
  readonly okThroughput: number
  /** Rate mode: from scheduled send time (no coordinated omission). Saturation: from actual send. */
  readonly latency: LatencySummary
  /** The server's own processing_time_ms from the order response, when present. */
  readonly serverProcessing: LatencySummary | null
  readonly statusCodes: Record<string, number>
  /** error_code of non-2xx JSON bodies, HTTP_<status> without one, NET_<code> for transport errors. */
  readonly errors: Record<string, number>
  readonly errorCount: number
  readonly ordersByStatus: Record<string, number>
  /** The lifecycle flow (issue 12) only: its requests came from a RequestSource (load/harness/lifecycle.ts). */
  readonly lifecycle?: boolean
  /** Expected refusals ('<path> <error_code>'), answers the flow meets by design: not in errors. */
  readonly refused?: Record<string, number>
  readonly refusedCount?: number
  /** 2xx answers per route (/order, /oco, /amend). */
  readonly okByPath?: Record<string, number>
  readonly tradesExecuted: number
  readonly series: HttpSeriesPoint[]
}

export interface MonitorSample {
  /** Epoch ms of the sample. */
  readonly at: number
  /** Server process CPU, % of one core (200 = both cores of a 2-core machine). */
  readonly cpuPct: number | null
  readonly rssMb: number | null
  /** Whole-machine CPU busy, % of all cores. */
  readonly hostCpuPct: number | null
  /** Of which irq + softirq (loopback networking is largely softirq, charged to no process), % of all cores. */
  readonly hostIrqPct: number | null
  /** The harness process itself (load generator), % of one core. */
  readonly harnessCpuPct: number
  /** prom-client nodejs_eventloop_lag_seconds (setImmediate lag), ms. */
  readonly eventLoopLagMs: number | null
  /** nodejs_eventloop_lag_p99_seconds of the last second (monitorEventLoopDelay, 10 ms resolution included), ms. */
  readonly eventLoopDelayP99Ms: number | null
  readonly eventLoopDelayMaxMs: number | null
  readonly wsConnections: number | null
  /** Open TCP sockets of the server process (listening socket included). */
  readonly sockets: number | null
  /** Other processes sampled alongside (consumer workers, bare servers), % of one core. */
  readonly others: Record<string, number>
}

export interface ConsumerProgressPoint {
  /** Seconds since the consumers were ready. */
  readonly t: number
  /** Messages received in this second, all consumers. */
  readonly messages: number
  readonly gaps: number
  readonly open: number
}

export interface ConsumerResult {
  readonly consumers: number
  readonly connected: number
  readonly connectFailures: number
  readonly connectMs: number
  /** Messages and bytes in the measured window (between ready and stop, or between marks). */
  readonly messages: number
  readonly bytes: number
  readonly windowS: number
  readonly messagesPerSecond: number
  readonly avgMessageBytes: number
  readonly byType: Record<string, number>
  readonly seqGaps: number
  readonly snapshots: number
  readonly deltas: number
  readonly tradesReceived: number
  /** Closes initiated by the server before we stopped, by close code. */
  readonly unexpectedCloses: Record<string, number>
  readonly slowConsumerDisconnects: number
  readonly errors: number
  /** l2 messages whose checksum (issue 13) was compared with the consumer's own book, and how many differed. */
  readonly checksumsVerified: number
  readonly checksumMismatches: number
  /** l2 messages received by a consumer whose book had failed a checksum (until a snapshot or resync). */
  readonly unverified: number
  /** Whether any l2 message carried a checksum / a delta carried prev_seq (servers from issue 13 on). */
  readonly serverSendsChecksum: boolean
  readonly serverSendsPrevSeq: boolean
  /** `resync` messages received (l2: a fresh snapshot; trades: a dropped tail), and heartbeats. */
  readonly l2Resyncs: number
  readonly tradeResyncs: number
  readonly heartbeats: number
  /** Receipt time minus trade.timestamp*1000 for every trade every consumer received. */
  readonly acceptToReceipt: LatencySummary
  /**
   * Receipt time minus the l2 message's timestamp (deltas and resyncs): accept-to-receipt from issue 13
   * on, where it is the engine time of the newest command the message reflects; the publish time before.
   */
  readonly l2ToReceipt: LatencySummary
  /** The same by the subscription's interval ('default': none was sent), with the consumers on each. */
  readonly l2ByInterval: Record<string, { readonly consumers: number, readonly l2ToReceipt: LatencySummary }>
  readonly series: ConsumerProgressPoint[]
}

export interface PhaseResult {
  readonly scenario: string
  readonly name: string
  readonly description: string
  /** 'service' = the matching engine; 'bare-fastify' / 'bare-ws' = baselines. */
  readonly target: 'service' | 'bare-fastify' | 'bare-ws'
  readonly startedAt: number
  readonly endedAt: number
  readonly env: Record<string, string>
  readonly http: HttpLoadResult | null
  readonly consumers: ConsumerResult | null
  readonly monitor: MonitorSample[]
  /** Gateway figures from GET /statistics at the end of the phase. */
  readonly gateway: Record<string, unknown> | null
  /** Market-data phases on the service: the server's share of accept-to-receipt (server-share.ts). */
  readonly serverShare?: ServerShare | null
  /** The l2 subscription the consumers used. */
  readonly subscription?: { readonly depth: number | 'full' | null, readonly intervals: ReadonlyArray<string | null>, readonly note: string } | null
  /** Consumers and order rate set past what the machine can deliver: delivery rules do not apply. */
  readonly overload?: boolean
  /** --scenario wrk: what one wrk run measured (http is null). */
  readonly wrk?: WrkRun | null
  /** --scenario ws-orders: one phase of the WebSocket order-entry generator (http is null). */
  readonly wsOrders?: WsOrdersPhase | null
  readonly notes: string[]
}

/**
 * GET /statistics → gateway (issue 13's contract, section 6), sampled each second of a market-data
 * phase. null: the server does not report that field (reported "n/a").
 */
export interface ServerShare {
  /** Engine timestamp of a public message → handed to the socket, ms, as the server reports it at the end. */
  readonly publishToWriteMs: { readonly count: number | null, readonly p50: number | null, readonly p99: number | null, readonly max: number | null } | null
  readonly behindSubscribers: { readonly last: number, readonly peak: number } | null
  readonly maxBufferedBytes: { readonly last: number, readonly peak: number } | null
  /** Counters: their growth over the phase (end minus start). */
  readonly conflatedMessages: number | null
  readonly resyncs: number | null
  readonly samples: number
}

export interface TargetResult {
  readonly id: string
  readonly description: string
  readonly target: string
  readonly measured: string
  /** null: not measured in this run. */
  readonly met: boolean | null
  readonly detail: string
}

export interface ProfileEntry {
  readonly functionName: string
  readonly location: string
  readonly selfMs: number
  readonly selfPct: number
}

export interface ProfileSummary {
  readonly label: string
  readonly file: string
  readonly totalMs: number
  readonly top: ProfileEntry[]
  /** Self time by origin: an npm package, a folder of ours, node core, native (syscalls), GC. */
  readonly categories: Array<{ readonly name: string, readonly selfMs: number, readonly selfPct: number }>
}

export interface RunResult {
  readonly meta: {
    readonly scenario: string
    readonly startedAt: string
    readonly durationS: number
    readonly node: string
    readonly platform: string
    readonly cpus: number
    readonly cpuModel: string
    readonly totalMemMb: number
    /** Whole-machine CPU busy (% of all cores) in the second before the run: other work on the machine. */
    readonly hostBusyBeforePct: number | null
    readonly url: string | null
    readonly argv: string[]
    readonly options: Record<string, unknown>
  }
  readonly phases: PhaseResult[]
  /** The pass/fail rules (checks.ts); `passed` is false when any failed or nothing was measured. */
  readonly checks: Array<{ readonly phase: string, readonly rule: string, readonly ok: boolean, readonly detail: string }>
  readonly passed: boolean
  readonly targets: TargetResult[]
  /** Issue 13's market-data figures, one per market-data phase (md-figures.ts). */
  readonly marketData: MarketDataFigure[]
  readonly profiles: ProfileSummary[]
  readonly files: { json: string, html: string }
}
