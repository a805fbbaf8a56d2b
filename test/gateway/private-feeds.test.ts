/** The hub's private feeds on their own: a real engine with two accounts, fake subscribers, no server. */
import t from 'tap'
import { MarketDataHub } from '../../src/gateway/market-data-hub.js'
import type { Subscriber } from '../../src/gateway/subscriber.js'
import { MatchingEngine, type NewOrderInput } from '../../src/engine/index.js'
import { UNIT, unitEngine } from '../helpers/engine.js'
import { steppingClock } from '../helpers/clock.js'
import { Recorder } from '../helpers/recorder.js'

function submit (engine: MatchingEngine, accountId: string, order: Partial<NewOrderInput> & Pick<NewOrderInput, 'side' | 'quantity'>) {
  const result = engine.submit({ symbol: UNIT.symbol, orderType: 'limit', accountId, stp: 'none', ...order })
  if (!result.ok) throw new Error(`${result.code} ${result.message}`)
  return result.value.order
}

t.test('each account gets only its own order events and fills; one string per account, symbol and window, shared by its connections', async (t) => {
  const engine = new MatchingEngine({ symbols: [UNIT, { ...UNIT, symbol: 'TWO-USD' }], clock: steppingClock(), makerFeeRate: '0.01', takerFeeRate: '0.02' })
  const hub = new MarketDataHub(engine, { batchMs: 1000 })
  hub.start()
  t.teardown(() => hub.stop())
  const a1 = new Recorder()
  const a2 = new Recorder()
  const aUnit = new Recorder()
  const b = new Recorder()
  const tape = new Recorder()
  for (const s of [a1, a2]) {
    t.equal(hub.subscribePrivate(s, 'alice', 'orders', null), true)
    hub.subscribePrivate(s, 'alice', 'fills', null)
  }
  t.equal(hub.subscribePrivate(a1, 'alice', 'orders', null), false, 'idempotent')
  hub.subscribePrivate(aUnit, 'alice', 'orders', 'UNIT-USD')
  hub.subscribePrivate(aUnit, 'alice', 'orders', null)
  hub.subscribePrivate(b, 'bob', 'orders', 'UNIT-USD')
  hub.subscribePrivate(b, 'bob', 'fills', 'UNIT-USD')
  hub.subscribe(tape, 'trades', null)
  t.equal(hub.accountCount, 2)
  t.throws(() => hub.subscribePrivate(b, 'alice', 'orders', null), /one account/, 'a subscriber speaks for one account')

  const asks = Array.from({ length: 5 }, (_, i) => submit(engine, 'alice', { side: 'sell', quantity: 1, price: 100 + i }))
  const bid = submit(engine, 'bob', { side: 'buy', quantity: 2, price: 101, clientOrderId: 'b-1' })
  submit(engine, 'carol', { symbol: 'TWO-USD', side: 'buy', quantity: 1, price: 50 })
  const two = submit(engine, 'alice', { symbol: 'TWO-USD', side: 'sell', quantity: 1, price: 50 })
  hub.flush()

  const kinds = (r: Recorder) => r.messages.map((m) => `${m.type}:${m.symbol}`)
  t.same(kinds(a1), ['order_event:UNIT-USD', 'order_event:TWO-USD', 'fill:UNIT-USD', 'fill:UNIT-USD', 'fill:TWO-USD'], 'order events per symbol first, then one message per fill')
  t.same(a2.texts, a1.texts, 'the same strings for every connection of the account')
  t.equal(aUnit.messages.filter((m) => m.type === 'order_event').length, 2, 'a symbol and all symbols at once: each message once')
  const [unitEvents] = a1.messages
  t.same(unitEvents.data.map((e: any) => [e.event_type, e.order_id, e.account_id]), [
    ...asks.map((o) => ['resting', o.id, 'alice']),
    ['filled', asks[0].id, 'alice'],
    ['filled', asks[1].id, 'alice']
  ])
  t.match(a1.messages.slice(2, 4), [
    { order_id: asks[0].id, side: 'sell', role: 'maker', price: '100', quantity: '1', trade_value: '100', fee: '1' },
    { order_id: asks[1].id, side: 'sell', role: 'maker', price: '101', quantity: '1', trade_value: '101', fee: '1.01' }
  ])
  t.match(a1.messages[4], { symbol: 'TWO-USD', order_id: two.id, side: 'sell', role: 'taker', trade_value: '50', fee: '1' }, 'taker: the taker fee')
  t.same(b.messages.map((m) => m.type), ['order_event', 'fill', 'fill'])
  t.same(b.messages[0].data.map((e: any) => [e.event_type, e.order_id, e.client_order_id]), [['filled', bid.id, 'b-1']])
  t.match(b.messages.slice(1), [
    { order_id: bid.id, client_order_id: 'b-1', side: 'buy', role: 'taker', fee: '2' },
    { order_id: bid.id, side: 'buy', role: 'taker', fee: '2.02' }
  ])
  const bText = b.texts.join('')
  for (const ask of asks) t.notOk(bText.includes(`"order_id":"${ask.id}"`), `bob never sees alice's order ${ask.id}`)
  t.notOk(bText.includes('alice'))
  t.notOk(a1.texts.join('').includes('bob'))
  for (const trade of tape.messages.flatMap((m) => m.data)) {
    t.same(Object.keys(trade).sort(), ['aggressor_side', 'maker_fee', 'price', 'quantity', 'symbol', 'taker_fee', 'timestamp', 'trade_id', 'trade_value'])
  }
  t.equal(a1.corks, 1, 'one corked batch per window')
})

