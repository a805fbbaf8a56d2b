/**
 * A running sum of integer units that may pass 2^53 over a long life.
 * Adds stay on plain numbers (no allocation per trade) and carry into a
 * BigInt only when the number part gets near the safe limit.
 */
const CARRY_AT = 2 ** 52

export class UnitCounter {
  private small = 0
  private big = 0n

  add (units: number): void {
    this.small += units
    if (this.small >= CARRY_AT) {
      this.big += BigInt(this.small)
      this.small = 0
    }
  }

  get total (): bigint {
    return this.big + BigInt(this.small)
  }

  set total (value: bigint) {
    this.big = value
    this.small = 0
  }
}
