/**
 * The scenarios, mirroring load/k6: order entry at fixed rates and at
 * saturation against the bare-route baseline (orders.js), the seed's suite
 * (suite.js, spike as in spike.js), market data under order flow against the
 * bare ws baseline, each l2 message verified (prev_seq chain, checksum), and
 * the overload variant (marketdata.js), the journal's fsync policies, signed
 * order entry against AUTH=off, and a few-second smoke version of it all for
 * npm test. Orders are signed (one key per connection) when the service runs
 * with AUTH=required (--auth, default required).
 */
import { startBareFastify, startBareWs } from './baselines.js'
import { gatewayStats, type Context, type Service } from './context.js'
import { rampProfile } from './http-load.js'
import { Monitor } from './monitor.js'
import { crossingOrder, randomOrder } from './orders.js'
import { LIFECYCLE_MIX, LifecycleSource } from './lifecycle.js'
import { delay } from './procs.js'
import { ConsumerGroup } from './ws-consumers.js'
import { probeL2, type L2Subscription } from './l2-subscription.js'
import { ServerShareSampler } from './server-share.js'

const ORDER_MIX_NOTE = 'seed generator: 4 symbols, ±5% band, limit 70 / market 10 / ioc 10 / fok 10'

export async function ordersScenario (ctx: Context): Promise<void> {
  const { seconds, fixedRate, connections } = ctx.options
  const body = (): unknown => randomOrder()
  await ctx.withService('orders', {}, async (svc) => {
    await ctx.httpPhase('orders', 'warmup', `warm-up, 200 orders/s for ${seconds.warmup} s`, svc, { mode: 'rate', rate: 200, durationMs: seconds.warmup * 1000, body })
    await ctx.httpPhase('orders', `rate-${fixedRate}`, `${fixedRate} orders/s for ${seconds.fixed} s (${ORDER_MIX_NOTE})`, svc, { mode: 'rate', rate: fixedRate, durationMs: seconds.fixed * 1000, body })
    await ctx.httpPhase('orders', 'saturation', `saturation: ${connections} connections, closed loop, ${seconds.saturation} s`, svc, { mode: 'saturation', connections, durationMs: seconds.saturation * 1000, body })
  })
  await bareFastifyPhases(ctx, 'orders', fixedRate, Math.min(10, seconds.fixed), seconds.saturation)
}

/** The bare Fastify route loaded exactly as order entry was. */
async function bareFastifyPhases (ctx: Context, scenario: string, rate: number, rateSeconds: number, saturationSeconds: number, warmup = true): Promise<void> {
  const profDir = ctx.profileDir(`${scenario}-bare-fastify`)
  const bare = await startBareFastify(profDir)
  const monitor = new Monitor({ pid: bare.pid, metricsUrl: null })
  await monitor.start()
  const svc = { url: bare.url, env: {}, monitor, signer: ctx.baselineSigner() }
  const body = (): unknown => randomOrder()
  try {
    if (warmup) await ctx.httpPhase(scenario, 'bare-warmup', 'bare Fastify route, warm-up', svc, { mode: 'rate', rate: 200, durationMs: 2000, body }, 'bare-fastify')
    await ctx.httpPhase(scenario, `bare-rate-${rate}`, `bare Fastify route, ${rate} req/s`, svc, { mode: 'rate', rate, durationMs: rateSeconds * 1000, body }, 'bare-fastify')
    if (saturationSeconds > 0) {
      const { connections } = ctx.options
      await ctx.httpPhase(scenario, 'bare-saturation', `bare Fastify route, saturation: ${connections} connections`, svc, { mode: 'saturation', connections, durationMs: saturationSeconds * 1000, body }, 'bare-fastify')
    }
  } finally {
    await monitor.stop()
    await bare.stop()
    await ctx.collectProfile(profDir, `${scenario}-bare-fastify`)
  }
}

/** The seed's comprehensive suite; durations × scale, cool-downs between phases as the seed had. */
export async function suiteScenario (ctx: Context): Promise<void> {
  const s = ctx.options.scale
  const body = (): unknown => randomOrder()
  const steady = [['warmup', 10, 30], ['low', 100, 60], ['medium', 500, 120], ['high', 1000, 180]] as const
  await ctx.withService('suite', {}, async (svc) => {
    for (const [name, rate, secs] of steady) {
      const durationMs = Math.max(1000, secs * s * 1000)
      await ctx.httpPhase('suite', name, `${rate} orders/s for ${durationMs / 1000} s`, svc, { mode: 'rate', rate, durationMs, body })
      await ctx.cooldown(30 * s)
    }
    // spike: 115 s at 100, 5 s ramp, 60 s at 2000, 5 s ramp, 115 s at 100 (× scale)
    const around = 115 * s * 1000
    const ramp = 5 * s * 1000
    const peak = 60 * s * 1000
    const rate = rampProfile(100, [
      { target: 100, durationMs: around }, { target: 2000, durationMs: ramp }, { target: 2000, durationMs: peak },
      { target: 100, durationMs: ramp }, { target: 100, durationMs: around }
    ])
    const durationMs = 2 * around + 2 * ramp + peak
    await ctx.httpPhase('suite', 'spike', `spike 100 → 2000 → 100 orders/s over ${durationMs / 1000} s`, svc, { mode: 'rate', rate, durationMs, body, connections: 64 })
  })
}

