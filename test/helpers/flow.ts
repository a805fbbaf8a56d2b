import type { MatchingEngine } from '../../src/engine/index.js'
import { intBetween, pick, seededRandom } from './random.js'

/** A seeded random flow of orders and cancels on the default symbols, straight into an engine. */
export function runFlow (engine: MatchingEngine, seed: number, commands: number): void {
  const random = seededRandom(seed)
  const mids: Record<string, number> = { 'BTC-USDT': 3_000_000, 'ETH-USDT': 200_000, 'SOL-USDT': 10_000 }
  const open: Array<[string, string]> = []
  for (let i = 0; i < commands; i++) {
    if (open.length > 0 && random() < 0.15) {
      const [symbol, orderId] = open.splice(intBetween(random, 0, open.length - 1), 1)[0]
      engine.cancel({ symbol, orderId })
      continue
    }
    const symbol = pick(random, Object.keys(mids))
    const orderType = pick(random, ['limit', 'limit', 'limit', 'market', 'ioc', 'fok'] as const)
    const side = random() < 0.5 ? 'buy' : 'sell'
    const priceTicks = mids[symbol] + intBetween(random, -20, 20)
    const result = engine.place({
      symbol,
      side,
      orderType,
      priceTicks: orderType === 'market' ? null : priceTicks,
      quantityLots: intBetween(random, 1, 50) * 1_000_000,
      clientOrderId: random() < 0.2 ? `c-${seed}-${i}` : null,
      accountId: 'anonymous',
      stp: 'none'
    })
    if (result.ok && result.value.order.isOpen) open.push([symbol, result.value.order.id])
  }
}
