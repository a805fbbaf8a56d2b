/**
 * Per-order figures counted in plain numbers on the hot path and handed to
 * prom-client only when /metrics is scraped. A labelled prom-client inc or
 * observe hashes its labels on every call; at tens of thousands of orders a
 * second that was about 6% of the service's time (BENCHMARKS.md, issue 14).
 */
import type { Counter, MetricValueWithName, Registry } from 'prom-client'

/** Values keyed by three label values through nested maps: no key string is built per lookup. */
class LabelCells<V> {
  private readonly levels = new Map<string, Map<string, Map<string, V>>>()
  /** Makes a cell the first time its label values are seen (a function made once: the hot path allocates no closure). */
  private readonly make: (first: string, second: string, third: string) => V

  constructor (make: (first: string, second: string, third: string) => V) {
    this.make = make
  }

  get (first: string, second: string, third: string): V {
    let level1 = this.levels.get(first)
    if (level1 === undefined) this.levels.set(first, level1 = new Map())
    let level2 = level1.get(second)
    if (level2 === undefined) level1.set(second, level2 = new Map())
    let cell = level2.get(third)
    if (cell === undefined) level2.set(third, cell = this.make(first, second, third))
    return cell
  }

  * entries (): Generator<[string, string, string, V]> {
    for (const [first, level1] of this.levels) {
      for (const [second, level2] of level1) {
        for (const [third, cell] of level2) yield [first, second, third, cell]
      }
    }
  }
}

/** Counts by two or three label values. */
export class LabelledTally {
  private readonly names: readonly string[]
  private readonly counts = new LabelCells(() => ({ count: 0 }))

  /** names: the labels, in the order add takes their values (a two-label tally leaves the third value ''). */
  constructor (names: readonly [string, string] | readonly [string, string, string]) {
    this.names = names
  }

  add (first: string, second: string, third = '', amount = 1): void {
    this.counts.get(first, second, third).count += amount
  }

  /** Sets a counter (read at scrape time) to these counts. */
  copyTo (counter: Counter<string>): void {
    const [name1, name2, name3] = this.names
    counter.reset()
    for (const [first, second, third, { count }] of this.counts.entries()) {
      counter.inc(name3 === undefined ? { [name1]: first, [name2]: second } : { [name1]: first, [name2]: second, [name3]: third }, count)
    }
  }
}

/** One label set's buckets: counts[i] holds observations in (bounds[i-1], bounds[i]]; the last one those past every bound. */
interface Buckets { readonly labels: Record<string, string | number>, readonly counts: number[], sum: number, count: number }

/** A histogram (no labels, or three) whose observe is two map lookups, a bucket scan and three additions. */
export class HistogramTally {
  private readonly names: readonly string[]
  private readonly bounds: readonly number[]
  private readonly sets = new LabelCells((first, second, third) => this.newBuckets(first, second, third))

  constructor (bounds: readonly number[], names: readonly [] | readonly [string, string, string] = []) {
    this.bounds = [...bounds].sort((a, b) => a - b)
    this.names = names
    // Without labels there is one series, shown (at zero) before anything is observed, as prom-client does.
    if (names.length === 0) this.sets.get('', '', '')
  }

  observe (value: number, first = '', second = '', third = ''): void {
    const buckets = this.sets.get(first, second, third)
    let i = 0
    while (i < this.bounds.length && value > this.bounds[i]) i++
    buckets.counts[i]++
    buckets.sum += value
    buckets.count++
  }

  /** Registers it under `name`: prom-client formats it like one of its own histograms. */
  register (registry: Registry, name: string, help: string): void {
    const get = async () => {
      const values: Array<MetricValueWithName<string>> = []
      for (const [, , , buckets] of this.sets.entries()) this.valuesOf(name, buckets, values)
      return { name, help, type: 'histogram', aggregator: 'sum', values }
    }
    registry.registerMetric({ name, help, get } as unknown as Parameters<Registry['registerMetric']>[0])
  }

  private newBuckets (first: string, second: string, third: string): Buckets {
    const labels: Record<string, string> = {}
    if (this.names.length === 3) {
      labels[this.names[0]] = first
      labels[this.names[1]] = second
      labels[this.names[2]] = third
    }
    return { labels, counts: new Array<number>(this.bounds.length + 1).fill(0), sum: 0, count: 0 }
  }

  private valuesOf (name: string, buckets: Buckets, values: Array<MetricValueWithName<string>>): void {
    let cumulative = 0
    for (let i = 0; i < this.bounds.length; i++) {
      cumulative += buckets.counts[i]
      values.push({ metricName: `${name}_bucket`, labels: { le: this.bounds[i], ...buckets.labels }, value: cumulative })
    }
    values.push({ metricName: `${name}_bucket`, labels: { le: '+Inf', ...buckets.labels }, value: buckets.count })
    values.push({ metricName: `${name}_sum`, labels: buckets.labels, value: buckets.sum })
    values.push({ metricName: `${name}_count`, labels: buckets.labels, value: buckets.count })
  }
}
