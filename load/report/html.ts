/**
 * The benchmark report: one self-contained HTML file (inline CSS and SVG, no
 * script, no CDN) from a harness RunResult: targets, a summary table of every
 * phase, and per phase the charts of throughput, latency percentiles, CPU,
 * RSS, event-loop delay and delivered messages over time.
 */
import type { MonitorSample, PhaseResult, RunResult } from '../harness/types.js'
import { foreignCpuPct } from '../harness/summary.js'
import { serverShareText } from '../harness/server-share.js'
import { escapeXml as esc, lineChart, type Series } from './svg.js'

const COLORS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#17becf']

const CSS = `body{font-family:system-ui,sans-serif;margin:24px;color:#222;max-width:1400px}
h1{font-size:22px}h2{font-size:18px;margin-top:32px;border-bottom:1px solid #ddd;padding-bottom:4px}h3{font-size:15px;margin:20px 0 6px}
table{border-collapse:collapse;font-size:12px;margin:8px 0}td,th{border:1px solid #ddd;padding:3px 7px;text-align:right}th{background:#f4f4f4}
td.l,th.l{text-align:left}.met{background:#e3f6e3}.miss{background:#fde2e2}.na{background:#f2f2f2;color:#777}
.charts{display:flex;flex-wrap:wrap;gap:8px}.chart{border:1px solid #eee;background:#fff}.muted{color:#777;font-size:12px}code{font-size:12px}`

const n = (v: number | null | undefined, digits = 3): string => v === null || v === undefined || !Number.isFinite(v) ? '–' : String(Number(v.toFixed(digits)))
const kv = (o: Record<string, unknown> | null | undefined): string => o == null || Object.keys(o).length === 0 ? '–' : Object.entries(o).map(([k, v]) => `${esc(k)}: ${esc(typeof v === 'object' ? JSON.stringify(v) : String(v))}`).join(', ')

function table (head: string[], rows: string[][], leftCols = 1): string {
  const th = head.map((h, i) => `<th${i < leftCols ? ' class="l"' : ''}>${h}</th>`).join('')
  const tr = rows.map((r) => `<tr>${r.map((c, i) => c.startsWith('<td') ? c : `<td${i < leftCols ? ' class="l"' : ''}>${c}</td>`).join('')}</tr>`).join('\n')
  return `<table><thead><tr>${th}</tr></thead><tbody>${tr}</tbody></table>`
}

function targetsTable (result: RunResult): string {
  return table(['target', 'goal', 'measured', 'met', 'detail'], result.targets.map((t) => {
    const cls = t.met === null ? 'na' : t.met ? 'met' : 'miss'
    return [esc(t.description), esc(t.target), esc(t.measured), `<td class="${cls}">${t.met === null ? 'not measured' : t.met ? 'met' : 'MISSED'}</td>`, `<td class="l">${esc(t.detail)}</td>`]
  }), 1)
}

function monitorStats (samples: MonitorSample[]): { cpu: string, rss: string, el: string } {
  const vals = (f: (s: MonitorSample) => number | null): number[] => samples.map(f).filter((v): v is number => v !== null)
  const avgMax = (xs: number[]): string => xs.length === 0 ? '–' : `${n(xs.reduce((a, b) => a + b, 0) / xs.length, 0)} / ${n(Math.max(...xs), 0)}`
  return { cpu: avgMax(vals((s) => s.cpuPct)), rss: avgMax(vals((s) => s.rssMb)), el: avgMax(vals((s) => s.eventLoopDelayP99Ms)) }
}

