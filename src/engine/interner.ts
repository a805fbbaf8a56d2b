/**
 * Small integers standing for strings that repeat and live as long as the
 * engine (symbols, account ids), so histories can keep them in typed arrays.
 */
export class Interner {
  private readonly names: string[] = []
  private readonly index = new Map<string, number>()
  /** The last name asked for and its index: histories add runs of the same symbol or account. */
  private lastName: string | undefined
  private lastIndex = 0

  of (name: string): number {
    if (name === this.lastName) return this.lastIndex
    let index = this.index.get(name)
    if (index === undefined) {
      index = this.names.length
      this.names.push(name)
      this.index.set(name, index)
    }
    this.lastName = name
    this.lastIndex = index
    return index
  }

  name (index: number): string {
    return this.names[index]
  }
}
