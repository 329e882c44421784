// `--plot FILE.svg`: the miss-ratio curves as an SVG, drawn by Vega-Lite (compiled to a Vega spec) and rendered by
// Vega's headless SVG renderer: no canvas, no browser, and the same spec renders in a browser page.

import { parse, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { missRatio } from './trace-output.js';
import type { RunResult } from './trace-runs.js';

/** The Vega-Lite spec of the curves: miss ratio by frame count, one coloured line per policy. */
export function missRatioSpec(results: readonly RunResult[], title: string): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    width: 640,
    height: 360,
    background: 'white',
    data: { values: results.map((r) => ({ policy: r.policy, frames: r.frames, missRatio: missRatio(r) })) },
    mark: { type: 'line', point: results.length <= 200, interpolate: 'step-after' },
    encoding: {
      x: { field: 'frames', type: 'quantitative', title: 'frames' },
      // A log scale: the curves fall by orders of magnitude (a miss ratio is never 0: first references miss).
      y: { field: 'missRatio', type: 'quantitative', title: 'miss ratio (log scale)', scale: { type: 'log' }, axis: { format: '.2~%' } },
      color: { field: 'policy', type: 'nominal', title: 'policy' },
    },
  };
}

export async function plotMissRatioSvg(results: readonly RunResult[], title: string): Promise<string> {
  const vega = compile(missRatioSpec(results, title)).spec;
  const view = new View(parse(vega), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
