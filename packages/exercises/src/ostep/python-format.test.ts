// Python's %-formatting and int() parsing, checked against what CPython 3.11 prints for the same values.

import { describe, expect, it } from 'vitest';
import { pyDec, pyFixed, pyHex, pyInt, pyIntRadix, pyOptparseInt, pyRepr } from './python-format.js';

describe('pyFixed (%.Nf)', () => {
  it('rounds exact ties half to even, as CPython does and toFixed does not', () => {
    // python3 -c "print('%.2f' % (97/800*100))"  → 12.12
    expect(pyFixed((97 / 800) * 100, 2)).toBe('12.12');
    expect(((97 / 800) * 100).toFixed(2)).toBe('12.13');
    expect(pyFixed(0.125, 2)).toBe('0.12');
    expect(pyFixed(0.25, 1)).toBe('0.2');
    expect(pyFixed(0.375, 2)).toBe('0.38');
  });
  it('rounds by the exact binary value, not the shortest decimal', () => {
    expect(pyFixed(2.0005, 3)).toBe('2.001');
    expect(pyFixed(1.005, 2)).toBe('1.00');
  });
  it('keeps the sign of small negatives and handles zero digits and big values', () => {
    expect(pyFixed(-0.001, 2)).toBe('-0.00');
    expect(pyFixed(2.5, 0)).toBe('2');
    expect(pyFixed(3.5, 0)).toBe('4');
    expect(pyFixed(100, 2)).toBe('100.00');
    expect(pyFixed(1e21, 1)).toBe('1000000000000000000000.0');
  });
});

describe('pyDec / pyHex', () => {
  it('pads like %4d, %08x, %02x and puts the sign before zero padding', () => {
    expect(pyDec(5, 4)).toBe('   5');
    expect(pyDec(-5, 4)).toBe('  -5');
    expect(pyHex(-5, 8, true)).toBe('-0000005');
    expect(pyHex(0x1ae, 8, true)).toBe('000001ae');
    expect(pyHex(255, 2, true)).toBe('ff');
    expect(pyHex(4096, 2, true)).toBe('1000');
    expect(pyDec(123456789n)).toBe('123456789');
  });
});

describe('int() parsing', () => {
  it('accepts what Python int() accepts', () => {
    expect(pyInt(' 7 ')).toBe(7n);
    expect(pyInt('+5')).toBe(5n);
    expect(pyInt('010')).toBe(10n);
    expect(pyInt('1_000')).toBe(1000n);
    expect(pyInt('-12')).toBe(-12n);
  });
  it('refuses what Python int() refuses', () => {
    for (const bad of ['', '1__0', '_1', '1_', '0x10', '1.5', 'abc', '- 1']) expect(pyInt(bad)).toBeNull();
    expect(pyIntRadix('0x_f', 16)).toBe(15n);
    expect(pyIntRadix('0_7', 8)).toBe(7n);
    expect(pyIntRadix('8', 8)).toBeNull();
  });
  it("follows optparse's radix rules", () => {
    expect(pyOptparseInt('0x10')).toBe(16n);
    expect(pyOptparseInt('010')).toBe(8n);
    expect(pyOptparseInt('0b101')).toBe(5n);
    expect(pyOptparseInt('0b')).toBe(0n);
    expect(pyOptparseInt('0')).toBe(0n);
    expect(pyOptparseInt('-10')).toBe(-10n);
    expect(pyOptparseInt('08')).toBeNull();
    expect(pyOptparseInt('-0x10')).toBeNull();
  });
  it('quotes like repr()', () => {
    expect(pyRepr('abc')).toBe("'abc'");
    expect(pyRepr("it's")).toBe('"it\'s"');
    expect(pyRepr('a\\b')).toBe("'a\\\\b'");
  });
});
