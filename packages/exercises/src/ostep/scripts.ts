// The OSTEP homework scripts vmsim reproduces, by the name `vmsim ostep <name>` takes: one table of
// script name → function from the script's arguments to what it prints and its exit status.

import { ExerciseArgumentError } from '../errors.js';
import type { ScriptResult } from './optparse.js';
import { pagingLinearTranslate } from './paging-linear-translate.js';
import { pagingPolicy, PagingPolicyError, type PagingPolicyOptions } from './paging-policy.js';
import { pagingMultilevelTranslate } from './paging-multilevel-translate.js';
import { relocation } from './relocation.js';
import { segmentation } from './segmentation.js';

/**
 * Runs one script on its arguments (without the program name); throws ExerciseArgumentError on a usage mistake.
 * `options.readFile` reads the file a script names (paging-policy's -f); without it, naming one is an error.
 */
export type OstepScript = (argv: readonly string[], options?: PagingPolicyOptions) => ScriptResult;

/**
 * paging-policy.py in the table's shape: an optparse error (exit 2) is a usage mistake; an exit with 1 (an
 * unknown policy, a Python exception) keeps what it printed and its message for standard error.
 */
function pagingPolicyScript(argv: readonly string[], options?: PagingPolicyOptions): ScriptResult {
  try {
    return { stdout: pagingPolicy(argv, options), exitCode: 0 };
  } catch (error) {
    if (!PagingPolicyError.isInstance(error)) throw error;
    if (error.status === 2) throw new ExerciseArgumentError('paging-policy', 'argv', argv, error.message.split('\n').at(-1)!);
    return { stdout: error.output, exitCode: 1, stderr: error.message };
  }
}

/** Every script by name, in the OSTEP chapters' order. */
export const OSTEP_SCRIPTS: Readonly<Record<string, OstepScript>> = {
  relocation,
  segmentation,
  'paging-linear-translate': pagingLinearTranslate,
  'paging-multilevel-translate': pagingMultilevelTranslate,
  'paging-policy': pagingPolicyScript,
};

/** The names `runOstep` accepts, in the OSTEP chapters' order. */
export function ostepScriptNames(): readonly string[] {
  return Object.keys(OSTEP_SCRIPTS);
}

/** Runs the named script (a trailing '.py' is accepted) on argv. */
export function runOstep(name: string, argv: readonly string[], options?: PagingPolicyOptions): ScriptResult {
  if (typeof name !== 'string') throw new ExerciseArgumentError('ostep', 'script', name, 'the script name must be a string');
  const key = name.endsWith('.py') ? name.slice(0, -3) : name;
  const script = Object.hasOwn(OSTEP_SCRIPTS, key) ? OSTEP_SCRIPTS[key] : undefined;
  if (script === undefined) {
    throw new ExerciseArgumentError('ostep', 'script', name, `unknown script ${JSON.stringify(name)} (expected ${ostepScriptNames().join(', ')})`);
  }
  return script(argv, options);
}
