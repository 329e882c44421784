// The OSTEP homework scripts vmsim reproduces, by the name `vmsim ostep <name>` takes: one table of
// script name → function from the script's arguments to what it prints and its exit status.

import { ExerciseArgumentError } from '../errors.js';
import type { ScriptResult } from './optparse.js';
import { pagingLinearTranslate } from './paging-linear-translate.js';
import { pagingMultilevelTranslate } from './paging-multilevel-translate.js';
import { relocation } from './relocation.js';
import { segmentation } from './segmentation.js';

/** Runs one script on its arguments (without the program name); throws ExerciseArgumentError on a usage mistake. */
export type OstepScript = (argv: readonly string[]) => ScriptResult;

/**
 * Every script by name. vm-beyondphys-policy/paging-policy.py belongs to the replacement policies' work:
 * its entry, `'paging-policy': pagingPolicy` from './paging-policy.js', goes here.
 */
export const OSTEP_SCRIPTS: Readonly<Record<string, OstepScript>> = {
  relocation,
  segmentation,
  'paging-linear-translate': pagingLinearTranslate,
  'paging-multilevel-translate': pagingMultilevelTranslate,
};

/** The names `runOstep` accepts, in the OSTEP chapters' order. */
export function ostepScriptNames(): readonly string[] {
  return Object.keys(OSTEP_SCRIPTS);
}

/** Runs the named script (a trailing '.py' is accepted) on argv. */
export function runOstep(name: string, argv: readonly string[]): ScriptResult {
  if (typeof name !== 'string') throw new ExerciseArgumentError('ostep', 'script', name, 'the script name must be a string');
  const key = name.endsWith('.py') ? name.slice(0, -3) : name;
  const script = Object.hasOwn(OSTEP_SCRIPTS, key) ? OSTEP_SCRIPTS[key] : undefined;
  if (script === undefined) {
    throw new ExerciseArgumentError('ostep', 'script', name, `unknown script ${JSON.stringify(name)} (expected ${ostepScriptNames().join(', ')})`);
  }
  return script(argv);
}
