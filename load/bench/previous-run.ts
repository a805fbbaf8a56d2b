/**
 * The previous* runs: the engine before issue 11 (load/bench/previous-engine)
 * replaying the same inputs as today's engine.
 *
 * The step below is deliberately a second copy of engineRun's step in
 * runners.ts rather than that function with another class passed in: closures
 * made from one function literal share their inline caches, so one shared step
 * would see two engine classes, turn its call sites polymorphic and slow both
 * subjects down a little (and not equally). Its own copy keeps each engine's
 * call sites monomorphic, as they are in a program that uses only one of them.
 */
import { MatchingEngine, type CancelInput, type EngineOptions, type NewOrderInput, type OrderFields } from './previous-engine/index.js'
import { engineInputs, type EngineMode } from './engine-inputs.js'
import { Kind, SYMBOL } from './flow.js'
import type { RunDefinition, RunTotals } from './runners.js'

export function previousRun (key: string, name: string, description: string, mode: EngineMode, options: EngineOptions): RunDefinition {
  return {
    key,
    name,
    description,
    prepare (flow) {
      // Today's engine's input shapes; the previous engine takes the same fields.
      const inputs = engineInputs(flow, mode) as Array<OrderFields | NewOrderInput | CancelInput>
      const kind = flow.kind
      return () => {
        const engine = new MatchingEngine(options)
        let trades = 0
        let tradedLots = 0
        let rejected = 0
        let events = 0
        if (mode === 'listener') engine.addListener((batch) => { events += batch.length })
        const submit = mode === 'submit'
        const step = (i: number): void => {
          const result = kind[i] === Kind.CANCEL
            ? engine.cancel(inputs[i] as CancelInput)
            : submit ? engine.submit(inputs[i] as NewOrderInput) : engine.place(inputs[i] as OrderFields)
          if (!result.ok) {
            rejected++
            return
          }
          const fills = result.value.trades
          for (let t = 0; t < fills.length; t++) tradedLots += fills[t].quantityLots
          trades += fills.length
        }
        const totals = (): RunTotals => {
          if (!Number.isSafeInteger(tradedLots)) throw new Error('traded lots passed 2^53')
          return {
            trades,
            tradedLots: String(tradedLots),
            rejected,
            openAtEnd: engine.book(SYMBOL)?.openCount ?? -1,
            ...(mode === 'listener' ? { events } : {})
          }
        }
        return { step, totals }
      }
    }
  }
}
