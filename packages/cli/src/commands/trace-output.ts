// The three outputs of `vmsim trace`: an aligned table, CSV with a header, and one JSON object per run (the
// fields policy, frames, references, hits, misses, writebacks first, then missRatio, evictions, method, refsPerSecond).

import type { RunResult } from './trace-runs.js';

export const TABLE_COLUMNS = ['policy', 'frames', 'references', 'hits', 'misses', 'miss%', 'writebacks', 'refs/s'] as const;

export function missRatio(r: RunResult): number {
  return r.references === 0 ? 0 : r.misses / r.references;
}

function refsPerSecond(r: RunResult): number | null {
  return r.seconds === null || r.seconds <= 0 ? null : Math.round(r.references / r.seconds);
}

function human(n: number | null): string {
  if (n === null) return '-';
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)}G`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)}M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)}k`;
  return String(n);
}

export function tableLines(results: readonly RunResult[]): string[] {
  const rows = results.map((r) => [
    r.policy,
    String(r.frames),
    String(r.references),
    String(r.hits),
    String(r.misses),
    (100 * missRatio(r)).toFixed(2),
    r.writebacks === null ? '-' : String(r.writebacks),
    human(refsPerSecond(r)),
  ]);
  const all = [[...TABLE_COLUMNS] as string[], ...rows];
  const widths = TABLE_COLUMNS.map((_, c) => Math.max(...all.map((row) => row[c]!.length)));
  return all.map((row) => row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ').trimEnd());
}

export function jsonRecord(r: RunResult): Record<string, unknown> {
  return {
    policy: r.policy,
    frames: r.frames,
    references: r.references,
    hits: r.hits,
    misses: r.misses,
    writebacks: r.writebacks,
    missRatio: missRatio(r),
    evictions: r.evictions,
    method: r.method,
    refsPerSecond: refsPerSecond(r),
  };
}

export const CSV_HEADER = 'policy,frames,references,hits,misses,writebacks,missRatio,evictions,method,refsPerSecond';

export function csvLine(r: RunResult): string {
  const cell = (v: number | null): string => (v === null ? '' : String(v));
  return [r.policy, r.frames, r.references, r.hits, r.misses, cell(r.writebacks), missRatio(r), cell(r.evictions), r.method, cell(refsPerSecond(r))].join(',');
}
