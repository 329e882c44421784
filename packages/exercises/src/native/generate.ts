// The native exercises by kind: validates the options (kind, hardware model, seed, size), draws the problem
// from the seed and returns it with its answer key; `checkAnswers` regenerates the same problem and grades.

import { isModelName, MODEL_NAMES, type ModelName } from '@vmsim/hw';
import { ExerciseArgumentError } from '../errors.js';
import { accessedDirtyExercise } from './accessed-dirty.js';
import { Draw } from './draw.js';
import { EXERCISE_KINDS, EXERCISE_SIZES, gradeAnswers, type Exercise, type ExerciseKind, type ExerciseSize, type Grade } from './exercise.js';
import { forkCowExercise } from './fork-cow.js';
import { mmapExercise } from './mmap.js';
import { REPLACEMENT_EXERCISE_POLICIES, replacementExercise, type ReplacementExercisePolicy } from './replacement.js';
import { tlbExercise } from './tlb.js';
import { translateExercise } from './translate.js';

export interface ExerciseOptions {
  readonly kind: ExerciseKind;
  /** Hardware model name (default 'x86-32'). */
  readonly hw?: ModelName;
  /** A non-negative safe integer (default 0). */
  readonly seed?: number;
  /** Difficulty by size (default 'small'). */
  readonly size?: ExerciseSize;
  /** The replacement exercise only: the policy (default: drawn from the seed among fifo, lru, opt, clock). */
  readonly policy?: ReplacementExercisePolicy;
}

type Generator = (hw: ModelName, seed: number, size: ExerciseSize, draw: Draw, policy?: ReplacementExercisePolicy) => Exercise;

const GENERATORS: Readonly<Record<ExerciseKind, Generator>> = {
  translate: translateExercise,
  'accessed-dirty': accessedDirtyExercise,
  'fork-cow': forkCowExercise,
  tlb: tlbExercise,
  replacement: replacementExercise,
  mmap: mmapExercise,
};

/** The problem the options pick, with its answer key. Throws ExerciseArgumentError for a bad option. */
export function generateExercise(options: ExerciseOptions): Exercise {
  if (typeof options !== 'object' || options === null) throw new ExerciseArgumentError('exercise', 'options', options, 'the options must be an object');
  const { kind, hw = 'x86-32', seed = 0, size = 'small', policy } = options;
  if (!(EXERCISE_KINDS as readonly unknown[]).includes(kind)) {
    throw new ExerciseArgumentError('exercise', 'kind', kind, `unknown exercise kind ${JSON.stringify(kind)} (expected ${EXERCISE_KINDS.join(', ')})`);
  }
  if (!isModelName(hw)) throw new ExerciseArgumentError('exercise', 'hw', hw, `unknown --hw ${JSON.stringify(hw)} (expected ${MODEL_NAMES.join(', ')})`);
  if (!Number.isSafeInteger(seed) || seed < 0) throw new ExerciseArgumentError('exercise', 'seed', seed, `--seed must be a non-negative integer, got ${String(seed)}`);
  if (!(EXERCISE_SIZES as readonly unknown[]).includes(size)) {
    throw new ExerciseArgumentError('exercise', 'size', size, `unknown --size ${JSON.stringify(size)} (expected ${EXERCISE_SIZES.join(', ')})`);
  }
  if (policy !== undefined) {
    if (kind !== 'replacement') throw new ExerciseArgumentError('exercise', 'policy', policy, '--policy applies to the replacement exercise only');
    if (!(REPLACEMENT_EXERCISE_POLICIES as readonly unknown[]).includes(policy)) {
      throw new ExerciseArgumentError('exercise', 'policy', policy, `unknown --policy ${JSON.stringify(policy)} (expected ${REPLACEMENT_EXERCISE_POLICIES.join(', ')})`);
    }
  }
  return GENERATORS[kind](hw, seed, size, new Draw(seed), policy);
}

/** Regenerates the problem and grades an answers file against its key. */
export function checkAnswers(options: ExerciseOptions, answersText: string): Grade {
  return gradeAnswers(generateExercise(options), answersText);
}
