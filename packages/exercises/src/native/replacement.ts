// Exercise (e), page replacement: a reference string of reads and writes over a few pages, N frames that start
// empty and one policy (FIFO, LRU, OPT, clock, MRU, LFU). Per reference: hit, or miss and which page is evicted;
// then the page faults and write-backs (evictions of pages written since they were loaded). The key is the
// policy from @vmsim/replacement run on the string.

import type { ModelName } from '@vmsim/hw';
import { ExerciseArgumentError } from '../errors.js';
import { createPolicy } from '@vmsim/replacement';
import type { Draw } from './draw.js';
import { checkExerciseMeta, type Exercise, type ExerciseSize, type Question } from './exercise.js';

/** The policies this exercise asks about, each defined in the statement so it can be worked by hand. */
export const REPLACEMENT_EXERCISE_POLICIES = Object.freeze(['fifo', 'lru', 'opt', 'clock', 'mru', 'lfu'] as const);
export type ReplacementExercisePolicy = (typeof REPLACEMENT_EXERCISE_POLICIES)[number];

/** Drawn when no policy is given: the four of every textbook. */
const DEFAULT_DRAWN: readonly ReplacementExercisePolicy[] = ['fifo', 'lru', 'opt', 'clock'];

const SHAPE: Readonly<Record<ExerciseSize, { frames: number; pages: number; refs: number }>> = {
  small: { frames: 3, pages: 5, refs: 10 },
  medium: { frames: 3, pages: 6, refs: 16 },
  large: { frames: 4, pages: 8, refs: 24 },
};

const DEFINITION: Readonly<Record<ReplacementExercisePolicy, readonly string[]>> = {
  fifo: ['FIFO: evict the page loaded longest ago. Hits change nothing.'],
  lru: ['LRU: evict the page whose last reference (hit or load) is the oldest.'],
  opt: [
    "OPT (Belady): evict the page whose next reference is farthest in the future; a page never referenced",
    'again is infinitely far, and among several such pages the one whose last reference is the oldest goes.',
  ],
  clock: [
    'Clock (second chance): the frames form a ring with a hand and one reference bit per frame. Frames fill in',
    'order while one is free (the hand stays at frame 0); a loaded page starts with its bit set, a hit sets it.',
    'On a miss with every frame taken the hand clears set bits, moving on, until it finds a clear one: that',
    'page is evicted, the new page takes its frame (bit set) and the hand moves to the next frame.',
  ],
  mru: ['MRU: evict the page whose last reference (hit or load) is the most recent.'],
  lfu: [
    'LFU: each resident page counts its references since it was loaded (the load included); evict the page',
    'with the smallest count, ties going to the page whose last reference is the oldest.',
  ],
};

/** A reference string with its policy and frames: the problem without its key. */
export interface ReplacementProblem {
  readonly policy: ReplacementExercisePolicy;
  readonly frames: number;
  /** Page numbers, dense from 0. */
  readonly pages: readonly number[];
  /** writes[i]: reference i is a write. */
  readonly writes: readonly boolean[];
}

export function replacementExercise(hw: ModelName, seed: number, size: ExerciseSize, draw: Draw, policy?: ReplacementExercisePolicy): Exercise {
  const shape = SHAPE[size];
  // Drawn even when given, so a seed means the same reference string under every policy.
  const drawn = draw.pick(DEFAULT_DRAWN);
  const chosen = policy ?? drawn;
  const pages: number[] = [];
  const writes: boolean[] = [];
  for (let i = 0; i < shape.refs; i++) {
    // Locality: often one of the last three pages again, else any page.
    const recent = pages.slice(-3);
    pages.push(recent.length > 0 && draw.chance(0.4) ? draw.pick(recent) : draw.int(0, shape.pages - 1));
    writes.push(draw.chance(0.3));
  }
  return replacementProblemExercise({ policy: chosen, frames: shape.frames, pages, writes }, hw, seed, size);
}

/** The exercise for a given problem, its key from running the policy of @vmsim/replacement on the string. */
export function replacementProblemExercise(problem: ReplacementProblem, hw: ModelName, seed: number, size: ExerciseSize): Exercise {
  checkProblem(problem);
  checkExerciseMeta(hw, seed, size);
  const { policy: name, frames, pages, writes } = problem;
  const pageCount = Math.max(...pages) + 1;
  const stream = Int32Array.from(pages);
  const policy = createPolicy(name, { frames, pageCount, stream });
  const questions: Question[] = [];
  const shown: string[] = [];
  pages.forEach((page, i) => {
    const write = writes[i] === true;
    const hit = policy.access(page, write);
    const what = `${write ? 'w' : 'r'}${page}`;
    shown.push(what);
    const answer = hit ? 'hit' : policy.lastVictim >= 0 ? `miss ${policy.lastVictim}` : 'miss';
    questions.push({ id: i + 1, prompt: `reference ${i + 1}: ${write ? 'write' : 'read'} page ${page}`, answer });
  });
  questions.push({ id: questions.length + 1, prompt: 'how many page faults (misses, the first loads included)?', answer: String(policy.misses) });
  questions.push({ id: questions.length + 1, prompt: 'how many write-backs (evictions of a dirty page)?', answer: String(policy.writebacks) });
  const label = name === 'clock' ? 'Clock' : name.toUpperCase();
  return {
    kind: 'replacement',
    hw,
    seed,
    size,
    title: `Page faults and write-backs under ${label} with ${frames} frames`,
    statement: [
      `${frames} frames, empty at the start; pages 0..${pageCount - 1}. The policy:`,
      ...DEFINITION[name].map((line) => `  ${line}`),
      'A reference reads (r) or writes (w) a page. A write makes the page dirty; evicting a dirty page writes it',
      'back (a write-back); a page loaded again starts clean. Pages still resident at the end are not written back.',
      '',
      'The reference string:',
      `  ${shown.join(' ')}`,
      '',
      "For each reference: 'hit'; 'miss' when a free frame takes the page; 'miss <page>' when <page> is evicted.",
      'Then the totals.',
    ],
    answerFormat: "one line per reference: 'hit', 'miss' or 'miss <evicted page>' (h and m accepted); then two numbers",
    questions,
  };
}

function refuse(argument: string, value: unknown, message: string): never {
  throw new ExerciseArgumentError('replacement', argument, value, message);
}

function checkProblem(problem: ReplacementProblem): void {
  if (typeof problem !== 'object' || problem === null) refuse('problem', problem, 'the problem must be an object { policy, frames, pages, writes }');
  const { policy, frames, pages, writes } = problem;
  if (!(REPLACEMENT_EXERCISE_POLICIES as readonly unknown[]).includes(policy)) {
    refuse('policy', policy, `unknown policy ${JSON.stringify(policy)} (expected ${REPLACEMENT_EXERCISE_POLICIES.join(', ')})`);
  }
  if (!Number.isInteger(frames) || frames < 1 || frames > 64) refuse('frames', frames, `frames must be an integer in [1, 64], got ${String(frames)}`);
  if (!Array.isArray(pages) || pages.length === 0 || pages.length > 4096) refuse('pages', pages, 'pages must be a non-empty array of at most 4096 page numbers');
  const bad = pages.findIndex((p) => !Number.isInteger(p) || p < 0 || p > 4095);
  if (bad >= 0) refuse('pages', pages[bad], `pages[${bad}] must be an integer in [0, 4095], got ${String(pages[bad])}`);
  if (!Array.isArray(writes) || writes.length !== pages.length || writes.some((w) => typeof w !== 'boolean')) {
    refuse('writes', writes, `writes must be an array of ${pages.length} booleans, one per reference`);
  }
}

