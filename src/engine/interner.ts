/**
 * Small integers standing for strings that repeat and live as long as the
 * engine (symbols, account ids), so histories can keep them in typed arrays.
 */
export class Interner {
  private readonly names: string[] = []
  private readonly index = new Map<string, number>()

  of (name: string): number {
    let index = this.index.get(name)
    if (index === undefined) {
      index = this.names.length
      this.names.push(name)
      this.index.set(name, index)
    }
    return index
  }

  name (index: number): string {
    return this.names[index]
  }
}
