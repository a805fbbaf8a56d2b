// Raw WebSocket to /ws with exponential-backoff reconnect and ping/pong
// latency. It knows nothing about channels: the page (re)subscribes when the
// server's 'connected' message arrives, so every reconnect restores them.
// A socket that stays open but brings nothing (no heartbeat, no pong) for
// staleAfterMs is a dead feed, not a quiet market: it is dropped and opened again.
/* global WebSocket, console, location, performance, setTimeout, clearTimeout, setInterval, clearInterval */

export const STATUS = Object.freeze({
  CONNECTED: 'connected',
  RECONNECTING: 'reconnecting',
  DISCONNECTED: 'disconnected'
})

export function defaultUrl () {
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws'
  return `${scheme}://${location.host}/ws`
}

export class Connection {
  constructor ({
    url = defaultUrl(),
    onOpen = () => {},
    onMessage = () => {},
    onStatus = () => {},
    onLatency = () => {},
    pingIntervalMs = 5000,
    staleAfterMs = 12000,
    baseBackoffMs = 500,
    maxBackoffMs = 10000
  } = {}) {
    Object.assign(this, { url, onOpen, onMessage, onStatus, onLatency, pingIntervalMs, staleAfterMs, baseBackoffMs, maxBackoffMs })
    this.lastMessageAt = 0
    this.ws = null
    this.attempt = 0
    this.status = STATUS.DISCONNECTED
    this.pings = new Map() // ping id -> performance.now() when sent
    this.pingSeq = 0
    this.reqSeq = 0
    this.stopped = false
    this._retryTimer = null
    this._pingTimer = null
  }

  start () {
    this.stopped = false
    this._connect()
  }

  stop () {
    this.stopped = true
    clearTimeout(this._retryTimer)
    this._stopPing()
    if (this.ws) this.ws.close(1000, 'page closed')
  }

  // A fresh connection now (a new server nonce, no sign-in, no subscriptions):
  // how the page signs out or changes key on a signed-in connection.
  restart () {
    if (this.stopped) return
    clearTimeout(this._retryTimer)
    this._stopPing()
    const old = this.ws
    this.ws = null // its close event is then ignored
    if (old) old.close(1000, 'signing in again')
    this._setStatus(STATUS.RECONNECTING)
    this.attempt = 0
    this._connect()
  }

  get open () {
    return this.ws !== null && this.ws.readyState === WebSocket.OPEN
  }

  // Returns the request id, or null when the socket is not open.
  send (msg) {
    if (!this.open) return null
    const id = msg.id ?? `r${++this.reqSeq}`
    this.ws.send(JSON.stringify({ ...msg, id }))
    return id
  }

  ping () {
    if (!this.open) return
    const now = performance.now()
    // The server sends a heartbeat every second and answers every ping: silence this long is a dead feed.
    if (now - this.lastMessageAt > this.staleAfterMs) {
      console.warn('websocket: nothing received for too long; reconnecting')
      this.restart()
      return
    }
    const id = `p${++this.pingSeq}`
    this.pings.set(id, now)
    // Forget pings that never got an answer so the map cannot grow.
    for (const [k, t] of this.pings) if (now - t > 30000) this.pings.delete(k)
    this.ws.send(JSON.stringify({ type: 'ping', id }))
  }

  _setStatus (status) {
    if (this.status === status) return
    this.status = status
    this.onStatus(status)
  }

  _connect () {
    let ws
    try {
      ws = new WebSocket(this.url)
    } catch (err) {
      console.warn('websocket: cannot connect', err)
      this._scheduleReconnect()
      return
    }
    this.ws = ws
    ws.addEventListener('open', () => {
      if (this.ws !== ws) return
      this.lastMessageAt = performance.now()
      this._setStatus(STATUS.CONNECTED)
      this._startPing()
      this.onOpen()
    })
    ws.addEventListener('message', (ev) => {
      if (this.ws !== ws) return
      this.lastMessageAt = performance.now()
      let msg
      try {
        msg = JSON.parse(ev.data)
      } catch {
        console.warn('websocket: ignoring a frame that is not JSON')
        return
      }
      if (!msg || typeof msg !== 'object') return
      if (msg.type === 'connected') this.attempt = 0
      if (msg.type === 'pong') this._onPong(msg)
      this.onMessage(msg)
    })
    // 'error' is always followed by 'close'; reconnecting is handled there.
    ws.addEventListener('close', () => {
      if (this.ws !== ws) return
      this.ws = null
      this._stopPing()
      if (this.stopped) {
        this._setStatus(STATUS.DISCONNECTED)
        return
      }
      this._scheduleReconnect()
    })
  }

  _scheduleReconnect () {
    this._setStatus(STATUS.RECONNECTING)
    const exp = Math.min(this.maxBackoffMs, this.baseBackoffMs * 2 ** this.attempt)
    const delay = Math.round(exp / 2 + Math.random() * exp / 2) // jitter
    this.attempt++
    clearTimeout(this._retryTimer)
    this._retryTimer = setTimeout(() => this._connect(), delay)
  }

  _startPing () {
    this._stopPing()
    this.ping()
    this._pingTimer = setInterval(() => this.ping(), this.pingIntervalMs)
  }

  _stopPing () {
    clearInterval(this._pingTimer)
    this._pingTimer = null
    this.pings.clear()
  }

  _onPong (msg) {
    const sent = this.pings.get(msg.id)
    if (sent === undefined) return
    this.pings.delete(msg.id)
    this.onLatency(performance.now() - sent)
  }
}
