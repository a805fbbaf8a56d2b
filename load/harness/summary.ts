/**
 * The issue's targets, judged on a run's phases (reported, never asserted
 * in tests), and the short text summary printed on stdout.
 */
import { marketDataFigures, marketDataText, rssThirds, RSS_FLAT_RATIO } from './md-figures.js'
import type { HttpLoadResult, MonitorSample, PhaseResult, RunResult, TargetResult } from './types.js'
import { wrkTargets } from './wrk-scenario.js'
import { wsOrdersTargets } from './ws-orders-scenario.js'

/**
 * CPU used by processes that are not part of the run (other work on the
 * machine), % of one core, averaged: host busy minus irq/softirq (kernel
 * networking) minus server, load generator and consumers. Large values mean
 * the figures were taken on a busy machine.
 */
export function foreignCpuPct (samples: readonly MonitorSample[], cpus: number): number | null {
  const xs = samples.filter((s) => s.hostCpuPct !== null).map((s) =>
    ((s.hostCpuPct as number) - (s.hostIrqPct ?? 0)) * cpus - (s.cpuPct ?? 0) - s.harnessCpuPct - Object.values(s.others).reduce((a, b) => a + b, 0))
  return xs.length === 0 ? null : Math.max(0, Math.round(xs.reduce((a, b) => a + b, 0) / xs.length))
}

const find = (phases: PhaseResult[], scenario: string, name: string): PhaseResult | undefined =>
  phases.find((p) => p.scenario === scenario && p.name === name)

const pct = (ratio: number): string => `${(ratio * 100).toFixed(1)}%`

function missing (id: string, description: string, target: string, why: string): TargetResult {
  return { id, description, target, measured: 'not measured', met: null, detail: why }
}

/** Median of the samples' RSS in the first and last quarter of a window. */
export function rssTrend (phase: PhaseResult): { startMb: number, endMb: number, growthPct: number, slopeMbPerMin: number } | null {
  const rss = phase.monitor.filter((s) => s.rssMb !== null).map((s) => ({ at: s.at, mb: s.rssMb as number }))
  if (rss.length < 4) return null
  const q = Math.max(1, Math.floor(rss.length / 4))
  const median = (xs: number[]): number => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)] }
  const startMb = median(rss.slice(0, q).map((r) => r.mb))
  const endMb = median(rss.slice(-q).map((r) => r.mb))
  const n = rss.length
  const mx = rss.reduce((s, r) => s + r.at, 0) / n
  const my = rss.reduce((s, r) => s + r.mb, 0) / n
  const slope = rss.reduce((s, r) => s + (r.at - mx) * (r.mb - my), 0) / Math.max(1e-9, rss.reduce((s, r) => s + (r.at - mx) ** 2, 0))
  return { startMb, endMb, growthPct: ((endMb - startMb) / startMb) * 100, slopeMbPerMin: Math.round(slope * 60_000 * 10) / 10 }
}

