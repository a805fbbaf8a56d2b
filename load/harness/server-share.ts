/**
 * The server's share of accept-to-receipt (issue 13, "Latency that stays bounded under overload"):
 * GET /statistics → gateway.publish_to_write_ms {count, p50, p99, max} (engine timestamp of the newest
 * command a public message reflects → the moment it is handed to the socket), behind_subscribers and
 * max_buffered_bytes (now), conflated_messages and resyncs (counters), as the contract's section 6
 * names them. Sampled once a second during a market-data phase, so the gauges' peaks are seen, not
 * only their value at the end. A server without a field reports it as null ("n/a" in the summary).
 */
import { gatewayStats } from './context.js'
import type { ServerShare } from './types.js'

const num = (v: unknown): number | null => typeof v === 'number' && Number.isFinite(v) ? v : null

export class ServerShareSampler {
  private readonly url: string
  private readonly samples: Array<Record<string, unknown>> = []
  private first: Record<string, unknown> | null = null
  private timer: NodeJS.Timeout | null = null
  private busy: Promise<void> | null = null
  private result: ServerShare | null = null

  constructor (url: string) {
    this.url = url
  }

  async start (intervalMs = 1000): Promise<void> {
    this.first = await gatewayStats(this.url)
    this.timer = setInterval(() => {
      if (this.busy === null) this.busy = this.sample().finally(() => { this.busy = null })
    }, intervalMs)
  }

  private async sample (): Promise<void> {
    const g = await gatewayStats(this.url)
    if (g !== null) this.samples.push(g)
  }

  /** Stops sampling; the last sample is taken now. */
  async stop (): Promise<ServerShare> {
    if (this.result !== null) return this.result
    if (this.timer !== null) clearInterval(this.timer)
    this.timer = null
    await this.busy
    await this.sample()
    this.result = serverShare(this.first, this.samples)
    return this.result
  }
}

/** The share from the samples (the first taken before the phase, the rest during it, the last at its end). */
export function serverShare (first: Record<string, unknown> | null, samples: ReadonlyArray<Record<string, unknown>>): ServerShare {
  const last = samples[samples.length - 1] ?? null
  const gauge = (name: string): { last: number, peak: number } | null => {
    const xs = samples.map((s) => num(s[name])).filter((v): v is number => v !== null)
    const end = last === null ? null : num(last[name])
    return xs.length === 0 || end === null ? null : { last: end, peak: Math.max(...xs) }
  }
  const growth = (name: string): number | null => {
    const end = last === null ? null : num(last[name])
    if (end === null) return null
    return end - (first === null ? 0 : num(first[name]) ?? 0)
  }
  const p = last?.publish_to_write_ms
  const timing = p !== null && typeof p === 'object' ? p as Record<string, unknown> : null
  return {
    publishToWriteMs: timing === null ? null : { count: num(timing.count), p50: num(timing.p50), p99: num(timing.p99), max: num(timing.max) },
    behindSubscribers: gauge('behind_subscribers'),
    maxBufferedBytes: gauge('max_buffered_bytes'),
    conflatedMessages: growth('conflated_messages'),
    resyncs: growth('resyncs'),
    samples: samples.length
  }
}

const na = (v: number | null | undefined, unit = ''): string => v === null || v === undefined ? 'n/a' : `${v}${unit}`

/** One line: the server side, beside the consumers' figures. */
export function serverShareText (s: ServerShare | null | undefined): string {
  if (s === null || s === undefined) return 'server side: n/a'
  const t = s.publishToWriteMs
  return [
    `publish→write ${t === null ? 'n/a' : `p50 ${na(t.p50)} p99 ${na(t.p99)} max ${na(t.max)} ms (${na(t.count)} messages)`}`,
    `behind_subscribers ${s.behindSubscribers === null ? 'n/a' : `${s.behindSubscribers.last} (peak ${s.behindSubscribers.peak})`}`,
    `conflated_messages ${na(s.conflatedMessages)}`,
    `resyncs ${na(s.resyncs)}`,
    `max_buffered_bytes ${s.maxBufferedBytes === null ? 'n/a' : `${s.maxBufferedBytes.last} (peak ${s.maxBufferedBytes.peak})`}`
  ].join(', ')
}
