// The trace page's view model: what the form's text means (policies, frame counts, page size), the runs it
// asks for (each policy at each frame count over the trace's page stream), and the table rows and curve points
// those runs give. Pure functions of their inputs, shared by the worker, the page and the node tests.

import { createPolicy, isPolicyName, POLICY_NAMES, type MissRatioPoint, type PolicyName } from '@vmsim/replacement';
import { TRACE_FORMATS, type TraceFormat } from '@vmsim/trace';

/** Frame counts one run may ask for, at most. */
export const MAX_FRAME_COUNTS = 256;
/** The largest frame count accepted. */
export const MAX_FRAMES = 1 << 20;
/** Page sizes offered (bytes). */
export const PAGE_SIZES: readonly number[] = [256, 1024, 4096, 16384, 65536, 2 << 20];
/** The policies offered, in the library's order. */
export const TRACE_POLICIES: readonly PolicyName[] = POLICY_NAMES;
/** The table's columns, as the cli's `vmsim trace` names them (less its timing column). */
export const TRACE_COLUMNS = ['policy', 'frames', 'references', 'hits', 'misses', 'miss%', 'writebacks'] as const;

/** A form field the page cannot use: EINVAL, with the field's name and text. */
export class TraceSetupError extends Error {
  override readonly name = 'TraceSetupError' as const;
  readonly errno = 'EINVAL' as const;
  constructor(
    readonly field: string,
    readonly value: unknown,
    readonly expected: string,
  ) {
    super(`${field} must be ${expected}, got ${typeof value === 'string' ? JSON.stringify(value) : String(value)}`);
  }
}

/** What one run of the page asks for. */
export interface TraceRequest {
  readonly policies: readonly PolicyName[];
  /** Ascending, distinct. */
  readonly frames: readonly number[];
  readonly pageSize: number;
  readonly format: TraceFormat | 'auto';
  /** Seed of random and ostep-clock. */
  readonly seed: number;
}

/** One row of the table: one policy at one frame count. */
export interface TraceRow extends MissRatioPoint {
  readonly policy: PolicyName;
  readonly hits: number;
  readonly writebacks: number;
}

/** A page stream, as @vmsim/trace's readers give it. */
export interface PageInput {
  readonly pages: Int32Array;
  readonly writes: Uint8Array;
  readonly pageCount: number;
}

/**
 * Frame counts from text such as "8,16,32", "1-64" or "8-256/8" (a range with a step): ascending and
 * distinct, each from 1 to MAX_FRAMES, at most MAX_FRAME_COUNTS of them.
 */
export function parseFrames(text: string): number[] {
  if (typeof text !== 'string') throw new TraceSetupError('frames', text, 'text such as 8,16,32 or 1-64 or 8-256/8');
  const out = new Set<number>();
  const items = text.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (items.length === 0) throw new TraceSetupError('frames', text, 'at least one frame count');
  for (const item of items) {
    const m = /^(\d+)(?:\s*-\s*(\d+)(?:\s*\/\s*(\d+))?)?$/.exec(item);
    if (m === null) throw new TraceSetupError('frames', item, 'N, A-B or A-B/STEP');
    const a = Number(m[1]);
    const b = m[2] === undefined ? a : Number(m[2]);
    const step = m[3] === undefined ? 1 : Number(m[3]);
    if (a < 1 || b > MAX_FRAMES) throw new TraceSetupError('frames', item, `frame counts from 1 to ${MAX_FRAMES}`);
    if (b < a) throw new TraceSetupError('frames', item, 'a range that ends after it starts');
    if (step < 1) throw new TraceSetupError('frames', item, 'a step of at least 1');
    if ((b - a) / step + out.size >= MAX_FRAME_COUNTS) throw new TraceSetupError('frames', text, `at most ${MAX_FRAME_COUNTS} frame counts`);
    for (let f = a; f <= b; f += step) out.add(f);
  }
  return [...out].sort((x, y) => x - y);
}

