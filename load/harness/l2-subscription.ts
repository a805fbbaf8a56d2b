/**
 * How the consumers subscribe to l2_updates (issue 13's contract, section 3): `depth` and `interval` per
 * subscription, intervals spread round-robin over the consumers. A server from before issue 13 refuses
 * `interval` (its subscribe schema has no such field), so probeL2 asks first with one connection and the
 * consumers leave out what the server refuses; the run says so (reported "default"), and the probe
 * tells whether the server sends checksums and prev_seq (seen in its first snapshot and deltas).
 */
import WebSocket from 'ws'

/** What goes into an l2_updates subscribe besides channel and symbol; null fields are left out. */
export interface L2Subscription {
  readonly depth: number | 'full' | null
  /** Consumer i of the group gets intervals[i % length]; null: no interval sent (the server's default). */
  readonly intervals: ReadonlyArray<string | null>
}

export const INTERVALS = ['raw', '100ms', '1000ms'] as const

/** The subscribe messages of the consumer with this index in the group, and its interval's label. */
export function subscribeMessages (config: { channels: readonly string[], symbol: string, l2: L2Subscription }, index: number): { interval: string, messages: Array<Record<string, unknown>> } {
  const { intervals, depth } = config.l2
  const interval = intervals.length === 0 ? null : intervals[index % intervals.length]
  const messages = config.channels.map((channel) => {
    const m: Record<string, unknown> = { type: 'subscribe', channel, symbol: config.symbol }
    if (channel === 'l2_updates') {
      if (depth !== null) m.depth = depth
      if (interval !== null) m.interval = interval
    }
    return m
  })
  return { interval: interval ?? 'default', messages }
}

export interface ProbeResult {
  /** The subscription the consumers will use: what the server accepted. */
  readonly l2: L2Subscription
  /** Why something was left out, for the run's notes ('' when the server took everything). */
  readonly note: string
  /** The server's first snapshot carried a checksum (issue 13). */
  readonly checksum: boolean
}

/** One subscribe with the given depth and interval; falls back to fewer fields if the server answers an error. */
export async function probeL2 (wsUrl: string, symbol: string, wanted: L2Subscription, timeoutMs = 5000): Promise<ProbeResult> {
  const interval = wanted.intervals.find((i) => i !== null) ?? null
  const tries: Array<{ l2: L2Subscription, note: string }> = [{ l2: wanted, note: '' }]
  if (interval !== null) tries.push({ l2: { ...wanted, intervals: [null] }, note: `the server refused interval ${JSON.stringify(interval)}: subscribed without one (its default)` })
  if (wanted.depth !== null) tries.push({ l2: { depth: null, intervals: [null] }, note: 'the server refused depth and interval: subscribed without them' })
  let lastError = ''
  for (const attempt of tries) {
    const answer = await subscribeOnce(wsUrl, symbol, attempt.l2, timeoutMs)
    if (answer.ok) return { l2: attempt.l2, note: attempt.note === '' ? '' : `${attempt.note} (${lastError})`, checksum: answer.checksum }
    lastError = answer.error
  }
  throw new Error(`l2_updates subscribe refused: ${lastError}`)
}

async function subscribeOnce (wsUrl: string, symbol: string, l2: L2Subscription, timeoutMs: number): Promise<{ ok: boolean, checksum: boolean, error: string }> {
  const ws = new WebSocket(wsUrl, { perMessageDeflate: false })
  return await new Promise((resolve) => {
    const done = (result: { ok: boolean, checksum: boolean, error: string }): void => {
      clearTimeout(timer)
      ws.terminate()
      resolve(result)
    }
    const timer = setTimeout(() => done({ ok: false, checksum: false, error: `no snapshot in ${timeoutMs} ms` }), timeoutMs)
    ws.on('open', () => {
      for (const m of subscribeMessages({ channels: ['l2_updates'], symbol, l2 }, 0).messages) ws.send(JSON.stringify(m))
    })
    ws.on('message', (data: Buffer) => {
      const msg = JSON.parse(data.toString()) as Record<string, unknown>
      if (msg.type === 'error') done({ ok: false, checksum: false, error: `${String(msg.code ?? msg.error_code ?? '')} ${String(msg.message ?? msg.error ?? '')}`.trim() })
      else if (msg.type === 'l2_update' && msg.kind === 'snapshot') done({ ok: true, checksum: typeof msg.checksum === 'number', error: '' })
    })
    ws.on('error', (error) => done({ ok: false, checksum: false, error: error.message }))
  })
}
