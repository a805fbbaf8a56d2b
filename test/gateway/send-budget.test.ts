/** The global send budget on its own, with members whose buffered bytes the test sets. */
import t from 'tap'
import { SendBudget, type BudgetMember } from '../../src/gateway/send-budget.js'

class Member implements BudgetMember {
  bufferedBytes = 0
  evicted = false
  constructor (private readonly budget: SendBudget, readonly name: string) {
    budget.add(this)
  }

  /** Queues bytes the way a session does: ask, then record. */
  queue (bytes: number): boolean {
    if (!this.budget.admit(this, bytes)) return false
    this.bufferedBytes += bytes
    this.budget.note(this, this.bufferedBytes)
    return true
  }

  evict (): void {
    this.evicted = true
  }
}

t.test('under the budget nothing is read or evicted', async (t) => {
  const budget = new SendBudget(1000)
  const a = new Member(budget, 'a')
  const b = new Member(budget, 'b')
  t.ok(a.queue(400))
  t.ok(b.queue(600))
  t.equal(budget.evictions, 0)
  t.equal(budget.recount(), 1000)
})

t.test('past the budget the largest holders are evicted first, until the new bytes fit', async (t) => {
  const budget = new SendBudget(1000)
  const small = new Member(budget, 'small')
  const big = new Member(budget, 'big')
  const middle = new Member(budget, 'middle')
  small.queue(100)
  big.queue(500)
  middle.queue(300)
  t.ok(small.queue(200), 'the sender is not the largest: it may queue')
  t.ok(big.evicted, 'the largest holder went')
  t.notOk(middle.evicted || small.evicted, 'and only it')
  t.equal(budget.evictions, 1)
  // Evicted members no longer count.
  t.equal(budget.recount(), 600)
})

t.test('a sender that is itself the largest holder is evicted and must not queue', async (t) => {
  const budget = new SendBudget(1000)
  const hog = new Member(budget, 'hog')
  const other = new Member(budget, 'other')
  hog.queue(900)
  other.queue(50)
  t.notOk(hog.queue(100), 'refused')
  t.ok(hog.evicted)
  t.notOk(other.evicted)
})

t.test('the estimate is an upper bound: drained buffers are found by a recount, not evicted', async (t) => {
  const budget = new SendBudget(1000)
  const a = new Member(budget, 'a')
  const b = new Member(budget, 'b')
  a.queue(800)
  a.bufferedBytes = 0 // the peer read everything; the budget has not looked since
  t.ok(b.queue(500))
  t.equal(budget.evictions, 0, 'no eviction: the real total fits')
})

t.test('a message larger than the whole budget still goes when nothing else is held', async (t) => {
  const budget = new SendBudget(1000)
  const a = new Member(budget, 'a')
  const idle = new Member(budget, 'idle')
  t.ok(a.queue(5000))
  t.equal(budget.evictions, 0)
  t.notOk(idle.evicted)
  budget.remove(a)
  budget.remove(a)
  budget.note(a, 10) // a removed member is not counted again
  t.equal(budget.recount(), 0)
})
