// Old vs new engine on wide books (review of issue 11): hundreds of price levels and sweeps through them
// (levels placed through the tree, parked, reused and dropped past the bound), orders resting across many
// pages of the open-order index and cancelled long after (pages given up to the Map), and the current
// engine restored from its own snapshot every 15,000 commands while the previous one runs on. Compared:
// every result, trade and listener batch, the books every 5,000 commands and at the end, the digest and
// findOrder of every order that rested. test/engine/previous-engine.test.ts covers the narrow flows.
import t from 'tap'
import { isDeepStrictEqual } from 'node:util'
import { ANONYMOUS, MatchingEngine, STP_MODES, exportState, importState, stateDigest, type Order, type Result, type Trade, type EngineEvent } from '../../src/engine/index.js'
import { MatchingEngine as PreviousEngine, stateDigest as previousStateDigest } from '../../load/bench/previous-engine/index.js'
import { intBetween, pick, seededRandom } from '../helpers/random.js'

const tv = (x: Trade) => [x.tradeId, x.priceTicks, x.quantityLots, x.aggressorSide, x.makerOrderId, x.takerOrderId, x.makerAccountId, x.takerAccountId, x.makerClientOrderId, x.takerClientOrderId, x.timestamp]
const ov = (o: Order) => [o.id, o.symbol, o.side, o.type, o.priceTicks, o.quantityLots, o.filledLots, o.status, o.cancelReason, o.clientOrderId, o.accountId, o.stp, o.timestamp]
const ev = (e: EngineEvent): unknown => e.type === 'trade'
  ? ['t', tv(e.trade)]
  : e.type === 'order'
    ? ['o', e.eventType, e.order.id, e.order.status, e.order.filledLots, e.order.cancelReason, e.order.priceTicks, e.order.quantityLots, e.order.clientOrderId, e.order.symbol]
    : ['l', e.symbol, e.changes.map((c) => [c.side, c.priceTicks, c.totalLots])]
const rv = (r: Result<{ order: Order, trades: readonly Trade[] }>) => r.ok ? [ov(r.value.order), r.value.trades.map(tv)] : r.code

function books (e: MatchingEngine): unknown {
  return e.symbols.map((s) => {
    const b = e.book(s)!
    const side = (levels: Iterable<{ priceTicks: number, totalLots: number, count: number, head: Order | null }>) => [...levels].map((l) => {
      const os: unknown[] = []
      for (let o = l.head; o !== null; o = o.next) os.push([o.id, o.remainingLots])
      return [l.priceTicks, l.totalLots, l.count, os]
    })
    return [s, side(b.bids.bestFirst()), side(b.asks.bestFirst()), b.openCount, b.bids.levelCount, b.asks.levelCount]
  })
}

