/**
 * The flow as the engine's own inputs, built before any timing and shared by
 * the engine runs of today's engine and of the previous one (load/bench/previous-engine).
 */
import { ANONYMOUS, type CancelInput, type NewOrderInput, type OrderFields } from '../../src/engine/index.js'
import { KIND_TYPES, Kind, LOT_PLACES, SIDE_NAMES, SYMBOL, TICK_PLACES, fieldsOf, formatUnits, type Flow } from './flow.js'

/** place: integer fields; listener: the same with a listener attached; submit: decimal strings. */
export type EngineMode = 'place' | 'listener' | 'submit'

export type EngineInput = OrderFields | NewOrderInput | CancelInput

export function engineInputs (flow: Flow, mode: EngineMode): EngineInput[] {
  const inputs: EngineInput[] = new Array(flow.size)
  for (let i = 0; i < flow.size; i++) {
    const k = flow.kind[i] as Kind
    const s = flow.side[i] as number
    const price = flow.priceTicks[i] as number
    const lots = flow.quantityLots[i] as number
    if (k === Kind.CANCEL) {
      inputs[i] = { symbol: SYMBOL, orderId: String(flow.cancelTarget[i]), accountId: ANONYMOUS }
    } else if (mode === 'submit') {
      inputs[i] = {
        symbol: SYMBOL,
        side: SIDE_NAMES[s] as string,
        orderType: KIND_TYPES[k] as string,
        quantity: formatUnits(lots, LOT_PLACES),
        price: k === Kind.MARKET ? null : formatUnits(price, TICK_PLACES),
        clientOrderId: null
      }
    } else {
      inputs[i] = fieldsOf(k, s, price, lots)
    }
  }
  return inputs
}
