import t from 'tap'
import { findDuplicateKey } from '../../src/gateway/duplicate-keys.js'

t.test('names the first key an object repeats', async (t) => {
  t.same(findDuplicateKey('{"type":"ping","type":"subscribe"}'), { key: 'type', topLevel: true })
  t.same(findDuplicateKey('{"id":1, "id" : 2}'), { key: 'id', topLevel: true })
  t.same(findDuplicateKey('{"a":{"b":1,"b":2}}'), { key: 'b', topLevel: false })
  t.same(findDuplicateKey('[{"x":1},{"y":[{"z":1,"z":1}]}]'), { key: 'z', topLevel: false })
  t.same(findDuplicateKey('{"depth":10,"\\u0064epth":1000}'), { key: 'depth', topLevel: true }, 'keys compare after unescaping')
})

t.test('accepts what has no repeat', async (t) => {
  for (const text of [
    '{}', '[]', '"a"', '12', 'null',
    '{"a":1,"b":{"a":2}}', // the same key in two objects
    '[{"a":1},{"a":2}]',
    '{"a":"\\"a\\":1,\\"a\\""}', // quotes and keys inside a string value
    '{"a\\\\":1,"a":2}', // an escaped backslash ends the key
    '{"e":{},"f":[],"g":[{},{}],"h":[1,"x",{"i":"j"}]}'
  ]) t.equal(findDuplicateKey(text), null, text)
})
