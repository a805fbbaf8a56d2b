// The fill history keeps trades as columns of numbers and interned names: what comes back
// out must be exactly what went in, for every field, through eviction too.
import t from 'tap'
import { FillHistory } from '../../src/engine/fill-history.js'
import { Trade } from '../../src/engine/index.js'

function trade (n: number, symbol = n % 2 === 0 ? 'BTC-USDT' : 'A-B-C'): Trade {
  return Trade.rebuilt(symbol, n + 1, 3_000_000 + n, 2 ** 52 + n, n % 3 === 0 ? 'buy' : 'sell', 1000 + n, 9_007_199_254_740_000 + n,
    `maker-${n % 4}`, n % 5 === 0 ? 'anonymous' : `taker.${n % 3}`, n % 2 === 0 ? null : `m:${n}`, n % 3 === 0 ? `t_${n}` : null,
    1_795_945_709_076 + n)
}

t.test('every field of a trade comes back as it was added, through the ring\'s eviction', async (t) => {
  const history = new FillHistory(5)
  const added = Array.from({ length: 12 }, (_, n) => trade(n))
  for (const x of added) history.add(x)
  t.equal(history.size, 5)
  t.equal(history.oldest, 7)
  t.same([...history.values()], added.slice(7), 'the newest five, oldest first, field for field')
  t.same([...history.values()].map((x) => [x.tradeId, x.makerOrderId, x.takerOrderId]),
    added.slice(7).map((x) => [x.tradeId, x.makerOrderId, x.takerOrderId]), 'and the ids built from them')
  for (let n = 7; n < 12; n++) {
    t.equal(history.symbolAt(n), added[n].symbol)
    t.equal(history.accountAt(n, false), added[n].makerAccountId)
    t.equal(history.accountAt(n, true), added[n].takerAccountId)
  }
})

t.test('a limit that is not a positive integer is refused', async (t) => {
  t.throws(() => new FillHistory(0), /positive integer/)
  t.throws(() => new FillHistory(1.5), /positive integer/)
})

t.test('trades are written in batches, but every read sees every trade added before it', async (t) => {
  const history = new FillHistory(1000)
  for (let n = 0; n < 700; n++) {
    history.add(trade(n))
    if (n % 97 === 0) t.equal(history.at(n).tradeId, trade(n).tradeId, `trade ${n} right after it was added`)
  }
  t.equal(history.added, 700)
  t.equal(history.symbolAt(699), trade(699).symbol)
  for (let n = 700; n < 1500; n++) history.add(trade(n))
  t.equal(history.oldest, 500)
  t.equal(history.size, 1000)
  t.equal([...history.values()][0].tradeId, trade(500).tradeId)
})
