// A book side keeps its levels three ways (B+tree, price hash, best-first list): after any sequence
// of levels appearing and going, all three must agree with a plain sorted list.
import t from 'tap'
import { BookSide } from '../../src/engine/book-side.js'
import { Side } from '../../src/engine/index.js'
import { seededRandom } from '../helpers/random.js'

function listed (side: BookSide): number[] {
  const prices: number[] = []
  let previous = null
  for (let level = side.best() ?? null; level !== null; level = level.worse) {
    if (level.better !== previous) throw new Error(`level ${level.priceTicks}: broken back link`)
    prices.push(level.priceTicks)
    previous = level
  }
  return prices
}

for (const which of [Side.BUY, Side.SELL]) {
  t.test(`${which} side: random levels in and out, anywhere in the book, stay best first`, async (t) => {
    const random = seededRandom(which === Side.BUY ? 11 : 12)
    const side = new BookSide(which)
    const model = new Set<number>()
    const sorted = () => [...model].sort((a, b) => which === Side.BUY ? b - a : a - b)
    for (let i = 0; i < 5_000; i++) {
      const price = 1 + Math.floor(random() * 300)
      if (model.has(price) && random() < 0.6) {
        side.removeLevel(side.get(price)!)
        model.delete(price)
      } else {
        const level = side.getOrCreate(price)
        if (level.priceTicks !== price || side.get(price) !== level) {
          t.fail(`step ${i}: getOrCreate(${price}) gave the level of ${level.priceTicks}`)
          return
        }
        model.add(price)
      }
      const want = sorted()
      const got = listed(side)
      if (got.join() !== want.join()) {
        t.fail(`step ${i}: list ${got.slice(0, 12).join()} != ${want.slice(0, 12).join()}`)
        return
      }
      if (side.levelCount !== model.size || side.best()?.priceTicks !== want[0]) {
        t.fail(`step ${i}: count or best disagrees`)
        return
      }
      const probe = 1 + Math.floor(random() * 300)
      if ((side.get(probe) !== undefined) !== model.has(probe) || side.parkedCount > Math.max(64, side.levelCount)) {
        t.fail(`step ${i}: get(${probe}) disagrees with the model, or ${side.parkedCount} parked levels`)
        return
      }
    }
    t.same([...side.bestFirst()].map((l) => l.priceTicks), sorted(), 'bestFirst walks the same list')
    t.same([...side.bestFirst(3)].map((l) => l.priceTicks), sorted().slice(0, 3), 'and stops at its limit')
    t.same([...side.bestFirst(0)], [])
  })
}

t.test('a level far below the top is put in place through the tree, one near the top by walking', async (t) => {
  const side = new BookSide(Side.SELL)
  for (let price = 100; price < 130; price++) side.getOrCreate(price)
  side.removeLevel(side.get(125)!)
  side.removeLevel(side.get(103)!)
  side.getOrCreate(125) // 25 levels below the best: past the walk
  side.getOrCreate(103) // 3 levels below: found by walking
  t.same(listed(side), Array.from({ length: 30 }, (_, i) => 100 + i))
  side.getOrCreate(99)
  t.equal(side.best()?.priceTicks, 99, 'a better price becomes the head')
  t.equal(side.get(99)?.worse?.priceTicks, 100)
  side.removeLevel(side.get(99)!)
  t.equal(side.best()?.priceTicks, 100, 'and the next one is the head again when it goes')
  t.equal(side.best()?.better, null)
})

t.test('an emptied level is parked for its price to come back, and parked levels are bounded', async (t) => {
  const side = new BookSide(Side.BUY)
  const first = side.getOrCreate(500)
  side.getOrCreate(400)
  side.removeLevel(first)
  t.equal(side.get(500), undefined, 'a parked level is not found')
  t.equal(side.levelCount, 1)
  t.equal(side.parkedCount, 1)
  t.same([...side.bestFirst()].map((l) => l.priceTicks), [400], 'nor listed')
  t.equal(side.getOrCreate(500), first, 'the price coming back gets the same level back')
  t.equal(side.parkedCount, 0)
  t.equal(side.best(), first)
  for (let price = 1; price <= 200; price++) side.removeLevel(side.getOrCreate(price))
  t.ok(side.parkedCount <= 64, `at most 64 parked while 2 levels are listed (${side.parkedCount})`)
  t.same([...side.bestFirst()].map((l) => l.priceTicks), [500, 400])
  t.not(side.getOrCreate(3), undefined, 'a dropped price is made anew')
  t.same([...side.bestFirst()].map((l) => l.priceTicks), [500, 400, 3])
})

t.test('placing a level through the tree skips parked levels', async (t) => {
  const side = new BookSide(Side.SELL)
  for (let price = 100; price < 140; price++) side.getOrCreate(price)
  for (let price = 110; price < 130; price++) side.removeLevel(side.get(price)!)
  side.getOrCreate(135)
  side.removeLevel(side.get(135)!)
  side.getOrCreate(131)
  side.removeLevel(side.get(131)!)
  side.getOrCreate(125) // past the walk from the best; the nearest better prices in the tree (124 .. 110) are parked
  t.same([...side.bestFirst()].map((l) => l.priceTicks), [...Array.from({ length: 10 }, (_, i) => 100 + i), 125, ...Array.from({ length: 10 }, (_, i) => 130 + i).filter((p) => p !== 131 && p !== 135)])
})

t.test('a block of parked levels is walked past at most once, however often a level is placed below it', async (t) => {
  // Review finding: the tree walk to place a level skipped parked levels one tree lookup each, every time:
  // a client could park hundreds of levels (up to as many as are listed) just above a price and then
  // place and cancel there over and over, each placement costing a lookup per parked level.
  const side = new BookSide(Side.SELL)
  const tree = (side as unknown as { tree: { nextLowerPair: (...args: unknown[]) => unknown } }).tree
  let lookups = 0
  const nextLowerPair = tree.nextLowerPair.bind(tree)
  tree.nextLowerPair = (...args: unknown[]) => { lookups++; return nextLowerPair(...args) }
  for (let price = 100; price < 110; price++) side.getOrCreate(price) // the top ten
  for (let price = 2000; price < 2600; price++) side.getOrCreate(price) // enough listed levels for 500 to stay parked
  for (let price = 110; price < 610; price++) side.getOrCreate(price)
  for (let price = 110; price < 610; price++) side.removeLevel(side.get(price)!) // 500 parked just below the top
  t.equal(side.parkedCount, 500)
  lookups = 0
  for (let i = 0; i < 100; i++) side.removeLevel(side.getOrCreate(700)) // 10 levels below the best: placed through the tree
  t.ok(lookups <= 500 + 2 * 100, `tree lookups for 100 placements below 500 parked levels: ${lookups}`)
  t.same([...side.bestFirst(12)].map((l) => l.priceTicks), [100, 101, 102, 103, 104, 105, 106, 107, 108, 109, 2000, 2001])
  side.getOrCreate(650)
  t.equal(side.get(650)?.better?.priceTicks, 109, 'still placed right')
  t.equal(side.get(650)?.worse?.priceTicks, 2000)
})
