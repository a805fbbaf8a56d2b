// Answers come from globalThis.__k6.http(method, url, body, params), set by the driver; every request is
// recorded in globalThis.__k6.requests (method, url, body, headers) so a test can check what was sent.
function request (method, url, body, params) {
  globalThis.__k6.requests.push({ method, url, body: body ?? null, headers: (params && params.headers) || {} })
  const res = globalThis.__k6.http(method, url, body, params)
  return { status: 200, headers: {}, body: '{}', json () { return JSON.parse(this.body) }, ...res }
}
export default {
  get: (url, params) => request('GET', url, null, params),
  post: (url, body, params) => request('POST', url, body, params),
  request: (method, url, body, params) => request(method, url, body, params),
  expectedStatuses: (...list) => list
}
