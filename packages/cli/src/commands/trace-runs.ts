// The runs of `vmsim trace`: one policy at one frame count over the whole page stream, timed; and the miss-ratio
// curve of one policy (LRU and OPT by one-pass stack distances, the others by a run per frame count). Used by the
// main thread and by the worker threads alike.

import { createPolicy, lruMissCurve, optMissCurve, type PolicyName } from '@vmsim/replacement';

export interface RunSettings {
  readonly seed: number;
  readonly bits: number | undefined;
  readonly period: number | undefined;
  readonly tau: number | undefined;
}

export interface RunJob {
  readonly policy: PolicyName;
  readonly frames: number;
}

export interface RunResult {
  readonly policy: PolicyName;
  readonly frames: number;
  readonly references: number;
  readonly hits: number;
  readonly misses: number;
  /** null where a stack algorithm gave the misses without running the policy (no write-back count). */
  readonly writebacks: number | null;
  readonly evictions: number | null;
  /** Seconds the run took, or null for a point of a one-pass curve. */
  readonly seconds: number | null;
  /** 'run' (the policy ran at this frame count) or 'stack' (from a one-pass miss-ratio curve). */
  readonly method: 'run' | 'stack';
}

export interface PageInput {
  readonly pages: Int32Array;
  readonly writes: Uint8Array;
  readonly pageCount: number;
}

/** The policy options the settings give `policy` at `frames` frames (the defaults where a setting is unset). */
export function policySettings(policy: PolicyName, settings: RunSettings, frames: number) {
  return {
    seed: settings.seed,
    bits: settings.bits ?? (policy === 'aging' ? 8 : 2),
    period: settings.period ?? 16,
    tau: settings.tau ?? 4 * frames,
  };
}

/**
 * A policy's rough cost per reference relative to FIFO (from the policy-core bench: nanoseconds per reference,
 * OPT with its next-use pass), so a pool can start the longest runs first. Only the order matters; a policy not
 * listed counts as a middling one.
 */
const RELATIVE_COST: Readonly<Partial<Record<PolicyName, number>>> = {
  fifo: 1,
  mru: 1.2,
  lru: 1.4,
  clock: 1.8,
  lfu: 2.4,
  arc: 2.6,
  random: 4,
  wsclock: 4,
  nru: 5,
  'ostep-clock': 6.5,
  opt: 7,
  aging: 7.5,
};

/** The relative cost of a job (the same stream for every job: only the policy tells them apart). */
export function jobCost(job: RunJob): number {
  return RELATIVE_COST[job.policy] ?? 4;
}

export function runJob(job: RunJob, input: PageInput, settings: RunSettings): RunResult {
  const policy = createPolicy(job.policy, {
    frames: job.frames,
    pageCount: Math.max(1, input.pageCount),
    stream: input.pages,
    ...policySettings(job.policy, settings, job.frames),
  });
  const start = performance.now();
  policy.run(input.pages, input.writes);
  const seconds = (performance.now() - start) / 1000;
  return {
    policy: job.policy,
    frames: job.frames,
    references: policy.references,
    hits: policy.hits,
    misses: policy.misses,
    writebacks: policy.writebacks,
    evictions: policy.evictions,
    seconds,
    method: 'run',
  };
}

/** The rows of a one-pass curve for LRU or OPT at the given frame counts. */
export function stackCurve(policy: 'lru' | 'opt', frames: readonly number[], input: PageInput): RunResult[] {
  const max = frames.length === 0 ? 0 : frames[frames.length - 1]!;
  const pageCount = Math.max(1, input.pageCount);
  const misses = policy === 'lru' ? lruMissCurve(input.pages, pageCount, max) : optMissCurve(input.pages, pageCount, max);
  const references = input.pages.length;
  return frames.map((f) => ({
    policy,
    frames: f,
    references,
    hits: references - misses[f]!,
    misses: misses[f]!,
    writebacks: null,
    evictions: null,
    seconds: null,
    method: 'stack' as const,
  }));
}
