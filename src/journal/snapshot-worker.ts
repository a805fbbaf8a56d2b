/**
 * The snapshot replica (a worker thread; see snapshot-replica.ts): builds an
 * engine as the service does, brings it to the snapshot's seq from the data
 * directory's own files (newest snapshot + journal, read-only), and writes
 * its state as the snapshot. The service's thread pays nothing for it.
 */
import { parentPort, workerData } from 'node:worker_threads'
import { exportState } from '../engine/index.js'
import { MarketStats } from '../market/market-stats.js'
import { configuredEngine } from '../exchange/configured-engine.js'
import { recover } from './recovery.js'
import { writeSnapshot, type SnapshotState } from './snapshot-store.js'
import type { ReplicaJob, ReplicaReply } from './snapshot-replica.js'

const job = workerData as ReplicaJob

async function run (): Promise<ReplicaReply> {
  try {
    const market = job.market ? new MarketStats() : undefined
    const engine = configuredEngine(job.engine, { market })
    recover(job.dataDir, engine, market, job.seq)
    if (engine.sequence !== job.seq) return { ok: false, message: `the snapshot replica reached seq ${engine.sequence} in ${job.dataDir}, not ${job.seq}` }
    const state: SnapshotState = exportState(engine)
    if (market !== undefined) state.market = market.save()
    await writeSnapshot(job.dataDir, state)
    return { ok: true }
  } catch (error) {
    return { ok: false, message: (error as Error).message }
  }
}

parentPort?.postMessage(await run())
