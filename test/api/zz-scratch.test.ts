import t from 'tap'
import { buildTestApp } from '../helpers/build-app.js'

t.test('probe', async (t) => {
  const app = await buildTestApp(t, { BODY_LIMIT: '1024' })
  const raw = async (method: string, url: string, payload?: string, headers: Record<string, string> = {}) => {
    const r = await app.inject({ method: method as 'POST', url, payload, headers })
    console.log(method, url, JSON.stringify(payload)?.slice(0, 80), JSON.stringify(headers), '=>', r.statusCode, r.headers['content-type'], r.headers.allow ?? '', r.headers['retry-after'] ?? '', r.body.slice(0, 300))
  }
  const body = '{"symbol":"BTC-USDT","side":"buy","order_type":"limit","quantity":"0.1","price":"30000"}'
  await raw('POST', '/order', body)
  await raw('POST', '/order', JSON.stringify({ symbol: 'BTC-USDT', side: 'buy', order_type: 'limit', quantity: '0.1', price: '30000', client_order_id: 'x'.repeat(2048) }), { 'content-type': 'application/json' })
  await raw('POST', '/order', body.replace('"0.1"', '"0.1000000000000000001"'), { 'content-type': 'application/json' })
  await raw('POST', '/order', body.replace('"30000"', '"1e15"'), { 'content-type': 'application/json' })
  await raw('POST', '/order', body.replace('"30000"', 'null').replace('limit', 'market'), { 'content-type': 'application/json' })
  await raw('POST', '/order', body.replace('limit', 'market'), { 'content-type': 'application/json' })
  await raw('POST', '/order', body.replace('"30000"', 'null'), { 'content-type': 'application/json' })
  await raw('POST', '/order', body.replace('limit', 'stop'), { 'content-type': 'application/json' })
  app.engine.submit = () => { throw new Error('secret at /srv/app.ts:42') }
  await raw('POST', '/order', body, { 'content-type': 'application/json' })
  await raw('GET', '/statistics')
  const closing = app.close()
  await raw('GET', '/health')
  await closing
})
