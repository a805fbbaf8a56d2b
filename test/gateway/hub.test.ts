/** The market-data hub on its own: a real engine, fake subscribers, no server. */
import t from 'tap'
import { MarketDataHub } from '../../src/gateway/market-data-hub.js'
import type { Subscriber } from '../../src/gateway/subscriber.js'
import { depthView } from '../../src/wire/market-views.js'
import { place, unitEngine } from '../helpers/engine.js'

class Recorder implements Subscriber {
  readonly messages: Array<Record<string, any>> = []
  send (text: string): void {
    this.messages.push(JSON.parse(text))
  }
}

/** Applies a snapshot and the deltas after it, as a client would. */
function rebuild (messages: ReadonlyArray<Record<string, any>>) {
  const book = { bids: new Map<string, string>(), asks: new Map<string, string>() }
  let seq = -1
  for (const m of messages) {
    if (m.type !== 'l2_update') continue
    if (m.kind === 'snapshot') {
      book.bids = new Map(m.bids)
      book.asks = new Map(m.asks)
      seq = m.seq
      continue
    }
    if (m.seq !== seq + 1) throw new Error(`gap: ${seq} → ${m.seq}`)
    seq = m.seq
    for (const [side, levels] of [['bids', m.bids], ['asks', m.asks]] as const) {
      for (const [price, qty] of levels) {
        if (qty === '0') book[side].delete(price)
        else book[side].set(price, qty)
      }
    }
  }
  const sorted = (map: Map<string, string>, desc: boolean) => [...map].sort((a, b) => desc ? Number(b[0]) - Number(a[0]) : Number(a[0]) - Number(b[0]))
  return { bids: sorted(book.bids, true), asks: sorted(book.asks, false) }
}

t.test('the last l2 subscriber leaving mid-window does not poison the next subscriber\'s book', async (t) => {
  const engine = unitEngine()
  const hub = new MarketDataHub(engine, { batchMs: 1000 })
  hub.start()
  t.teardown(() => hub.stop())
  const a = new Recorder()
  hub.subscribe(a, 'l2_updates', 'UNIT-USD')
  const resting = place(engine, { side: 'buy', qty: 1, price: 100 }).order
  hub.unsubscribe(a, 'l2_updates', 'UNIT-USD')
  engine.cancel({ symbol: 'UNIT-USD', orderId: resting.id })
  const b = new Recorder()
  hub.subscribe(b, 'l2_updates', 'UNIT-USD')
  b.send(hub.snapshot('UNIT-USD'))
  place(engine, { side: 'sell', qty: 2, price: 105 })
  hub.flush()
  t.same(rebuild(b.messages), depthView(engine.book('UNIT-USD')!, Infinity), 'snapshot + delta equal the book')
})

t.test('market data waits for durability before it goes out', async (t) => {
  const engine = unitEngine()
  let release: () => void = () => {}
  const gate = new Promise<void>((resolve) => { release = resolve })
  const hub = new MarketDataHub(engine, { batchMs: 0, durable: () => gate })
  hub.start()
  t.teardown(() => hub.stop())
  const s = new Recorder()
  hub.subscribe(s, 'trades', null)
  place(engine, { side: 'sell', qty: 1, price: 100 })
  place(engine, { side: 'buy', qty: 1, price: 100 })
  await new Promise((resolve) => setTimeout(resolve, 20))
  t.equal(s.messages.length, 0, 'nothing sent while the journal write is pending')
  release()
  await new Promise((resolve) => setTimeout(resolve, 20))
  t.equal(s.messages.length, 1)
  t.equal(s.messages[0].type, 'trade')
})

t.test('a failed journal drops the pending market data instead of publishing it', async (t) => {
  const engine = unitEngine()
  const hub = new MarketDataHub(engine, { batchMs: 0, durable: () => Promise.reject(new Error('disk gone')) })
  hub.start()
  t.teardown(() => hub.stop())
  const s = new Recorder()
  hub.subscribe(s, 'orders', 'UNIT-USD')
  place(engine, { side: 'sell', qty: 1, price: 100 })
  await new Promise((resolve) => setTimeout(resolve, 20))
  t.equal(s.messages.length, 0)
})