interface ConsumerPhaseOptions {
  /** Consumers and orders past what the machine delivers: delivery rules do not apply to the phase. */
  readonly overload?: boolean
  /** The l2 subscription (default: --depth and --interval). */
  readonly l2?: L2Subscription
}

/**
 * Consumers on svc, a measuring window while `load` runs, then their report, with the server's share of
 * the latency sampled from GET /statistics alongside. The l2 subscription is probed first: a server that
 * refuses `interval` (before issue 13) gets subscriptions without it, and the phase notes say so.
 */
async function withConsumers (
  ctx: Context, svc: Service, count: number, scenario: string, name: string, description: string,
  load: (body: () => unknown) => Promise<void>, phaseOptions: ConsumerPhaseOptions = {}
): Promise<void> {
  const { symbol, consumerProcs, depth, intervals } = ctx.options
  const wsUrl = `${svc.url.replace(/^http/, 'ws')}/ws`
  const probe = await probeL2(wsUrl, symbol, phaseOptions.l2 ?? { depth, intervals })
  if (probe.note !== '') ctx.log(`  note: ${probe.note}`)
  const notes = probe.note === '' ? [] : [probe.note]
  const group = await ConsumerGroup.start({ wsUrl, count, symbol, procs: consumerProcs, l2: probe.l2 })
  group.pids.forEach((pid, i) => svc.monitor.watch(`consumers${i}`, pid))
  ctx.log(`  ${count} consumers: ${group.ready.connected} ready in ${group.ready.connectMs} ms (${group.ready.failures} failed)`)
  const sampler = new ServerShareSampler(svc.url)
  try {
    await group.reset()
    const startedAt = Date.now()
    await sampler.start()
    const phaseCount = ctx.phases.length
    await load(() => crossingOrder(symbol))
    await delay(1000) // in-flight batches reach the consumers
    const serverShare = await sampler.stop() // before the consumers leave
    const gateway = await gatewayStats(svc.url)
    const consumers = await group.stop()
    const endedAt = Date.now()
    const http = ctx.phases.splice(phaseCount).find((p) => p.http !== null)?.http ?? null
    const subscription = { depth: probe.l2.depth, intervals: probe.l2.intervals, note: probe.note }
    ctx.record({ scenario, name, description, target: 'service', startedAt, endedAt, env: svc.env, http, consumers, monitor: svc.monitor.between(startedAt, endedAt), gateway, serverShare, subscription, overload: phaseOptions.overload === true, notes })
  } finally {
    await sampler.stop().catch(() => null)
    await group.kill()
    group.pids.forEach((_pid, i) => svc.monitor.unwatch(`consumers${i}`))
  }
}

/** The bare ws broadcast to the same number of consumers, messages of `bytes`. */
async function bareWsPhase (ctx: Context, scenario: string, count: number, bytes: number, seconds: number): Promise<void> {
  const profDir = ctx.profileDir(`${scenario}-bare-ws`)
  const bare = await startBareWs(profDir)
  const monitor = new Monitor({ pid: bare.pid, metricsUrl: null })
  await monitor.start()
  const group = await ConsumerGroup.start({ wsUrl: bare.wsUrl, count, symbol: 'BARE', handshake: 'bare', procs: ctx.options.consumerProcs })
  group.pids.forEach((pid, i) => monitor.watch(`consumers${i}`, pid))
  try {
    await group.reset()
    const startedAt = Date.now()
    const sent = await bare.broadcast(bytes, seconds * 1000)
    await delay(300)
    const consumers = await group.stop()
    const endedAt = Date.now()
    ctx.consumersPhase(scenario, 'bare-ws', `bare ws broadcast of ${bytes}-byte messages to ${count} consumers at saturation, ${seconds} s`,
      { env: {}, monitor }, { startedAt, endedAt }, consumers,
      { notes: [`server side: ${sent.sent} sends in ${sent.rounds} rounds to ${sent.clients} clients in ${sent.elapsedMs} ms`] })
  } finally {
    await group.kill()
    await monitor.stop()
    await bare.stop()
    await ctx.collectProfile(profDir, `${scenario}-bare-ws`)
  }
}

