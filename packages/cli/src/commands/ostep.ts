// `vmsim ostep <script> [args]`: runs one of OSTEP's VM homework generators, reproduced in @vmsim/exercises,
// and prints exactly what the Python script prints. The exit status is the script's own (0, or 1 after its
// "Error: ..." line); a usage mistake the script would die on with a traceback is a one-line usage error (2).

import { ExerciseArgumentError, ostepScriptNames, runOstep } from '@vmsim/exercises';
import { UsageError } from '@vmsim/sim-api/script';
import type { Io } from '../io.js';

export function ostepUsage(): string {
  return `Usage: vmsim ostep <script> [the script's own options]

Runs an OSTEP homework script (remzi-arpacidusseau/ostep-homework), printing what the Python script prints
for the same seed and options; -c prints the answers. <script> -h lists a script's options.

Scripts: ${ostepScriptNames().join(', ')}`;
}

/** A file a script names (paging-policy's -f); one that cannot be read is a usage error, not a traceback. */
function readScriptFile(io: Io, script: string, path: string): string {
  try {
    return io.readFile(path);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    throw new UsageError(`ostep ${script.replace(/\.py$/, '')}: cannot read ${JSON.stringify(path)}${typeof code === 'string' ? ` (${code})` : ''}`);
  }
}

/** Runs `vmsim ostep …` (argv without the word 'ostep'); resolves to the exit code. */
export async function ostepCommand(argv: readonly string[], io: Io): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === '--help' || name === '-h') {
    if (name === undefined) throw new UsageError(`ostep: missing script name (expected ${ostepScriptNames().join(', ')})`);
    io.stdout(ostepUsage());
    return 0;
  }
  let result;
  try {
    result = runOstep(name, args, { readFile: (path) => readScriptFile(io, name, path) });
  } catch (error) {
    if (ExerciseArgumentError.isInstance(error)) {
      throw new UsageError(`ostep ${name.replace(/\.py$/, '')}: ${error.message}`);
    }
    throw error;
  }
  if (result.stdout !== '') io.stdout(result.stdout.endsWith('\n') ? result.stdout.slice(0, -1) : result.stdout);
  if (result.stderr !== undefined && result.stderr !== '') io.stderr(result.stderr);
  return result.exitCode;
}
