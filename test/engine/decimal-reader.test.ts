/**
 * DecimalReader branch by branch, with the answers bignumber.js gives for the
 * same text (test/engine/validate-equivalence.test.ts compares the two on
 * generated inputs), and the ASCII case folding of identifiers against the
 * regular expressions it replaced.
 */
import t from 'tap'
import { DecimalReader } from '../../src/engine/decimal-reader.js'
import { DecimalRefusal } from '../../src/engine/decimal.js'
import { asciiLower, normaliseSymbol } from '../../src/engine/identifiers.js'
import { intBetween, pick, seededRandom } from '../helpers/random.js'

const MAX_SAFE = Number.MAX_SAFE_INTEGER

function read (input: unknown): DecimalReader {
  const reader = new DecimalReader()
  const refusal = reader.read(input)
  if (refusal !== null) throw new Error(`${String(input)} refused: ${refusal}`)
  return reader
}

t.test('read refuses what parseDecimal refuses, with the same reason', async (t) => {
  const reader = new DecimalReader()
  const cases: Array<[unknown, string]> = [
    [Infinity, DecimalRefusal.NOT_FINITE],
    [Number.NaN, DecimalRefusal.NOT_FINITE],
    [null, DecimalRefusal.NOT_DECIMAL],
    [1n, DecimalRefusal.NOT_DECIMAL],
    [{}, DecimalRefusal.NOT_DECIMAL],
    ['-', DecimalRefusal.NEGATIVE],
    ['-x', DecimalRefusal.NEGATIVE],
    [-0.5, DecimalRefusal.NEGATIVE],
    ['', DecimalRefusal.NOT_PLAIN],
    ['.5', DecimalRefusal.NOT_PLAIN],
    ['+1', DecimalRefusal.NOT_PLAIN],
    ['1'.repeat(41), DecimalRefusal.NOT_PLAIN],
    ['1.', DecimalRefusal.NOT_PLAIN],
    ['1.x', DecimalRefusal.NOT_PLAIN],
    ['1.' + '1'.repeat(41), DecimalRefusal.NOT_PLAIN],
    ['1e', DecimalRefusal.NOT_PLAIN],
    ['1E+', DecimalRefusal.NOT_PLAIN],
    ['1e-x', DecimalRefusal.NOT_PLAIN],
    ['1e12345', DecimalRefusal.NOT_PLAIN],
    ['1x', DecimalRefusal.NOT_PLAIN],
    ['1.5 ', DecimalRefusal.NOT_PLAIN],
    ['1e5\n', DecimalRefusal.NOT_PLAIN],
    ['١', DecimalRefusal.NOT_PLAIN],
    ['0', DecimalRefusal.ZERO],
    [0, DecimalRefusal.ZERO],
    [-0, DecimalRefusal.ZERO],
    ['000.000e-5', DecimalRefusal.ZERO],
    ['1234567890123456789', DecimalRefusal.TOO_PRECISE],
    ['1.234567890123456789', DecimalRefusal.TOO_PRECISE],
    ['100000000000000000.1', DecimalRefusal.TOO_PRECISE]
  ]
  for (const [input, reason] of cases) t.equal(reader.read(input), reason, `${JSON.stringify(String(input))}`)
})

t.test('read accepts the plain forms the wire allows', async (t) => {
  const reader = new DecimalReader()
  for (const input of ['1', '0.5', '0001.2000', '1e5', '1E-5', '1.5e+0003', '9'.repeat(18) + '0'.repeat(22), '0'.repeat(39) + '1',
    '0.' + '0'.repeat(39) + '1', '1e9999', '1e-9999', '123456789.123456789', 1e21, 1.5e-7, 0.1]) {
    t.equal(reader.read(input), null, String(input))
  }
})

