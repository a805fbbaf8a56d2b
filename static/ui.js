// Small DOM helpers: toasts, the inline form alert, busy buttons.
/* global document, fetch, setTimeout, clearTimeout */

const MAX_TOASTS = 5
const TOAST_MS = 4000

export function $ (id) {
  const el = document.getElementById(id)
  if (!el) throw new Error(`missing element #${id}`)
  return el
}

// type: 'success' | 'error' | 'info' | 'warn'
export function toast (message, type = 'info') {
  const container = $('toast-container')
  const el = document.createElement('div')
  el.className = `toast toast-${type}`
  el.setAttribute('role', type === 'error' ? 'alert' : 'status')
  el.textContent = message
  container.appendChild(el)
  while (container.children.length > MAX_TOASTS) container.firstElementChild.remove()
  setTimeout(() => {
    el.classList.add('toast-leave')
    setTimeout(() => el.remove(), 300)
  }, TOAST_MS)
}

let alertTimer = null

export function showAlert (message, type = 'info') {
  const el = $('order-alert')
  el.textContent = message
  el.className = `alert alert-${type}`
  el.hidden = false
  clearTimeout(alertTimer)
  if (type === 'success' || type === 'info') {
    alertTimer = setTimeout(() => { el.hidden = true }, 4000)
  }
}

export function hideAlert () {
  $('order-alert').hidden = true
}

export function setBusy (button, busy) {
  button.disabled = busy
  button.classList.toggle('loading', busy)
  const spinner = button.querySelector('.spinner')
  if (busy && !spinner) {
    const s = document.createElement('span')
    s.className = 'spinner'
    s.setAttribute('aria-hidden', 'true')
    button.prepend(s)
  } else if (!busy && spinner) {
    spinner.remove()
  }
}

// POST JSON; resolves to { ok, status, body } and never throws on HTTP errors.
export async function postJson (path, payload) {
  const res = await fetch(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify(payload)
  })
  return { ok: res.ok, status: res.status, body: await readBody(res) }
}

export async function getJson (path) {
  const res = await fetch(path, { headers: { accept: 'application/json' } })
  return { ok: res.ok, status: res.status, body: await readBody(res) }
}

async function readBody (res) {
  const text = await res.text()
  try {
    return text ? JSON.parse(text) : {}
  } catch {
    return { error: text.slice(0, 200) || res.statusText, error_code: `HTTP_${res.status}` }
  }
}

export function describeError (body, status) {
  const msg = body?.error || `HTTP ${status}`
  const code = body?.error_code ? ` [${body.error_code}]` : ''
  let details = ''
  if (body?.details !== undefined && body.details !== null) {
    details = typeof body.details === 'string' ? body.details : JSON.stringify(body.details)
    details = ` – ${details.slice(0, 160)}`
  }
  return `${msg}${code}${details}`
}
