/**
 * Order processing latencies for /statistics: a fixed ring of the most
 * recent samples (percentiles over a recent window, constant memory) plus
 * running totals for the all-time average.
 */
export class LatencyRecorder {
  private readonly ring: Float64Array
  private next = 0
  private filled = 0
  private count = 0
  private sum = 0
  private max = 0

  constructor (capacity = 8192) {
    this.ring = new Float64Array(capacity)
  }

  record (ms: number): void {
    this.ring[this.next] = ms
    this.next = (this.next + 1) % this.ring.length
    if (this.filled < this.ring.length) this.filled++
    this.count++
    this.sum += ms
    if (ms > this.max) this.max = ms
  }

  /** Samples ever recorded and the largest of them (all-time, unlike the percentiles). */
  totals (): { count: number, max: number } {
    return { count: this.count, max: round(this.max) }
  }

  summary (): { avg: number, p50: number, p99: number } {
    if (this.count === 0) return { avg: 0, p50: 0, p99: 0 }
    const recent = this.ring.slice(0, this.filled).sort()
    const at = (q: number): number => recent[Math.min(recent.length - 1, Math.floor(q * recent.length))]
    return { avg: round(this.sum / this.count), p50: round(at(0.5)), p99: round(at(0.99)) }
  }
}

function round (ms: number): number {
  return Math.round(ms * 1000) / 1000
}
