// The --plot spec, now built in @vmsim/replacement: the same Vega-Lite spec the cli drew before the move, field
// for field, so the SVG it writes is unchanged.

import { describe, expect, it } from 'vitest';
import { missRatioSpec, plotMissRatioSvg } from './trace-plot.js';
import type { RunResult } from './trace-runs.js';

const results: RunResult[] = [
  { policy: 'lru', frames: 1, references: 8, hits: 2, misses: 6, writebacks: 1, evictions: 5, seconds: 0.001, method: 'run' },
  { policy: 'lru', frames: 2, references: 8, hits: 4, misses: 4, writebacks: null, evictions: null, seconds: null, method: 'stack' },
  { policy: 'fifo', frames: 1, references: 8, hits: 2, misses: 6, writebacks: 0, evictions: 5, seconds: 0.001, method: 'run' },
];

describe('missRatioSpec (cli)', () => {
  it('is the spec the cli has always drawn', () => {
    expect(missRatioSpec(results, 't: miss ratio by frames (4096-byte pages)')).toStrictEqual({
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      title: 't: miss ratio by frames (4096-byte pages)',
      width: 640,
      height: 360,
      background: 'white',
      data: {
        values: [
          { policy: 'lru', frames: 1, missRatio: 0.75 },
          { policy: 'lru', frames: 2, missRatio: 0.5 },
          { policy: 'fifo', frames: 1, missRatio: 0.75 },
        ],
      },
      mark: { type: 'line', point: true, interpolate: 'step-after' },
      encoding: {
        x: { field: 'frames', type: 'quantitative', title: 'frames' },
        y: { field: 'missRatio', type: 'quantitative', title: 'miss ratio (log scale)', scale: { type: 'log' }, axis: { format: '.2~%' } },
        color: { field: 'policy', type: 'nominal', title: 'policy' },
      },
    });
  });

  it('renders to an SVG with one line per policy', async () => {
    const svg = await plotMissRatioSvg(results, 'curves');
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('curves');
    // One line group per policy, one legend entry per policy.
    expect(svg.match(/class="mark-line role-mark/g)?.length).toBe(2);
    expect(svg.match(/class="mark-symbol role-legend-symbol"/g)?.length).toBe(2);
  });
});
