/**
 * --scenario ws-orders: WebSocket order entry against the service (journal on, JOURNAL_FSYNC=batch, in a
 * scratch directory; per-connection and per-key limits raised past the load), a saturation phase and an
 * open-model phase (ws-orders.ts), each recorded with its checks and the generator's own load.
 */
import { gatewayStats, type Context } from './context.js'
import type { PhaseResult, TargetResult } from './types.js'
import { runWsOrders, type WsOrdersPhase } from './ws-orders.js'

/** The service's settings for the run: journal batch, limits of the WebSocket trading API past the load. */
export function wsOrdersServiceEnv (window: number): Record<string, string> {
  return {
    JOURNAL_ENABLED: 'true',
    JOURNAL_FSYNC: 'batch',
    RATE_LIMIT_ENABLED: 'false',
    AUTH_KEY_ORDERS_PER_SECOND: '1000000',
    MAX_OPEN_ORDERS_PER_ACCOUNT: '100000000',
    WS_MAX_IN_FLIGHT: String(Math.max(256, 2 * window)),
    WS_MAX_ORDERS_PER_SECOND: '1000000'
  }
}

const find = (phases: readonly PhaseResult[], mode: WsOrdersPhase['mode']): WsOrdersPhase | undefined =>
  phases.find((p) => p.wsOrders?.mode === mode && p.scenario === 'ws-orders')?.wsOrders ?? undefined

/** The WebSocket targets (none when the run had no ws-orders phases). */
export function wsOrdersTargets (phases: readonly PhaseResult[]): TargetResult[] {
  const out: TargetResult[] = []
  const sat = find(phases, 'saturation')
  if (sat !== undefined) {
    out.push({
      id: 'ws-orders-sustained',
      description: `WebSocket order entry sustained, ${sat.connections} connections, journal batch`,
      target: '≥ 100000 orders/s',
      measured: `${sat.okPerSecond} orders/s`,
      met: sat.okPerSecond >= 100_000 && sat.connections >= 8,
      detail: `window ${sat.window}, p99 ${sat.latency.p99} ms, generator threads busy ${sat.generatorElu.join('/')}${sat.generatorSaturated ? ' (the generator is saturated: a floor, not the service\'s ceiling)' : ''}`
    })
  }
  const open = find(phases, 'open')
  if (open !== undefined) {
    out.push({
      id: 'ws-orders-p99',
      description: `WebSocket order entry p99 at ${open.targetRate ?? '?'} orders/s (open model)`,
      target: 'p99 < 5 ms',
      measured: `p99 ${open.latency.p99} ms (p50 ${open.latency.p50}, max ${open.latency.max})`,
      met: open.latency.p99 < 5 && open.sentPerSecond >= 0.95 * (open.targetRate ?? 0),
      detail: `achieved ${open.sentPerSecond} sent/s, ${open.late} sent late${open.generatorSaturated ? ', the generator is saturated' : ''}`
    })
  }
  return out
}

export async function wsOrdersScenario (ctx: Context): Promise<void> {
  const s = ctx.options.wsOrders
  await ctx.withService('ws-orders', wsOrdersServiceEnv(s.window), async (svc) => {
    const wsUrl = `${svc.url.replace(/^http/, 'ws')}/ws`
    ctx.log(`  ws-orders: ${s.connections} connections over ${s.threads} threads, window ${s.window}, saturation ${s.saturationSeconds} s, then ${s.rate} orders/s for ${s.openSeconds} s`)
    const startedAt = Date.now()
    const run = await runWsOrders({ ...s, wsUrl, keys: svc.signer?.keys ?? [] })
    const endedAt = Date.now()
    if (run.failures.length > 0) ctx.log(`  ${run.failures.length} connections failed: ${[...new Set(run.failures)].slice(0, 3).join('; ')}`)
    const gateway = await gatewayStats(svc.url)
    for (const phase of [run.saturation, run.open]) {
      if (phase === null) continue
      const notes = [
        ...(run.failures.length > 0 ? [`${run.failures.length} connections failed: ${[...new Set(run.failures)].slice(0, 3).join('; ')}`] : []),
        ...(phase.generatorSaturated ? [`generator threads busy ${phase.generatorElu.join('/')} (event-loop utilisation), process CPU ${phase.generatorCpuPct}% of a core: the generator, not only the service, limits this figure`] : [])
      ]
      ctx.record({
        scenario: 'ws-orders',
        name: phase.mode === 'open' ? `open-${phase.targetRate ?? 0}` : 'saturation',
        description: phase.mode === 'open'
          ? `${phase.targetRate ?? 0} orders/s over ${phase.connections} connections (open model, timer-paced), ${phase.durationS} s`
          : `saturation: ${phase.connections} connections, up to ${phase.window} in flight each, ${phase.durationS} s`,
        target: 'service',
        startedAt,
        endedAt,
        env: svc.env,
        http: null,
        consumers: null,
        wsOrders: phase,
        monitor: svc.monitor.between(startedAt, endedAt),
        gateway,
        notes
      })
    }
  })
}
