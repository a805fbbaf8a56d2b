// The page's connection (static/connection.js) against a fake WebSocket: a
// socket that stays open but brings nothing is a dead feed and is replaced;
// one that keeps bringing heartbeats is left alone.
import t from 'tap'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'

class FakeSocket {
  static OPEN = 1
  static made: FakeSocket[] = []
  readyState = 1
  readonly listeners = new Map<string, Array<(ev: unknown) => void>>()
  readonly sent: string[] = []
  constructor () {
    FakeSocket.made.push(this)
    setTimeout(() => this.emit('open', {}), 1)
  }

  addEventListener (type: string, fn: (ev: unknown) => void): void {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), fn])
  }

  emit (type: string, ev: unknown): void {
    for (const fn of this.listeners.get(type) ?? []) fn(ev)
  }

  send (text: string): void { this.sent.push(text) }
  close (): void { this.readyState = 3 }
}

const g = globalThis as Record<string, unknown>
g.WebSocket = FakeSocket
g.location = { protocol: 'http:', host: '127.0.0.1:1' }
const { Connection } = await import(pathToFileURL(join(import.meta.dirname, '..', '..', 'static', 'connection.js')).href) as {
  Connection: new (options: Record<string, unknown>) => { start (): void, stop (): void }
}
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const warn = console.warn
t.teardown(() => { console.warn = warn })
console.warn = () => {}

t.test('a socket that brings nothing for staleAfterMs is replaced', async (t) => {
  FakeSocket.made = []
  const connection = new Connection({ url: 'ws://x/ws', pingIntervalMs: 20, staleAfterMs: 60 })
  connection.start()
  t.teardown(() => connection.stop())
  await sleep(200)
  t.ok(FakeSocket.made.length >= 2, `a new socket was opened (${FakeSocket.made.length})`)
  t.equal(FakeSocket.made[0].readyState, 3, 'the silent one was closed')
})

t.test('a socket that keeps bringing heartbeats is kept', async (t) => {
  FakeSocket.made = []
  const connection = new Connection({ url: 'ws://x/ws', pingIntervalMs: 20, staleAfterMs: 60 })
  connection.start()
  t.teardown(() => connection.stop())
  const beat = setInterval(() => FakeSocket.made[0]?.emit('message', { data: '{"type":"heartbeat","count":1}' }), 10)
  t.teardown(() => clearInterval(beat))
  await sleep(200)
  t.equal(FakeSocket.made.length, 1, 'still the first socket')
  t.ok(FakeSocket.made[0].sent.some((text) => text.includes('"ping"')), 'and pinged on it')
})
