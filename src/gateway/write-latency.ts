/**
 * Server-side market-data latency: from the engine time of the newest
 * command a public message reflects to the moment it is handed to the
 * socket. A fixed ring of recent samples (constant memory; percentiles over
 * a recent window) plus the all-time count and maximum.
 */
export interface WriteLatencySummary {
  count: number
  p50: number
  p99: number
  max: number
}

export class WriteLatency {
  private readonly ring: Float64Array
  private next = 0
  private filled = 0
  private count = 0
  private max = 0

  constructor (capacity = 16384) {
    this.ring = new Float64Array(capacity)
  }

  record (ms: number): void {
    this.ring[this.next] = ms
    this.next = (this.next + 1) % this.ring.length
    if (this.filled < this.ring.length) this.filled++
    this.count++
    if (ms > this.max) this.max = ms
  }

  summary (): WriteLatencySummary {
    if (this.filled === 0) return { count: 0, p50: 0, p99: 0, max: 0 }
    const recent = this.ring.slice(0, this.filled).sort()
    const at = (q: number): number => recent[Math.min(recent.length - 1, Math.floor(q * recent.length))]
    return { count: this.count, p50: round(at(0.5)), p99: round(at(0.99)), max: round(this.max) }
  }
}

function round (ms: number): number {
  return Math.round(ms * 1000) / 1000
}