export function evaluateTargets (phases: PhaseResult[], fixedRate: number, mdRate: number): TargetResult[] {
  const out: TargetResult[] = []
  const sat = find(phases, 'orders', 'saturation')?.http
  const bare = find(phases, 'orders', 'bare-saturation')?.http
  const d1 = 'Order entry at saturation vs the bare Fastify route (same generator, same connections)'
  if (sat == null || bare == null) out.push(missing('orders-vs-bare', d1, '≥ 70%', 'needs --scenario orders'))
  else {
    const r = sat.okThroughput / bare.okThroughput
    out.push({ id: 'orders-vs-bare', description: d1, target: '≥ 70%', measured: `${pct(r)} (${sat.okThroughput} vs ${bare.okThroughput} req/s)`, met: r >= 0.7, detail: `order entry p99 ${sat.latency.p99} ms, bare p99 ${bare.latency.p99} ms at ${sat.connections} connections` })
  }
  const fixed = find(phases, 'orders', `rate-${fixedRate}`)?.http
  const d2 = `p99 latency of order entry at ${fixedRate} orders/s (from scheduled send time)`
  if (fixed == null) out.push(missing('p99-at-rate', d2, '< 10 ms', 'needs --scenario orders'))
  else {
    const kept = fixed.okThroughput >= 0.95 * fixedRate && fixed.errorCount === 0 && fixed.dropped === 0
    out.push({ id: 'p99-at-rate', description: d2, target: '< 10 ms', measured: `${fixed.latency.p99} ms (p50 ${fixed.latency.p50}, p99.9 ${fixed.latency.p999}, max ${fixed.latency.max})`, met: fixed.latency.p99 < 10 && kept, detail: `${fixed.okThroughput} ok/s of ${fixedRate} scheduled, ${fixed.errorCount} errors, ${fixed.dropped} dropped` })
  }
  const md = find(phases, 'marketdata', `md-${mdRate}`)
  const mdSat = find(phases, 'marketdata', 'md-saturation')
  const overload = phases.find((p) => p.name === 'md-overload' && p.consumers !== null)
  const mdPhases = [md, mdSat, overload].filter((p): p is PhaseResult => p?.consumers != null)
  const d3 = 'Seq gaps seen by the consumers (all market-data phases)'
  if (mdPhases.length === 0) out.push(missing('seq-gaps', d3, '0', 'needs --scenario marketdata'))
  else {
    const gaps = mdPhases.reduce((s, p) => s + (p.consumers?.seqGaps ?? 0), 0)
    const deltas = mdPhases.reduce((s, p) => s + (p.consumers?.deltas ?? 0), 0)
    out.push({ id: 'seq-gaps', description: d3, target: '0', measured: `${gaps} gaps in ${deltas} deltas`, met: gaps === 0 && deltas > 0, detail: mdPhases.map((p) => `${p.name}: ${p.consumers?.seqGaps}`).join(', ') })
  }
  const d4 = 'Checksum mismatches: each consumer\'s own book against every l2 message (all market-data phases)'
  const checked = mdPhases.filter((p) => p.consumers?.serverSendsChecksum === true)
  if (checked.length === 0) out.push(missing('checksums', d4, '0', mdPhases.length === 0 ? 'needs --scenario marketdata' : 'the server sends no checksum'))
  else {
    const bad = checked.reduce((s, p) => s + (p.consumers?.checksumMismatches ?? 0), 0)
    const verified = checked.reduce((s, p) => s + (p.consumers?.checksumsVerified ?? 0), 0)
    out.push({ id: 'checksums', description: d4, target: '0', measured: `${bad} mismatches in ${verified} verified`, met: bad === 0 && verified > 0, detail: checked.map((p) => `${p.name}: ${p.consumers?.checksumMismatches}`).join(', ') })
  }
  if (md?.consumers == null) {
    out.push(missing('slow-consumers', 'Slow-consumer disconnects of consumers that keep up', '0', 'needs --scenario marketdata'))
    out.push(missing('rss-flat', `Server RSS over the ${mdRate} orders/s market-data run`, `flat (last third ≤ ${RSS_FLAT_RATIO} × first)`, 'needs --scenario marketdata'))
    out.push(missing('accept-to-receipt', `raw-interval p99 accept-to-receipt at ${mdRate} orders/s`, '< 5 ms', 'needs --scenario marketdata'))
  } else {
    const c = md.consumers
    const satSlow = mdSat?.consumers?.slowConsumerDisconnects
    out.push({ id: 'slow-consumers', description: `Slow-consumer disconnects at ${mdRate} orders/s (consumers that keep up)`, target: '0', measured: String(c.slowConsumerDisconnects), met: c.slowConsumerDisconnects === 0 && c.connected === c.consumers, detail: `${c.connected}/${c.consumers} connected; other closes ${JSON.stringify(c.unexpectedCloses)}; at saturation: ${satSlow ?? 'n/a'}` })
    const thirds = rssThirds(md)
    const trend = rssTrend(md)
    const rssTarget = `flat (last third ≤ ${RSS_FLAT_RATIO} × first)`
    out.push(thirds === null
      ? missing('rss-flat', `Server RSS over the ${mdRate} orders/s market-data run`, rssTarget, 'too few samples')
      : { id: 'rss-flat', description: `Server RSS over the ${mdRate} orders/s market-data run`, target: rssTarget, measured: `${thirds.firstMb} → ${thirds.lastMb} MB (× ${thirds.ratio})`, met: thirds.flat, detail: `${thirds.samples} samples${trend === null ? '' : `; linear trend ${trend.slopeMbPerMin} MB/min`}` })
    const raw = c.l2ByInterval.raw?.l2ToReceipt
    const a = c.acceptToReceipt
    const d6 = `raw-interval p99 accept-to-receipt (l2 timestamp → receipt) at ${mdRate} orders/s, ${c.connected} consumers`
    if (raw === undefined || raw.count === 0) out.push(missing('accept-to-receipt', d6, '< 5 ms', `no raw-interval l2 message timed (subscriptions: ${Object.keys(c.l2ByInterval).join(', ') || 'none'}); trades p99 ${a.p99} ms`))
    else out.push({ id: 'accept-to-receipt', description: d6, target: '< 5 ms', measured: `${raw.p99} ms (p50 ${raw.p50}, max ${raw.max})`, met: raw.p99 < 5 && c.seqGaps === 0, detail: `${raw.count} l2 receipts, ${c.seqGaps} gaps; trades p99 ${a.p99} ms (${a.count} receipts)` })
  }
  const d9 = 'Server share of accept-to-receipt under overload (publish_to_write_ms p99, GET /statistics)'
  const share = overload?.serverShare?.publishToWriteMs
  if (overload === undefined) out.push(missing('server-share-overload', d9, '< 100 ms', 'needs --scenario marketdata or overload'))
  else if (share == null || share.p99 === null) out.push(missing('server-share-overload', d9, '< 100 ms', 'the server does not report gateway.publish_to_write_ms'))
  else {
    const oc = overload.consumers
    out.push({ id: 'server-share-overload', description: d9, target: '< 100 ms', measured: `${share.p99} ms (p50 ${share.p50 ?? 'n/a'}, max ${share.max ?? 'n/a'})`, met: share.p99 < 100 && (oc?.seqGaps ?? 1) === 0 && (oc?.checksumMismatches ?? 1) === 0, detail: `${oc?.connected ?? 0} consumers; gaps ${oc?.seqGaps ?? 'n/a'}, checksum mismatches ${oc?.checksumMismatches ?? 'n/a'}; consumer-side raw p99 ${oc?.l2ByInterval.raw?.l2ToReceipt.p99 ?? 'n/a'} ms` })
  }
  const bareWs = find(phases, 'marketdata', 'bare-ws')?.consumers
  const d7 = 'Gateway delivered messages/s at saturation vs a bare ws broadcast (same size, same consumers)'
  if (mdSat?.consumers == null || bareWs == null) out.push(missing('ws-vs-bare', d7, '≥ 50%', 'needs --scenario marketdata'))
  else {
    const r = mdSat.consumers.messagesPerSecond / bareWs.messagesPerSecond
    out.push({ id: 'ws-vs-bare', description: d7, target: '≥ 50%', measured: `${pct(r)} (${mdSat.consumers.messagesPerSecond} vs ${bareWs.messagesPerSecond} msg/s)`, met: r >= 0.5, detail: `${mdSat.consumers.avgMessageBytes} B average message; orders during gateway saturation ${mdSat.http?.okThroughput ?? '?'} /s` })
  }
  const offs = ['off', 'off-again'].map((name) => find(phases, 'journal', name)?.http).filter((h) => h != null)
  const batch = find(phases, 'journal', 'batch')?.http
  const d8 = 'Order entry at saturation, journal fsync=batch vs journal off'
  if (offs.length === 0 || batch == null) out.push(missing('journal-batch', d8, '≥ 90%', 'needs --scenario journal'))
  else {
    const offRate = offs.reduce((s, h) => s + h.okThroughput, 0) / offs.length
    const offP99 = offs.reduce((s, h) => s + h.latency.p99, 0) / offs.length
    const r = batch.okThroughput / offRate
    const others = ['none', 'always'].map((p) => { const h = find(phases, 'journal', p)?.http; return h == null ? '' : `${p} ${pct(h.okThroughput / offRate)} (${h.okThroughput}/s, p99 ${h.latency.p99} ms)` }).filter(Boolean)
    out.push({ id: 'journal-batch', description: d8, target: '≥ 90%', measured: `${pct(r)} (${batch.okThroughput} vs ${Math.round(offRate)} orders/s)`, met: r >= 0.9, detail: `off = mean of ${offs.map((h) => h.okThroughput).join(' and ')}; p99 batch ${batch.latency.p99} ms vs off ${offP99.toFixed(3)} ms; ${others.join('; ')}` })
  }
  out.push(signedVsOff(phases))
  out.push(...wrkTargets(phases), ...wsOrdersTargets(phases))
  return out
}

