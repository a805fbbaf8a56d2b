/** The fixed one-second window of the /ws per-connection limits. */
import t from 'tap'
import { FixedWindow } from '../../src/gateway/fixed-window.js'

t.test('counts within a window, starts anew a second after its start, and when the clock steps back', async (t) => {
  const window = new FixedWindow()
  t.same([window.take(5000), window.take(5000), window.take(5999)], [1, 2, 3], 'one window: [5000, 6000)')
  t.equal(window.take(6000), 1, 'a new window at its start + 1 s')
  t.equal(window.take(6500), 2)
  t.equal(window.take(4000), 1, 'the clock stepped back: a new window, not a negative age')
})
