/** Engine clocks are in milliseconds; the wire speaks epoch seconds, as the seed did. */
export function toSeconds (ms: number): number {
  return ms / 1000
}
