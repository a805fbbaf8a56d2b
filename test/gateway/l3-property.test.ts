/**
 * The l3 feed against the real engine, random: limit, market, ioc and fok
 * orders, icebergs, post-only, GTD orders and expiry, both stop types, OCO
 * lists, amends (reductions that keep the place, new prices and larger
 * quantities that move it), cancels and cancel-all, by three accounts with
 * random self-trade prevention, on two symbols. Subscribers join, resync and
 * leave at random moments. After every flush each subscriber's book, rebuilt
 * from its snapshot (or resync) and the deltas after it, equals the engine's
 * book read directly (orders per level in queue order, visible quantities),
 * and every message it received had the prev_seq it held and the checksum of
 * its own book (L3Client). Some seeds wait a turn for the journal at every
 * cut, so that commands, subscribes and resyncs also come while a cut waits.
 */
import t from 'tap'
import { MatchingEngine } from '../../src/engine/index.js'
import { L3Feed } from '../../src/gateway/l3-feed.js'
import { L3Client, engineRows } from '../helpers/l3-client.js'
import { UNIT } from '../helpers/engine.js'
import { steppingClock } from '../helpers/clock.js'
import { intBetween, pick, seededRandom } from '../helpers/random.js'

const DEC = { symbol: 'DEC-USD', tickSize: '0.1', lotSize: '0.25', minQuantity: '0.25', maxQuantity: '250000', minNotional: '0' }
const SYMBOLS = [DEC.symbol, UNIT.symbol]
const ACCOUNTS = ['acct-1', 'acct-2', 'acct-3']
const TYPES = ['limit', 'limit', 'limit', 'limit', 'market', 'ioc', 'fok', 'stop_limit', 'stop_market'] as const
const STPS = ['none', 'none', 'none', 'cancel_maker', 'cancel_taker', 'cancel_both'] as const
const STEPS = 1500
const turn = () => new Promise<void>((resolve) => setImmediate(resolve))

