/**
 * JSON.parse keeps the last of two equal keys without a word, so
 * `{"depth":1000,"depth":1}` would mean whatever the reader guesses. This
 * scans text that JSON.parse has already accepted and names the first key an
 * object repeats (compared after unescaping, so "a" and "\u0061" are equal).
 * Frames are small (WS_MAX_PAYLOAD), so one linear pass costs little.
 *
 * TODO(lead): the HTTP side gets its own strict parser (src/json/strict-json.ts);
 * once both are merged, this can be replaced by it.
 */

export interface DuplicateKey {
  readonly key: string
  /** True when the repeated key belongs to the outermost object. */
  readonly topLevel: boolean
}

const QUOTE = 0x22
const BACKSLASH = 0x5c

/** The first repeated key in valid JSON text, or null. */
export function findDuplicateKey (text: string): DuplicateKey | null {
  // One entry per open container: the keys seen so far for an object, null for an array.
  const open: Array<Set<string> | null> = []
  let expectKey = false
  for (let i = 0; i < text.length; i++) {
    const c = text[i]
    if (c === '"') {
      let end = i + 1
      let escaped = false
      for (;;) {
        const code = text.charCodeAt(end)
        if (code === BACKSLASH) {
          escaped = true
          end += 2
        } else if (code === QUOTE) {
          break
        } else {
          end++
        }
      }
      if (expectKey) {
        const keys = open[open.length - 1] as Set<string>
        const key = escaped ? JSON.parse(text.slice(i, end + 1)) as string : text.slice(i + 1, end)
        if (keys.has(key)) return { key, topLevel: open.length === 1 }
        keys.add(key)
        expectKey = false
      }
      i = end
    } else if (c === '{') {
      open.push(new Set())
      expectKey = true
    } else if (c === '[') {
      open.push(null)
    } else if (c === '}' || c === ']') {
      open.pop()
    } else if (c === ',') {
      expectKey = open[open.length - 1] instanceof Set
    }
  }
  return null
}
