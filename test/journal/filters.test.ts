/**
 * Symbol filters against the data on disk (real files): a journal or
 * snapshot counted in other tick or lot sizes refuses the start, an added
 * symbol is fine, a removed one is refused only when the data holds orders of it.
 */
import t from 'tap'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { MatchingEngine, DEFAULT_SYMBOLS, type SymbolConfig } from '../../src/engine/index.js'
import { FilterMismatchError, StartupRefusedError } from '../../src/journal/errors.js'
import { Persistence } from '../../src/journal/persistence.js'
import { steppingClock } from '../helpers/clock.js'

const BTC = DEFAULT_SYMBOLS[0]
const ETH = DEFAULT_SYMBOLS[1]

function openWith (dir: string, symbols: readonly SymbolConfig[]) {
  const clock = steppingClock()
  const persistence = new Persistence({ dataDir: dir, fsync: 'none', fsyncIntervalMs: 5, snapshotEvery: 0 },
    (onCommand) => new MatchingEngine({ symbols, clock, onCommand }))
  return { engine: persistence.engine, persistence }
}

/** A bid of 1.5 @ 30000 on BTC-USDT, journaled only (no snapshot: the process "dies" without close). */
async function journalOnlyBid (symbols: readonly SymbolConfig[] = [BTC, ETH]) {
  const dir = mkdtempSync(join(tmpdir(), 'filters-'))
  const { engine, persistence } = openWith(dir, symbols)
  const placed = engine.submit({ symbol: 'BTC-USDT', side: 'buy', orderType: 'limit', quantity: '1.5', price: '30000' })
  if (!placed.ok) throw new Error(placed.message)
  await persistence.durable()
  return dir
}

t.test('journal-only restart under another tick size is refused, naming symbol, old and new tick', async (t) => {
  const dir = await journalOnlyBid()
  const error = t.throws(() => openWith(dir, [{ ...BTC, tickSize: '0.1' }, ETH])) as Error
  t.ok(error instanceof FilterMismatchError && error instanceof StartupRefusedError)
  t.match(error.message, /journal segment .*journal-0+1\.log counts BTC-USDT in tick 0\.01 \/ lot 0\.00000001, but it is now configured with tick 0\.1 \/ lot 0\.00000001/)
  // The refusal released the lock and changed nothing: the old configuration still recovers the bid.
  const again = openWith(dir, [BTC, ETH])
  const level = [...again.engine.book('BTC-USDT')!.bids.bestFirst()][0]
  t.equal(again.engine.book('BTC-USDT')!.spec.tick.format(level.priceTicks), '30000')
  t.equal(again.engine.book('BTC-USDT')!.spec.lot.format(level.totalLots), '1.5')
  await again.persistence.close()
})

t.test('journal-only restart under another lot size is refused', async (t) => {
  const dir = await journalOnlyBid()
  t.throws(() => openWith(dir, [{ ...BTC, lotSize: '0.000001' }, ETH]), /counts BTC-USDT in tick 0\.01 \/ lot 0\.00000001, but it is now configured with tick 0\.01 \/ lot 0\.000001/)
})

t.test('a symbol added to the configuration starts empty', async (t) => {
  const dir = await journalOnlyBid()
  const { engine, persistence } = openWith(dir, [BTC, ETH, DEFAULT_SYMBOLS[3]])
  t.equal(engine.sequence, 1)
  t.equal(engine.book('SOL-USDT')!.openCount, 0)
  await persistence.close()
})

t.test('a removed symbol that the journal names is refused', async (t) => {
  const dir = await journalOnlyBid()
  t.throws(() => openWith(dir, [ETH]), /holds record seq 1 for symbol BTC-USDT, which is no longer configured/)
})

t.test('a removed symbol without orders is fine, from the journal and from a snapshot', async (t) => {
  const dir = await journalOnlyBid([BTC, ETH, DEFAULT_SYMBOLS[2]])
  const first = openWith(dir, [BTC, ETH])
  t.equal(first.engine.sequence, 1, 'BNB-USDT was in the header, with no record')
  await first.persistence.close() // snapshot holds BTC and ETH
  const second = openWith(dir, [BTC])
  t.match(second.persistence.recovery.warnings.join('\n'), /symbol ETH-USDT is no longer configured and holds no orders/)
  t.equal(second.engine.book('BTC-USDT')!.openCount, 1)
  await second.persistence.close()
})

t.test('a snapshot refuses a removed symbol that has open orders or orders in the history', async (t) => {
  const dir = await journalOnlyBid()
  const first = openWith(dir, [BTC, ETH])
  await first.persistence.close()
  t.throws(() => openWith(dir, [ETH]), /holds 1 open orders for symbol BTC-USDT, which is no longer configured/)

  const second = openWith(dir, [BTC, ETH])
  const cancelled = second.engine.cancel({ symbol: 'BTC-USDT', orderId: '1' })
  t.ok(cancelled.ok)
  await second.persistence.close()
  t.throws(() => openWith(dir, [ETH]), /holds orders in the history for symbol BTC-USDT/)
})

t.test('a snapshot refuses other filters too', async (t) => {
  const dir = await journalOnlyBid()
  const first = openWith(dir, [BTC, ETH])
  await first.persistence.close()
  t.throws(() => openWith(dir, [{ ...BTC, tickSize: '0.1' }, ETH]), FilterMismatchError)
})