for (const seed of [1, 2, 3, 4]) {
  t.test(`seed ${seed}: every subscriber's rebuilt book equals the engine's after every flush`, async (t) => {
    const random = seededRandom(seed)
    let now = 1_700_000_000_000
    const engine = new MatchingEngine({ symbols: [DEC, UNIT], clock: steppingClock(), maxFillsPerOrder: seed === 2 ? 3 : undefined })
    // Seeds 3 and 4 journal slowly: each cut waits a turn for durable(), while commands and subscribers keep coming.
    const durable = seed >= 3 ? turn : undefined
    const feed = new L3Feed(engine, { commandTime: () => now, durable })
    feed.start()
    t.teardown(() => feed.stop())
    /** The subscribers of each symbol now. */
    const clients: Array<{ client: L3Client, symbol: string }> = []
    const seen = new Map<string, number>()
    const count = (what: string) => seen.set(what, (seen.get(what) ?? 0) + 1)
    const join = (symbol: string) => {
      const client = new L3Client(symbol)
      t.same(feed.subscribe(client, symbol), { ok: true })
      clients.push({ client, symbol })
    }
    join(DEC.symbol)
    join(UNIT.symbol)
    // A scale per symbol: DEC-USD's prices are tenths and its quantities quarters.
    const price = (symbol: string, ticks: number) => symbol === DEC.symbol ? String(ticks / 10) : String(ticks)
    const qty = (symbol: string, lots: number) => symbol === DEC.symbol ? String(lots / 4) : String(lots)
    let failures = 0
    let flushes = 0

    for (let step = 0; step < STEPS && failures === 0; step++) {
      now += intBetween(random, 1, 300)
      const symbol = random() < 0.8 ? DEC.symbol : UNIT.symbol
      const account = pick(random, ACCOUNTS)
      const stp = pick(random, STPS)
      const book = engine.book(symbol)!
      const ticks = () => intBetween(random, 95, 105)
      const near = () => (book.stats.lastTradePriceTicks ?? 100) + intBetween(random, -3, 3)
      const roll = random()
      if (roll < 0.5) {
        const type = pick(random, TYPES)
        const rests = type === 'limit' || type === 'stop_limit'
        const tif = rests ? pick(random, ['gtc', 'gtc', 'gtc', 'gtd', 'ioc', 'fok'] as const) : type === 'stop_market' ? 'gtc' : undefined
        const lots = intBetween(random, 1, 12)
        const iceberg = rests && (tif === 'gtc' || tif === 'gtd') && random() < 0.3
        const result = engine.submit({
          symbol,
          side: random() < 0.5 ? 'buy' : 'sell',
          orderType: type,
          quantity: qty(symbol, lots),
          price: type === 'market' || type === 'stop_market' ? undefined : price(symbol, ticks()),
          timeInForce: tif,
          postOnly: rests && random() < 0.1 ? true : undefined,
          stopPrice: type.startsWith('stop') ? price(symbol, near()) : undefined,
          displayQuantity: iceberg ? qty(symbol, intBetween(random, 1, Math.max(1, lots - 1))) : undefined,
          expireTime: tif === 'gtd' ? now + intBetween(random, 100, 20_000) : undefined,
          clientOrderId: random() < 0.2 ? `cid-${step}` : undefined,
          accountId: account,
          stp
        }, now)
        count(result.ok ? `new ${type}${iceberg ? ' iceberg' : ''}` : result.code)
      } else if (roll < 0.55) {
        const result = engine.submitOco({
          symbol,
          side: random() < 0.5 ? 'buy' : 'sell',
          quantity: qty(symbol, intBetween(random, 1, 8)),
          price: price(symbol, ticks()),
          stopPrice: price(symbol, near()),
          stopLimitPrice: random() < 0.5 ? null : price(symbol, ticks()),
          accountId: account,
          stp
        }, now)
        count(result.ok ? 'oco' : result.code)
      } else if (roll < 0.72) {
        const open = [...book.openOrders()]
        if (open.length === 0) continue
        const target = pick(random, open)
        const result = engine.amend({
          symbol,
          orderId: target.id,
          accountId: target.accountId,
          newQuantity: random() < 0.6 ? qty(symbol, intBetween(random, 1, 12)) : null,
          newPrice: random() < 0.4 ? price(symbol, random() < 0.3 && target.priceTicks !== null ? target.priceTicks : ticks()) : null,
          newStopPrice: target.stopPriceTicks !== null && random() < 0.3 ? price(symbol, near()) : null
        }, now)
        count(result.ok ? 'amend' : result.code)
      } else if (roll < 0.85) {
        const open = [...book.openOrders()]
        if (open.length === 0) continue
        const target = pick(random, open)
        count(engine.cancel({ symbol, orderId: target.id, accountId: target.accountId }, now).ok ? 'cancel' : 'cancel refused')
      } else if (roll < 0.9) {
        const expired = engine.expire(now)
        if (expired.ok && expired.value.length > 0) count('expired')
      } else if (roll < 0.91) {
        const cancelled = engine.cancelAll({ accountId: account, symbol: random() < 0.5 ? null : symbol })
        if (cancelled.ok && cancelled.value.length > 0) count('cancel all')
      }

      // Subscribers come, resync and go at random moments, also between two commands of one turn.
      const who = random()
      if (who < 0.03) {
        join(random() < 0.8 ? DEC.symbol : UNIT.symbol)
      } else if (who < 0.04 && clients.length > 1) {
        const [gone] = clients.splice(intBetween(random, 0, clients.length - 1), 1)
        if (random() < 0.5) t.equal(feed.unsubscribe(gone.client, gone.symbol), true)
        else feed.removeSubscriber(gone.client)
      } else if (who < 0.05) {
        const { client, symbol } = pick(random, clients)
        t.equal(feed.resync(client, symbol), true)
        count('resync')
      }

      const pause = random()
      if (pause < 0.1) await turn()
      if (pause < 0.7) continue
      do await turn(); while (!feed.idle)
      flushes++
      for (const s of SYMBOLS) {
        const want = engineRows(engine, s)
        const seqs = new Set<number | null>()
        for (const { client } of clients.filter((c) => c.symbol === s)) {
          seqs.add(client.seq)
          if (client.problems.length > 0 || JSON.stringify(client.book()) !== JSON.stringify(want)) {
            failures++
            t.same(client.problems, [], `step ${step} ${s}: no problem in what it received`)
            t.same(client.book(), want, `step ${step} ${s}: the rebuilt book equals the engine's`)
            break
          }
        }
        if (seqs.size > 1 || [...seqs].some((seq) => seq === null || seq > engine.sequence)) {
          failures++
          t.fail(`step ${step} ${s}: every subscriber holds one seq, at most the engine's (${[...seqs]} vs ${engine.sequence})`)
        }
      }
    }
    t.equal(failures, 0, 'every flush agreed')
    t.ok(flushes > 300, `it flushed often (${flushes})`)

    // What the flow exercised, read from what the subscribers received.
    const actions = new Map<string, number>()
    let refreshes = 0
    for (const { client } of clients) {
      for (const m of client.messages) {
        if (m.type === 'resync') actions.set('resync', (actions.get('resync') ?? 0) + 1)
        if (m.kind !== 'delta') continue
        const deleted = new Set<string>()
        for (const e of m.events) {
          actions.set(e.action, (actions.get(e.action) ?? 0) + 1)
          if (e.action === 'delete') deleted.add(e.order_id)
          else if (e.action === 'add' && deleted.has(e.order_id)) refreshes++
        }
      }
      for (const text of client.texts) if (/acct-|cid-/.test(text)) t.fail(`no account or client id on the wire: ${text}`)
    }
    for (const action of ['add', 'change', 'delete', 'resync']) t.ok((actions.get(action) ?? 0) > 0, `subscribers received ${action}`)
    t.ok(refreshes > 0, `an order was deleted and added in one delta (iceberg refresh or amend) ${refreshes} times`)
    for (const what of ['new limit iceberg', 'new stop_limit', 'oco', 'amend', 'cancel', 'expired', 'cancel all']) t.ok((seen.get(what) ?? 0) > 0, `the flow exercised ${what}`)
    t.comment([...seen].sort().map(([k, v]) => `${k}: ${v}`).join('; '))
  })
}
