// A script turned into the list of commands it runs, in order: the scenario language's own ScriptReader
// expands comments, `repeat … end` blocks and {expressions} (which depend only on the loop variables, never
// on the machine), so every command is known before the first runs. The step engine then runs them one by one.

import { ScriptError, ScriptReader } from '@vmsim/sim-api/script';

/** One command of the script, with the source line it came from (a repeat block: its repeat and end lines). */
export interface ScriptStep {
  readonly index: number;
  readonly line: number;
  readonly endLine: number;
  readonly text: string;
  /** A mistake the reader found here (a bad repeat, an end without repeat…): running this step stops the run. */
  readonly error: string | null;
}

/** More commands than this are refused: each is kept as a step. */
export const MAX_STEPS = 200_000;

class TooLong extends Error {}

/** The commands of `script`; a reader error becomes a last step carrying it, as the cli stops there. */
export function compileScript(script: string, maxSteps = MAX_STEPS): ScriptStep[] {
  const steps: ScriptStep[] = [];
  let line = 0;
  let endLine = 0;
  const reader = new ScriptReader((text) => {
    if (steps.length >= maxSteps) throw new TooLong();
    steps.push({ index: steps.length, line, endLine, text, error: null });
  });
  const lines = script.split(/\r?\n/);
  let blockStart = 0;
  try {
    for (let i = 0; i < lines.length; i++) {
      const wasPending = reader.pending;
      if (!wasPending) blockStart = i + 1;
      // Commands produced by this feed come from this line, or (when it closes a block) from the whole block.
      line = blockStart;
      endLine = i + 1;
      reader.feed({ line: i + 1, text: lines[i]! });
    }
    reader.finish();
  } catch (error) {
    if (error instanceof TooLong) {
      steps.push({ index: steps.length, line, endLine, text: '', error: `the script runs more than ${maxSteps} commands: too many to step through` });
    } else if (error instanceof ScriptError) {
      steps.push({ index: steps.length, line: error.line, endLine: error.line, text: '', error: error.message });
    } else {
      throw error;
    }
  }
  return steps;
}