t.test('a trade of an account with itself is two fills of it; nobody following an account costs nothing and keeps nothing', async (t) => {
  const engine = unitEngine()
  const hub = new MarketDataHub(engine, { batchMs: 1000 })
  hub.start()
  t.teardown(() => hub.stop())
  const s = new Recorder()
  hub.subscribePrivate(s, 'dave', 'fills', 'UNIT-USD')
  submit(engine, 'dave', { side: 'buy', quantity: 3, price: 10 })
  submit(engine, 'dave', { side: 'sell', quantity: 3, price: 10 })
  submit(engine, 'erin', { side: 'buy', quantity: 3, price: 10 })
  hub.flush()
  t.same(s.messages.map((m) => [m.role, m.side, m.trade_id]), [['maker', 'buy', 'UNIT-USD-1'], ['taker', 'sell', 'UNIT-USD-1']])

  t.equal(hub.unsubscribePrivate(s, 'orders', null), false, 'not subscribed to that')
  t.equal(hub.unsubscribePrivate(new Recorder(), 'fills', null), false, 'nor is a stranger')
  t.equal(hub.unsubscribePrivate(s, 'orders', 'UNIT-USD'), false, 'nor to the symbol on that channel')
  const other = new Recorder()
  hub.subscribePrivate(other, 'dave', 'orders', 'UNIT-USD')
  t.equal(hub.unsubscribePrivate(s, 'orders', 'UNIT-USD'), false, 'even while another connection of the account is')
  hub.removeSubscriber(other)
  submit(engine, 'dave', { side: 'sell', quantity: 1, price: 10 })
  t.equal(hub.unsubscribePrivate(s, 'fills', 'UNIT-USD'), true)
  t.equal(hub.accountCount, 0, 'dropped with its last subscriber, pending window and all')
  hub.flush()
  t.equal(s.messages.length, 2, 'nothing after the unsubscribe')

  const again = new Recorder()
  hub.subscribePrivate(again, 'dave', 'orders', null)
  hub.subscribePrivate(again, 'dave', 'fills', null)
  t.equal(hub.subscriberCount(), 1)
  hub.removeSubscriber(again)
  t.equal(hub.accountCount, 0)
  t.equal(hub.subscriberCount(), 0)
  submit(engine, 'dave', { side: 'sell', quantity: 1, price: 10 })
  hub.flush()
  t.same(again.texts, [])
})

t.test('an account\'s last subscriber leaving mid-window: its window is not published; a new one starts clean', async (t) => {
  const engine = unitEngine()
  const hub = new MarketDataHub(engine, { batchMs: 1000 })
  hub.start()
  t.teardown(() => hub.stop())
  const first = new Recorder()
  hub.subscribePrivate(first, 'gus', 'orders', null)
  submit(engine, 'gus', { side: 'buy', quantity: 1, price: 10 })
  hub.removeSubscriber(first)
  const second = new Recorder()
  hub.subscribePrivate(second, 'gus', 'orders', null)
  submit(engine, 'gus', { side: 'buy', quantity: 1, price: 11 })
  submit(engine, 'zed', { side: 'sell', quantity: 1, price: 11 })
  hub.flush()
  t.same(first.texts, [])
  t.same(second.messages.map((m) => m.data.map((e: any) => [e.event_type, e.price])), [[['resting', '11'], ['filled', '11']]],
    'only what happened after it subscribed, and no fill message on the orders channel')
})

t.test('private data waits for durability and is dropped when the journal fails; a broken subscriber fails only its account\'s window', async (t) => {
  const engine = unitEngine()
  const failing = new MarketDataHub(engine, { batchMs: 0, durable: () => Promise.reject(new Error('disk gone')) })
  failing.start()
  t.teardown(() => failing.stop())
  const s = new Recorder()
  failing.subscribePrivate(s, 'hana', 'orders', null)
  submit(engine, 'hana', { side: 'buy', quantity: 1, price: 10 })
  await new Promise((resolve) => setTimeout(resolve, 20))
  t.equal(failing.failed, true)
  t.same(s.texts, [])

  const errors: unknown[] = []
  const hub = new MarketDataHub(engine, { batchMs: 0, onPublishError: (error) => errors.push(error) })
  hub.start()
  t.teardown(() => hub.stop())
  const broken: Subscriber = { send () { throw new Error('a transport bug') } }
  const fine = new Recorder()
  hub.subscribePrivate(broken, 'ivan', 'orders', null)
  hub.subscribePrivate(fine, 'jo', 'orders', null)
  submit(engine, 'ivan', { side: 'buy', quantity: 1, price: 10 })
  submit(engine, 'jo', { side: 'buy', quantity: 1, price: 9 })
  await new Promise((resolve) => setTimeout(resolve, 20))
  t.match(errors, [{ message: 'a transport bug' }])
  t.equal(fine.messages.length, 1, 'jo\'s window went out despite ivan\'s failing')
})