function summaryTable (phases: PhaseResult[], cpus: number): string {
  const rows = phases.map((p) => {
    const h = p.http
    const c = p.consumers
    const m = monitorStats(p.monitor)
    return [
      `<a href="#${anchor(p)}">${esc(`${p.scenario}/${p.name}`)}</a>`, p.target,
      h === null ? '–' : h.mode === 'rate' ? `${n(h.targetRate, 0)}/s` : `${h.connections} conn`,
      n(h?.okThroughput, 1), n(h?.latency.p50), n(h?.latency.p90), n(h?.latency.p99), n(h?.latency.p999), n(h?.latency.max),
      h === null ? '–' : String(h.errorCount), h === null ? '–' : String(h.dropped), h === null ? '–' : String(h.tradesExecuted),
      c === null ? '–' : `${c.messagesPerSecond}`, c === null ? '–' : String(c.seqGaps), n(c?.acceptToReceipt.p99),
      m.cpu, m.rss, m.el, n(foreignCpuPct(p.monitor, cpus), 0)
    ]
  })
  return table(['phase', 'server', 'load', 'ok/s', 'p50 ms', 'p90', 'p99', 'p99.9', 'max', 'errors', 'dropped', 'trades', 'ws msg/s', 'seq gaps', 'a→r p99 ms', 'CPU % avg/max', 'RSS MB avg/max', 'EL delay p99 ms avg/max', 'other CPU %'], rows, 2)
}

const anchor = (p: PhaseResult): string => `phase-${p.scenario}-${p.name}`.replace(/[^a-zA-Z0-9-]/g, '-')

function phaseCharts (p: PhaseResult): string {
  const charts: string[] = []
  const h = p.http
  if (h !== null && h.series.length > 0) {
    const target: Series[] = h.mode === 'rate' ? [{ name: 'scheduled/s', color: COLORS[1], dashed: true, points: h.series.map((s) => [s.t, s.sent]) }] : []
    charts.push(lineChart({
      title: 'Throughput',
      xLabel: 's',
      yLabel: 'responses/s',
      series: [{ name: 'completed/s', color: COLORS[0], points: h.series.map((s) => [s.t, s.rps]) }, ...target,
        { name: 'errors/s', color: COLORS[3], points: h.series.map((s) => [s.t, s.errors]) }]
    }))
    charts.push(lineChart({
      title: 'Latency percentiles',
      xLabel: 's',
      yLabel: 'ms',
      logY: true,
      reference: p.scenario === 'orders' && h.mode === 'rate' && p.target === 'service' ? { y: 10, label: 'p99 target 10 ms' } : undefined,
      series: (['p50', 'p90', 'p99', 'max'] as const).map((k, i) => ({ name: k, color: [COLORS[0], COLORS[2], COLORS[1], COLORS[3]][i], points: h.series.map((s) => [s.t, s[k]] as const) }))
    }))
  }
  const c = p.consumers
  if (c !== null && c.series.length > 0) {
    charts.push(lineChart({ title: 'WebSocket messages delivered', xLabel: 's', yLabel: 'msg/s', series: [{ name: 'all consumers', color: COLORS[4], points: c.series.map((s) => [s.t, s.messages]) }, { name: 'seq gaps', color: COLORS[3], points: c.series.map((s) => [s.t, s.gaps]) }] }))
  }
  const t0 = p.startedAt
  const mon = p.monitor
  if (mon.length > 0) {
    const at = (s: MonitorSample): number => Math.round((s.at - t0) / 100) / 10
    const others = [...new Set(mon.flatMap((s) => Object.keys(s.others)))]
    charts.push(lineChart({
      title: 'CPU',
      xLabel: 's',
      yLabel: '% of one core',
      series: [
        { name: 'server', color: COLORS[0], points: mon.map((s) => [at(s), s.cpuPct]) },
        { name: 'load generator', color: COLORS[1], points: mon.map((s) => [at(s), s.harnessCpuPct]) },
        ...others.map((o, i) => ({ name: o, color: COLORS[4 + (i % 4)], points: mon.map((s) => [at(s), s.others[o] ?? null] as const) })),
        { name: 'host (% all cores)', color: '#999', dashed: true, points: mon.map((s) => [at(s), s.hostCpuPct]) },
        { name: 'irq+softirq (% all cores)', color: '#bbb', dashed: true, points: mon.map((s) => [at(s), s.hostIrqPct]) }
      ]
    }))
    charts.push(lineChart({ title: 'Server RSS', xLabel: 's', yLabel: 'MB', series: [{ name: 'RSS', color: COLORS[2], points: mon.map((s) => [at(s), s.rssMb]) }] }))
    if (mon.some((s) => s.eventLoopDelayP99Ms !== null)) {
      charts.push(lineChart({
        title: 'Server event loop',
        xLabel: 's',
        yLabel: 'ms',
        series: [
          { name: 'delay p99 (10 ms res.)', color: COLORS[3], points: mon.map((s) => [at(s), s.eventLoopDelayP99Ms]) },
          { name: 'delay max', color: COLORS[5], dashed: true, points: mon.map((s) => [at(s), s.eventLoopDelayMaxMs]) },
          { name: 'lag', color: COLORS[0], points: mon.map((s) => [at(s), s.eventLoopLagMs]) }
        ]
      }))
    }
    if (mon.some((s) => s.sockets !== null || s.wsConnections !== null)) {
      charts.push(lineChart({ title: 'Open connections', xLabel: 's', series: [{ name: 'server sockets', color: COLORS[0], points: mon.map((s) => [at(s), s.sockets]) }, { name: 'ws_connections', color: COLORS[4], points: mon.map((s) => [at(s), s.wsConnections]) }] }))
    }
  }
  return `<div class="charts">${charts.join('\n')}</div>`
}

