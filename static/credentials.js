// The API key the tab signs with. Kept in sessionStorage only: it lasts as
// long as the tab (a reload keeps it), is not shared with other tabs and is
// never written to localStorage or sent anywhere (requests carry signatures).
/* global sessionStorage, console */

const STORAGE_KEY = 'matching-engine.api-key'
export const KEY_ID_PATTERN = /^[0-9a-f]{32}$/

let current = null

function read () {
  try {
    const raw = sessionStorage.getItem(STORAGE_KEY)
    if (raw === null) return null
    const { keyId, secret } = JSON.parse(raw)
    return typeof keyId === 'string' && typeof secret === 'string' ? { keyId, secret } : null
  } catch {
    return null // storage disabled or a damaged entry: signed out
  }
}

export function loadCredentials () {
  current = read()
  return current
}

export function credentials () {
  return current
}

export function saveCredentials (keyId, secret) {
  current = Object.freeze({ keyId, secret })
  try {
    sessionStorage.setItem(STORAGE_KEY, JSON.stringify(current))
  } catch (err) {
    // Still signed in for this page; a reload will ask again.
    console.warn('sessionStorage unavailable: the key is kept in memory only', err)
  }
  return current
}

export function clearCredentials () {
  current = null
  try {
    sessionStorage.removeItem(STORAGE_KEY)
  } catch {
    // Nothing stored.
  }
}
