/** A Session over a fake socket: when a snapshot is refused, and what each send checks before queuing. */
import t from 'tap'
import type { WebSocket } from 'ws'
import { Session } from '../../plugins/ws-session.js'
import { L3Feed } from '../../src/gateway/l3-feed.js'
import { StatsFeed } from '../../src/gateway/stats-feed.js'
import { MarketStats } from '../../src/market/market-stats.js'
import { MarketDataHub } from '../../src/gateway/market-data-hub.js'
import { SendBudget } from '../../src/gateway/send-budget.js'
import { loadConfig } from '../../src/config.js'
import { place, unitEngine } from '../helpers/engine.js'

class FakeSocket {
  readonly OPEN = 1
  readyState = 1
  bufferedAmount = 0
  readonly sent: string[] = []
  closedWith: number | null = null
  send (text: string): void {
    this.sent.push(text)
    this.bufferedAmount += text.length
  }

  close (code: number): void {
    this.closedWith = code
    this.readyState = 2
  }

  terminate (): void {}
  ping (): void {}
}

function setup (env: Record<string, string> = {}, available = () => true) {
  const engine = unitEngine()
  for (let i = 0; i < 50; i++) place(engine, { side: 'buy', qty: 1, price: 100 + i })
  const hub = new MarketDataHub(engine, { batchMs: 1000 })
  const limits = loadConfig({ WS_MAX_BUFFERED_BYTES: '4096', WS_MAX_TOTAL_BUFFERED_BYTES: '8192', ...env }).ws
  const budget = new SendBudget(limits.maxTotalBufferedBytes)
  let slow = 0
  const context = {
    hub,
    l3: new L3Feed(engine),
    stats: new StatsFeed(engine, { stats: new MarketStats(), now: () => 0 }),
    limits,
    budget,
    now: () => 0,
    onSlowConsumer: () => { slow++ },
    onSent: () => {},
    available,
    authMode: 'off' as const,
    signIn: () => { throw new Error('no sign-in with AUTH=off') }
  }
  const open = () => {
    const socket = new FakeSocket()
    return { socket, session: new Session('s', socket as unknown as WebSocket, context) }
  }
  return { hub, budget, open, slow: () => slow }
}

const subscribe = (session: Session, depth = 10) => session.handle(Buffer.from(JSON.stringify({ type: 'subscribe', channel: 'l2_updates', symbol: 'UNIT-USD', depth })))

t.test('a socket over its buffer limit gets no snapshot, none is built for it, and it is closed 1013', async (t) => {
  const { hub, open, slow } = setup()
  const { socket, session } = open()
  socket.bufferedAmount = 5000
  subscribe(session)
  t.match(hub.stats, { snapshotsBuilt: 0, snapshotsSent: 0 })
  t.equal(socket.closedWith, 1013)
  t.equal(slow(), 1)
  t.equal(hub.subscriberCount(), 0, 'not subscribed either')
})

t.test('a closing socket gets nothing and subscribes to nothing', async (t) => {
  const { hub, open } = setup()
  const { socket, session } = open()
  socket.readyState = 2
  subscribe(session)
  t.match(hub.stats, { snapshotsBuilt: 0, snapshotsSent: 0 })
  t.same(socket.sent, [])
  t.equal(hub.subscriberCount(), 0)
  session.send('{"type":"trade"}')
  t.same(socket.sent, [], 'nor any other message')
})

t.test('the per-connection limit is checked before queuing, counting the message itself', async (t) => {
  const { hub, open, slow } = setup()
  const { socket, session } = open()
  subscribe(session, 50)
  t.equal(socket.sent.length, 2, 'subscribed, then its snapshot')
  const snapshot = socket.sent[1]
  t.ok(snapshot.length < 4096)
  socket.bufferedAmount = 4096 - snapshot.length + 1
  session.send(snapshot)
  t.equal(socket.closedWith, 1013, 'it would pass the limit: closed instead of queued')
  t.equal(socket.sent.length, 2)
  t.equal(slow(), 1)
  t.equal(hub.subscriberCount(), 0)
})

t.test('a corked batch is judged by what was pending before it', async (t) => {
  const { open } = setup({ WS_MAX_BUFFERED_BYTES: '1024' })
  const { socket, session } = open()
  const big = 'x'.repeat(1500)
  session.cork()
  session.send(big)
  session.send(big)
  session.uncork()
  t.equal(socket.sent.length, 2, 'a reader with nothing pending gets the whole window, even past its limit')
  session.cork()
  session.send('y')
  session.uncork()
  t.equal(socket.closedWith, 1013, 'but not while that is still unsent')
})

t.test('the global budget evicts the largest holder before this send queues', async (t) => {
  const { open } = setup()
  const a = open()
  const b = open()
  a.session.send('a'.repeat(3500))
  b.session.send('b'.repeat(3000))
  a.session.send('a'.repeat(2000)) // a holds 3500, b 3000: 2000 more would make 8500 > 8192
  t.equal(a.socket.closedWith, 1013, 'a, the largest, evicted (and it was the sender: nothing queued)')
  t.equal(a.socket.sent.length, 1)
  t.equal(b.socket.closedWith, null, 'b kept')
})

t.test('once the exchange is unavailable (failed journal), any frame closes the session 1013 instead of being answered', async (t) => {
  let up = true
  const { hub, open } = setup({}, () => up)
  const { socket, session } = open()
  up = false
  subscribe(session)
  t.equal(socket.closedWith, 1013)
  t.same(socket.sent, [], 'no snapshot from a memory that may hold unacknowledged orders')
  t.match(hub.stats, { snapshotsBuilt: 0 })
})