/** Orders per CPU-second of the server process over the phase (its monitor samples), or null without samples. */
export function perServerCpuSecond (phase: PhaseResult): number | null {
  const cpu = phase.monitor.map((s) => s.cpuPct).filter((v): v is number => v !== null)
  const h = phase.http
  if (h === null || cpu.length === 0) return null
  const mean = cpu.reduce((a, b) => a + b, 0) / cpu.length
  return mean > 0 ? h.okThroughput / (mean / 100) : null
}

/**
 * Signed order entry (AUTH=required) at saturation vs AUTH=off, each the mean of its two runs (ABBA). The
 * detail adds two views that resist a machine shared with other work: the best run of each mode, and
 * orders per CPU-second of the server process (what the server itself pays per order, whatever CPU the
 * other processes left it).
 */
export function signedVsOff (phases: PhaseResult[]): TargetResult {
  const d = 'Signed order entry at saturation vs AUTH=off (same flow, connections and duration)'
  const runs = (names: string[]): PhaseResult[] => names.map((n) => find(phases, 'auth', n)).filter((p): p is PhaseResult => p?.http != null)
  const offs = runs(['off', 'off-again'])
  const signed = runs(['signed', 'signed-again'])
  if (offs.length === 0 || signed.length === 0) return missing('signed-vs-off', d, '≥ 90%', 'needs --scenario auth')
  const mean = (xs: number[]): number => xs.reduce((s, x) => s + x, 0) / xs.length
  const rates = (ps: PhaseResult[]): number[] => ps.map((p) => (p.http as HttpLoadResult).okThroughput)
  const offRate = mean(rates(offs))
  const signedRate = mean(rates(signed))
  const r = signedRate / offRate
  const best = Math.max(...rates(signed)) / Math.max(...rates(offs))
  const cpu = (ps: PhaseResult[]): number[] => ps.map(perServerCpuSecond).filter((v): v is number => v !== null)
  const cpuOff = cpu(offs)
  const cpuSigned = cpu(signed)
  const perCpu = cpuOff.length > 0 && cpuSigned.length > 0
    ? `; per server CPU-second ${pct(mean(cpuSigned) / mean(cpuOff))} (${Math.round(mean(cpuSigned))} vs ${Math.round(mean(cpuOff))} orders)`
    : ''
  return {
    id: 'signed-vs-off',
    description: d,
    target: '≥ 90%',
    measured: `${pct(r)} (${Math.round(signedRate)} vs ${Math.round(offRate)} orders/s)`,
    met: r >= 0.9,
    detail: `signed ${rates(signed).join(' and ')}, off ${rates(offs).join(' and ')} orders/s; best of each ${pct(best)}${perCpu}; ` +
      `p99 signed ${mean(signed.map((p) => (p.http as HttpLoadResult).latency.p99)).toFixed(2)} ms vs off ${mean(offs.map((p) => (p.http as HttpLoadResult).latency.p99)).toFixed(2)} ms`
  }
}

