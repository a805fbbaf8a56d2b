// The GTD timer on its own: one timer at the next expiry, re-armed when it
// moves, capped at setTimeout's maximum delay, silent once closed or once the
// journal has failed. A fake source and clock; real (short) timers.
import t from 'tap'
import type { Test } from 'tap'
import { setTimeout as sleep } from 'node:timers/promises'
import { ExpiryTimer, MAX_TIMER_DELAY_MS, type ExpirySource } from '../../src/exchange/expiry-timer.js'

/** A source whose next expiry the test sets, recording every expire call. */
function source (next: number | null) {
  const calls: number[] = []
  const s: ExpirySource & { next: number | null, calls: number[], onExpire: (now: number) => void } = {
    next,
    calls,
    onExpire: () => {},
    nextExpiry: () => s.next,
    expire: (now) => { calls.push(now); s.onExpire(now) }
  }
  return s
}

function timer (t: Test, s: ExpirySource, clock: () => number, usable = () => true, errors: unknown[] = []) {
  const expiry = new ExpiryTimer(s, clock, usable, (error) => errors.push(error))
  t.teardown(() => expiry.close())
  return expiry
}

t.test('fires at the next expiry with the clock\'s time, then re-arms at the one after', async (t) => {
  const start = Date.now()
  const s = source(start + 30)
  // Like the engine: a call before the due time (a timer can fire a millisecond early by the wall clock)
  // expires nothing, and the timer re-arms for the same time.
  const expired: Array<{ due: number, at: number }> = []
  s.onExpire = (now) => {
    if (s.next === null || now < s.next) return
    expired.push({ due: s.next, at: now })
    s.next = s.next === start + 30 ? start + 60 : null
  }
  const expiry = timer(t, s, Date.now)
  expiry.arm()
  t.equal(expiry.dueAt, start + 30)
  t.same(s.calls, [], 'nothing before it is due')
  await sleep(300)
  t.same(expired.map((e) => e.due), [start + 30, start + 60], 'expired at the first expiry and then at the next')
  t.ok(expired.every((e) => e.at >= e.due), 'each with the clock\'s reading, at or after its due time')
  t.ok(s.calls.length <= 10, `no busy loop of early calls (${s.calls.length} calls)`)
  t.equal(expiry.dueAt, null, 'nothing left: no timer')
})

t.test('arm() moves the timer only when the next expiry moved; none: no timer', async (t) => {
  const now = Date.now()
  const s = source(now + 60_000)
  const expiry = timer(t, s, Date.now)
  expiry.arm()
  t.equal(expiry.dueAt, now + 60_000)
  s.next = now + 30_000
  expiry.arm()
  t.equal(expiry.dueAt, now + 30_000, 'an earlier order re-arms it')
  s.next = null
  expiry.arm()
  t.equal(expiry.dueAt, null)
  t.same(s.calls, [])
})

t.test('a due time past setTimeout\'s limit is capped, not overflowed into a 1 ms timer', async (t) => {
  const now = Date.now()
  const s = source(now + 2 ** 40)
  const warnings: string[] = []
  const onWarning = (w: Error) => warnings.push(w.name)
  process.on('warning', onWarning)
  t.teardown(() => process.off('warning', onWarning))
  const expiry = timer(t, s, Date.now)
  expiry.arm()
  await sleep(100)
  t.same(s.calls, [], 'did not fire (Node turns an overflowing delay into 1 ms)')
  t.notOk(warnings.includes('TimeoutOverflowWarning'))
  t.equal(MAX_TIMER_DELAY_MS, 2 ** 31 - 1)
})

t.test('a timer that fires early (nothing due yet) re-arms for the same due time', async (t) => {
  // A clock that lags: the order is not due when the timer fires, as after a capped delay.
  let fake = 1_000
  const s = source(1_020)
  const expiry = timer(t, s, () => fake)
  expiry.arm()
  await sleep(150)
  t.ok(s.calls.length >= 2, `fired, found nothing due, re-armed and fired again (${s.calls.length} calls)`)
  t.equal(expiry.dueAt, 1_020)
  fake = 2_000
  s.onExpire = () => { s.next = null }
  await sleep(100)
  t.equal(s.calls.at(-1), 2_000)
  t.equal(expiry.dueAt, null)
})

t.test('closed: it never fires again; a failed journal: it runs no command', async (t) => {
  const s = source(Date.now() + 20)
  const closed = timer(t, s, Date.now)
  closed.arm()
  closed.close()
  closed.arm()
  t.equal(closed.dueAt, null)
  const u = source(Date.now() + 20)
  const failed = timer(t, u, Date.now, () => false)
  failed.arm()
  await sleep(120)
  t.same(s.calls, [], 'closed')
  t.same(u.calls, [], 'journal failed')
})

t.test('an engine failure while expiring is reported once, with no re-arming loop', async (t) => {
  const s = source(Date.now() + 10)
  s.onExpire = () => { throw new Error('broken invariant') }
  const errors: unknown[] = []
  const expiry = timer(t, s, Date.now, () => true, errors)
  expiry.arm()
  await sleep(150)
  t.equal(s.calls.length, 1)
  t.match(errors, [{ message: 'broken invariant' }])
  t.equal(expiry.dueAt, null)
})
