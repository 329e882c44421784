// One factory for every policy by name, so a command line or a kernel can pick one from a string.

import { AgingPolicy } from './aging.js';
import { ArcPolicy } from './arc.js';
import { ClockPolicy } from './clock.js';
import { ReplacementArgumentError } from './errors.js';
import { FifoPolicy } from './fifo.js';
import { LfuPolicy } from './lfu.js';
import { LruPolicy } from './lru.js';
import { MruPolicy } from './mru.js';
import { NruPolicy } from './nru.js';
import { OptPolicy } from './opt.js';
import { OstepClockPolicy } from './ostep-clock.js';
import { POLICY_NAMES, type AccessedBits, type PolicyName, type ReplacementPolicy } from './policy.js';
import { RandomPolicy } from './random.js';
import { WsclockPolicy } from './wsclock.js';

/** Every option any policy takes; each policy reads the ones it knows. */
export interface CreatePolicyOptions {
  readonly frames: number;
  readonly pageCount: number;
  /** opt: the whole stream. */
  readonly stream?: Int32Array;
  /** random, ostep-clock: the seed (default 0). */
  readonly seed?: number;
  /** ostep-clock: the counter ceiling B (default 2); aging: the counter width n (default 8). */
  readonly bits?: number;
  /** nru, aging: references between R-bit clearings / ticks (default 16). */
  readonly period?: number;
  /** wsclock: τ (default 4 × frames). */
  readonly tau?: number;
  /** clock: whether a new page's bit starts set (default true). */
  readonly insertRef?: boolean;
  /** clock, nru, aging, wsclock: hardware Accessed bits. */
  readonly accessed?: AccessedBits | null;
}

export function isPolicyName(name: unknown): name is PolicyName {
  return typeof name === 'string' && (POLICY_NAMES as readonly string[]).includes(name);
}

/** A new policy `name` with `options`. OPT needs `stream`. */
export function createPolicy(name: PolicyName, options: CreatePolicyOptions): ReplacementPolicy {
  if (!isPolicyName(name)) throw new ReplacementArgumentError('name', name, `one of ${POLICY_NAMES.join(', ')}`);
  if (typeof options !== 'object' || options === null) {
    throw new ReplacementArgumentError('options', options, 'an object { frames, pageCount, ... }');
  }
  const { frames, pageCount } = options;
  switch (name) {
    case 'fifo':
      return new FifoPolicy({ frames, pageCount });
    case 'lru':
      return new LruPolicy({ frames, pageCount });
    case 'mru':
      return new MruPolicy({ frames, pageCount });
    case 'opt':
      if (options.stream === undefined) throw new ReplacementArgumentError('stream', undefined, 'the whole stream (an Int32Array) for opt');
      return new OptPolicy({ frames, pageCount, stream: options.stream });
    case 'random':
      return new RandomPolicy({ frames, pageCount, seed: options.seed ?? 0 });
    case 'clock':
      return new ClockPolicy({ frames, pageCount, insertRef: options.insertRef ?? true, accessed: options.accessed ?? null });
    case 'ostep-clock':
      return new OstepClockPolicy({ frames, pageCount, bits: options.bits ?? 2, seed: options.seed ?? 0 });
    case 'nru':
      return new NruPolicy({ frames, pageCount, period: options.period ?? 16, accessed: options.accessed ?? null });
    case 'aging':
      return new AgingPolicy({
        frames,
        pageCount,
        bits: options.bits ?? 8,
        period: options.period ?? 16,
        accessed: options.accessed ?? null,
      });
    case 'wsclock':
      return new WsclockPolicy({ frames, pageCount, tau: options.tau ?? 4 * frames, accessed: options.accessed ?? null });
    case 'lfu':
      return new LfuPolicy({ frames, pageCount });
    case 'arc':
      return new ArcPolicy({ frames, pageCount });
  }
}

/** Runs `name` over a whole stream (writes[i] !== 0 marks a write) and returns the policy with its counts. */
export function simulate(
  name: PolicyName,
  stream: Int32Array,
  writes: Uint8Array | null,
  options: Omit<CreatePolicyOptions, 'stream'>,
): ReplacementPolicy {
  const policy = createPolicy(name, { ...options, stream });
  policy.run(stream, writes);
  return policy;
}
