// The miss-ratio curves as a Vega-Lite spec: miss ratio by frame count, one coloured line per policy. A plain
// object (no import of vega), so the cli's SVG writer and the web app's trace page draw the very same chart.

import { ReplacementArgumentError } from './errors.js';

/** One point of a curve: a policy's references and misses at one frame count. */
export interface MissRatioPoint {
  readonly policy: string;
  readonly frames: number;
  readonly references: number;
  readonly misses: number;
}

/** The Vega-Lite spec `missRatioSpec` builds (a subset of vega-lite's TopLevelSpec, assignable to it). */
export interface MissRatioSpec {
  readonly $schema: 'https://vega.github.io/schema/vega-lite/v6.json';
  readonly title: string;
  readonly width: number;
  readonly height: number;
  readonly background: string;
  readonly data: { readonly values: { policy: string; frames: number; missRatio: number }[] };
  readonly mark: { readonly type: 'line'; readonly point: boolean; readonly interpolate: 'step-after' };
  readonly encoding: {
    readonly x: { readonly field: 'frames'; readonly type: 'quantitative'; readonly title: string };
    readonly y: {
      readonly field: 'missRatio';
      readonly type: 'quantitative';
      readonly title: string;
      readonly scale: { readonly type: 'log' };
      readonly axis: { readonly format: string };
    };
    readonly color: { readonly field: 'policy'; readonly type: 'nominal'; readonly title: string };
  };
}

/** misses / references, 0 for an empty run. */
export function pointMissRatio(point: MissRatioPoint): number {
  return point.references === 0 ? 0 : point.misses / point.references;
}

function checkPoint(point: MissRatioPoint, index: number): void {
  const ok =
    point !== null &&
    typeof point === 'object' &&
    typeof point.policy === 'string' &&
    Number.isSafeInteger(point.frames) &&
    point.frames >= 0 &&
    Number.isSafeInteger(point.references) &&
    point.references >= 0 &&
    Number.isSafeInteger(point.misses) &&
    point.misses >= 0 &&
    point.misses <= point.references;
  if (!ok) throw new ReplacementArgumentError(`points[${index}]`, point, 'a {policy, frames, references, misses} with 0 <= misses <= references');
}

/** The Vega-Lite spec of the curves of `points`, titled `title`. */
export function missRatioSpec(points: readonly MissRatioPoint[], title: string): MissRatioSpec {
  if (!Array.isArray(points)) throw new ReplacementArgumentError('points', points, 'an array of miss-ratio points');
  if (typeof title !== 'string') throw new ReplacementArgumentError('title', title, 'a string');
  points.forEach(checkPoint);
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    width: 640,
    height: 360,
    background: 'white',
    data: { values: points.map((r) => ({ policy: r.policy, frames: r.frames, missRatio: pointMissRatio(r) })) },
    mark: { type: 'line', point: points.length <= 200, interpolate: 'step-after' },
    encoding: {
      x: { field: 'frames', type: 'quantitative', title: 'frames' },
      // A log scale: the curves fall by orders of magnitude (a miss ratio is never 0: first references miss).
      y: { field: 'missRatio', type: 'quantitative', title: 'miss ratio (log scale)', scale: { type: 'log' }, axis: { format: '.2~%' } },
      color: { field: 'policy', type: 'nominal', title: 'policy' },
    },
  };
}
