// The compiled expressions against a reference: random expression trees, printed with random spacing and
// redundant parentheses, evaluated by compileExpression/evaluateExpression and by a direct walk of the tree.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ScriptError } from './errors.js';
import { compileExpression, evaluateExpression, type Expression } from './expression.js';

type Tree =
  | { readonly kind: 'num'; readonly value: bigint; readonly hex: boolean }
  | { readonly kind: 'var'; readonly slot: number }
  | { readonly kind: 'neg'; readonly operand: Tree }
  | { readonly kind: 'bin'; readonly op: '+' | '-' | '*' | '/' | '%'; readonly left: Tree; readonly right: Tree };

const SCOPE = ['i', 'j', 'k'];
const LIMIT = 1n << 64n;

const tree: fc.Arbitrary<Tree> = fc.letrec<{ tree: Tree }>((tie) => ({
  tree: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.record({ kind: fc.constant('num' as const), value: fc.oneof(fc.bigInt({ min: 0n, max: 1000n }), fc.bigInt({ min: 0n, max: LIMIT - 1n })), hex: fc.boolean() }),
    fc.record({ kind: fc.constant('var' as const), slot: fc.integer({ min: 0, max: SCOPE.length - 1 }) }),
    fc.record({ kind: fc.constant('neg' as const), operand: tie('tree') }),
    fc.record({ kind: fc.constant('bin' as const), op: fc.constantFrom('+', '-', '*', '/', '%'), left: tie('tree'), right: tie('tree') }),
  ),
})).tree;

/**
 * The tree's value, evaluated left operand first as the postfix code runs, or the first failure: 'zero' for a
 * division by zero, 'wide' for a result outside (-2^64, 2^64). BigInt's / truncates and its % keeps the
 * dividend's sign, as the language specifies.
 */
function reference(t: Tree, slots: readonly bigint[]): bigint | 'zero' | 'wide' {
  if (t.kind === 'num') return t.value;
  if (t.kind === 'var') return slots[t.slot]!;
  if (t.kind === 'neg') {
    const v = reference(t.operand, slots);
    return typeof v === 'bigint' ? -v : v;
  }
  const l = reference(t.left, slots);
  if (typeof l !== 'bigint') return l;
  const r = reference(t.right, slots);
  if (typeof r !== 'bigint') return r;
  if ((t.op === '/' || t.op === '%') && r === 0n) return 'zero';
  const v = t.op === '+' ? l + r : t.op === '-' ? l - r : t.op === '*' ? l * r : t.op === '/' ? l / r : l % r;
  return v >= LIMIT || v <= -LIMIT ? 'wide' : v;
}

/** Fully parenthesised text (so precedence cannot change the meaning), with spaces from `gap`. */
function print(t: Tree, gap: string): string {
  if (t.kind === 'num') return t.hex ? `0x${t.value.toString(16)}` : t.value.toString();
  if (t.kind === 'var') return SCOPE[t.slot]!;
  if (t.kind === 'neg') return `-${gap}(${print(t.operand, gap)})`;
  return `(${print(t.left, gap)}${gap}${t.op}${gap}${print(t.right, gap)})`;
}

function run(source: string, slots: readonly bigint[]): bigint | string {
  const compiled = compileExpression(source, SCOPE);
  if ('why' in compiled) return `compile: ${compiled.why}`;
  try {
    return evaluateExpression(compiled, slots);
  } catch (error) {
    if (error instanceof ScriptError) return error.message;
    throw error;
  }
}

describe('compiled expressions', () => {
  it('agree with a direct evaluation of the tree, whatever the spacing', () => {
    const slots = fc.tuple(fc.bigInt({ min: -50n, max: 50n }), fc.bigInt({ min: -50n, max: 50n }), fc.bigInt({ min: -50n, max: 50n }));
    fc.assert(fc.property(tree, slots, fc.constantFrom('', ' ', '\t', '  '), (t, values, gap) => {
      const expected = reference(t, values);
      const got = run(print(t, gap), values);
      if (expected === 'zero') expect(got).toMatch(/: division by zero$/);
      else if (expected === 'wide') expect(got).toMatch(/: a result is wider than 64 bits$/);
      else expect(got).toBe(expected);
    }), { numRuns: 500 });
  });

  it('precedence: * / % before + -, left to right, unary minus binding tightest', () => {
    const cases: [string, bigint][] = [
      ['1 + 2 * 3', 7n], ['10 - 4 - 3', 3n], ['100 / 10 / 5', 2n], ['7 % 4 * 2', 6n], ['-2 * 3', -6n], ['- -2', 2n],
      ['2 * -3', -6n], ['-7 / 2', -3n], ['-7 % 2', -1n], ['7 % -2', 1n], ['+5', 5n], ['(((1)))', 1n], ['0x10 + 010', 26n],
      ['i * 2 + j', 11n], ['k - -k', 0n],
    ];
    for (const [source, value] of cases) expect(run(source, [5n, 1n, 0n]), source).toBe(value);
  });

  it('the innermost binding of a name wins', () => {
    const compiled = compileExpression('i', ['i', 'j', 'i']) as Expression;
    expect(evaluateExpression(compiled, [1n, 2n, 3n])).toBe(3n);
  });

  it('mistakes, each with its reason', () => {
    const cases: [string, string][] = [
      ['', 'compile: unexpected end'], ['1 +', 'compile: unexpected end'], ['(1', 'compile: missing )'], ['1)', 'compile: unexpected ")"'],
      [')', 'compile: unexpected ")"'], ['1 2', 'compile: unexpected "2"'], ['12abc', 'compile: unexpected "abc"'], ['2 ^ 3', 'compile: unexpected "^"'],
      ['n', 'compile: unknown variable n'], ['{1}', 'compile: unexpected "{"'], ['1 / (i - 5)', 'bad expression {1 / (i - 5)}: division by zero'],
      ['99999999999999999999999', 'compile: number 99999999999999999999999 is wider than 64 bits'],
      ['0x10000000000000000', 'compile: number 0x10000000000000000 is wider than 64 bits'],
    ];
    for (const [source, message] of cases) expect(run(source, [5n, 0n, 0n]), source).toBe(message);
  });

  it('leading zeros do not make a literal wide; 2^64 - 1 is the largest literal', () => {
    expect(run(`${'0'.repeat(100)}18446744073709551615`, [0n, 0n, 0n])).toBe(18446744073709551615n);
    expect(run('0x00000000ffffffffffffffff', [0n, 0n, 0n])).toBe(18446744073709551615n);
    expect(run('18446744073709551616', [0n, 0n, 0n])).toBe('compile: number 18446744073709551616 is wider than 64 bits');
  });

  it('a million nested parentheses and signs compile and run in linear time', () => {
    const n = 1_000_000;
    const started = performance.now();
    expect(run(`${'('.repeat(n)}${'-'.repeat(n)}i${')'.repeat(n)}`, [4n, 0n, 0n])).toBe(4n);
    expect(performance.now() - started).toBeLessThan(5000);
  });
});
