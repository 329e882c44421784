// The miss-ratio spec: its data points, its encoding, and its argument checks.

import { describe, expect, it } from 'vitest';
import { ReplacementArgumentError } from './errors.js';
import { missRatioSpec, pointMissRatio } from './plot-spec.js';

describe('missRatioSpec', () => {
  it('maps each point to its policy, frames and miss ratio, and draws step lines on a log y scale', () => {
    const spec = missRatioSpec(
      [
        { policy: 'lru', frames: 1, references: 10, misses: 8 },
        { policy: 'lru', frames: 2, references: 10, misses: 5 },
        { policy: 'fifo', frames: 1, references: 0, misses: 0 },
      ],
      'curves',
    );
    expect(spec.title).toBe('curves');
    expect(spec.data.values).toEqual([
      { policy: 'lru', frames: 1, missRatio: 0.8 },
      { policy: 'lru', frames: 2, missRatio: 0.5 },
      { policy: 'fifo', frames: 1, missRatio: 0 },
    ]);
    expect(spec.mark).toEqual({ type: 'line', point: true, interpolate: 'step-after' });
    expect(spec.encoding.y.scale.type).toBe('log');
    expect(spec.encoding.color.field).toBe('policy');
  });

  it('drops the point marks above 200 points', () => {
    const points = Array.from({ length: 201 }, (_, i) => ({ policy: 'opt', frames: i + 1, references: 100, misses: 50 }));
    expect(missRatioSpec(points, '').mark.point).toBe(false);
    expect(missRatioSpec(points.slice(0, 200), '').mark.point).toBe(true);
  });

  it('rejects bad points and titles with a ReplacementArgumentError', () => {
    expect(() => missRatioSpec([{ policy: 'lru', frames: 1, references: 2, misses: 3 }], 't')).toThrow(ReplacementArgumentError);
    expect(() => missRatioSpec([{ policy: 'lru', frames: -1, references: 2, misses: 1 }], 't')).toThrow(/points\[0\]/);
    expect(() => missRatioSpec('x' as never, 't')).toThrow(ReplacementArgumentError);
    expect(() => missRatioSpec([], 3 as never)).toThrow(ReplacementArgumentError);
  });

  it('pointMissRatio is misses over references, 0 when there are none', () => {
    expect(pointMissRatio({ policy: 'x', frames: 1, references: 4, misses: 1 })).toBe(0.25);
    expect(pointMissRatio({ policy: 'x', frames: 1, references: 0, misses: 0 })).toBe(0);
  });
});
