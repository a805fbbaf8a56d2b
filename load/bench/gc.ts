/**
 * Allocation and garbage collection of one throughput pass, from V8's own
 * GC records (node:v8 GCProfiler: one record per collection with the heap
 * statistics before and after it).
 *
 * Bytes allocated = the used heap's growth between collections, summed:
 *   Σ (used before GC i − used after GC i−1) + (used at the end − used after the last GC),
 * with "used after GC 0" = the used heap when the pass starts. Everything the
 * pass allocates is in the used heap until a collection frees it, and each
 * collection's before/after pair says where it started and ended, so the sum
 * counts every allocated byte once (young generation, old generation and
 * large objects alike), to within what V8 allocates for itself meanwhile.
 * Scavenges are the records of type Scavenge (minor GCs of the young
 * generation); the others (mark-sweep-compact, incremental marking steps) are
 * counted as major.
 *
 * The profiler reads the heap statistics at every collection, a few
 * microseconds each: the pass with it runs a few hundred collections per
 * million commands, well under a percent of the pass.
 */
import { GCProfiler, getHeapStatistics } from 'node:v8'

export interface GcSummary {
  readonly bytesAllocated: number
  readonly bytesPerCommand: number
  readonly scavenges: number
  readonly majorGcs: number
  readonly scavengesPerMillion: number
  /** Milliseconds inside collections, as V8 reports each one's cost. */
  readonly gcMs: number
}

export function measureGc<T> (commands: number, run: () => T): { result: T, gc: GcSummary } {
  const profiler = new GCProfiler()
  const start = getHeapStatistics().used_heap_size
  profiler.start()
  const result = run()
  const end = getHeapStatistics().used_heap_size
  const records = profiler.stop()?.statistics ?? []
  let allocated = 0
  let previous = start
  let scavenges = 0
  let majorGcs = 0
  let costUs = 0
  for (const gc of records) {
    allocated += gc.beforeGC.heapStatistics.usedHeapSize - previous
    previous = gc.afterGC.heapStatistics.usedHeapSize
    if (gc.gcType === 'Scavenge') scavenges++
    else majorGcs++
    costUs += gc.cost
  }
  allocated += end - previous
  return {
    result,
    gc: {
      bytesAllocated: allocated,
      bytesPerCommand: Math.round(allocated / commands),
      scavenges,
      majorGcs,
      scavengesPerMillion: Math.round(scavenges * 1e6 / commands),
      gcMs: Math.round(costUs / 100) / 10
    }
  }
}
