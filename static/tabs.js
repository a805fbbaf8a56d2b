// Phone layout: at narrow widths (CSS decides, see style.css) the panels are
// shown one at a time under a tab bar (Trade, Book, Trades, Orders). On a wide
// screen the tab bar is hidden and every panel shows.
import { $ } from './ui.js'

export function setupTabs () {
  const bar = $('tabs')
  const tabs = [...bar.querySelectorAll('[role="tab"]')]
  const select = (tab) => {
    for (const t of tabs) {
      const on = t === tab
      t.setAttribute('aria-selected', String(on))
      t.tabIndex = on ? 0 : -1
      $(t.getAttribute('aria-controls')).classList.toggle('tab-active', on)
    }
  }
  bar.addEventListener('click', (e) => {
    const tab = e.target.closest('[role="tab"]')
    if (tab) select(tab)
  })
  // Arrow keys move between tabs (the WAI-ARIA tabs pattern).
  bar.addEventListener('keydown', (e) => {
    const i = tabs.indexOf(e.target)
    if (i < 0 || (e.key !== 'ArrowRight' && e.key !== 'ArrowLeft')) return
    const next = tabs[(i + (e.key === 'ArrowRight' ? 1 : tabs.length - 1)) % tabs.length]
    select(next)
    next.focus()
  })
  select(tabs.find((t) => t.getAttribute('aria-selected') === 'true') ?? tabs[0])
}
