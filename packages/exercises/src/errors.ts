// Typed errors of the exercises layer, on hw's VmsimError (so `VmsimError.isInstance` recognises them):
// a script or generator given arguments it cannot run with, and an answers file that cannot be graded.

import { VmsimError } from '@vmsim/hw';

/**
 * A command-line argument an OSTEP script or exercise generator refuses: EINVAL. `script` names the program,
 * `argument` the option (or '' for the command line as a whole), `value` what was given. The message is the
 * one line a CLI prints after its program name.
 */
export class ExerciseArgumentError extends VmsimError {
  static override readonly marker = '@vmsim/exercises/ExerciseArgumentError';
  override readonly name = 'ExerciseArgumentError' as const;
  declare readonly errno: 'EINVAL';

  constructor(
    readonly script: string,
    readonly argument: string,
    readonly value: unknown,
    message: string,
  ) {
    super(message, 'EINVAL');
  }
}

/** An answers file `check` cannot read (not a problem's answer list at all): EINVAL, with its line number. */
export class AnswersFormatError extends VmsimError {
  static override readonly marker = '@vmsim/exercises/AnswersFormatError';
  override readonly name = 'AnswersFormatError' as const;
  declare readonly errno: 'EINVAL';

  constructor(
    readonly line: number,
    readonly text: string,
    message: string,
  ) {
    super(`line ${line}: ${message}`, 'EINVAL');
  }
}
