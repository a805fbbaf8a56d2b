/**
 * The baselines measured in the same run, on the same machine, each in its
 * own child process (bare-servers.js):
 * (a) a bare Fastify POST /order answering a fixed JSON object, loaded by the
 *     same generator as order entry → order entry as a ratio of the
 *     framework's own ceiling here;
 * (b) a bare `ws` broadcast of messages of the gateway's typical size to the
 *     same number of consumers, at saturation → gateway delivered
 *     messages/s as a ratio of what `ws` alone delivers.
 */
import { once } from 'node:events'
import type { ChildProcess } from 'node:child_process'
import { forkHarness, stopChild } from './procs.js'
import type { BareMessage } from './bare-servers.js'

export interface BareServer {
  readonly url: string
  readonly pid: number
  readonly stop: () => Promise<void>
}

async function listening (child: ChildProcess, timeoutMs = 10_000): Promise<number> {
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
  try {
    for (;;) {
      const [message] = await once(child, 'message') as [BareMessage]
      if (message.type === 'listening') return message.port
    }
  } catch (error) {
    throw new Error(`bare server did not start: ${String(error)}`)
  } finally {
    clearTimeout(timer)
  }
}

async function startBare (mode: 'fastify' | 'ws', cpuProfDir?: string): Promise<{ child: ChildProcess, port: number }> {
  const execArgv = cpuProfDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${cpuProfDir}`]
  const { child } = forkHarness('bare-servers.js', [mode], execArgv)
  const exited = once(child, 'exit').then(() => { throw new Error(`bare ${mode} server exited before listening`) })
  const port = await Promise.race([listening(child), exited])
  return { child, port }
}

/** (a) The bare Fastify route; load it with runHttpLoad as order entry is loaded. */
export async function startBareFastify (cpuProfDir?: string): Promise<BareServer> {
  const { child, port } = await startBare('fastify', cpuProfDir)
  return { url: `http://127.0.0.1:${port}`, pid: child.pid as number, stop: async () => await stopChild(child, 3000) }
}

export interface BroadcastResult {
  readonly rounds: number
  /** Messages handed to ws.send (rounds × clients), server side. */
  readonly sent: number
  readonly elapsedMs: number
  readonly clients: number
}

export interface BareWsServer extends BareServer {
  readonly wsUrl: string
  /** Broadcasts `bytes`-sized messages to every connected client for durationMs, as fast as they drain. */
  readonly broadcast: (bytes: number, durationMs: number, maxBufferedBytes?: number) => Promise<BroadcastResult>
}

/** (b) The bare ws broadcast server; connect consumers with handshake 'bare'. */
export async function startBareWs (cpuProfDir?: string): Promise<BareWsServer> {
  const { child, port } = await startBare('ws', cpuProfDir)
  return {
    url: `http://127.0.0.1:${port}`,
    wsUrl: `ws://127.0.0.1:${port}/`,
    pid: child.pid as number,
    stop: async () => await stopChild(child, 3000),
    broadcast: async (bytes, durationMs, maxBufferedBytes = 1024 * 1024) => {
      child.send({ type: 'broadcast', bytes, durationMs, maxBufferedBytes })
      const timer = setTimeout(() => child.kill('SIGKILL'), durationMs + 30_000)
      try {
        for (;;) {
          const [message] = await once(child, 'message') as [BareMessage]
          if (message.type === 'broadcast-done') {
            const { rounds, sent, elapsedMs, clients } = message
            return { rounds, sent, elapsedMs: Math.round(elapsedMs), clients }
          }
        }
      } finally {
        clearTimeout(timer)
      }
    }
  }
}
