// Findings of the identity review, each pinned by a test that failed before its fix:
// the reserved anonymous account, the counterparty's order id in a taker's answer,
// and the bound on how much of the shared histories one list call may scan.
import t from 'tap'
import type { Test } from 'tap'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { LocalExchange, type ExchangeLog } from '../../src/exchange/local-exchange.js'
import { loadConfig } from '../../src/config.js'
import { MatchingEngine } from '../../src/engine/index.js'
import { steppingClock } from '../helpers/clock.js'
import { ANONYMOUS_ACCOUNT, type NewOrderAnswer } from '../../src/exchange/exchange.js'

const quiet: ExchangeLog = { info () {}, warn () {}, error () {} }

function open (t: Test, env: Record<string, string> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'exchange-privacy-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const config = loadConfig({ DATA_DIR: dir, AUTH: 'required', ...env })
  const exchange = new LocalExchange({ engine: config.engine, journal: config.journal, batchMs: 0, maxTradesInAnswer: 10, log: quiet, clock: steppingClock() })
  t.teardown(() => exchange.close())
  return exchange
}

t.test('no account may be created as "anonymous": it owns every order of AUTH=off and of journals from before accounts', async (t) => {
  const exchange = open(t)
  await exchange.placeOrder({ accountId: ANONYMOUS_ACCOUNT }, { symbol: 'BTC-USDT', side: 'buy', order_type: 'limit', quantity: '0.1', price: '30000', client_order_id: 'desk-7' })
  t.match(await exchange.createAccount(ANONYMOUS_ACCOUNT), { ok: false, code: 'ACCOUNT_EXISTS' })
  t.match(await exchange.account(ANONYMOUS_ACCOUNT), { ok: false, code: 'ACCOUNT_NOT_FOUND' }, 'so no key can ever be made for it')
  t.ok((await exchange.createAccount('anonymous2')).ok, 'other names are fine')
})

t.test('a taker\'s answer names the maker\'s order only when it is the taker\'s own', async (t) => {
  const exchange = open(t, { DEFAULT_STP: 'none' })
  const alice = { accountId: 'alice' }
  const bob = { accountId: 'bob' }
  const ask = await exchange.placeOrder(alice, { symbol: 'BTC-USDT', side: 'sell', order_type: 'limit', quantity: '0.1', price: '30000' })
  const own = await exchange.placeOrder(bob, { symbol: 'BTC-USDT', side: 'sell', order_type: 'limit', quantity: '0.1', price: '30001' })
  const take = await exchange.placeOrder(bob, { symbol: 'BTC-USDT', side: 'buy', order_type: 'market', quantity: '0.2' })
  t.ok(ask.ok && own.ok && take.ok)
  if (!take.ok || !own.ok) return
  const taken = take.value as NewOrderAnswer
  t.same(taken.trades.map((trade) => trade.maker_order_id), [null, own.value.order_id], 'alice\'s order id is not shown to bob; bob\'s own is')
  t.same(taken.trades.map((trade) => trade.taker_order_id), [take.value.order_id, take.value.order_id])
})

t.test('closed orders and fills: one call scans at most maxListScan entries of the shared histories, and the cursor goes on from there', async (t) => {
  const engine = new MatchingEngine({ symbols: [{ symbol: 'U-V', tickSize: '1', lotSize: '1', minQuantity: '1', minNotional: '0' }], clock: steppingClock(), maxListScan: 10 })
  const order = (accountId: string, side: 'buy' | 'sell', orderType: 'limit' | 'market') =>
    engine.place({ symbol: 'U-V', side, orderType, priceTicks: orderType === 'market' ? null : 5, quantityLots: 1, clientOrderId: null, accountId, stp: 'none' })
  // Alice's trade first, then 20 trades between others: her entries sit deep in both histories.
  order('alice', 'sell', 'limit')
  order('bob', 'buy', 'market')
  for (let i = 0; i < 20; i++) {
    order('carol', 'sell', 'limit')
    order('bob', 'buy', 'market')
  }
  let page = engine.fillsOf('alice', null, 5, null)
  t.same([page.items.length, page.next], [0, 2 * 21 - 10], 'a page of nothing, with a cursor to the slot after the last one it looked at')
  let scans = 1
  const fills = []
  while (page.next !== null) {
    page = engine.fillsOf('alice', null, 5, page.next)
    fills.push(...page.items)
    scans++
  }
  t.same(fills.map((fill) => [fill.role, fill.trade.makerAccountId]), [['maker', 'alice']], 'her one fill is found by following the cursors')
  t.equal(scans, Math.ceil((2 * 21) / 10), 'each call looked at 10 slots at most')
  let closed = engine.closedOrders('alice', null, 5, null)
  t.same(closed.items, [])
  t.not(closed.next, null)
  const found = []
  while (closed.next !== null) {
    closed = engine.closedOrders('alice', null, 5, closed.next)
    found.push(...closed.items)
  }
  t.same(found.map((o) => [o.accountId, o.status]), [['alice', 'filled']])
})
