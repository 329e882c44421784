// Tiny timing helpers for packages/*/src/**/*.bench.ts files (@vmsim/dev-util/bench). Only uses performance.now() and
// console, so a bench can also run in a browser.

export interface BenchRow {
  name: string;
  opsPerSec: number;
  nsPerOp: number;
}

export interface MeasureOptions {
  /** Minimum measured time in milliseconds (default 500). */
  minMs?: number;
}

// Receives fn()'s result (a bench may return one even though it is typed void) so the JIT cannot
// treat the calls as dead code.
let sink: unknown;

/**
 * Times `fn`, where one call performs `opsPerCall` operations: a short warm-up, then calls in
 * growing batches until at least `minMs` have elapsed.
 */
export function measure(
  name: string,
  opsPerCall: number,
  fn: () => void,
  opts: MeasureOptions = {},
): BenchRow {
  const minMs = opts.minMs ?? 500;
  if (!(opsPerCall > 0)) throw new RangeError(`measure(${name}): opsPerCall must be > 0`);

  // Warm-up: about a tenth of the budget (at least a few calls) so the code is optimised.
  const warmUntil = performance.now() + Math.max(minMs / 10, 1);
  for (let i = 0; i < 5 || performance.now() < warmUntil; i++) sink = fn();

  let calls = 0;
  let batch = 1;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < minMs) {
    for (let i = 0; i < batch; i++) sink = fn();
    calls += batch;
    elapsed = performance.now() - start;
    // Grow the batch so the clock is read rarely, but keep batches well under the budget.
    if (elapsed < minMs / 20) batch *= 2;
  }

  const ops = calls * opsPerCall;
  return { name, opsPerSec: (ops / elapsed) * 1000, nsPerOp: (elapsed * 1e6) / ops };
}

/** Prints rows as an aligned table: name, ops/s, ns/op. */
export function printTable(rows: readonly BenchRow[]): void {
  const header = ['name', 'ops/s', 'ns/op'];
  const cells = rows.map((r) => [
    r.name,
    Math.round(r.opsPerSec).toLocaleString('en-US'),
    r.nsPerOp.toFixed(r.nsPerOp < 10 ? 2 : 1),
  ]);
  const widths = header.map((h, col) => Math.max(h.length, ...cells.map((row) => row[col]!.length)));
  const line = (row: string[]) =>
    row.map((cell, col) => (col === 0 ? cell.padEnd(widths[col]!) : cell.padStart(widths[col]!))).join('  ');
  console.log(line(header));
  for (const row of cells) console.log(line(row));
}

/**
 * Runs `rep` (one repetition, returning its own measured time in ms) `warmup` times untimed, then `reps`
 * times, and returns the median of the measured times in ms. For workloads that time themselves (from a
 * point inside the repetition, e.g. after a set-up step that the definition leaves out).
 */
export function medianOf(rep: () => number, reps: number, warmup = Math.max(5, reps >> 3)): number {
  if (!(reps > 0)) throw new RangeError('medianOf: reps must be > 0');
  for (let i = 0; i < warmup; i++) sink = rep();
  const times = new Float64Array(reps);
  for (let i = 0; i < reps; i++) times[i] = rep();
  times.sort();
  return reps % 2 === 1 ? times[reps >> 1]! : (times[reps / 2 - 1]! + times[reps / 2]!) / 2;
}