function phaseDetails (p: PhaseResult): string {
  const h = p.http
  const c = p.consumers
  const rows: string[][] = []
  if (h !== null) {
    rows.push(['mode', h.mode === 'rate' ? `open model, ${n(h.targetRate, 0)}/s peak, ${h.connections} connections (latency from scheduled send)` : `closed loop, ${h.connections} connections`])
    rows.push(['requests', `${h.completed} completed of ${h.sent} sent, ${h.dropped} dropped, ${h.durationS} s → ${h.throughput}/s (${h.okThroughput} ok/s)`])
    rows.push(['latency ms', `mean ${n(h.latency.mean)}, p50 ${n(h.latency.p50)}, p90 ${n(h.latency.p90)}, p99 ${n(h.latency.p99)}, p99.9 ${n(h.latency.p999)}, max ${n(h.latency.max)}`])
    if (h.serverProcessing !== null) rows.push(['server processing_time_ms', `p50 ${n(h.serverProcessing.p50)}, p99 ${n(h.serverProcessing.p99)}, max ${n(h.serverProcessing.max)}`])
    rows.push(['status codes', kv(h.statusCodes)], ['errors', kv(h.errors)], ['orders by status', kv(h.ordersByStatus)], ['trades executed', String(h.tradesExecuted)])
  }
  if (c !== null) {
    rows.push(['consumers', `${c.connected}/${c.consumers} connected in ${c.connectMs} ms, ${c.connectFailures} failures`])
    rows.push(['delivered', `${c.messages} messages (${c.bytes} B, avg ${c.avgMessageBytes} B) in ${c.windowS} s → ${c.messagesPerSecond} msg/s; ${kv(c.byType)}`])
    rows.push(['seq', `${c.seqGaps} gaps in ${c.deltas} deltas, ${c.snapshots} snapshots`], ['trades received', String(c.tradesReceived)])
    rows.push(['accept→receipt ms', `p50 ${n(c.acceptToReceipt.p50)}, p90 ${n(c.acceptToReceipt.p90)}, p99 ${n(c.acceptToReceipt.p99)}, max ${n(c.acceptToReceipt.max)} (${c.acceptToReceipt.count} samples)`])
    for (const [interval, x] of Object.entries(c.l2ByInterval)) {
      rows.push([`l2 timestamp→receipt ms (${interval}, ${x.consumers} consumers)`, `p50 ${n(x.l2ToReceipt.p50)}, p99 ${n(x.l2ToReceipt.p99)}, max ${n(x.l2ToReceipt.max)} (${x.l2ToReceipt.count} messages)`])
    }
    rows.push(['checksums', c.serverSendsChecksum ? `${c.checksumsVerified} verified, ${c.checksumMismatches} mismatches, ${c.unverified} unverified after one` : 'n/a (the server sends none)'])
    rows.push(['resyncs / heartbeats', `l2 ${c.l2Resyncs}, trades ${c.tradeResyncs} / ${c.heartbeats}`])
    rows.push(['closes by server', kv(c.unexpectedCloses)], ['slow-consumer disconnects', String(c.slowConsumerDisconnects)])
  }
  if (p.serverShare !== undefined) rows.push(['server side (/statistics)', esc(serverShareText(p.serverShare))])
  if (p.gateway !== null) rows.push(['gateway (/statistics)', kv(p.gateway)])
  if (Object.keys(p.env).length > 0) rows.push(['server env', esc(Object.entries(p.env).map(([k, v]) => `${k}=${v}`).join(' '))])
  for (const note of p.notes) rows.push(['note', esc(note)])
  return table(['', ''], rows.map(([k, v]) => [esc(k), `<td class="l">${v}</td>`]))
}

