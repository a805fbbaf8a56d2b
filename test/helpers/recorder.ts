import type { Subscriber } from '../../src/gateway/subscriber.js'

/** A hub subscriber that keeps what it was sent: the exact strings, their parsed messages, and how often it was corked. */
export class Recorder implements Subscriber {
  readonly texts: string[] = []
  corks = 0

  send (text: string): void {
    this.texts.push(text)
  }

  cork (): void {
    this.corks++
  }

  uncork (): void {}

  get messages (): Array<Record<string, any>> {
    return this.texts.map((text) => JSON.parse(text))
  }
}
