/**
 * HTTP load generator on an undici Pool, in two models:
 * - rate (open model): arrivals are scheduled at the target rate whatever the
 *   answers do, and latency runs from the *scheduled* send time, so a stall
 *   shows as latency of every request it delayed (no coordinated omission);
 *   the rate may follow a profile (ramps, spikes);
 * - saturation (closed loop): N connections, each sends its next request as
 *   soon as the previous one is answered; latency from the actual send.
 * Order-entry answers are read for status, trades and error_code.
 */
import { performance } from 'node:perf_hooks'
import { Pool } from 'undici'
import type { Signer } from './auth.js'
import type { LifecycleRequest, RequestSource } from './lifecycle.js'
import { LogHistogram, roundSummary } from './histogram.js'
import type { HttpLoadResult, HttpSeriesPoint } from './types.js'

/** Arrival rate (per second) at `elapsedMs` since the phase start. */
export type RateProfile = (elapsedMs: number) => number

export interface HttpLoadOptions {
  /** Origin, e.g. http://127.0.0.1:3000 */
  readonly url: string
  readonly path?: string
  readonly label: string
  readonly mode: 'rate' | 'saturation'
  readonly durationMs: number
  /** Rate mode: requests per second, constant or a profile. */
  readonly rate?: number | RateProfile
  /** Pool size; in saturation mode also the number of closed-loop workers. */
  readonly connections?: number
  /** Rate mode: arrivals beyond this many outstanding requests are dropped (and counted). */
  readonly maxInFlight?: number
  /** Request bodies of `path`, made ahead (see bodyPool). Not used with `source`. */
  readonly body?: () => unknown
  /**
   * Requests made one by one as they are sent, to the path each names, and shown their answers (the
   * lifecycle flow: amends of what rested, GTD expire times from the clock). Its expected refusals are
   * counted in `refused`, not as errors.
   */
  readonly source?: RequestSource
  /**
   * Bodies are generated and serialized before the clock starts and then
   * cycled, so the generator's CPU goes to HTTP, not to Math.random (default 4096).
   */
  readonly bodyPool?: number
  readonly timeoutMs?: number
  /**
   * Signs every request (AUTH=required) at the moment it is sent: in saturation mode each closed-loop
   * connection keeps its own key, in rate mode the keys take turns. null/undefined: unsigned.
   */
  readonly signer?: Signer | null
}

interface Second { sent: number, done: number, errors: number, hist: LogHistogram }

class Recorder {
  readonly latency = new LogHistogram()
  readonly processing = new LogHistogram()
  readonly statusCodes: Record<string, number> = {}
  readonly errors: Record<string, number> = {}
  readonly ordersByStatus: Record<string, number> = {}
  readonly refused: Record<string, number> = {}
  readonly okByPath: Record<string, number> = {}
  refusedCount = 0
  readonly seconds: Second[] = []
  errorCount = 0
  completed = 0
  ok = 0
  trades = 0
  lastDone = 0

  constructor (private readonly t0: number) {}

  second (at: number): Second {
    const i = Math.max(0, Math.floor((at - this.t0) / 1000))
    while (this.seconds.length <= i) this.seconds.push({ sent: 0, done: 0, errors: 0, hist: new LogHistogram() })
    return this.seconds[i]
  }

  sent (at: number): void {
    this.second(at).sent++
  }

  done (start: number, status: number | null, text: string, error: string | null, request: LifecycleRequest | null = null, source: RequestSource | null = null): void {
    const now = performance.now()
    const ms = now - start
    this.lastDone = now
    this.completed++
    this.latency.record(ms)
    const second = this.second(now)
    second.done++
    second.hist.record(ms)
    if (status !== null) this.statusCodes[status] = (this.statusCodes[status] ?? 0) + 1
    let code = error
    if (code === null && status !== null) {
      let body: Record<string, unknown> | null = null
      try {
        body = JSON.parse(text) as Record<string, unknown>
      } catch {}
      if (request !== null && source !== null) source.answered(request, status, body)
      if (status >= 200 && status < 300) {
        this.ok++
        if (request !== null) this.okByPath[request.path] = (this.okByPath[request.path] ?? 0) + 1
        if (body !== null) {
          if (typeof body.status === 'string') this.ordersByStatus[body.status] = (this.ordersByStatus[body.status] ?? 0) + 1
          // POST /oco answers both legs.
          if (Array.isArray(body.orders)) {
            for (const o of body.orders as Array<{ status?: unknown }>) {
              if (typeof o?.status === 'string') this.ordersByStatus[o.status] = (this.ordersByStatus[o.status] ?? 0) + 1
            }
          }
          if (Array.isArray(body.trades)) this.trades += body.trades.length
          if (typeof body.processing_time_ms === 'number') this.processing.record(body.processing_time_ms)
        }
      } else {
        code = body !== null && typeof body.error_code === 'string' ? body.error_code : `HTTP_${status}`
        if (request !== null && source !== null && source.expected(request.path, code)) {
          this.refusedCount++
          const key = `${request.path} ${code}`
          this.refused[key] = (this.refused[key] ?? 0) + 1
          code = null
        }
      }
    }
    if (code !== null) {
      this.errorCount++
      second.errors++
      this.errors[code] = (this.errors[code] ?? 0) + 1
    }
  }

