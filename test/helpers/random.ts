/** Seeded PRNG (mulberry32, shared with the benchmarks) so random tests replay exactly from their seed. */
export { mulberry32 as seededRandom } from '../../load/bench/random.js'

export function pick<T> (random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)]
}

export function intBetween (random: () => number, min: number, max: number): number {
  return min + Math.floor(random() * (max - min + 1))
}
