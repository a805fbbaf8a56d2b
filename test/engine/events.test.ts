import t from 'tap'
import type { EngineEvent } from '../../src/engine/index.js'
import { place, unitEngine } from '../helpers/engine.js'

t.test('events arrive once per command, after the state is complete, in order', async (t) => {
  const engine = unitEngine()
  const batches: EngineEvent[][] = []
  engine.addListener((events) => {
    // The book must already be final when the listener runs.
    const book = engine.book('UNIT-USD')!
    t.equal(book.asks.best()?.totalLots ?? 0, batches.length === 1 ? 3 : (batches.length === 0 ? 5 : 0))
    batches.push([...events])
  })
  const maker = place(engine, { side: 'sell', qty: 5, price: 100 }).order
  const taker = place(engine, { side: 'buy', qty: 2, price: 100 }).order
  t.same(batches[0].map((e) => e.type), ['order', 'levels'])
  t.same(batches[1].map((e) => e.type === 'order' ? `${e.type}:${e.eventType}:${e.order.id}` : e.type),
    ['trade', `order:partially_filled:${maker.id}`, `order:filled:${taker.id}`, 'levels'])
  const levels = batches[1][3]
  t.same(levels.type === 'levels' && levels.changes, [{ side: 'sell', priceTicks: 100, totalLots: 3 }])
  t.ok(engine.cancel({ symbol: 'UNIT-USD', orderId: maker.id }).ok)
  const gone = batches[2]
  t.same(gone.map((e) => e.type === 'order' ? e.eventType : e.type), ['cancelled', 'levels'])
  t.same(gone[1].type === 'levels' && gone[1].changes, [{ side: 'sell', priceTicks: 100, totalLots: 0 }])
})

t.test('a throwing listener never corrupts the book or stops the others', async (t) => {
  const errors: unknown[] = []
  const engine = unitEngine({ onListenerError: (error) => errors.push(error) })
  let seen = 0
  engine.addListener(() => { throw new Error('boom') })
  const remove = engine.addListener(() => { seen++ })
  place(engine, { side: 'sell', qty: 5, price: 100 })
  const { trades } = place(engine, { side: 'buy', qty: 5, price: 100 })
  t.equal(trades.length, 1)
  t.equal(seen, 2)
  t.equal(errors.length, 2)
  t.equal(engine.book('UNIT-USD')!.openCount, 0)
  remove()
  place(engine, { side: 'sell', qty: 5, price: 100 })
  t.equal(seen, 2, 'removed listener is not called')
})

t.test('fok rejection emits one rejected event and no level change', async (t) => {
  const engine = unitEngine()
  const batches: EngineEvent[][] = []
  engine.addListener((events) => batches.push([...events]))
  place(engine, { side: 'buy', type: 'fok', qty: 5, price: 100 })
  t.same(batches[0].map((e) => e.type === 'order' ? e.eventType : e.type), ['rejected'])
})

t.test('commands go to the command hook before they run, with gap-free sequence numbers', async (t) => {
  const seen: string[] = []
  const engine = unitEngine({ onCommand: (c) => seen.push(`${c.seq}:${c.kind}:${'orderId' in c ? c.orderId : ''}`) })
  const a = place(engine, { side: 'sell', qty: 5, price: 100 }).order
  place(engine, { side: 'buy', qty: 1, price: 100 })
  engine.cancel({ symbol: 'UNIT-USD', orderId: a.id })
  engine.cancel({ symbol: 'UNIT-USD', orderId: a.id })
  engine.submit({ symbol: 'UNIT-USD', side: 'buy', orderType: 'limit', quantity: 0, price: 1 })
  t.same(seen, ['1:new:1', '2:new:2', '3:cancel:1'], 'rejections are not commands')
})

t.test('without an onListenerError hook a throwing listener is still isolated', async (t) => {
  const e = unitEngine()
  const seen: number[] = []
  e.addListener(() => { throw new Error('listener broke') })
  e.addListener((events) => seen.push(events.length))
  t.doesNotThrow(() => place(e, { side: 'sell', qty: 5, price: 100 }))
  t.equal(seen.length, 1, 'the next listener still ran')
  t.equal(e.book('UNIT-USD')!.openCount, 1)
})

t.test('a sweep reports each level it changed once, the rested remainder on its own side', async (t) => {
  const e = unitEngine()
  place(e, { side: 'sell', qty: 1, price: 100 })
  place(e, { side: 'sell', qty: 1, price: 100 })
  place(e, { side: 'sell', qty: 2, price: 101 })
  const seen: EngineEvent[][] = []
  e.addListener((events) => seen.push([...events]))
  place(e, { side: 'buy', qty: 5, price: 101 })
  const levelEvents = seen[0].filter((event) => event.type === 'levels')
  t.same(levelEvents, [{ type: 'levels', symbol: 'UNIT-USD', changes: [{ side: 'sell', priceTicks: 100, totalLots: 0 }, { side: 'sell', priceTicks: 101, totalLots: 0 }, { side: 'buy', priceTicks: 101, totalLots: 1 }] }])
})