  series (): HttpSeriesPoint[] {
    return this.seconds.map((s, t) => {
      const l = s.hist.summary()
      return { t, sent: s.sent, rps: s.done, errors: s.errors, p50: round(l.p50), p90: round(l.p90), p99: round(l.p99), max: round(l.max) }
    })
  }
}

const round = (v: number): number => Math.round(v * 1000) / 1000

/** Linear ramps between stages, as k6's ramping-arrival-rate. */
export function rampProfile (startRate: number, stages: ReadonlyArray<{ target: number, durationMs: number }>): RateProfile {
  return (elapsed) => {
    let from = startRate
    let t = elapsed
    for (const stage of stages) {
      if (t < stage.durationMs) return from + (stage.target - from) * (t / stage.durationMs)
      t -= stage.durationMs
      from = stage.target
    }
    return from
  }
}

export async function runHttpLoad (options: HttpLoadOptions): Promise<HttpLoadResult> {
  const { url, path = '/order', mode, durationMs, label } = options
  const timeoutMs = options.timeoutMs ?? 10_000
  const connections = options.connections ?? (mode === 'rate' ? 32 : 16)
  const pool = new Pool(url, { connections, pipelining: 1, headersTimeout: timeoutMs, bodyTimeout: timeoutMs, keepAliveTimeout: 60_000 })
  const headers = { 'content-type': 'application/json' }
  const signer = options.signer ?? null
  const source = options.source ?? null
  const makeBody = options.body
  if (source === null && makeBody === undefined) throw new Error('runHttpLoad needs a body or a source')
  const bodies = source !== null || makeBody === undefined ? [] : Array.from({ length: Math.max(1, options.bodyPool ?? 4096) }, () => JSON.stringify(makeBody()))
  let nextBody = 0
  const startedAt = Date.now()
  const t0 = performance.now()
  const end = t0 + durationMs
  const rec = new Recorder(t0)
  let sent = 0
  let dropped = 0
  let inFlight = 0

  const send = async (start: number, slot: number): Promise<void> => {
    sent++
    inFlight++
    const request = source === null ? null : source.next(slot)
    try {
      const to = request === null ? path : request.path
      const body = request === null ? bodies[nextBody++ % bodies.length] : JSON.stringify(request.body)
      const signedBy = request?.slot ?? slot
      const res = await pool.request({ path: to, method: 'POST', headers: signer === null ? headers : { ...headers, ...signer.headers(signedBy, 'POST', to, body) }, body })
      const text = await res.body.text()
      rec.done(start, res.statusCode, text, null, request, source)
    } catch (error) {
      const code = (error as { code?: string }).code ?? (error as Error).name
      rec.done(start, null, '', `NET_${code}`, request, source)
    } finally {
      inFlight--
    }
  }

  const pending = new Set<Promise<void>>()
  if (mode === 'rate') {
    if (options.rate === undefined) throw new Error('rate mode needs a rate')
    const rateAt: RateProfile = typeof options.rate === 'function' ? options.rate : () => options.rate as number
    const maxInFlight = options.maxInFlight ?? 10_000
    await new Promise<void>((resolve) => {
      let next = t0
      const tick = (): void => {
        const now = performance.now()
        while (next <= now && next < end) {
          rec.sent(next)
          if (inFlight >= maxInFlight) {
            dropped++
          } else {
            const p = send(next, sent)
            pending.add(p)
            p.finally(() => pending.delete(p)).catch(() => {})
          }
          next += 1000 / Math.max(0.5, rateAt(next - t0))
        }
        if (next >= end) resolve()
        else setTimeout(tick, Math.max(0, next - performance.now() - 0.5))
      }
      tick()
    })
  } else {
    const worker = async (slot: number): Promise<void> => {
      while (performance.now() < end) {
        const start = performance.now()
        rec.sent(start)
        await send(start, slot)
      }
    }
    const workers = Array.from({ length: connections }, (_, slot) => worker(slot))
    for (const w of workers) pending.add(w)
  }
  await Promise.allSettled([...pending])
  await pool.close().catch(() => {})

  const elapsedS = Math.max(durationMs, rec.lastDone - t0) / 1000
  const processing = rec.processing.summary()
  const peak = typeof options.rate === 'function' ? peakOf(options.rate, durationMs) : options.rate ?? null
  return {
    label,
    mode,
    targetRate: mode === 'rate' ? peak : null,
    connections,
    startedAt,
    durationS: round(elapsedS),
    sent,
    completed: rec.completed,
    dropped,
    throughput: round(rec.completed / elapsedS),
    okThroughput: round(rec.ok / elapsedS),
    latency: roundSummary(rec.latency.summary()),
    serverProcessing: processing.count === 0 ? null : roundSummary(processing),
    statusCodes: rec.statusCodes,
    errors: rec.errors,
    errorCount: rec.errorCount,
    ordersByStatus: rec.ordersByStatus,
    ...(source === null ? {} : { lifecycle: true, refused: rec.refused, refusedCount: rec.refusedCount, okByPath: rec.okByPath }),
    tradesExecuted: rec.trades,
    series: rec.series()
  }
}

function peakOf (profile: RateProfile, durationMs: number): number {
  let peak = 0
  for (let t = 0; t <= durationMs; t += 100) peak = Math.max(peak, profile(t))
  return round(peak)
}
