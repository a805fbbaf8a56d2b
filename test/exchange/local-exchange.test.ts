// The application service on its own: no Fastify, no HTTP. Every answer is an
// Outcome typed from schemas/, refusals carry the stable error codes.
import t from 'tap'
import type { Test } from 'tap'
import { fdatasync, mkdtempSync, rmSync, write, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { LocalExchange, type ExchangeLog, type LocalExchangeOptions } from '../../src/exchange/local-exchange.js'
import type { WriterIo } from '../../src/journal/journal-writer.js'
import { loadConfig } from '../../src/config.js'
import { steppingClock } from '../helpers/clock.js'
import { ANONYMOUS_ACCOUNT } from '../../src/exchange/exchange.js'

const ANON = { accountId: ANONYMOUS_ACCOUNT }

const quiet: ExchangeLog = { info () {}, warn () {}, error () {} }

function open (t: Test, env: Record<string, string> = {}, dataDir?: string, extra: Partial<LocalExchangeOptions> = {}) {
  const dir = dataDir ?? mkdtempSync(join(tmpdir(), 'exchange-'))
  if (dataDir === undefined) t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const config = loadConfig({ DATA_DIR: dir, ...env })
  return new LocalExchange({ engine: config.engine, journal: config.journal, batchMs: 0, maxTradesInAnswer: config.maxTradesInAnswer, log: quiet, clock: steppingClock(), ...extra })
}

/** Records what the exchange logs at error level. */
function errorLog () {
  const errors: Array<{ fields: object, message: string }> = []
  const log: ExchangeLog = { info () {}, warn () {}, error (fields, message) { errors.push({ fields, message }) } }
  return { errors, log }
}

/** Real journal files; from `failing` on, every write fails like a full disk, and from `syncFails` on every fdatasync fails. */
function failingDisk () {
  const disk = { failing: false, syncFails: false }
  const io: Partial<WriterIo> = {
    write: ((fd: number, buffer: Buffer, offset: number, length: number, position: null, callback: (error: Error | null, written: number) => void) => {
      if (!disk.failing) return write(fd, buffer, offset, length, position, callback)
      callback(Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' }), 0)
    }) as unknown as WriterIo['write'],
    fdatasync: ((fd: number, callback: (error: Error | null) => void) => {
      if (disk.syncFails) return callback(Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' }))
      fdatasync(fd, callback)
    }) as unknown as WriterIo['fdatasync']
  }
  return { disk, io }
}

const ethBid = { symbol: 'ETH-USDT', side: 'buy', order_type: 'limit', quantity: '1', price: '2000' } as const

t.test('orders, cancels and reads answer typed values; refusals carry codes', async (t) => {
  const exchange = open(t)
  t.teardown(() => exchange.close())
  const seen: string[] = []
  exchange.observe({ orderAccepted: (symbol, type, status, trades) => seen.push(`${symbol} ${type} ${status} ${trades}`) })

  const rest = await exchange.placeOrder(ANON, { symbol: 'btc-usdt', side: 'sell', order_type: 'limit', quantity: '0.5', price: '30000' })
  t.ok(rest.ok)
  if (!rest.ok) return
  t.match(rest.value, { order_id: '1', symbol: 'BTC-USDT', status: 'pending', trade_count: 0, trades: [] })
  const take = await exchange.placeOrder(ANON, { symbol: 'BTC-USDT', side: 'buy', order_type: 'market', quantity: '0.2' })
  t.match(take, { ok: true, value: { status: 'filled', trade_count: 1, total_taker_fees: '6' } })
  t.same(seen, ['BTC-USDT limit pending 0', 'BTC-USDT market filled 1'])

  t.match(await exchange.findOrder(ANON, { symbol: 'BTC-USDT', orderId: '1' }), { ok: true, value: { filled_quantity: '0.2', status: 'partially_filled' } })
  t.match(await exchange.findOrder(ANON, { orderId: '1' }), { ok: false, code: 'MISSING_SYMBOL' })
  t.match(await exchange.findOrder(ANON, { symbol: 'BTC-USDT', orderId: '99' }), { ok: false, code: 'ORDER_NOT_FOUND' })
  t.match(await exchange.book('BTC-USDT', 5), { ok: true, value: { symbol: 'BTC-USDT', bids: [], asks: [['30000', '0.3']] } })
  t.match(await exchange.bbo('BTC-USDT'), { ok: true, value: { best_ask: '30000', best_bid: null } })
  const unknown = await exchange.book('DOGE-USDT', 5)
  t.match(unknown, { ok: false, code: 'SYMBOL_NOT_FOUND' })
  if (!unknown.ok) t.match(unknown.message, /BTC-USDT, ETH-USDT/, 'names the traded symbols')
  t.match(await exchange.symbolStatistics('BTC-USDT'), { ok: true, value: { total_trades: 1, active_orders: 1 } })
  t.match(await exchange.symbolsInfo(), { ok: true, value: { count: 4, symbol_info: { 'BTC-USDT': { tick_size: '0.01', active_orders: 1 } } } })
  const stats = await exchange.statistics()
  t.match(stats, { ok: true, value: { orders_processed: 2, trades_executed: 1, total_volume: { 'BTC-USDT': '0.2' } } })
  if (stats.ok) t.match(stats.value.state_digest, /^[0-9a-f]{64}$/)

  t.match(await exchange.cancelOrder(ANON, { symbol: 'BTC-USDT', order_id: '1' }), { ok: true, value: { success: true, status: 'cancelled', remaining_quantity: '0.3' } })
  t.match(await exchange.cancelOrder(ANON, { symbol: 'BTC-USDT', order_id: '1' }), { ok: false, code: 'ORDER_NOT_FOUND' })
  t.match(await exchange.placeOrder(ANON, { symbol: 'BTC-USDT', side: 'buy', order_type: 'limit', quantity: '0.1', price: '1.001' }), { ok: false, code: 'VALIDATION_ERROR' })
  t.same(exchange.health().healthy, true)
})

t.test('a snapshot on demand covers what was accepted; without a journal there is none', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'exchange-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const first = open(t, {}, dir)
  await first.placeOrder(ANON, { symbol: 'ETH-USDT', side: 'buy', order_type: 'limit', quantity: '1', price: '2000' })
  t.same(await first.snapshot(), { seq: 1 })
  await first.close()
  const again = open(t, {}, dir)
  t.teardown(() => again.close())
  t.match(await again.book('ETH-USDT', 1), { ok: true, value: { bids: [['2000', '1']] } }, 'recovered from the files')

  const volatile = open(t, { JOURNAL_ENABLED: 'false' })
  t.teardown(() => volatile.close())
  t.equal(await volatile.snapshot(), null)
  t.match(await volatile.statistics(), { ok: true, value: { orders_processed: 0 } })
})

t.test('the journal fails while an order waits for durability: the order is refused, then reads, health and market data too', async (t) => {
  const { disk, io } = failingDisk()
  const exchange = open(t, { JOURNAL_FSYNC: 'always' }, undefined, { journalIo: io })
  t.teardown(() => exchange.close())
  t.same(exchange.symbols, ['BTC-USDT', 'ETH-USDT', 'BNB-USDT', 'SOL-USDT'])
  const sent: string[] = []
  let stopped = 0
  exchange.marketData.subscribePrivate({ send: (text) => sent.push(text) }, ANON.accountId, 'orders', 'ETH-USDT')
  exchange.marketData.onFailure(() => stopped++)
  t.match(await exchange.placeOrder(ANON, ethBid), { ok: true, value: { status: 'pending' } }, 'acknowledged while the disk works')
  t.equal(exchange.health().healthy, true)
  await new Promise((resolve) => setImmediate(resolve))
  t.equal(sent.length, 1, 'its order event is published once durable')

  disk.failing = true
  // The engine takes the order at once; the answer waits for the journal write, which fails.
  t.match(await exchange.placeOrder(ANON, { ...ethBid, price: '2001' }), { ok: false, code: 'JOURNAL_UNAVAILABLE' })
  const health = exchange.health()
  t.equal(health.healthy, false)
  t.match(health.reason, /journal failed .*ENOSPC.*restart/)
  t.match(await exchange.book('ETH-USDT', 5), { ok: false, code: 'JOURNAL_UNAVAILABLE' }, 'reads refuse: memory holds an unacknowledged order')
  t.match(await exchange.findOrder(ANON, { symbol: 'ETH-USDT', orderId: '1' }), { ok: false, code: 'JOURNAL_UNAVAILABLE' })
  t.match(await exchange.statistics(), { ok: false, code: 'JOURNAL_UNAVAILABLE' })
  t.match(await exchange.placeOrder(ANON, { ...ethBid, price: '1999' }), { ok: false, code: 'JOURNAL_UNAVAILABLE' }, 'later orders are refused before they run')
  t.match(await exchange.amendOrder(ANON, { symbol: 'ETH-USDT', order_id: '1', new_quantity: '0.5' }), { ok: false, code: 'JOURNAL_UNAVAILABLE' }, 'so are amends')
  t.match(await exchange.placeOco(ANON, { symbol: 'ETH-USDT', side: 'sell', quantity: '1', price: '2100', stop_price: '1900' }), { ok: false, code: 'JOURNAL_UNAVAILABLE' }, 'and OCO lists')
  // The hub learns of the failure from the same durable() promise, a turn later.
  await new Promise((resolve) => setImmediate(resolve))
  t.equal(exchange.marketData.failed, true, 'market data stops for good')
  t.equal(stopped, 1, 'the gateway is told once')
  t.equal(sent.length, 1, 'the refused order was never published')
})

t.test('a background fsync failure (batch policy) is logged and makes the exchange unhealthy', async (t) => {
  const { disk, io } = failingDisk()
  const { errors, log } = errorLog()
  const exchange = open(t, { JOURNAL_FSYNC: 'batch', JOURNAL_FSYNC_INTERVAL_MS: '1' }, undefined, { journalIo: io, log })
  t.teardown(() => exchange.close())
  disk.syncFails = true
  t.match(await exchange.placeOrder(ANON, ethBid), { ok: true }, 'batch acknowledges on write, before the sync')
  const deadline = Date.now() + 10_000
  while (errors.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5))
  t.match(errors, [{ fields: { err: { message: /fdatasync/ } }, message: /journal fsync failed/ }])
  t.equal(exchange.health().healthy, false)
  t.equal(exchange.marketData.failed, true, 'market data stops at once, without waiting for a request or a flush')
  t.match(await exchange.placeOrder(ANON, { ...ethBid, price: '2001' }), { ok: false, code: 'JOURNAL_UNAVAILABLE' })
})

t.test('a throwing engine listener is reported through the log, not thrown at the caller', async (t) => {
  const { errors, log } = errorLog()
  const exchange = open(t, { JOURNAL_ENABLED: 'false' }, undefined, { log })
  t.teardown(() => exchange.close())
  exchange.engineForTests.addListener(() => { throw new Error('listener broke') })
  t.match(await exchange.placeOrder(ANON, ethBid), { ok: true, value: { status: 'pending' } })
  t.match(errors, [{ fields: { err: { message: 'listener broke' } }, message: 'engine listener failed' }])
})

t.test('an OCO list that runs while its journal write fails is answered JOURNAL_UNAVAILABLE, not with its legs', async (t) => {
  const { disk, io } = failingDisk()
  const exchange = open(t, { JOURNAL_FSYNC: 'always' }, undefined, { journalIo: io })
  t.teardown(() => exchange.close())
  disk.failing = true
  t.match(await exchange.placeOco(ANON, { symbol: 'ETH-USDT', side: 'sell', quantity: '1', price: '2100', stop_price: '1900' }), { ok: false, code: 'JOURNAL_UNAVAILABLE' })
  t.equal(exchange.health().healthy, false)
})

t.test('a rejection that waited on a failing journal is answered JOURNAL_UNAVAILABLE, not with its own code', async (t) => {
  const { disk, io } = failingDisk()
  const exchange = open(t, { JOURNAL_FSYNC: 'always' }, undefined, { journalIo: io })
  t.teardown(() => exchange.close())
  t.match(await exchange.placeOrder(ANON, { ...ethBid, client_order_id: 'a' }), { ok: true })
  disk.failing = true
  // Both run before the failing write returns: the duplicate is judged against a command that never becomes durable.
  const accepted = exchange.placeOrder(ANON, { ...ethBid, price: '2001', client_order_id: 'b' })
  const duplicate = exchange.placeOrder(ANON, { ...ethBid, price: '2002', client_order_id: 'b' })
  t.match(await accepted, { ok: false, code: 'JOURNAL_UNAVAILABLE' })
  t.match(await duplicate, { ok: false, code: 'JOURNAL_UNAVAILABLE' }, 'not DUPLICATE_CLIENT_ORDER_ID: its reason was never acknowledged')
})

t.test('recovery warnings are logged when the exchange opens its data directory', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'exchange-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  writeFileSync(join(dir, `snapshot-${'7'.padStart(20, '0')}.json.tmp`), '{"half a snap')
  const warnings: unknown[] = []
  const log: ExchangeLog = { info () {}, warn (fields) { warnings.push(fields) }, error () {} }
  const exchange = open(t, {}, dir, { log })
  t.teardown(() => exchange.close())
  t.match(warnings, [/removed snapshot-0+7\.json\.tmp, left by a write that was interrupted/])
})

t.test('orders_per_second is orders over uptime, and 0 before any time has passed', async (t) => {
  const realNow = Date.now
  let now = 1_800_000_000_000
  Date.now = () => now
  t.teardown(() => { Date.now = realNow })
  const exchange = open(t, { JOURNAL_ENABLED: 'false' })
  t.teardown(() => exchange.close())
  await exchange.placeOrder(ANON, ethBid)
  await exchange.placeOrder(ANON, { ...ethBid, price: '2001' })
  t.match(await exchange.statistics(), { ok: true, value: { orders_processed: 2, uptime_seconds: 0, orders_per_second: 0 } })
  now += 4000
  t.match(await exchange.statistics(), { ok: true, value: { orders_processed: 2, uptime_seconds: 4, orders_per_second: 0.5 } })
})

t.test('a read waits for the journal: it never shows an order whose write is still in flight, and refuses if that write fails', async (t) => {
  const held: Array<(error: Error | null) => void> = []
  const io: Partial<WriterIo> = {
    write: ((_fd: number, _buffer: Buffer, _offset: number, _length: number, _position: null, callback: (error: Error | null, written: number) => void) => {
      held.push((error) => callback(error, 0))
    }) as unknown as WriterIo['write']
  }
  const exchange = open(t, { JOURNAL_FSYNC: 'always' }, undefined, { journalIo: io })
  t.teardown(() => exchange.close())
  const order = exchange.placeOrder(ANON, ethBid)
  const read = exchange.book('ETH-USDT', 5)
  let readDone = false
  read.then(() => { readDone = true }, () => { readDone = true })
  while (held.length === 0) await new Promise((resolve) => setImmediate(resolve))
  await new Promise((resolve) => setTimeout(resolve, 20))
  t.equal(readDone, false, 'the book is not answered while the order it shows is not on disk')
  held[0](Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' }))
  t.match(await order, { ok: false, code: 'JOURNAL_UNAVAILABLE' })
  t.match(await read, { ok: false, code: 'JOURNAL_UNAVAILABLE' }, 'and it is refused, since that order never will be')
})

t.test('market data that cannot be published is logged as an error; orders go on', async (t) => {
  const { errors, log } = errorLog()
  const exchange = open(t, {}, undefined, { log })
  t.teardown(() => exchange.close())
  exchange.marketData.subscribePrivate({ send () { throw new Error('a transport bug') } }, ANON.accountId, 'orders', 'ETH-USDT')
  t.match(await exchange.placeOrder(ANON, ethBid), { ok: true })
  const deadline = Date.now() + 5000
  while (errors.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5))
  t.match(errors, [{ fields: { err: { message: 'a transport bug' } }, message: 'market data could not be published' }])
  t.match(await exchange.placeOrder(ANON, { ...ethBid, price: '2001' }), { ok: true }, 'the next order is served as usual')
})
