// Benchmarks of the policy core alone: every policy on an in-memory page array (dense ids; a hot set of 48 pages
// takes 90% of the references, the rest spread over 4096 pages; 64 frames), and an LRU miss-ratio curve over
// every frame count against one LRU run (the curve should cost at most ~3 runs). Run: `pnpm bench trace`.

import { medianOf, printTable, type BenchRow } from '@vmsim/dev-util/bench';
import { createPolicy, lruMissCurve, optMissCurve, POLICY_NAMES } from './index.js';

const REFS = 4_000_000;
const PAGES = 4096;
const FRAMES = 64;

/** A deterministic stream with locality (an LCG, so every run sees the same references). */
export function localityStream(n: number, pages: number, hot = 48, hotShare = 0.9): Int32Array {
  const out = new Int32Array(n);
  let x = 0x2545f491;
  const cut = Math.floor(hotShare * 1024);
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1103515245) + 12345) | 0;
    const r = (x >>> 12) & 1023;
    x = (Math.imul(x, 1103515245) + 12345) | 0;
    out[i] = r < cut ? (x >>> 8) % hot : (x >>> 8) % pages;
  }
  return out;
}

export async function run(): Promise<void> {
  const stream = localityStream(REFS, PAGES);
  const writes = new Uint8Array(REFS);
  for (let i = 0; i < REFS; i += 7) writes[i] = 1;
  const rows: BenchRow[] = [];
  for (const name of POLICY_NAMES) {
    const reps = name === 'opt' ? 3 : 7;
    let misses = 0;
    const ms = medianOf(() => {
      const policy = createPolicy(name, { frames: FRAMES, pageCount: PAGES, stream });
      const t = performance.now();
      policy.run(stream, writes);
      const elapsed = performance.now() - t;
      misses = policy.misses;
      return elapsed;
    }, reps, 2);
    rows.push({ name: `${name} core, ${FRAMES} frames (miss ${((100 * misses) / REFS).toFixed(1)}%)`, opsPerSec: (REFS / ms) * 1000, nsPerOp: (ms * 1e6) / REFS });
  }
  console.log(`policy core on an in-memory array of ${REFS.toLocaleString('en-US')} references (ops = references)`);
  printTable(rows);

  // One LRU run and one curve in turn, several rounds: a change of machine speed falls on both alike.
  const lruRuns: number[] = [];
  const lruCurves: number[] = [];
  for (let round = 0; round < 7; round++) {
    const policy = createPolicy('lru', { frames: FRAMES, pageCount: PAGES });
    let t = performance.now();
    policy.run(stream, null);
    const run = performance.now() - t;
    t = performance.now();
    lruMissCurve(stream, PAGES);
    const curve = performance.now() - t;
    if (round === 0) continue; // warm-up
    lruRuns.push(run);
    lruCurves.push(curve);
  }
  const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
  const lruRun = median(lruRuns);
  const lruCurve = median(lruCurves);
  const ratios = lruCurves.map((c, i) => (c / lruRuns[i]!).toFixed(2)).join(', ');
  const small = stream.subarray(0, 400_000);
  const optCurve = medianOf(() => {
    const t = performance.now();
    optMissCurve(small, PAGES);
    return performance.now() - t;
  }, 3, 1);
  console.log(
    `\nLRU miss-ratio curve over all ${PAGES} frame counts: ${lruCurve.toFixed(1)} ms; one LRU run: ${lruRun.toFixed(1)} ms; ` +
      `ratio ${(lruCurve / lruRun).toFixed(2)}× (medians; rounds: ${ratios})`,
  );
  console.log(`OPT miss-ratio curve (Mattson priority stack) on ${small.length.toLocaleString('en-US')} references: ${optCurve.toFixed(1)} ms`);
}
