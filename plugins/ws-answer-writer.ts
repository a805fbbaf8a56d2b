/**
 * How trading answers leave a /ws connection: never dropped, gathered into
 * one write per turn (a journal batch acknowledges many orders at once), and
 * with backpressure on the reading side instead of a growing queue: while
 * the peer leaves more than WS_CONFLATE_BYTES unread (and the socket asks
 * for a drain), the connection's frames are not read, so a client that
 * pipelines but never reads holds at most its in-flight answers and one
 * buffer here.
 */
import type { Socket } from 'node:net'
import type { WebSocket } from 'ws'

export class AnswerWriter {
  private readonly socket: WebSocket
  private readonly transport: () => Socket | undefined
  private readonly pauseAbove: number
  /** True while reading is paused because the peer does not read its answers. */
  private paused = false
  /** True while this turn's answers are being gathered into one write. */
  private corked = false

  constructor (socket: WebSocket, transport: () => Socket | undefined, pauseAbove: number) {
    this.socket = socket
    this.transport = transport
    this.pauseAbove = pauseAbove
  }

  /** Sends one answer (the caller checked the socket is open). */
  write (text: string): void {
    if (!this.corked) {
      this.corked = true
      this.transport()?.cork()
      process.nextTick(this.flush)
    }
    this.socket.send(text)
    if (this.paused || this.socket.bufferedAmount <= this.pauseAbove) return
    const transport = this.transport()
    if (transport === undefined || !transport.writableNeedDrain) return
    this.paused = true
    this.socket.pause()
    transport.once('drain', this.resume)
  }

  private readonly flush = (): void => {
    this.corked = false
    this.transport()?.uncork()
  }

  private readonly resume = (): void => {
    this.paused = false
    this.socket.resume()
  }
}