t.test('units: the value in 10^-places units when a safe integer, else -1', async (t) => {
  t.equal(read('30000.01').units(2), 3_000_001)
  t.equal(read('0.001').units(8), 100_000)
  t.equal(read('1.5e-7').units(8), 15)
  t.equal(read(1.5e-7).units(8), 15, 'a JSON number is read through String(n)')
  t.equal(read(0.1).units(8), 10_000_000, '0.1 is one tenth exactly')
  t.equal(read('12e3').units(0), 12_000)
  t.equal(read('1.23').units(1), -1, 'off the step')
  t.equal(read('1.20').units(1), 12, 'trailing zeros are not off the step')
  t.equal(read('9007199254740991').units(0), MAX_SAFE)
  t.equal(read('90071992547409.91').units(2), MAX_SAFE)
  t.equal(read('9007199254740992').units(0), -1, '2^53 is past the safe range')
  t.equal(read('9999999999999999').units(0), -1, '16 digits but past 2^53 − 1')
  t.equal(read('1e16').units(0), -1, '17 digits')
  t.equal(read('123456789012345678').units(0), -1)
  t.equal(read('1e-9999').units(8), -1)
})

t.test('exceeds: more than an integer limit, exactly', async (t) => {
  t.equal(read('900').exceeds(8, 90_000_000_000), false)
  t.equal(read('900.00000001').exceeds(8, 90_000_000_000), true)
  t.equal(read('900.000000001').exceeds(8, 90_000_000_000), true, 'a fraction of a unit past the limit')
  t.equal(read('899.999999999').exceeds(8, 90_000_000_000), false, 'a fraction of a unit under the limit')
  t.equal(read('0.5').exceeds(0, 0), true, 'a fraction over zero')
  t.equal(read('0.5').exceeds(0, 1), false)
  t.equal(read('1e-9999').exceeds(8, 0), true)
  t.equal(read('1e9999').exceeds(8, MAX_SAFE), true, 'far too many digits')
  t.equal(read('9007199254740991').exceeds(0, MAX_SAFE), false)
  t.equal(read('9007199254740992').exceeds(0, MAX_SAFE), true)
  t.equal(read('9007199254740991.5').exceeds(0, MAX_SAFE), true, 'the whole part reaches the limit')
  t.equal(read('9007199254740990.5').exceeds(0, MAX_SAFE), false)
  t.equal(read('12345678901234567.8').exceeds(0, MAX_SAFE), true, 'a whole part of 17 digits')
})

t.test('toFixed prints what BigNumber.toFixed() prints', async (t) => {
  t.equal(read('0001.2000').toFixed(), '1.2')
  t.equal(read('1.5e3').toFixed(), '1500')
  t.equal(read('12.5e-1').toFixed(), '1.25')
  t.equal(read('0.000000001').toFixed(), '0.000000001')
  t.equal(read('123.456e-3').toFixed(), '0.123456')
  t.equal(read('1230').toFixed(), '1230')
  t.equal(read(1e21).toFixed(), '1' + '0'.repeat(21))
})

const PRINTABLE_ASCII = /^[\x20-\x7e]*$/
const referenceUpper = (text: string) => PRINTABLE_ASCII.test(text) ? text.toUpperCase() : ''
const referenceLower = (text: string) => PRINTABLE_ASCII.test(text) ? text.toLowerCase() : ''

t.test('identifiers fold ASCII only, exactly as the regular expression did', async (t) => {
  const random = seededRandom(11)
  const alphabet = ['a', 'z', 'A', 'Z', '-', '0', ' ', '~', '@', '[', '`', '{', '\x1f', '\x7f', 'ſ', 'K', 'é', 'ß', '\u0130']
  let mismatches = 0
  for (let i = 0; i < 20_000; i++) {
    let text = ''
    for (let n = intBetween(random, 0, 8); n > 0; n--) text += pick(random, alphabet)
    if (normaliseSymbol(text) !== referenceUpper(text) || asciiLower(text) !== referenceLower(text)) mismatches++
  }
  t.equal(mismatches, 0)
  t.equal(normaliseSymbol('btc-usdt'), 'BTC-USDT')
  t.equal(normaliseSymbol('BTC-USDT'), 'BTC-USDT')
  t.equal(normaliseSymbol('ſol-usdt'), '')
  t.equal(asciiLower('Buy'), 'buy')
  t.equal(asciiLower('sell'), 'sell')
  t.equal(asciiLower('\u212aill'), '', 'the Kelvin sign is not k')
})

t.test('normaliseSymbol given a non-string (untyped callers) behaves as before', async (t) => {
  t.throws(() => normaliseSymbol(42 as unknown as string), TypeError)
  t.throws(() => normaliseSymbol(undefined as unknown as string), TypeError)
  t.equal(normaliseSymbol({ toString: () => '\u00e9' } as unknown as string), '')
})
