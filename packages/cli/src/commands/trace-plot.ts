// `--plot FILE.svg`: the miss-ratio curves as an SVG, drawn by Vega-Lite (compiled to a Vega spec) and rendered by
// Vega's headless SVG renderer: no canvas, no browser, and the same spec renders in a browser page.

import { missRatioSpec as buildMissRatioSpec } from '@vmsim/replacement';
import { parse, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { RunResult } from './trace-runs.js';

/** The Vega-Lite spec of the curves (built in @vmsim/replacement, which the web app's trace page shares). */
export function missRatioSpec(results: readonly RunResult[], title: string): TopLevelSpec {
  return buildMissRatioSpec(results, title);
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
