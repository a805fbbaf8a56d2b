/**
 * Periodic snapshots without a pause. Exporting and encoding the state on
 * the service's thread stopped it for about 150 ms per snapshot (with the
 * default histories; BENCHMARKS.md, issue 14), every SNAPSHOT_EVERY
 * commands. Instead a worker thread rebuilds the state at the snapshot's seq
 * from the files themselves: the engine is deterministic and the journal up
 * to that seq is durable and closed (the writer rotated at it), so the
 * replica's state is the service's state at that seq, and writing it is the
 * replica's work, on the other core.
 */
import { Worker } from 'node:worker_threads'
import { extname } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Config } from '../config.js'

export interface ReplicaJob {
  readonly dataDir: string
  /** The seq the snapshot is of: the last record of the closed segments. */
  readonly seq: number
  /** The configuration the service's engine was built from. */
  readonly engine: Config['engine']
  /** Whether snapshots keep the market statistics. */
  readonly market: boolean
}

export type ReplicaReply = { readonly ok: true } | { readonly ok: false, readonly message: string }

/** The worker's file beside this one: .js when built, .ts when the tests run the sources. */
const WORKER = new URL(`./snapshot-worker${extname(fileURLToPath(import.meta.url))}`, import.meta.url)

/** Writes the snapshot of `job.seq` from a replica; rejects with the replica's reason if it could not, or once `stop` aborts (the worker is terminated). */
export async function replicaSnapshot (job: ReplicaJob, stop?: AbortSignal): Promise<void> {
  if (stop?.aborted === true) throw new Error('the snapshot replica was stopped before it started')
  await new Promise<void>((resolve, reject) => {
    const worker = new Worker(WORKER, { workerData: job })
    stop?.addEventListener('abort', () => { reject(new Error('the snapshot replica was stopped')); worker.terminate().catch(() => {}) }, { once: true })
    let reply: ReplicaReply | null = null
    worker.once('message', (message: ReplicaReply) => { reply = message })
    worker.once('error', reject)
    worker.once('exit', (code) => {
      if (reply?.ok === true) resolve()
      else reject(new Error(reply?.ok === false ? reply.message : `the snapshot replica exited with code ${code} without an answer`))
    })
  })
}
