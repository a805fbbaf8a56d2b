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

  /** Small enough to be inlined where it is called: the hash lookup is a call of its own. */
  of (name: string): number {
    return name === this.lastName ? this.lastIndex : this.lookUp(name)
  }

  private lookUp (name: string): number {
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
