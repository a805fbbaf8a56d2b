// Small DOM helpers: toasts, the inline form alert, busy buttons.
/* global document, setTimeout, clearTimeout */

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
