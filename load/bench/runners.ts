/**
 * The benchmarked subjects. Each run turns the integer flow into the inputs
 * its API takes (before any timing) and then hands out fresh instances, each
 * with a `step(i)` that executes command i and tallies what came back.
 */
import { MatchingEngine, type CancelInput, type EngineOptions, type NewOrderInput, type OrderFields } from '../../src/engine/index.js'
import { BigNumber, BigNumberBook, type BnOrderType, type BnSide } from './bignumber-book.js'
import { engineInputs, type EngineMode } from './engine-inputs.js'
import { KIND_TYPES, Kind, LOT_PLACES, SIDE_NAMES, SYMBOL, TICK_PLACES, formatUnits, type Flow } from './flow.js'
import { peerRun } from './peer-run.js'
import { previousRun } from './previous-run.js'
import type { Step } from './stats.js'

export interface RunTotals {
  readonly trades: number
  /** Total traded quantity in lots, as a decimal integer string. */
  readonly tradedLots: string
  /** Commands the subject refused (0 expected: every cancel targets a live order). */
  readonly rejected: number
  readonly openAtEnd: number
  /** Engine events delivered to the listener (listener runs only). */
  readonly events?: number
  /**
   * Outcomes a subject reports its own way, by name (the peer: FOK orders it
   * refused with an error, market orders it left partly unfilled); printed
   * beside the totals, never compared.
   */
  readonly notes?: Readonly<Record<string, number>>
}

export interface Subject {
  readonly step: Step
  totals (): RunTotals
}

export interface RunDefinition {
  /** Short name for BENCH_RUNS (engine, batched, listener, submit, baseline, previous, previous-listener, previous-submit, peer). */
  readonly key: string
  readonly name: string
  readonly description: string
  /**
   * An outside implementation with rules of its own: its totals are printed
   * next to ours and a difference is reported, not a failure.
   */
  readonly peer?: boolean
  /** Builds the inputs (untimed) and returns a factory of fresh instances. */
  prepare (flow: Flow): () => Subject
}

/** Commands per clock read in the batched run: a caller that takes commands in batches stamps them with one reading. */
export const CLOCK_BATCH = 64

/** clockBatch 0: the engine reads its clock for every command; n: the run reads it once per n commands and passes it in. */
function engineRun (key: string, name: string, description: string, mode: EngineMode, options: EngineOptions, clockBatch = 0): RunDefinition {
  return {
    key,
    name,
    description,
    prepare (flow) {
      const inputs = engineInputs(flow, mode)
      const kind = flow.kind
      return () => {
        const engine = new MatchingEngine(options)
        let trades = 0
        let tradedLots = 0
        let rejected = 0
        let events = 0
        if (mode === 'listener') engine.addListener((batch) => { events += batch.length })
        const submit = mode === 'submit'
        let now: number | undefined
        const step = (i: number): void => {
          if (clockBatch > 0 && i % clockBatch === 0) now = Date.now()
          const result = kind[i] === Kind.CANCEL
            ? engine.cancel(inputs[i] as CancelInput, now)
            : submit ? engine.submit(inputs[i] as NewOrderInput, now) : engine.place(inputs[i] as OrderFields, now)
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

interface BnInput {
  readonly side: BnSide
  readonly type: BnOrderType
  readonly price: BigNumber | null
  readonly quantity: BigNumber
}

const bignumberRun: RunDefinition = {
  key: 'baseline',
  name: 'bignumber.js baseline',
  description: 'load/bench/bignumber-book.ts: BigNumber prices and quantities, B+tree keyed by BigNumber (comparedTo), FIFO linked lists, cancel by id map; inputs pre-parsed into one BigNumber per field',
  prepare (flow) {
    const orders: Array<BnInput | null> = new Array(flow.size)
    const cancels: Array<string | null> = new Array(flow.size)
    for (let i = 0; i < flow.size; i++) {
      const k = flow.kind[i] as Kind
      if (k === Kind.CANCEL) {
        orders[i] = null
        cancels[i] = String(flow.cancelTarget[i])
        continue
      }
      cancels[i] = null
      orders[i] = {
        side: SIDE_NAMES[flow.side[i] as number] as BnSide,
        type: KIND_TYPES[k] as BnOrderType,
        price: k === Kind.MARKET ? null : new BigNumber(formatUnits(flow.priceTicks[i] as number, TICK_PLACES)),
        quantity: new BigNumber(formatUnits(flow.quantityLots[i] as number, LOT_PLACES))
      }
    }
    return () => {
      const book = new BigNumberBook()
      let trades = 0
      let traded = new BigNumber(0)
      let rejected = 0
      const step = (i: number): void => {
        const order = orders[i]
        if (order === null || order === undefined) {
          if (!book.cancel(cancels[i] as string)) rejected++
          return
        }
        const fills = book.place(order.side, order.type, order.price, order.quantity).trades
        for (let t = 0; t < fills.length; t++) traded = traded.plus(fills[t].quantity)
        trades += fills.length
      }
      const totals = (): RunTotals => ({
        trades,
        tradedLots: traded.shiftedBy(LOT_PLACES).toFixed(),
        rejected,
        openAtEnd: book.open.size
      })
      return { step, totals }
    }
  }
}

/**
 * The runs: today's engine, the bignumber.js baseline, the engine as it was
 * before issue 11 (load/bench/previous-engine) and nodejs-order-book; `options`
 * go to every MatchingEngine, old and new.
 */
export function runs (options: EngineOptions): RunDefinition[] {
  return [
    engineRun('engine', 'engine', 'engine.place / engine.cancel with integer fields, no listener', 'place', options),
    engineRun('batched', 'engine, clock per batch', `as engine, with the clock read once per ${CLOCK_BATCH} commands and passed in (commands carry their timestamp)`, 'place', options, CLOCK_BATCH),
    engineRun('listener', 'engine + 1 listener', 'as engine, with one listener attached (events, snapshots and level changes built per command)', 'listener', options),
    engineRun('submit', 'engine.submit (decimal)', 'engine.submit with decimal strings (validation, decimal text read straight into ticks and lots); cancels via engine.cancel', 'submit', options),
    bignumberRun,
    previousRun('previous', 'previous engine', 'the engine before issue 11 (load/bench/previous-engine): place / cancel with integer fields, no listener', 'place', options),
    previousRun('previous-listener', 'previous + 1 listener', 'the engine before issue 11 with one listener attached', 'listener', options),
    previousRun('previous-submit', 'previous.submit (decimal)', 'the engine before issue 11 through submit with decimal strings; cancels via cancel', 'submit', options),
    peerRun
  ]
}
