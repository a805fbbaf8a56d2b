/**
 * Helpers for the /ws trading API tests: order.* frames over a real `ws`
 * client (test/ws/ws-client.ts), sign-in with cancel_on_disconnect, and the
 * in-order check every pipelining test makes.
 */
import type { Test } from 'tap'
import { connect, isType, type TestClient, type WsMessage } from './ws-client.js'
import { signInFrame, type Key } from './identity.js'

export const BUY = { symbol: 'BTC-USDT', side: 'buy', order_type: 'limit', quantity: '1', price: '100' } as const
export const SELL = { symbol: 'BTC-USDT', side: 'sell', order_type: 'limit', quantity: '1', price: '100' } as const

/** A connection (signed in with `key` when given). */
export async function tradingClient (wsUrl: string, key?: Key, extra: Record<string, unknown> = {}): Promise<{ client: TestClient, authenticated: WsMessage | null }> {
  const { client, connected } = await connect(wsUrl)
  if (key === undefined) return { client, authenticated: null }
  const authenticated = await client.request({ ...signInFrame(key, connected.nonce as string), ...extra })
  if (authenticated.type !== 'authenticated') throw new Error(`sign-in answered ${JSON.stringify(authenticated)}`)
  return { client, authenticated }
}

/** One order.* request and its answer (matched by id). */
export async function trade (client: TestClient, type: string, params: unknown, timeoutMs = 5000): Promise<WsMessage> {
  return await client.request({ type, params }, timeoutMs)
}

/** Sends every frame at once (one write each, no waiting), then waits for an answer per id; returns the answers in arrival order. */
export async function pipeline (client: TestClient, frames: Array<Record<string, unknown>>, timeoutMs = 20_000): Promise<WsMessage[]> {
  const ids = new Set(frames.map((f) => f.id))
  for (const frame of frames) client.send(frame)
  const answers: WsMessage[] = []
  for (let i = 0; i < frames.length; i++) answers.push(await client.next((m) => ids.has(m.id as string | number), timeoutMs, `answer ${i + 1} of ${frames.length}`))
  return answers
}

/** Every id answered exactly once, in the order sent. */
export function assertInOrder (t: Test, frames: Array<Record<string, unknown>>, answers: WsMessage[]): void {
  const sent = frames.map((f) => f.id)
  const got = answers.map((a) => a.id)
  t.same(got, sent, 'every id answered exactly once, in the order the requests were sent')
}

export const isAnswer = (id: unknown) => (m: WsMessage) => m.id === id && (m.type === 'error' || m.type.startsWith('order.'))
export { isType }
