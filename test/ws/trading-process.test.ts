/**
 * cancel_on_disconnect and the dead-man's switch (order.cancel_after)
 * against the real server process (dist/src/server.js, AUTH=required, a
 * temp DATA_DIR): a client that closes, a client whose socket is destroyed
 * mid-flight, a switch that runs out, one that is refreshed, one disarmed.
 * The cancels are journaled: after a SIGKILL and a restart on the same
 * files, those orders stay cancelled, and every order entered over /ws has
 * the status it had before (the journal replays WS orders like REST ones).
 */
import t, { type Test } from 'tap'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { request } from 'undici'
import { startChildServer } from '../helpers/child-server.js'
import { ADMIN_HEADERS, authEnv, signedHeaders, type TestKey } from '../helpers/signing.js'
import { signInFrame } from './identity.js'
import { connect, sleep, until, within, type TestClient } from './ws-client.js'
import { trade } from './trading-client.js'

async function http (url: string, method: 'GET' | 'POST', path: string, headers: Record<string, string>, body?: unknown) {
  const text = body === undefined ? undefined : JSON.stringify(body)
  const response = await request(url + path, { method, headers: text === undefined ? headers : { ...headers, 'content-type': 'application/json' }, body: text })
  return { status: response.statusCode, body: await response.body.json() as Record<string, any> }
}

async function newKey (url: string, accountId: string): Promise<TestKey> {
  await http(url, 'POST', '/admin/accounts', ADMIN_HEADERS, { account_id: accountId })
  const key = await http(url, 'POST', `/admin/accounts/${accountId}/keys`, ADMIN_HEADERS, { permissions: ['read', 'trade'] })
  if (key.status !== 201) throw new Error(`key for ${accountId}: ${JSON.stringify(key.body)}`)
  return { accountId, keyId: key.body.key_id, secret: key.body.secret }
}

async function signed (url: string, key: TestKey, path: string) {
  return await http(url, 'GET', path, signedHeaders(key, 'GET', path))
}

async function openOrders (url: string, key: TestKey): Promise<string[]> {
  const page = await signed(url, key, '/orders?status=open&limit=1000')
  if (page.status !== 200) throw new Error(`GET /orders: ${page.status} ${JSON.stringify(page.body)}`)
  return page.body.orders.map((o: { order_id: string }) => o.order_id)
}

async function signIn (t: Test, wsUrl: string, key: TestKey, cancelOnDisconnect?: boolean): Promise<TestClient> {
  const { client, connected } = await connect(wsUrl)
  t.teardown(() => client.close())
  const frame = signInFrame(key, connected.nonce as string)
  const answer = await client.request(cancelOnDisconnect === undefined ? frame : { ...frame, cancel_on_disconnect: cancelOnDisconnect })
  if (answer.type !== 'authenticated') throw new Error(`sign-in: ${JSON.stringify(answer)}`)
  return client
}

/** n resting orders of the account (sells far above any buy, buys far below any sell). */
async function rest (client: TestClient, n: number, side: 'buy' | 'sell', price: string): Promise<string[]> {
  const ids: string[] = []
  for (let i = 0; i < n; i++) {
    const answer = await trade(client, 'order.place', { symbol: 'BTC-USDT', side, order_type: 'limit', quantity: '0.5', price })
    ids.push((answer.result as { order_id: string }).order_id)
  }
  return ids
}