const subscriptionText = (ctx: Context): string => `depth ${ctx.options.depth}, interval ${ctx.options.intervals.join('/')}`

export async function marketDataScenario (ctx: Context): Promise<void> {
  const { consumers, mdRate, seconds, connections, mdBatchMs, mdSaturationBatchMs, symbol } = ctx.options
  await ctx.withService('marketdata', mdBatchMs === null ? {} : { WS_BATCH_MS: mdBatchMs }, async (svc) => {
    await withConsumers(ctx, svc, consumers, 'marketdata', `md-${mdRate}`,
      `${consumers} consumers on ${symbol} l2_updates (${subscriptionText(ctx)}) + trades while ${mdRate} crossing orders/s flow for ${seconds.marketdata} s${mdBatchMs === null ? '' : ` (WS_BATCH_MS ${mdBatchMs})`}`,
      async (body) => { await ctx.httpPhase('marketdata', 'orders', 'order flow', svc, { mode: 'rate', rate: mdRate, durationMs: seconds.marketdata * 1000, body }) })
  })
  let bytes = 0
  await ctx.withService('marketdata-saturation', { WS_BATCH_MS: mdSaturationBatchMs }, async (svc) => {
    await withConsumers(ctx, svc, consumers, 'marketdata', 'md-saturation',
      `${consumers} consumers (${subscriptionText(ctx)}) while crossing orders flow at saturation (${connections} connections) for ${seconds.mdSaturation} s`,
      async (body) => { await ctx.httpPhase('marketdata', 'orders', 'order flow', svc, { mode: 'saturation', connections, durationMs: seconds.mdSaturation * 1000, body }) })
    bytes = ctx.phases[ctx.phases.length - 1].consumers?.avgMessageBytes ?? 0
  })
  await bareWsPhase(ctx, 'marketdata', consumers, bytes > 0 ? bytes : 300, seconds.mdSaturation)
  if (ctx.options.overloadConsumers > 0) await overloadPhase(ctx, 'marketdata')
}

/**
 * Issue 13's overload: consumers and order rate past what the machine delivers (default 2,000 consumers,
 * 3,000 orders/s, 20 s). The server's share of accept-to-receipt must stay bounded (conflation), with 0
 * gaps and correct checksums; arrivals the machine cannot send are dropped, not a failure here.
 */
async function overloadPhase (ctx: Context, scenario: string): Promise<void> {
  const { overloadConsumers, overloadRate, seconds, symbol } = ctx.options
  await ctx.withService(`${scenario}-overload`, {}, async (svc) => {
    await withConsumers(ctx, svc, overloadConsumers, scenario, 'md-overload',
      `overload: ${overloadConsumers} consumers on ${symbol} (${subscriptionText(ctx)}) while ${overloadRate} crossing orders/s are offered for ${seconds.overload} s`,
      async (body) => { await ctx.httpPhase(scenario, 'orders', 'order flow', svc, { mode: 'rate', rate: overloadRate, durationMs: seconds.overload * 1000, body, connections: 64 }) },
      { overload: true })
  })
}

/** The overload phase alone (--scenario overload). */
export async function overloadScenario (ctx: Context): Promise<void> {
  if (ctx.options.overloadConsumers === 0) throw new Error('--scenario overload needs --overload-consumers above 0')
  await overloadPhase(ctx, 'overload')
}

/** off is run first and last: the ratio is to the mean of both, which cancels slow drift of the machine. */
export const JOURNAL_RUNS = ['off', 'batch', 'none', 'always', 'off-again'] as const

export async function journalScenario (ctx: Context): Promise<void> {
  if (ctx.options.url !== null) {
    ctx.log('  journal: skipped, --url given (the harness must start the server with each fsync policy)')
    return
  }
  const { connections, seconds } = ctx.options
  const body = (): unknown => randomOrder()
  for (const run of JOURNAL_RUNS) {
    const policy = run === 'off-again' ? 'off' : run
    const env: Record<string, string> = policy === 'off' ? { JOURNAL_ENABLED: 'false' } : { JOURNAL_ENABLED: 'true', JOURNAL_FSYNC: policy }
    await ctx.withService(`journal-${run}`, env, async (svc) => {
      await ctx.httpPhase('journal', `${run}-warmup`, 'warm-up 200 orders/s, 2 s', svc, { mode: 'rate', rate: 200, durationMs: 2000, body })
      await ctx.httpPhase('journal', run, `journal ${policy === 'off' ? 'off' : `on, JOURNAL_FSYNC=${policy}`}: saturation, ${connections} connections, ${seconds.journal} s`, svc,
        { mode: 'saturation', connections, durationMs: seconds.journal * 1000, body })
    })
  }
}

