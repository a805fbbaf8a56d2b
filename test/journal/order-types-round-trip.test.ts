/**
 * Issue 12's commands through the journal and snapshots: stops, icebergs,
 * GTD orders, post-only orders, an OCO list, amends, expiries and trading
 * statuses written by a live engine are recovered exactly, from the journal
 * alone (replay, expiries included) and from a snapshot plus the journal tail.
 */
import t from 'tap'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { MatchingEngine, exportState, stateDigest, type NewOrderInput } from '../../src/engine/index.js'
import { decodeCommand } from '../../src/journal/codec.js'
import { Persistence } from '../../src/journal/persistence.js'
import { engineProblems } from '../helpers/invariants.js'
import { UNIT } from '../helpers/engine.js'
import { steppingClock } from '../helpers/clock.js'

const TWO = { ...UNIT, symbol: 'TWO-USD' }
const T0 = 1_700_000_000_000

function openDir (dir: string) {
  return new Persistence({ dataDir: dir, fsync: 'batch', fsyncIntervalMs: 5, snapshotEvery: 0 },
    (onCommand) => new MatchingEngine({ symbols: [UNIT, TWO], clock: steppingClock(T0), onCommand }))
}

function ok<T> (result: { ok: true, value: T } | { ok: false, code: string, message: string }): T {
  if (!result.ok) throw new Error(`unexpected rejection: ${result.code} ${result.message}`)
  return result.value
}

const order = (fields: Partial<NewOrderInput>): NewOrderInput => ({ symbol: UNIT.symbol, side: 'buy', orderType: 'limit', quantity: 1, ...fields })

function partOne (e: MatchingEngine): void {
  ok(e.submit(order({ side: 'sell', quantity: 1, price: 100 })))
  ok(e.submit(order({ quantity: 1, price: 100 })))
  ok(e.submit(order({ orderType: 'stop_limit', stopPrice: 105, price: 106, quantity: 2, clientOrderId: 'up' })))
  ok(e.submit(order({ side: 'sell', orderType: 'stop_market', stopPrice: 95, quantity: 1, timeInForce: 'gtd', expireTime: T0 + 60_000 })))
  ok(e.submit(order({ side: 'sell', quantity: 10, price: 103, displayQuantity: 3 })))
  ok(e.submit(order({ quantity: 1, price: 103 })))
  ok(e.submit(order({ quantity: 3, price: 97, timeInForce: 'gtd', expireTime: T0 + 30_000 })))
  ok(e.submit(order({ quantity: 1, price: 96, postOnly: true })))
  ok(e.submitOco({ symbol: UNIT.symbol, side: 'buy', quantity: 1, price: 98, stopPrice: 107, stopLimitPrice: 108 }))
  ok(e.submit(order({ symbol: TWO.symbol, side: 'sell', quantity: 2, price: 50 })))
  ok(e.setTradingStatus(TWO.symbol, 'halted'))
}

function partTwo (e: MatchingEngine): void {
  ok(e.submit(order({ quantity: 4, price: 103, timeInForce: 'ioc' })))
  ok(e.amend({ symbol: UNIT.symbol, orderId: '8', newPrice: 95 }))
  ok(e.submit(order({ side: 'sell', quantity: 1, price: 98 })))
  ok(e.submit(order({ quantity: 5, price: 103 })))
  ok(e.submit(order({ side: 'sell', quantity: 1, price: 105 })))
  ok(e.submit(order({ quantity: 1, price: 105 })))
  ok(e.submit(order({ side: 'sell', orderType: 'market', quantity: undefined, quoteQuantity: 150 })))
  ok(e.expire(T0 + 30_000))
  ok(e.setTradingStatus(TWO.symbol, 'cancel_only'))
}

function journalKinds (dir: string): Set<string> {
  const kinds = new Set<string>()
  for (const name of readdirSync(dir).filter((f) => f.startsWith('journal-'))) {
    for (const line of readFileSync(join(dir, name), 'utf8').split('\n').slice(1)) {
      if (line === '') continue
      const command = decodeCommand(line)
      if (command !== null) kinds.add(command.kind)
    }
  }
  return kinds
}

t.test('from the journal alone: replay gives the same state, expiries included', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'order-types-journal-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const first = openDir(dir)
  partOne(first.engine)
  partTwo(first.engine)
  await first.durable()
  const state = exportState(first.engine)
  const digest = stateDigest(first.engine)
  t.same([...journalKinds(dir)].sort(), ['amend', 'expire', 'new', 'oco', 'set_trading_status'])
  // No close (no shutdown snapshot): as if the process died here.
  const second = openDir(dir)
  t.teardown(() => second.close())
  t.equal(second.recovery.snapshotSeq, null)
  t.equal(second.recovery.replayed, first.engine.sequence)
  t.equal(stateDigest(second.engine), digest)
  t.same(exportState(second.engine), state)
  t.same(engineProblems(second.engine), [])
  await first.close().catch(() => {})
})

t.test('from a snapshot taken with stops, icebergs and a list open, plus the journal tail', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'order-types-snapshot-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const first = openDir(dir)
  partOne(first.engine)
  await first.snapshot()
  const snapshotSeq = first.engine.sequence
  partTwo(first.engine)
  await first.durable()
  const state = exportState(first.engine)
  const digest = stateDigest(first.engine)
  const second = openDir(dir)
  t.teardown(() => second.close())
  t.equal(second.recovery.snapshotSeq, snapshotSeq)
  t.equal(second.recovery.replayed, first.engine.sequence - snapshotSeq)
  t.equal(stateDigest(second.engine), digest)
  t.same(exportState(second.engine), state)
  t.same(engineProblems(second.engine), [])
  t.equal(second.engine.nextExpiry(), T0 + 60_000, 'the remaining GTD stop is due next')
  await first.close().catch(() => {})
})