/** Checks a request and returns it with the frames sorted and deduplicated. */
export function checkRequest(request: TraceRequest): TraceRequest {
  if (request === null || typeof request !== 'object') throw new TraceSetupError('request', request, 'an object');
  const { policies, frames, pageSize, format, seed } = request;
  if (!Array.isArray(policies) || policies.length === 0) throw new TraceSetupError('policies', policies, 'at least one policy');
  for (const p of policies) if (!isPolicyName(p)) throw new TraceSetupError('policies', p, `one of ${POLICY_NAMES.join(', ')}`);
  if (new Set(policies).size !== policies.length) throw new TraceSetupError('policies', policies.join(','), 'distinct policies');
  if (!Array.isArray(frames) || frames.length === 0 || frames.length > MAX_FRAME_COUNTS) {
    throw new TraceSetupError('frames', frames, `1 to ${MAX_FRAME_COUNTS} frame counts`);
  }
  for (const f of frames) if (!Number.isSafeInteger(f) || f < 1 || f > MAX_FRAMES) throw new TraceSetupError('frames', f, `a frame count from 1 to ${MAX_FRAMES}`);
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 2 ** 30 || (pageSize & (pageSize - 1)) !== 0) {
    throw new TraceSetupError('pageSize', pageSize, 'a power of two from 1 to 2^30');
  }
  if (format !== 'auto' && !(TRACE_FORMATS as readonly string[]).includes(format)) {
    throw new TraceSetupError('format', format, `auto or one of ${TRACE_FORMATS.join(', ')}`);
  }
  if (!Number.isSafeInteger(seed) || seed < 0) throw new TraceSetupError('seed', seed, 'an integer >= 0');
  return { policies: [...policies], frames: [...new Set(frames)].sort((x, y) => x - y), pageSize, format, seed };
}

/** Runs one policy at one frame count over the whole stream (the options the cli gives it by default). */
export function runPolicy(policy: PolicyName, frames: number, input: PageInput, seed: number): TraceRow {
  const run = createPolicy(policy, {
    frames,
    pageCount: Math.max(1, input.pageCount),
    stream: input.pages,
    seed,
    bits: policy === 'aging' ? 8 : 2,
    period: 16,
    tau: 4 * frames,
  });
  run.run(input.pages, input.writes);
  return { policy, frames, references: run.references, hits: run.hits, misses: run.misses, writebacks: run.writebacks };
}

/**
 * Every row of a request, policy by policy, frame count by frame count; `onRow(done, total)` after each
 * (the worker's progress).
 */
export function computeRows(input: PageInput, request: TraceRequest, onRow?: (done: number, total: number) => void): TraceRow[] {
  const checked = checkRequest(request);
  const total = checked.policies.length * checked.frames.length;
  const rows: TraceRow[] = [];
  for (const policy of checked.policies) {
    for (const frames of checked.frames) {
      rows.push(runPolicy(policy, frames, input, checked.seed));
      onRow?.(rows.length, total);
    }
  }
  return rows;
}

/** A row's cells as the table shows them (miss% to two places, as the cli prints it). */
export function rowCells(row: TraceRow): string[] {
  const ratio = row.references === 0 ? 0 : row.misses / row.references;
  return [row.policy, String(row.frames), String(row.references), String(row.hits), String(row.misses), (100 * ratio).toFixed(2), String(row.writebacks)];
}

/** The chart's title, as the cli's `--plot` titles it. */
export function curveTitle(name: string, pageSize: number): string {
  return `${name}: miss ratio by frames (${pageSize}-byte pages)`;
}

/** True when the bytes open with gzip's magic number. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** A progress fraction's text: "reading 42%", "running 3 of 9". */
export function progressText(progress: TraceProgress): string {
  return progress.phase === 'read'
    ? `reading ${progress.total === 0 ? 100 : Math.min(100, Math.round((100 * progress.done) / progress.total))}%`
    : `running ${progress.done} of ${progress.total}`;
}

/** Where a run is: bytes read of the file's bytes, or runs done of the runs asked for. */
export interface TraceProgress {
  readonly phase: 'read' | 'run';
  readonly done: number;
  readonly total: number;
}