t.test('cancel_on_disconnect and cancel_after on the real process; journaled, and WS orders replay exactly', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'me-ws-trading-'))
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }))
  const env = { ...authEnv(t), DATA_DIR: dataDir, JOURNAL_FSYNC: 'batch', WS_MAX_ORDERS_PER_SECOND: '100000', AUTH_KEY_ORDERS_PER_SECOND: '100000' }
  const server = await startChildServer(t, env)
  const url = server.url
  const wsUrl = url.replace('http', 'ws') + '/ws'
  const [closer, destroyed, timed, bystander] = await Promise.all(['closer', 'destroyed', 'timed', 'bystander'].map((a) => newKey(url, a)))

  // A bystander's orders, entered over /ws: some trade, one is amended, one cancelled, two rest.
  const other = await signIn(t, wsUrl, bystander)
  const bystanderIds = [
    ...await rest(other, 2, 'buy', '100'),
    // stp none: trading with its own resting buy, so there are fills to replay.
    ((await trade(other, 'order.place', { symbol: 'BTC-USDT', side: 'sell', order_type: 'limit', quantity: '0.5', price: '100', stp: 'none' })).result as { order_id: string }).order_id,
    ...await rest(other, 2, 'buy', '99')
  ]
  await trade(other, 'order.amend', { symbol: 'BTC-USDT', order_id: bystanderIds[3], new_quantity: '0.25' })
  await trade(other, 'order.cancel', { symbol: 'BTC-USDT', order_id: bystanderIds[4] })

  await t.test('a client that closes: its account\'s open orders are cancelled', async (t) => {
    const client = await signIn(t, wsUrl, closer, true)
    const ids = await rest(client, 3, 'sell', '200')
    t.same((await openOrders(url, closer)).sort(), ids.sort(), 'open while connected')
    await client.close()
    await until(async () => (await openOrders(url, closer)).length === 0, 5000, 'the orders cancelled after the close')
    const closed = await signed(url, closer, '/orders?status=closed')
    t.same(closed.body.orders.map((o: { status: string }) => o.status), ['cancelled', 'cancelled', 'cancelled'])
  })

  await t.test('a client whose socket is destroyed mid-flight: whatever it placed is cancelled', async (t) => {
    const client = await signIn(t, wsUrl, destroyed, true)
    await rest(client, 1, 'sell', '300')
    client.socket.cork()
    for (let i = 0; i < 100; i++) client.send({ type: 'order.place', id: i, params: { symbol: 'BTC-USDT', side: 'sell', order_type: 'limit', quantity: '0.5', price: '300' } })
    client.socket.uncork()
    // Dropped at once, without a close frame: the server reads what arrived and sees the socket end
    // while those orders still wait for the journal (their answers never reach anyone).
    client.socket.destroy()
    await within(client.closed, 3000, 'the client socket gone')
    await until(async () => (await openOrders(url, destroyed)).length === 0, 5000, 'the orders cancelled after the drop')
    const closed = await signed(url, destroyed, '/orders?status=closed&limit=1000')
    t.ok(closed.body.orders.length >= 1, `${closed.body.orders.length} orders were placed, all cancelled`)
    t.ok(closed.body.orders.every((o: { status: string }) => o.status === 'cancelled'))
  })

  await t.test('order.cancel_after: refreshed it does not fire; 0 disarms; run out, it cancels (after a disconnect too)', async (t) => {
    const client = await signIn(t, wsUrl, timed)
    const ids = await rest(client, 2, 'sell', '400')
    // Refreshed every 300 ms for 2.4 s with a 1 s timeout: it never runs out.
    for (let i = 0; i < 8; i++) {
      t.match(await trade(client, 'order.cancel_after', { timeout_ms: 1000 }), { type: 'order.cancel_after' })
      await sleep(300)
    }
    t.same((await openOrders(url, timed)).sort(), ids.sort(), 'refreshed: still open')
    await trade(client, 'order.cancel_after', { timeout_ms: 0 })
    await sleep(1500)
    t.same((await openOrders(url, timed)).sort(), ids.sort(), 'disarmed: still open past the timeout')
    const armed = await trade(client, 'order.cancel_after', { timeout_ms: 1000 })
    t.type((armed.result as { trigger_time: number }).trigger_time, 'number')
    // The switch is the account's: it runs on after this connection is gone.
    await client.close()
    await until(async () => (await openOrders(url, timed)).length === 0, 5000, 'the orders cancelled when the switch ran out')
    const stats = await http(url, 'GET', '/statistics', {})
    t.match(stats.body.gateway, { cancel_after_fired: 1, cancel_on_disconnect_fired: 2 })
  })

  t.same((await openOrders(url, bystander)).sort(), [bystanderIds[1], bystanderIds[3]].sort(), 'the bystander\'s orders were not touched')
  const statusBefore = await Promise.all(bystanderIds.map((id) => signed(url, bystander, `/order/${id}?symbol=BTC-USDT`)))
  const bookBefore = await http(url, 'GET', '/book/BTC-USDT', {})
  // One more acknowledged command: everything before it is durable, so a SIGKILL now loses nothing.
  await trade(other, 'order.place', { symbol: 'ETH-USDT', side: 'buy', order_type: 'limit', quantity: '1', price: '1' })
  await other.close()
  server.child.kill('SIGKILL')
  await server.exited

  const again = await startChildServer(t, env)
  for (const key of [closer, destroyed, timed]) t.same(await openOrders(again.url, key), [], `${key.accountId}: still cancelled after the restart`)
  const statusAfter = await Promise.all(bystanderIds.map((id) => signed(again.url, bystander, `/order/${id}?symbol=BTC-USDT`)))
  t.same(statusAfter, statusBefore, 'every WS-entered order has the same status, fills and quantities after the replay')
  const bookAfter = await http(again.url, 'GET', '/book/BTC-USDT', {})
  t.same({ bids: bookAfter.body.bids, asks: bookAfter.body.asks }, { bids: bookBefore.body.bids, asks: bookBefore.body.asks }, 'the same book')
  t.ok(bookAfter.body.bids.length > 0, 'a book with something in it')
  t.match(statusAfter[0].body, { status: 'filled' }, 'with a fill')
  t.match(statusAfter[3].body, { status: 'pending', quantity: '0.25' }, 'an amend')
  t.match(statusAfter[4].body, { status: 'cancelled' }, 'a cancel')
  const restarted = await http(again.url, 'GET', '/statistics', {})
  t.match(restarted.body.gateway, { cancel_after_fired: 0 }, 'no switch is kept across a restart')

  // A server-side close counts too: a graceful shutdown (SIGTERM) cancels, durably, before the process exits.
  const onShutdown = await signIn(t, again.url.replace('http', 'ws') + '/ws', closer, true)
  const late = await rest(onShutdown, 2, 'sell', '700')
  t.same((await openOrders(again.url, closer)).sort(), late.sort())
  await again.stop()
  const third = await startChildServer(t, env)
  t.same(await openOrders(third.url, closer), [], 'cancelled when the server shut down, and journaled before it exited')
})
