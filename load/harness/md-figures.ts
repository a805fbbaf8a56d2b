/**
 * Issue 13's figures, one block per market-data phase of a run: accept-to-receipt of the raw interval
 * (receipt minus the l2 message's timestamp, the engine time of the newest command it reflects) at N
 * consumers and R orders/s, delivered messages/s against the bare `ws` broadcast, checksum mismatches
 * and gaps across all consumers (both must be 0), resyncs received, the server's RSS over the run (first
 * third against last third) and, beside the consumers' side, the server's own share from GET
 * /statistics (server-share.ts). Fields a server does not provide are null and printed "n/a".
 */
import { serverShareText } from './server-share.js'
import type { LatencySummary, PhaseResult, ServerShare } from './types.js'

/** RSS is "flat" when the last third's mean is at most this ratio of the first third's. */
export const RSS_FLAT_RATIO = 1.1

export interface RssThirds {
  readonly firstMb: number
  readonly lastMb: number
  readonly ratio: number
  readonly flat: boolean
  readonly samples: number
}

export interface MarketDataFigure {
  readonly phase: string
  readonly overload: boolean
  readonly consumers: number
  readonly connected: number
  /** Orders/s scheduled (null: closed loop at saturation) and answered 2xx. */
  readonly ordersTarget: number | null
  readonly ordersOk: number | null
  readonly depth: number | 'full' | null
  readonly intervals: ReadonlyArray<string | null>
  /** The raw interval's accept-to-receipt (null: no consumer on raw, or no l2 message timed). */
  readonly rawAcceptToReceipt: LatencySummary | null
  readonly byInterval: Record<string, { readonly consumers: number, readonly l2ToReceipt: LatencySummary }>
  readonly tradeAcceptToReceipt: LatencySummary
  readonly deliveredPerSecond: number
  /** The bare ws broadcast of the same run (null: not measured, or a phase at a fixed rate). */
  readonly bareWsPerSecond: number | null
  readonly vsBare: number | null
  /** null: the server sends no checksum, nothing to verify. */
  readonly checksumMismatches: number | null
  readonly checksumsVerified: number | null
  readonly gaps: number
  readonly deltas: number
  readonly l2Resyncs: number
  readonly tradeResyncs: number
  readonly heartbeats: number
  readonly slowConsumerDisconnects: number
  readonly rss: RssThirds | null
  readonly server: ServerShare | null
}

/** Mean RSS of the first and the last third of the phase's samples. */
export function rssThirds (phase: Pick<PhaseResult, 'monitor'>): RssThirds | null {
  const rss = phase.monitor.map((s) => s.rssMb).filter((v): v is number => v !== null)
  if (rss.length < 3) return null
  const third = Math.floor(rss.length / 3)
  const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length
  const firstMb = Math.round(mean(rss.slice(0, third)) * 10) / 10
  const lastMb = Math.round(mean(rss.slice(-third)) * 10) / 10
  const ratio = Math.round((lastMb / firstMb) * 1000) / 1000
  return { firstMb, lastMb, ratio, flat: ratio <= RSS_FLAT_RATIO, samples: rss.length }
}

export function marketDataFigures (phases: readonly PhaseResult[]): MarketDataFigure[] {
  const out: MarketDataFigure[] = []
  for (const p of phases) {
    const c = p.consumers
    if (c === null || p.target !== 'service') continue
    // Delivered msg/s is compared with the bare broadcast only where both are at saturation.
    const saturated = p.http?.mode !== 'rate' || p.overload === true
    const bare = saturated ? phases.find((b) => b.target === 'bare-ws')?.consumers ?? null : null
    const raw = c.l2ByInterval.raw
    const verified = c.serverSendsChecksum
    out.push({
      phase: `${p.scenario}/${p.name}`,
      overload: p.overload === true,
      consumers: c.consumers,
      connected: c.connected,
      ordersTarget: p.http?.targetRate ?? null,
      ordersOk: p.http?.okThroughput ?? null,
      depth: p.subscription?.depth ?? null,
      intervals: p.subscription?.intervals ?? [],
      rawAcceptToReceipt: raw === undefined || raw.l2ToReceipt.count === 0 ? null : raw.l2ToReceipt,
      byInterval: c.l2ByInterval,
      tradeAcceptToReceipt: c.acceptToReceipt,
      deliveredPerSecond: c.messagesPerSecond,
      bareWsPerSecond: bare?.messagesPerSecond ?? null,
      vsBare: bare === null || bare.messagesPerSecond === 0 ? null : Math.round((c.messagesPerSecond / bare.messagesPerSecond) * 1000) / 1000,
      checksumMismatches: verified ? c.checksumMismatches : null,
      checksumsVerified: verified ? c.checksumsVerified : null,
      gaps: c.seqGaps,
      deltas: c.deltas,
      l2Resyncs: c.l2Resyncs,
      tradeResyncs: c.tradeResyncs,
      heartbeats: c.heartbeats,
      slowConsumerDisconnects: c.slowConsumerDisconnects,
      rss: rssThirds(p),
      server: p.serverShare ?? null
    })
  }
  return out
}

const ms = (l: LatencySummary | null): string => l === null || l.count === 0 ? 'n/a' : `p50 ${l.p50} p99 ${l.p99} max ${l.max} ms (${l.count})`

/** The figures as printed under the run's table. */
export function marketDataText (figures: readonly MarketDataFigure[]): string[] {
  const lines: string[] = []
  for (const f of figures) {
    const orders = f.ordersTarget === null ? `saturation (${f.ordersOk ?? '?'} ok/s)` : `${f.ordersTarget} orders/s (${f.ordersOk ?? '?'} ok/s)`
    lines.push(`market data ${f.phase}${f.overload ? ' [overload]' : ''}: ${f.connected}/${f.consumers} consumers, ${orders}, depth ${f.depth ?? 'default'}, interval ${f.intervals.map((i) => i ?? 'default').join('/')}`)
    lines.push(`  accept→receipt raw: ${ms(f.rawAcceptToReceipt)}`)
    const others = Object.entries(f.byInterval).filter(([k]) => k !== 'raw')
    if (others.length > 0) lines.push(`  accept→receipt ${others.map(([k, x]) => `${k}: ${ms(x.l2ToReceipt)}`).join('; ')}`)
    lines.push(`  trades accept→receipt: ${ms(f.tradeAcceptToReceipt)}`)
    lines.push(`  delivered ${f.deliveredPerSecond} msg/s${f.bareWsPerSecond === null ? '' : `; bare ws broadcast ${f.bareWsPerSecond} msg/s${f.vsBare === null ? '' : ` (${(f.vsBare * 100).toFixed(1)}%)`}`}`)
    lines.push(`  checksum mismatches ${f.checksumMismatches ?? 'n/a'} (of ${f.checksumsVerified ?? 'n/a'} verified), gaps ${f.gaps} (in ${f.deltas} deltas), resyncs l2 ${f.l2Resyncs} trades ${f.tradeResyncs}, heartbeats ${f.heartbeats}, slow-consumer closes ${f.slowConsumerDisconnects}`)
    lines.push(`  server RSS: ${f.rss === null ? 'n/a' : `first third ${f.rss.firstMb} MB, last third ${f.rss.lastMb} MB, ratio ${f.rss.ratio} (${f.rss.flat ? 'flat' : 'growing'}, flat ≤ ${RSS_FLAT_RATIO})`}`)
    lines.push(`  server side: ${serverShareText(f.server).replace(/^server side: /, '')}`)
  }
  return lines
}
