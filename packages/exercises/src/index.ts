// @vmsim/exercises: seeded, reproducible exercises with answer keys (OSTEP's VM homework, and problems on real
// hardware models). Browser-safe: no Node APIs.
export { PythonRandom } from '@vmsim/replacement';
export { AnswersFormatError, ExerciseArgumentError } from './errors.js';
export { type OptionSpec, type ScriptResult } from './ostep/optparse.js';
export { pyDec, pyFixed, pyHex, pyInt } from './ostep/python-format.js';
export { relocation, RELOCATION_OPTIONS } from './ostep/relocation.js';
export { segmentation, SEGMENTATION_OPTIONS } from './ostep/segmentation.js';
export { pagingLinearTranslate, PAGING_LINEAR_TRANSLATE_OPTIONS } from './ostep/paging-linear-translate.js';
export { pagingMultilevelTranslate, PAGING_MULTILEVEL_TRANSLATE_OPTIONS } from './ostep/paging-multilevel-translate.js';
export { pagingPolicy, PagingPolicyError, type PagingPolicyOptions } from './ostep/paging-policy.js';
export { OSTEP_SCRIPTS, ostepScriptNames, runOstep, type OstepScript } from './ostep/scripts.js';
export {
  answerKey, EXERCISE_FORMATS, EXERCISE_KINDS, EXERCISE_SIZES, gradeAnswers, normalizeAnswer, renderExercise, renderGrade,
  type Exercise, type ExerciseFormat, type ExerciseKind, type ExerciseSize, type Grade, type GradedLine, type Question,
} from './native/exercise.js';
export { checkAnswers, generateExercise, type ExerciseOptions } from './native/generate.js';
export {
  REPLACEMENT_EXERCISE_POLICIES, replacementProblemExercise, type ReplacementExercisePolicy, type ReplacementProblem,
} from './native/replacement.js';
export { formatMmCall, MMAP_EXERCISE_AREA, mmapSequenceExercise, type MmCall } from './native/mmap.js';
