/**
 * stateDigest is cached per engine revision: computed at most once per state
 * change however often it is read, still a function of the state alone.
 */
import t from 'tap'
import { MatchingEngine, exportState, importState, stateDigest, type Command, type EngineState } from '../../src/engine/index.js'
import { UNIT, place, unitEngine } from '../helpers/engine.js'

t.test('reads between two commands reuse one computation', async (t) => {
  const e = unitEngine()
  place(e, { side: 'sell', qty: 5, price: 100 })
  const digest = stateDigest(e)
  // Changed behind the engine's back (no command): a recomputation would see it, the cache does not.
  e.book(UNIT.symbol)!.nextTradeSeq += 1000
  t.equal(stateDigest(e), digest, 'served from the cache')
  place(e, { side: 'buy', qty: 1, price: 90 })
  t.not(stateDigest(e), digest, 'the next command invalidates it')
})

t.test('every kind of state change changes the digest', async (t) => {
  const e = unitEngine()
  const seen = new Set([stateDigest(e)])
  const step = (what: string, run: () => unknown) => {
    run()
    const digest = stateDigest(e)
    t.notOk(seen.has(digest), what)
    seen.add(digest)
  }
  step('a resting order', () => place(e, { side: 'sell', qty: 5, price: 100 }))
  step('a second order in the same level (queue)', () => place(e, { side: 'sell', qty: 5, price: 100 }))
  step('a partial fill', () => place(e, { side: 'buy', qty: 2, price: 100 }))
  step('a cancel', () => e.cancel({ symbol: UNIT.symbol, orderId: '2' }))
  step('a rejected FOK (sequence and ids move on)', () => place(e, { side: 'buy', type: 'fok', qty: 50, price: 100 }))
  const unchanged = stateDigest(e)
  t.notOk(e.submit({ symbol: UNIT.symbol, side: 'buy', orderType: 'limit', quantity: 0, price: 1 }).ok)
  t.equal(stateDigest(e), unchanged, 'a refused order changes nothing')
})

t.test('equal states give equal digests: replayed commands and an imported snapshot', async (t) => {
  const commands: Command[] = []
  const live = unitEngine({ onCommand: (c) => commands.push(c) })
  for (let i = 0; i < 30; i++) place(live, { side: i % 3 === 0 ? 'buy' : 'sell', qty: 1 + (i % 4), price: 98 + (i % 5) })
  live.cancel({ symbol: UNIT.symbol, orderId: '2' })
  const digest = stateDigest(live)

  const replayed = unitEngine()
  stateDigest(replayed)
  for (const command of commands) replayed.replay(command)
  t.equal(stateDigest(replayed), digest)

  const restored = new MatchingEngine({ symbols: [UNIT] })
  const before = stateDigest(restored)
  importState(restored, JSON.parse(JSON.stringify(exportState(live))))
  t.not(before, digest)
  t.equal(stateDigest(restored), digest, 'an import invalidates the cache of the empty engine')
})

t.test('importState refuses a snapshot that does not fit the engine', async (t) => {
  const live = unitEngine()
  place(live, { side: 'sell', qty: 5, price: 100 })
  const state = exportState(live)
  t.throws(() => importState(unitEngine(), { ...state, version: 4 as 1 }), /unsupported snapshot version 4/)
  const used = unitEngine()
  place(used, { side: 'buy', qty: 1, price: 90 })
  t.throws(() => importState(used, state), /only be loaded into a fresh engine/)
  t.throws(() => importState(new MatchingEngine({ symbols: [{ ...UNIT, symbol: 'OTHER-USD' }] }), state), /holds symbol UNIT-USD, which is not configured/)
  t.throws(() => importState(new MatchingEngine({ symbols: [{ ...UNIT, tickSize: '0.5' }] }), state), /counts UNIT-USD in tick 1 \/ lot 1, but it is now configured with tick 0.5 \/ lot 1/)
  t.throws(() => importState(new MatchingEngine({ symbols: [{ ...UNIT, lotSize: '0.5' }] }), state), /now configured with tick 1 \/ lot 0.5/)
  const fits = unitEngine()
  importState(fits, state)
  t.equal(stateDigest(fits), stateDigest(live))
})

t.test('importState refuses order and trade ids the engine could not have given', async (t) => {
  const live = unitEngine()
  place(live, { side: 'sell', qty: 5, price: 100 })
  place(live, { side: 'buy', qty: 2, price: 100 })
  const state = exportState(live)
  const edited = (edit: (copy: EngineState) => void): EngineState => {
    const copy = JSON.parse(JSON.stringify(state)) as EngineState
    edit(copy)
    return copy
  }
  t.throws(() => importState(unitEngine(), edited((s) => { s.books[0].resting[0][0] = '01' })), /order id 01 is not an order number/)
  t.throws(() => importState(unitEngine(), edited((s) => { s.history[0][1] = 'x' })), /order id x is not an order number/)
  t.throws(() => importState(unitEngine(), edited((s) => { s.fills![0][1] = 'OTHER-1' })), /trade id OTHER-1 is not UNIT-USD-<number>/)
  t.throws(() => importState(unitEngine(), edited((s) => { s.fills![0][1] = 'UNIT-USD-0' })), /trade id UNIT-USD-0/)
  t.throws(() => importState(unitEngine(), edited((s) => { s.fills![0][5] = '1.5' })), /order id 1.5 is not an order number/)
})
