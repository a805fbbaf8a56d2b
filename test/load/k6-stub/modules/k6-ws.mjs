// ws.connect(url, params, fn) as k6/ws has it: fn gets a socket; the driver's globalThis.__k6.ws(socket)
// plays the server and the clock (fires events and timers) and returns the upgrade response.
export default {
  connect (url, params, fn) {
    const handlers = {}
    const timers = { timeouts: [], intervals: [] }
    const sent = []
    let closed = false
    const socket = {
      on (event, handler) { handlers[event] = handler },
      send (data) { if (!closed) sent.push(JSON.parse(data)) },
      setTimeout (cb, ms) { timers.timeouts.push({ cb, ms }) },
      setInterval (cb, ms) { timers.intervals.push({ cb, ms }) },
      close () {
        if (closed) return
        closed = true
        if (handlers.close) handlers.close()
      }
    }
    fn(socket)
    return globalThis.__k6.ws({ url, params, socket, handlers, timers, sent, isClosed: () => closed })
  }
}
