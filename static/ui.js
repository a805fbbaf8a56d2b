// Small DOM helpers: toasts, the inline form alert, busy buttons.
/* global document, setTimeout, clearTimeout */

const TOAST_MS = 6000

export function $ (id) {
  const el = document.getElementById(id)
  if (!el) throw new Error(`missing element #${id}`)
  return el
}

let toastTimer = null

// The page's one notification line: it has its own row under the header
// (it never covers content) and shows the latest message, which replaces the
// one before. type: 'success' | 'error' | 'info' | 'warn'
export function toast (message, type = 'info') {
  const container = $('toast-container')
  const el = document.createElement('div')
  el.className = `toast toast-${type}`
  el.textContent = message
  container.replaceChildren(el)
  clearTimeout(toastTimer)
  toastTimer = setTimeout(() => el.remove(), TOAST_MS)
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
