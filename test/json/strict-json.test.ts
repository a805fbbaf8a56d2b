// The strict JSON reader on its own (no Fastify): what JSON.parse accepts and
// it refuses (duplicate keys, numbers a double cannot give back, prototype
// keys), and that everything else comes out exactly as JSON.parse gives it.
import t from 'tap'
import { decimalKey, parseStrictJson } from '../../src/json/strict-json.js'

function refused (text: string): string {
  const result = parseStrictJson(text)
  if (result.ok) throw new Error(`accepted: ${text}`)
  return result.message
}

t.test('valid JSON comes out as JSON.parse gives it', async (t) => {
  const texts = [
    '{"symbol":"BTC-USDT","side":"buy","order_type":"limit","quantity":"0.1","price":"30000"}',
    '{"quantity":0.1,"price":30000.5,"n":-2,"e":1e3,"z":0,"neg0":-0}',
    '{"a":{"a":{"a":1}},"b":[{"a":1},{"a":2}],"c":[[{"x":"y"}]]}',
    '{"s":"a:b,\\"c\\":{\\"d\\":1}","t":"\\\\","u":"\\u0041"}',
    '[1,2,3]', '"text"', '42', 'true', 'null', ' { } ', '[]',
    '{"key with : colon":"v","other":"\\"quoted\\" : 1"}',
    '{"constructor":1,"prototype":{"x":1}}',
    '{"big":123456789012345,"small":0.000001,"exp":1.5e-7,"E":2E+21}',
    // Runs of backslashes before a quote: odd escapes it (the string goes on past its ':'), even does not.
    '{"s":"x\\\\\\":y","t":"\\\\","u":{"v":"\\\\\\\\"}}'
  ]
  for (const text of texts) {
    const result = parseStrictJson(text)
    t.ok(result.ok, text)
    if (result.ok) t.strictSame(result.value, JSON.parse(text), `same value: ${text}`)
  }
})

t.test('syntax errors and empty bodies are refused with a reason', async (t) => {
  t.match(refused(''), /empty/)
  t.match(refused('  \n'), /empty/)
  for (const text of ['{"a":', '{a:1}', "{'a':1}", '{"a":1,}', '{"a":1}}', '01', 'NaN', '{"a":1e}']) {
    t.match(refused(text), /not valid JSON/, text)
  }
})

t.test('duplicate keys are refused, naming the key, at any depth and however escaped', async (t) => {
  t.equal(refused('{"quantity":"5000000","quantity":"0.001"}'), 'duplicate key \'quantity\' in a JSON object; send each field once')
  t.match(refused('{"quantity":"1","qu\\u0061ntity":"1"}'), /'quantity'/, 'escaped spelling of the same key')
  t.match(refused('{"a":"same","a":"same"}'), /'a'/, 'even with an equal value')
  t.match(refused('{"o":{"x":1,"y":{"z":1},"x":2}}'), /'x'/, 'nested object')
  t.match(refused('[{"a":1},{"b":1,"b":2}]'), /'b'/, 'object inside an array')
  t.match(refused('{"a":[{"k":1}],"k":1,"k":2}'), /'k'/, 'after an array that held the same key')
  t.match(refused('{"s":"x:y","s":"z"}'), /'s'/, 'colon inside a string value')
  // The same key in sibling objects is not a duplicate.
  t.ok(parseStrictJson('[{"a":1},{"a":2}]').ok)
  t.ok(parseStrictJson('{"a":{"a":{"a":1}}}').ok)
})

t.test('numbers: accepted when the double gives back the decimal written, refused otherwise', async (t) => {
  for (const text of ['0.1', '30000.50', '1e3', '1E+3', '-0', '0.0', '123456789012345680', '1e21', '5e-324', '0.30000000000000004']) {
    t.ok(parseStrictJson(`{"n":${text}}`).ok, `${text} accepted`)
  }
  t.equal(refused('{"price":20000.010000000000001}'),
    'the JSON number 20000.010000000000001 cannot be read exactly (a double holds it as 20000.01); send it as a string')
  for (const text of ['0.1000000000000000001', '123456789012345678', '9007199254740993', '1e-400', '2.4703282292062328e-324']) {
    t.match(refused(`{"n":${text}}`), /cannot be read exactly/, `${text} refused`)
  }
  for (const text of ['1e400', '-1e400']) t.match(refused(`[${text}]`), /out of range/, `${text} refused`)
  t.match(refused('20000.010000000000001'), /cannot be read exactly/, 'a lone number too')
  t.ok(parseStrictJson('{"n":"20000.010000000000001"}').ok, 'the same digits as a string are the engine\'s to judge')
})

t.test('prototype-poisoning keys are refused as Fastify\'s default parser refuses them', async (t) => {
  t.match(refused('{"__proto__":{"polluted":"yes"}}'), /__proto__/)
  t.match(refused('{"a":[{"__proto__":1}]}'), /__proto__/)
  t.match(refused('{"\\u005f_proto__":{}}'), /__proto__/, 'escaped spelling')
  t.match(refused('{"constructor":{"prototype":{"polluted":"yes"}}}'), /constructor\.prototype/)
  t.equal(({} as Record<string, unknown>).polluted, undefined)
})

t.test('deep nesting is walked without recursion', async (t) => {
  const depth = 50_000
  t.ok(parseStrictJson('['.repeat(depth) + ']'.repeat(depth)).ok)
  t.ok(parseStrictJson('{"a":'.repeat(depth) + '1' + '}'.repeat(depth)).ok)
})

t.test('decimalKey: one text per decimal value', async (t) => {
  t.equal(decimalKey('30000.50'), decimalKey('3.00005e4'))
  t.equal(decimalKey('0.000'), '0')
  t.equal(decimalKey('-0'), '0')
  t.equal(decimalKey('-1.5'), '-15e-1')
  t.equal(decimalKey('1e+21'), decimalKey('1000000000000000000000'))
  t.not(decimalKey('1.0000000000000000001'), decimalKey('1'))
})

t.test('refusals quote at most 40 characters of the client text', async (t) => {
  const longKey = 'k'.repeat(5000)
  const dup = parseStrictJson(`{"${longKey}":1,"${longKey}":2}`)
  t.equal(dup.ok, false)
  if (!dup.ok) t.ok(dup.message.length < 120, `short message (${dup.message.length} chars)`)
  const longNumber = '1.' + '1'.repeat(5000)
  const inexact = parseStrictJson(`{"quantity":${longNumber}}`)
  t.equal(inexact.ok, false)
  if (!inexact.ok) t.ok(inexact.message.length < 200, `short message (${inexact.message.length} chars)`)
})
