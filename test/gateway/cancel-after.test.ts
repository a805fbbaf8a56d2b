/**
 * The dead-man's switch on its own, with a fake clock and fake timers: one
 * timer per account, re-armed by every call, disarmed by 0, fired once, all
 * cleared when the process stops; and the real timers it uses by default.
 */
import t from 'tap'
import { CancelAfter, realTimers, type Timers } from '../../src/gateway/cancel-after.js'

class FakeTimers implements Timers {
  now = 1_000_000
  private next = 1
  readonly pending = new Map<number, { at: number, callback: () => void }>()

  setTimeout (callback: () => void, ms: number): unknown {
    const handle = this.next++
    this.pending.set(handle, { at: this.now + ms, callback })
    return handle
  }

  clearTimeout (handle: unknown): void {
    this.pending.delete(handle as number)
  }

  advance (ms: number): void {
    this.now += ms
    for (const [handle, timer] of [...this.pending]) {
      if (timer.at <= this.now) {
        this.pending.delete(handle)
        timer.callback()
      }
    }
  }
}

function setup () {
  const timers = new FakeTimers()
  const fired: string[] = []
  const switches = new CancelAfter({ now: () => timers.now, timers, fire: (account) => fired.push(account) })
  return { timers, fired, switches }
}

t.test('arming answers now and the trigger time; it fires once when it runs out', async (t) => {
  const { timers, fired, switches } = setup()
  t.same(switches.arm('a', 5000), { now: 1_000_000, triggerAt: 1_005_000 })
  timers.advance(4999)
  t.same(fired, [])
  timers.advance(1)
  t.same(fired, ['a'])
  t.equal(switches.fired, 1)
  t.equal(switches.size, 0, 'disarmed once fired')
  timers.advance(10_000)
  t.same(fired, ['a'], 'never twice')
})

t.test('a refresh re-arms the one timer of the account; 0 disarms; accounts are apart', async (t) => {
  const { timers, fired, switches } = setup()
  switches.arm('a', 2000)
  switches.arm('b', 3000)
  for (let i = 0; i < 5; i++) {
    timers.advance(1500)
    switches.arm('a', 2000)
  }
  t.same(fired, ['b'], 'refreshed: a never ran out; b did')
  t.equal(timers.pending.size, 1, 'one timer per account')
  t.same(switches.arm('a', 0), { now: timers.now, triggerAt: null })
  timers.advance(10_000)
  t.same(fired, ['b'], 'disarmed')
  t.same(switches.arm('c', 0), { now: timers.now, triggerAt: null }, 'disarming an unarmed account is fine')
})

t.test('clear disarms everything', async (t) => {
  const { timers, fired, switches } = setup()
  switches.arm('a', 1000)
  switches.arm('b', 1000)
  switches.clear()
  t.equal(switches.size, 0)
  timers.advance(5000)
  t.same(fired, [])
})

t.test('the real timers: unref\'d, cleared by clearTimeout', async (t) => {
  let ran = false
  const handle = realTimers.setTimeout(() => { ran = true }, 10) as NodeJS.Timeout
  t.equal(handle.hasRef(), false, 'never keeps the process alive')
  realTimers.clearTimeout(handle)
  await new Promise((resolve) => setTimeout(resolve, 30))
  t.equal(ran, false)
})