export function renderHtml (result: RunResult): string {
  const { meta } = result
  const phases = result.phases.map((p) => `<h3 id="${anchor(p)}">${esc(`${p.scenario}/${p.name}`)} <span class="muted">(${esc(p.target)})</span></h3>
<p class="muted">${esc(p.description)}</p>${phaseDetails(p)}${phaseCharts(p)}`).join('\n')
  const profiles = result.profiles.map((prof) => `<h3>CPU profile: ${esc(prof.label)} <span class="muted">${esc(prof.file)}, ${prof.totalMs} ms busy</span></h3>` +
    table(['function', 'location', 'self ms', 'self %'], prof.top.map((e) => [esc(e.functionName), `<td class="l">${esc(e.location)}</td>`, n(e.selfMs, 1), n(e.selfPct, 1)]), 1) +
    table(['origin', 'self ms', 'self %'], prof.categories.map((c) => [esc(c.name), String(c.selfMs), n(c.selfPct, 1)]), 1)).join('\n')
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Matching engine benchmark: ${esc(meta.scenario)} ${esc(meta.startedAt)}</title><style>${CSS}</style></head>
<body>
<h1>Matching engine load test: ${esc(meta.scenario)}</h1>
<p>${esc(meta.startedAt)} · ${meta.durationS} s · ${meta.cpus} × ${esc(meta.cpuModel)} · ${meta.totalMemMb} MB · Node ${esc(meta.node)} (${esc(meta.platform)}) · target ${esc(meta.url ?? 'servers started by the harness on 127.0.0.1')}</p>
${meta.hostBusyBeforePct !== null && meta.hostBusyBeforePct > 20 ? `<p class="miss">The machine was ${meta.hostBusyBeforePct}% busy before the run (other processes): figures are pessimistic.</p>` : ''}
<p class="muted">Command: <code>node ${esc(meta.argv.join(' '))}</code>. Load generator, server and consumers share this machine. “other CPU” is host CPU used by none of the server, the load generator, the consumers or the kernel's irq/softirq work (% of one core): other processes on the machine. Rate phases are open-model (latency from the scheduled send time, no coordinated omission); saturation phases are closed loops.</p>
<h2>Targets</h2>${targetsTable(result)}
<h2>Phases</h2>${summaryTable(result.phases, meta.cpus)}
<h2>Phase details</h2>${phases}
${profiles === '' ? '' : `<h2>CPU profiles</h2>${profiles}`}
<h2>Options</h2><pre>${esc(JSON.stringify(meta.options, null, 2))}</pre>
</body></html>
`
}