const pad = (s: string, n: number): string => s.length >= n ? s : s + ' '.repeat(n - s.length)

export function textSummary (result: RunResult): string {
  const lines: string[] = []
  lines.push(`# ${result.meta.scenario}: ${result.meta.cpus} × ${result.meta.cpuModel}, node ${result.meta.node}, ${result.meta.durationS} s`)
  if (result.meta.hostBusyBeforePct !== null && result.meta.hostBusyBeforePct > 20) {
    lines.push(`warning: the machine was ${result.meta.hostBusyBeforePct}% busy before the run started (other processes); figures are pessimistic`)
  }
  lines.push('phase                          target  ok/s    p50     p90     p99     p99.9   max     errors other-cpu% consumers')
  for (const p of result.phases) {
    const h = p.http
    const c = p.consumers
    const cols = [pad(`${p.scenario}/${p.name}`, 30)]
    const w = p.wrk ?? null
    const o = p.wsOrders ?? null
    const rate = h?.targetRate ?? o?.targetRate ?? null
    cols.push(pad(rate !== null ? String(rate) : h?.mode === 'saturation' || w !== null || o?.mode === 'saturation' ? 'sat' : '-', 7))
    if (h !== null) cols.push(...[Math.round(h.okThroughput), h.latency.p50, h.latency.p90, h.latency.p99, h.latency.p999, h.latency.max].map((v) => pad(String(v), 7)), pad(String(h.errorCount), 6))
    else if (w !== null) cols.push(...[w.okRps, w.latency.p50, w.latency.p90, w.latency.p99, w.latency.p999, w.latency.max].map((v) => pad(String(v), 7)), pad(String(w.non2xx), 6))
    else if (o !== null) cols.push(...[o.okPerSecond, o.latency.p50, o.latency.p90, o.latency.p99, o.latency.p999, o.latency.max].map((v) => pad(String(v), 7)), pad(String(o.errorCount), 6))
    else cols.push(pad('', 55))
    const foreign = foreignCpuPct(p.monitor, result.meta.cpus)
    cols.push(pad(foreign === null ? '-' : String(foreign), 10))
    if (c !== null) cols.push(`${c.messagesPerSecond} msg/s to ${c.connected}, gaps ${c.seqGaps}${c.serverSendsChecksum ? `, checksum mismatches ${c.checksumMismatches}` : ''}${c.l2ToReceipt.count > 0 ? `, l2 a→r p99 ${c.l2ToReceipt.p99} ms` : ''}`)
    lines.push(cols.join(' '))
  }
  const md = marketDataText(result.marketData ?? marketDataFigures(result.phases))
  if (md.length > 0) lines.push('', ...md)
  const failed = result.checks.filter((c) => !c.ok)
  lines.push('', `checks: ${result.passed ? 'PASSED' : 'FAILED'} (${result.checks.length - failed.length} of ${result.checks.length} passed)`)
  for (const c of failed) lines.push(`  [FAIL] ${c.phase} ${c.rule}: ${c.detail}`)
  lines.push('', 'targets (reported, not pass/fail):')
  for (const t of result.targets) {
    const mark = t.met === null ? 'n/a ' : t.met ? 'MET ' : 'MISS'
    lines.push(`  [${mark}] ${t.description}: ${t.measured} (target ${t.target})${t.detail === '' ? '' : `; ${t.detail}`}`)
  }
  for (const prof of result.profiles) {
    lines.push('', `cpu profile ${prof.label} (${prof.totalMs} ms busy): top self time`)
    for (const e of prof.top.slice(0, 8)) lines.push(`  ${pad(String(e.selfPct) + '%', 6)} ${e.functionName} ${e.location}`)
    lines.push(`  by origin: ${prof.categories.slice(0, 8).map((c) => `${c.name} ${c.selfPct}%`).join(', ')}`)
  }
  lines.push('', `json: ${result.files.json}`, `html: ${result.files.html}`)
  return lines.join('\n')
}
