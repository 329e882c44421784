// `vmsim exercise <kind> [options]` prints a seeded exercise on one of the hardware models (its answer key
// only with --answers); `vmsim exercise check <kind> [options] <answers-file|->` regenerates the same problem
// and grades the answers line by line. The generators live in @vmsim/exercises; this file only parses and prints.

import {
  AnswersFormatError, checkAnswers, EXERCISE_FORMATS, EXERCISE_KINDS, EXERCISE_SIZES, ExerciseArgumentError, generateExercise,
  renderExercise, renderGrade, REPLACEMENT_EXERCISE_POLICIES, type ExerciseFormat, type ExerciseKind, type ExerciseOptions, type ExerciseSize,
  type ReplacementExercisePolicy,
} from '@vmsim/exercises';
import { MODEL_NAMES, type ModelName } from '@vmsim/sim-api';
import { UsageError } from '@vmsim/sim-api/script';
import { parseCommandLine } from '../args.js';
import type { Io } from '../io.js';

/** Exit code of `check` when some answers are wrong (0 when all are right). */
export const EXIT_WRONG_ANSWERS = 3;

export const EXERCISE_USAGE = `Usage:
  vmsim exercise <kind> [--hw <model>] [--seed <n>] [--size <size>] [--policy <policy>] [--answers] [--format <format>]
  vmsim exercise check <kind> [--hw <model>] [--seed <n>] [--size <size>] [--policy <policy>] [--format <format>] <answers-file|->

Kinds:
  translate        translate virtual addresses by hand from a dump of page tables in RAM
  accessed-dirty   which Accessed/Dirty bits a sequence of accesses sets
  fork-cow         zero-fills, COW copies and reuses, and reference counts after fork/write/exit
  tlb              TLB hits and misses with ASIDs, global pages and context switches
  replacement      hit or miss and the victim per reference, page faults and write-backs, for one policy
  mmap             return values or errno of mmap/munmap/mprotect/brk calls, and the final maps listing

Options:
  --hw <model>       ${MODEL_NAMES.join(', ')} (default x86-32)
  --seed <n>         a non-negative integer (default 0): the same seed gives the same problem everywhere
  --size <size>      ${EXERCISE_SIZES.join(', ')} (default small)
  --policy <policy>  replacement only: ${REPLACEMENT_EXERCISE_POLICIES.join(', ')} (default: drawn from the seed
                     among fifo, lru, opt, clock; the seed fixes the reference string either way)
  --answers          print the answer key with the questions
  --format <format>  ${EXERCISE_FORMATS.join(', ')} (default text)

check reads one answer per line (blank lines and # comments skipped; "n:" prefixes allowed; hex compared by
value; 'm 7' for 'miss 7'; spaces in a maps line do not matter) and prints each line's grade and the score. Exit codes: 0 (check: all answers right), ${EXIT_WRONG_ANSWERS} some answers wrong,
2 a usage error.`;

/** Runs `vmsim exercise …` (argv without the word 'exercise'); resolves to the exit code. */
export async function exerciseCommand(argv: readonly string[], io: Io): Promise<number> {
  const parsed = parseCommandLine(argv, {
    hw: { type: 'string' },
    seed: { type: 'string' },
    size: { type: 'string' },
    policy: { type: 'string' },
    answers: { type: 'boolean' },
    format: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  }, 'vmsim exercise', 'exercise: ');
  const { values, positionals } = parsed;
  if (values.help === true) {
    io.stdout(EXERCISE_USAGE);
    return 0;
  }
  const check = positionals[0] === 'check';
  const rest = check ? positionals.slice(1) : positionals;
  const [kind, file, ...extra] = rest;
  if (kind === undefined) throw new UsageError(`exercise: missing kind (expected ${EXERCISE_KINDS.join(', ')}; try vmsim exercise --help)`);
  if (check && file === undefined) throw new UsageError('exercise check: missing answers file (or - for standard input)');
  if ((!check && file !== undefined) || extra.length > 0) throw new UsageError(`exercise: unexpected argument ${JSON.stringify(check ? extra[0] : file)}`);
  const format = (values.format ?? 'text') as ExerciseFormat;
  if (!(EXERCISE_FORMATS as readonly string[]).includes(format)) {
    throw new UsageError(`exercise: unknown --format ${JSON.stringify(format)} (expected ${EXERCISE_FORMATS.join(', ')})`);
  }
  let seed = 0;
  if (values.seed !== undefined) {
    if (!/^\d+$/.test(values.seed) || !Number.isSafeInteger(Number(values.seed))) {
      throw new UsageError(`exercise: --seed must be a non-negative integer, got ${JSON.stringify(values.seed)}`);
    }
    seed = Number(values.seed);
  }
  const options: ExerciseOptions = {
    kind: kind as ExerciseKind,
    hw: (values.hw ?? 'x86-32') as ModelName,
    seed,
    size: (values.size ?? 'small') as ExerciseSize,
    ...(values.policy === undefined ? {} : { policy: values.policy as ReplacementExercisePolicy }),
  };
  try {
    if (!check) {
      io.stdout(renderExercise(generateExercise(options), format, values.answers === true));
      return 0;
    }
    const text = await readAnswers(file!, io);
    const grade = checkAnswers(options, text);
    io.stdout(renderGrade(grade, format));
    return grade.correct === grade.total ? 0 : EXIT_WRONG_ANSWERS;
  } catch (error) {
    if (ExerciseArgumentError.isInstance(error)) throw new UsageError(`exercise: ${error.message}`);
    if (AnswersFormatError.isInstance(error)) throw new UsageError(`exercise check: ${file}: ${error.message}`);
    throw error;
  }
}

async function readAnswers(file: string, io: Io): Promise<string> {
  if (file === '-') {
    const lines: string[] = [];
    for await (const line of io.lines()) lines.push(line);
    return lines.join('\n');
  }
  try {
    return io.readFile(file);
  } catch (error) {
    if ((error as { code?: string }).code === 'ENOENT') throw new UsageError(`exercise check: cannot read ${file}: no such file`);
    throw error;
  }
}
