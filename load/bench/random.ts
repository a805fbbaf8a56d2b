/** The one seeded PRNG of the project: benchmarks and random tests replay exactly from their seed. */
/** mulberry32: a tiny, fast, well-mixed 32-bit seeded PRNG; returns [0, 1). */
export function mulberry32 (seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6D2B79F5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
