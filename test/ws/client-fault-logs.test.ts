/**
 * Client faults on /ws (a frame over WS_MAX_PAYLOAD, bad JSON, duplicate keys, a flood) are the
 * peer's doing: logged at debug, as fields, without a stack, never at error.
 */
import t, { type Test } from 'tap'
import { Writable } from 'node:stream'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildApp } from '../../src/app.js'
import { loadConfig } from '../../src/config.js'
import { Session } from '../../plugins/ws-session.js'
import { connect, isType, within } from './ws-client.js'

interface LogLine { level: number, msg: string, [key: string]: unknown }

async function loggedServer (t: Test, env: Record<string, string>) {
  const lines: LogLine[] = []
  const stream = new Writable({
    write (chunk, _encoding, done) {
      for (const line of String(chunk).split('\n')) if (line !== '') lines.push(JSON.parse(line))
      done()
    }
  })
  const dataDir = mkdtempSync(join(tmpdir(), 'me-ws-logs-'))
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }))
  const config = loadConfig({ DATA_DIR: dataDir, JOURNAL_ENABLED: 'false', PRESSURE_MAX_EVENT_LOOP_DELAY_MS: '0', AUTH: 'off', ...env })
  const app = await buildApp(config, { logger: { level: 'debug', stream } })
  t.teardown(() => app.close())
  await app.listen({ host: '127.0.0.1', port: 0 })
  const address = app.server.address()
  const wsUrl = `ws://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}/ws`
  return { app, lines, wsUrl }
}

t.test('client faults are logged at debug without a stack trace', async (t) => {
  const { lines, wsUrl } = await loggedServer(t, { WS_MAX_PAYLOAD: '256', WS_MAX_MESSAGES_PER_SECOND: '5' })

  const { client: a } = await connect(wsUrl)
  t.teardown(() => a.close())
  a.sendRaw('{"type": "ping"')
  await a.next(isType('error'))
  a.sendRaw('{"type":"ping","type":"ping"}')
  await a.next(isType('error'))
  for (let i = 0; i < 20; i++) a.send({ type: 'ping' })
  t.equal((await within(a.closed, 2000, 'the flood close')).code, 1008)

  const { client: b } = await connect(wsUrl)
  t.teardown(() => b.close())
  b.sendRaw(JSON.stringify({ type: 'ping', id: 'y'.repeat(300) }))
  t.equal((await within(b.closed, 2000, 'the 1009 close')).code, 1009)
  await new Promise((resolve) => setTimeout(resolve, 50))

  const faults = lines.filter((l) => /client fault|flood/.test(l.msg))
  t.ok(faults.some((l) => l.msg.includes('invalid JSON')), 'bad JSON is logged')
  t.ok(faults.some((l) => l.msg.includes('duplicate key')), 'a duplicate key is logged')
  t.ok(faults.some((l) => l.msg.includes('flood')), 'the flood close is logged')
  t.ok(faults.some((l) => l.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH'), 'the oversize frame is logged with its ws code')
  for (const l of faults) {
    t.equal(l.level, 20, `"${l.msg}" at debug`)
    t.notOk(JSON.stringify(l).includes('"stack"'), `"${l.msg}" without a stack`)
  }
  t.same(lines.filter((l) => l.level >= 50).map((l) => l.msg), [], 'nothing at error or above')
})

t.test('server faults, unlike client ones, are logged at error', async (t) => {
  const { app, lines, wsUrl } = await loggedServer(t, {})
  const { client: a } = await connect(wsUrl)
  t.teardown(() => a.close())
  const handle = Session.prototype.handle
  Session.prototype.handle = () => { throw new Error('a bug in the session') }
  t.teardown(() => { Session.prototype.handle = handle })
  a.send({ type: 'ping' })
  await new Promise((resolve) => setTimeout(resolve, 50))
  Session.prototype.handle = handle
  t.ok(await a.roundTrip(), 'the connection survives a failing handler')
  // An error of the socket that is not a ws protocol fault: terminated, logged at error.
  for (const socket of app.websocketServer.clients) socket.emit('error', new Error('socket trouble'))
  t.equal((await within(a.closed, 2000, 'the terminate')).code, 1006)
  const errors = lines.filter((l) => l.level === 50).map((l) => l.msg)
  t.same(errors, ['websocket message handling failed', 'websocket failure'])
})
