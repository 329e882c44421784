import { describe, expect, it } from 'vitest';
import { decodeHash, encodeHash } from './share.js';

describe('the shared link', () => {
  it('round-trips the script (any characters), the model, the RAM size and the step', () => {
    const state = { script: 'ptr a # ä & = + #\nwrite a unsigned 1\n', model: 'sv39' as const, ramBytes: 1 << 20, step: 3 };
    const hash = encodeHash(state);
    expect(hash.startsWith('#')).toBe(true);
    expect(decodeHash(hash)).toEqual(state);
  });

  it('leaves defaults out, and falls back to them for values it cannot use', () => {
    expect(encodeHash({ script: 'x', model: 'x86-32', ramBytes: undefined, step: 0 })).toBe('#hw=x86-32&script=x');
    expect(decodeHash('#hw=arm&ram=-5&step=1.5&script=x')).toEqual({ script: 'x', model: 'x86-32', ramBytes: undefined, step: 0 });
    expect(decodeHash('#hw=sv32')).toBeNull();
    expect(decodeHash('')).toBeNull();
  });
});
