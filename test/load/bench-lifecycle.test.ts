/**
 * The engine benchmark's lifecycle flow (load/bench/lifecycle-flow.ts and lifecycle.ts): the generator emits
 * every kind of issue 12 command it promises, in about the shares it states, and the timed engine replays the
 * flow refusing nothing, with the same totals every time. Small sizes: this checks the flow, not the speed.
 * Needs issue 12's engine (place with the new fields, amend, submitOco, expire, nextExpiry).
 */
import t from 'tap'
import { generateLifecycleFlow, Op } from '../../load/bench/lifecycle-flow.js'
import { lifecycleInstance, runLifecycle } from '../../load/bench/lifecycle.js'

const SIZE = 20_000

t.test('the lifecycle flow has stops, icebergs, amends, GTD orders with expire commands and OCO lists', async (t) => {
  const flow = generateLifecycleFlow({ size: SIZE, seed: 7 })
  const share = (kind: string): number => (flow.mix[kind] ?? 0) / SIZE
  t.ok(share('stop_limit') + share('stop_market') > 0.03, `stops ≈ 5% (${share('stop_limit') + share('stop_market')})`)
  t.ok(share('iceberg') > 0.03, `icebergs ≈ 5% (${share('iceberg')})`)
  t.ok(share('amend') > 0.03, `amends ≈ 5% (${share('amend')})`)
  t.ok(share('gtd') > 0.05, `GTD orders (${share('gtd')})`)
  t.ok(flow.mix.oco > 0, 'OCO lists')
  t.ok(flow.mix.expire > 0 && flow.expired > 0, `expire commands (${flow.mix.expire}) expired GTD orders (${flow.expired})`)
  t.equal(Object.entries(flow.mix).filter(([k]) => k !== 'replaced').reduce((s, [, n]) => s + n, 0), SIZE, 'every command counted once')
  for (let i = 1; i < SIZE; i++) {
    if (flow.timestamp[i] <= flow.timestamp[i - 1]) {
      t.fail(`timestamps advance (command ${i})`)
      break
    }
  }
  const expires = flow.op.filter((o) => o === Op.EXPIRE).length
  t.equal(expires, flow.mix.expire, 'expire commands are in the flow')

  const a = lifecycleInstance(flow, {})
  for (let i = 0; i < SIZE; i++) a.step(i)
  const totals = a.totals()
  t.equal(totals.rejected, 0, 'the engine refuses nothing the oracle accepted')
  t.equal(totals.expired, flow.expired, 'the same GTD orders expire as in the oracle')
  t.equal(totals.openAtEnd, flow.openAtEnd, 'the same open orders at the end')
  t.ok(totals.trades > 0, `trades (${totals.trades})`)
  const b = lifecycleInstance(flow, {})
  for (let i = 0; i < SIZE; i++) b.step(i)
  t.same(b.totals(), totals, 'a second engine: the same totals (deterministic)')
  t.same(generateLifecycleFlow({ size: 2000, seed: 7 }).mix, generateLifecycleFlow({ size: 2000, seed: 7 }).mix, 'the same seed gives the same flow')
})

t.test('runLifecycle reports a figure for the flow', async (t) => {
  const lines: string[] = []
  const result = runLifecycle({ size: 5000, seed: 3, warmup: 500, every: 1, rounds: 1, options: {}, collect: () => {}, log: (l) => lines.push(l) })
  if (typeof result === 'string') {
    t.fail(result)
    return
  }
  t.ok(result.ordersPerSecond > 0, 'commands per second measured')
  t.equal(result.rounds.length, 1)
  t.equal(result.totals.rejected, 0)
  t.match(lines.join('\n'), /lifecycle flow: 5,000 commands.*\n.*mix: limit/, 'the flow and its mix are printed')
})