/** off first and last, signed in the middle (ABBA): the ratio of the means cancels a linear drift of the machine. */
export const AUTH_RUNS = ['off', 'signed', 'signed-again', 'off-again'] as const

/**
 * Signed order entry at saturation vs AUTH=off, in one run: the same flow, connections and duration against
 * a fresh server each time, started with AUTH=off or with AUTH=required (one key per connection).
 */
export async function authScenario (ctx: Context): Promise<void> {
  if (ctx.options.url !== null) {
    ctx.log('  auth: skipped, --url given (the harness must start the server with AUTH=off and with AUTH=required)')
    return
  }
  const { connections, seconds } = ctx.options
  const body = (): unknown => randomOrder()
  for (const run of AUTH_RUNS) {
    const auth = run.startsWith('off') ? 'off' : 'required'
    await ctx.withService(`auth-${run}`, {}, async (svc) => {
      await ctx.httpPhase('auth', `${run}-warmup`, 'warm-up 200 orders/s, 2 s', svc, { mode: 'rate', rate: 200, durationMs: 2000, body })
      await ctx.httpPhase('auth', run, `${auth === 'off' ? 'AUTH=off, unsigned' : `AUTH=required, signed (${svc.signer?.keys.length ?? 0} keys, one per connection)`}: saturation, ${connections} connections, ${seconds.saturation} s`, svc,
        { mode: 'saturation', connections, durationMs: seconds.saturation * 1000, body })
    }, auth)
  }
  const rate = (name: string): number => ctx.phases.find((p) => p.scenario === 'auth' && p.name === name)?.http?.okThroughput ?? 0
  const off = (rate('off') + rate('off-again')) / 2
  const signed = (rate('signed') + rate('signed-again')) / 2
  ctx.log(`  → signed ${Math.round(signed)} orders/s vs AUTH=off ${Math.round(off)} orders/s: ${off > 0 ? (100 * signed / off).toFixed(1) : '?'}% (target ≥ 90%)`)
}

/**
 * Issue 12's order lifecycle (load/k6/lifecycle.js): stops, icebergs, post-only and GTD limits, quote-sized
 * market orders, OCO lists and amends of what rested, at the fixed rate and at saturation. Requests are made
 * as they are sent (load/harness/lifecycle.ts); the flow's expected refusals are counted, not failed.
 */
export async function lifecycleScenario (ctx: Context): Promise<void> {
  const { seconds, fixedRate, connections } = ctx.options
  const note = `lifecycle mix ${LIFECYCLE_MIX}`
  await ctx.withService('lifecycle', {}, async (svc) => {
    const source = new LifecycleSource()
    await ctx.httpPhase('lifecycle', 'warmup', `warm-up, 100 requests/s for ${seconds.warmup} s`, svc, { mode: 'rate', rate: 100, durationMs: seconds.warmup * 1000, source })
    await ctx.httpPhase('lifecycle', `rate-${fixedRate}`, `${fixedRate} requests/s for ${seconds.fixed} s (${note})`, svc, { mode: 'rate', rate: fixedRate, durationMs: seconds.fixed * 1000, source })
    if (seconds.saturation > 0) {
      await ctx.httpPhase('lifecycle', 'saturation', `saturation: ${connections} connections, closed loop, ${seconds.saturation} s (${note})`, svc, { mode: 'saturation', connections, durationMs: seconds.saturation * 1000, source })
    }
  })
}

/** A few seconds, small rates: every part of the harness once, for npm test. */
export async function smokeScenario (ctx: Context): Promise<void> {
  const body = (): unknown => randomOrder()
  await ctx.withService('smoke', { WS_BATCH_MS: '10' }, async (svc) => {
    await ctx.httpPhase('smoke', 'orders-50', '50 orders/s for 2 s', svc, { mode: 'rate', rate: 50, durationMs: 2000, body, connections: 4 })
    await withConsumers(ctx, svc, 20, 'smoke', 'md-50', '20 consumers while 50 crossing orders/s flow for 2 s',
      async (cross) => { await ctx.httpPhase('smoke', 'orders', 'order flow', svc, { mode: 'rate', rate: 50, durationMs: 2000, body: cross, connections: 4 }) })
  })
  await bareFastifyPhases(ctx, 'smoke', 50, 1, 0, false)
  const bytes = ctx.phases.find((p) => p.name === 'md-50')?.consumers?.avgMessageBytes ?? 300
  await bareWsPhase(ctx, 'smoke', 20, bytes, 1)
}