for (const [seed, CANCEL, SWEEP] of [[5, 0.3, 0.03], [6, 0.3, 0.03], [7, 0.12, 0.004], [8, 0.1, 0.002]]) {
  t.test(`seed ${seed}: cancels ${CANCEL}, sweeps ${SWEEP}`, async (t) => {
    const random = seededRandom(seed)
    let now = 1
    const clock = () => now
    const opts = { historyLimit: 500, fillHistoryLimit: 300 }
    const prev = new PreviousEngine({ ...opts, clock }) as unknown as MatchingEngine
    let cur = new MatchingEngine({ ...opts, clock })
    const pe: unknown[] = []
    const ce: unknown[] = []
    prev.addListener((b) => { pe.push(b.map(ev)) })
    const listen = (e: MatchingEngine) => e.addListener((b) => { ce.push(b.map(ev)) })
    listen(cur)
    for (const a of ['a', 'b', 'c']) { prev.createAccount(a); cur.createAccount(a) }
    const placed: Array<{ id: string, symbol: string, acc: string }> = []
    const seen = { levels: 0, parked: 0, sparse: 0 }
    let mism = 0
    let first: unknown = null
    const check = (what: string, a: unknown, b: unknown) => {
      if (!isDeepStrictEqual(a, b)) { mism++; first ??= { what, a, b } }
    }
    const symbols = ['BTC-USDT', 'ETH-USDT']
    const mid: Record<string, number> = { 'BTC-USDT': 6_500_000, 'ETH-USDT': 300_000 }
    const minLots: Record<string, number> = { 'BTC-USDT': 1000, 'ETH-USDT': 10_000 }
    const N = 60_000
    for (let i = 0; i < N; i++) {
      now++
      if (i > 0 && i % 15_000 === 0) {
        const restored = new MatchingEngine({ ...opts, clock })
        importState(restored, JSON.parse(JSON.stringify(exportState(cur))))
        check(`restore at ${i}`, stateDigest(cur), stateDigest(restored))
        cur = restored
        listen(cur)
      }
      const r = random()
      const symbol = pick(random, symbols)
      const acc = random() < 0.3 ? ANONYMOUS : pick(random, ['a', 'b', 'c'])
      if (r < CANCEL && placed.length > 0) {
        const tg = random() < 0.5 ? placed[Math.floor(random() * placed.length)] : placed[intBetween(random, Math.max(0, placed.length - 50), placed.length - 1)]
        const inp = { symbol: tg.symbol, orderId: tg.id, accountId: tg.acc }
        check(`${i} cancel`, rv(prev.cancel(inp)), rv(cur.cancel(inp)))
      } else if (r < CANCEL + 0.002) {
        const inp = { accountId: acc, symbol: random() < 0.5 ? symbol : null }
        const a = prev.cancelAll(inp); const b = cur.cancelAll(inp)
        check(`${i} cancelAll`, a.ok ? a.value.map(ov) : a.code, b.ok ? b.value.map(ov) : b.code)
      } else {
        const side = random() < 0.5 ? 'buy' as const : 'sell' as const
        const sign = side === 'buy' ? 1 : -1
        const sweep = random() < SWEEP
        const priceTicks = mid[symbol] + (sweep ? sign * intBetween(random, 50, 900) : random() < 0.2 ? sign * intBetween(random, 0, 5) : -sign * intBetween(random, 1, 800))
        const quantityLots = minLots[symbol] * (sweep ? intBetween(random, 50, 3000) : intBetween(random, 1, 30))
        const type = sweep ? pick(random, ['limit', 'ioc', 'market'] as const) : pick(random, ['limit', 'limit', 'limit', 'limit', 'ioc', 'fok'] as const)
        const fields = { symbol, side, orderType: type, priceTicks: type === 'market' ? null : priceTicks, quantityLots, clientOrderId: null, accountId: acc, stp: pick(random, STP_MODES) }
        const a = prev.place(fields); const b = cur.place(fields)
        check(`${i} place`, rv(a), rv(b))
        if (b.ok && b.value.order.isOpen) placed.push({ id: b.value.order.id, symbol, acc })
      }
      check(`${i} events`, pe, ce)
      pe.length = 0; ce.length = 0
      if (i % 5000 === 0) check(`${i} books`, books(prev), books(cur))
      if (i % 500 === 0) {
        for (const s of symbols) {
          const b = cur.book(s)!
          seen.levels = Math.max(seen.levels, b.bids.levelCount, b.asks.levelCount)
          seen.parked = Math.max(seen.parked, b.bids.parkedCount, b.asks.parkedCount)
        }
        seen.sparse = Math.max(seen.sparse, cur.openIndex.sparseCount)
      }
    }
    check('books', books(prev), books(cur))
    check('digest', previousStateDigest(prev as never), stateDigest(cur))
    for (const p of placed) {
      const a = prev.findOrder(p.symbol, { orderId: p.id }, p.acc); const b = cur.findOrder(p.symbol, { orderId: p.id }, p.acc)
      check(`find ${p.id}`, a.ok ? ov(a.value) : a.code, b.ok ? ov(b.value) : b.code)
    }
    t.equal(mism, 0, `no difference${first === null ? '' : `; first: ${JSON.stringify(first).slice(0, 2000)}`}`)
    t.ok(seen.levels >= 20 && seen.parked >= 30 && seen.sparse > 0, `the flow reached wide books, parked levels and given-up pages (${JSON.stringify(seen)})`)
  })
}
