// A price band is state: the configured one takes effect by a journaled
// command, so a restart under another band replays every market order under
// the band it ran under, and only then applies the new one.
import t from 'tap'
import type { Test } from 'tap'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { LocalExchange, type ExchangeLog } from '../../src/exchange/local-exchange.js'
import { loadConfig } from '../../src/config.js'
import { steppingClock } from '../helpers/clock.js'
import { ANONYMOUS_ACCOUNT } from '../../src/exchange/exchange.js'
import { stateDigest } from '../../src/engine/index.js'
import { checksum, decodeCommand, encodeCommand } from '../../src/journal/codec.js'

const ANON = { accountId: ANONYMOUS_ACCOUNT }
const quiet: ExchangeLog = { info () {}, warn () {}, error () {} }
const symbols = (band?: string) => JSON.stringify([{ symbol: 'U-USD', tickSize: '1', lotSize: '1', minQuantity: '1', maxQuantity: '1000', minNotional: '0', ...(band === undefined ? {} : { priceBand: band }) }])

function open (dir: string, band?: string) {
  const config = loadConfig({ DATA_DIR: dir, SYMBOLS: symbols(band), JOURNAL_FSYNC: 'always' })
  return new LocalExchange({ engine: config.engine, journal: config.journal, batchMs: 0, maxTradesInAnswer: config.maxTradesInAnswer, log: quiet, clock: steppingClock() })
}

function dataDir (t: Test): string {
  const dir = mkdtempSync(join(tmpdir(), 'band-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

t.test('a market order stopped by the band replays the same after a restart without the band; the new band is journaled', async (t) => {
  const dir = dataDir(t)
  const first = open(dir, '0.1')
  const order = (body: Record<string, unknown>) => first.placeOrder(ANON, { symbol: 'U-USD', ...body } as never)
  t.match(await order({ side: 'sell', order_type: 'limit', quantity: '1', price: '100' }), { ok: true })
  t.match(await order({ side: 'buy', order_type: 'limit', quantity: '1', price: '100' }), { ok: true, value: { status: 'filled' } })
  t.match(await order({ side: 'sell', order_type: 'limit', quantity: '5', price: '120' }), { ok: true })
  t.match(await order({ side: 'buy', order_type: 'market', quantity: '5' }), { ok: true, value: { status: 'cancelled', cancel_reason: 'PRICE_BAND', filled_quantity: '0' } })
  t.match(await first.symbolsInfo(), { ok: true, value: { symbol_info: { 'U-USD': { price_band: '0.1' } } } })
  const before = stateDigest(first.engineForTests)
  await first.close()

  const second = open(dir)
  t.teardown(() => second.close())
  const engine = second.engineForTests
  t.equal(engine.book('U-USD')?.asks.best()?.totalLots, 5, 'the ask the band protected is still there')
  t.match(await second.symbolsInfo(), { ok: true, value: { symbol_info: { 'U-USD': { price_band: null } } } }, 'the band is off now')
  t.equal(engine.sequence, 6, 'recovery replayed the first band and four orders; the start journaled one more command (the band off)')
  t.not(stateDigest(engine), before, 'the state differs by the band alone')
  t.match(await second.placeOrder(ANON, { symbol: 'U-USD', side: 'buy', order_type: 'market', quantity: '5' } as never), { ok: true, value: { status: 'filled' } })
})

t.test('the same band again writes nothing; set_price_band records round-trip', async (t) => {
  const dir = dataDir(t)
  const first = open(dir, '0.05')
  const seq = first.engineForTests.sequence
  await first.close()
  const second = open(dir, '0.050')
  t.teardown(() => second.close())
  t.equal(second.engineForTests.sequence, seq, '0.050 is the band already in force: no command')
  t.equal(seq, 1, 'one command set it at the first start')
  for (const band of ['0.05', null]) {
    const command = { kind: 'set_price_band', seq: 9, timestamp: 5, symbol: 'U-USD', band } as const
    t.same(decodeCommand(encodeCommand(command).slice(0, -1)), command)
  }
  const tooLong = JSON.stringify(['b', 9, 5, 'U-USD', null, 1])
  t.equal(decodeCommand(checksum(tooLong) + ' ' + tooLong), null, 'a record of the wrong length is refused (its checksum holds)')
  t.match(second.engineForTests.setPriceBand('U-USD', '1'), { ok: false, code: 'VALIDATION_ERROR' })
  t.match(second.engineForTests.setPriceBand('X-USD', '0.1'), { ok: false, code: 'SYMBOL_NOT_FOUND' })
})
