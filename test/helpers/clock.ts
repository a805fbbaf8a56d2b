/** A fake clock: starts at a fixed instant and moves 1 ms per reading, so ids and timestamps are reproducible. */
export function steppingClock (start = 1_700_000_000_000): () => number {
  let now = start
  return () => now++
}
