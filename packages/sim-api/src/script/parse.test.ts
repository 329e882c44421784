// The word scanners against their specification: integers in every base with separators, floats, sizes,
// whitespace splitting and comments (checked against the regular expressions they replace), and cut words.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ScriptError, UsageError } from './errors.js';
import { parseRange, parseSize, quote, scanFloat, shorten } from './parse.js';
import { stripComment, wordStart, words } from './script.js';

const U64 = (1n << 64n) - 1n;

/** Digits of `n` in `base`, with `_` put between some of them. */
function spell(n: bigint, base: 2 | 8 | 10 | 16, cuts: readonly boolean[]): string {
  const digits = n.toString(base);
  let text = '';
  for (let i = 0; i < digits.length; i++) text += (i > 0 && cuts[i % cuts.length] === true ? '_' : '') + digits[i];
  return text;
}

describe('integers', () => {
  it('every value of the range, in every base, with separators between digits, parses exactly', () => {
    fc.assert(fc.property(
      fc.bigInt({ min: -U64, max: U64 }), fc.constantFrom(2, 8, 10, 16) as fc.Arbitrary<2 | 8 | 10 | 16>, fc.array(fc.boolean(), { minLength: 1, maxLength: 8 }), fc.boolean(),
      (n, base, cuts, upper) => {
        const magnitude = spell(n < 0n ? -n : n, base, cuts);
        const prefix = base === 16 ? '0x' : base === 8 ? '0o' : base === 2 ? '0b' : '';
        let word = `${n < 0n ? '-' : ''}${prefix}${magnitude}`;
        if (upper) word = word.toUpperCase();
        expect(parseRange(word, 'test', -U64, U64, 'decimal')).toBe(n);
      },
    ));
  });

  it('a separator not between two digits, or no digits at all, is not a number', () => {
    for (const word of ['1_', '_1', '0x_ff', '1__0', '0x', '0b', '-', '+', '', '0x1g', '1e3', '1.0', '--1', '+-1', '0_x1', ' 1', '1 ']) {
      expect(() => parseRange(word, 'test', -U64, U64, 'decimal'), JSON.stringify(word)).toThrow(`bad number ${JSON.stringify(word)} for test`);
    }
  });

  it('out of range: the word as typed, the bounds in the chosen base; a huge word is refused at once', () => {
    expect(() => parseRange('0x100', 'u8 value', 0n, 255n, 'decimal')).toThrow(new ScriptError('u8 value 0x100 is out of range (0 to 255)'));
    expect(() => parseRange('-1', 'read address', 0n, 0xffffffffn, 'hex')).toThrow(new ScriptError('read address -1 is out of range (0 to 0xffffffff)'));
    expect(() => parseRange('-5', 'x', -4n, -1n, 'hex')).toThrow(new ScriptError('x -5 is out of range (-0x4 to -0x1)'));
    const huge = '7'.repeat(5_000_000);
    const started = performance.now();
    expect(() => parseRange(huge, 'v', 0n, U64, 'decimal')).toThrow(`v ${'7'.repeat(40)}… (5000000 characters) is out of range`);
    expect(performance.now() - started).toBeLessThan(2000);
    expect(parseRange(`${'0'.repeat(1000)}42`, 'v', 0n, U64, 'decimal')).toBe(42n);
  });
});

describe('floats', () => {
  it('the forms the README lists', () => {
    const cases: [string, number][] = [['1.5', 1.5], ['-0.25', -0.25], ['1e300', 1e300], ['.5', 0.5], ['5.', 5], ['+2E-3', 0.002], ['inf', Infinity], ['-INF', -Infinity], ['+inf', Infinity]];
    for (const [word, value] of cases) expect(scanFloat(word), word).toBe(value);
    expect(scanFloat('NaN')).toBeNaN();
  });

  it('anything else is not a float', () => {
    for (const word of ['', '.', 'e5', '1e', '1e+', '1.2.3', 'abc', '0x10', '1_0', '--1', 'infinity', ' 1']) expect(scanFloat(word), word).toBeUndefined();
  });

  it('agrees with the regular expression it replaces', () => {
    const old = /^[+-]?(\d+\.?\d*(e[+-]?\d+)?|\.\d+(e[+-]?\d+)?)$/i;
    fc.assert(fc.property(fc.stringMatching(/^[-+.e0-9]{0,8}$/), (word) => {
      expect(scanFloat(word) !== undefined).toBe(old.test(word));
      if (old.test(word)) expect(scanFloat(word)).toBe(Number(word));
    }));
  });
});

describe('sizes', () => {
  it('bytes and binary units', () => {
    const cases: [string, number][] = [['4096', 4096], ['128K', 131072], ['128kb', 131072], ['128KiB', 131072], ['64M', 64 << 20], ['1G', 2 ** 30], ['10b', 10], [' 8k ', 8192]];
    for (const [word, bytes] of cases) expect(parseSize(word), word).toBe(bytes);
    for (const word of ['', 'K', '12Q', '1.5M', '1 M', '-1K', '1KK', '1ibk', '1Gi b']) expect(() => parseSize(word), word).toThrow(UsageError);
  });
});

describe('words and comments', () => {
  const text = fc.array(fc.constantFrom('a', 'b', '#', ' ', '\t', '\u00a0', '\u2003', 'x', '\r'), { maxLength: 24 }).map((chars) => chars.join(''));

  it('words agree with split on \\s+', () => {
    fc.assert(fc.property(text, (t) => {
      expect(words(t)).toEqual(t.split(/\s+/).filter((w) => w.length > 0));
    }));
  });

  it('stripComment agrees with the regular expression it replaces', () => {
    fc.assert(fc.property(text, (t) => {
      const m = /(^|\s)#/.exec(t);
      expect(stripComment(t)).toBe((m === null ? t : t.slice(0, m.index)).trim());
    }));
  });

  it('wordStart finds each word', () => {
    fc.assert(fc.property(text, (t) => {
      const w = words(t);
      for (let k = 0; k < w.length; k++) expect(t.slice(wordStart(t, k)).startsWith(w[k]!)).toBe(true);
      expect(wordStart(t, w.length)).toBe(t.length);
    }));
  });
});

describe('cut words', () => {
  it('up to 40 characters whole, longer ones cut with their length', () => {
    expect(quote('a'.repeat(40))).toBe(JSON.stringify('a'.repeat(40)));
    expect(quote('a'.repeat(41))).toBe(`"${'a'.repeat(40)}…" (41 characters)`);
    expect(shorten('b'.repeat(41))).toBe(`${'b'.repeat(40)}… (41 characters)`);
    expect(shorten('short')).toBe('short');
  });

  it('never splits a surrogate pair', () => {
    const word = `${'a'.repeat(39)}😀${'a'.repeat(10)}`;
    expect(quote(word)).toBe(`"${'a'.repeat(39)}…" (51 characters)`);
  });
});
