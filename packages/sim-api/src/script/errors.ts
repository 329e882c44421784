// The CLI's user-facing errors: a bad command line (UsageError) and a bad script line (ScriptError). Both
// are user mistakes: they print a one-line message, never a stack trace, and exit with code 2. Like every
// vmsim error they extend VmsimError (a marker for `isInstance`, a literal name, an errno: both EINVAL).

import { VmsimError } from '../index.js';

export class UsageError extends VmsimError {
  static override readonly marker = '@vmsim/cli/UsageError';
  override readonly name = 'UsageError' as const;
  declare readonly errno: 'EINVAL';
  constructor(message: string) {
    super(message, 'EINVAL');
  }
}

/** A mistake in one script line; `line` is filled in by the script reader, the file name by the runner. */
export class ScriptError extends VmsimError {
  static override readonly marker = '@vmsim/cli/ScriptError';
  override readonly name = 'ScriptError' as const;
  declare readonly errno: 'EINVAL';
  line = 0;
  constructor(message: string) {
    super(message, 'EINVAL');
  }
}

export const EXIT_OK = 0;
/** A bug in vmsim itself (an unexpected exception). */
export const EXIT_INTERNAL = 1;
/** A user mistake: bad arguments, a missing file, a bad script line. */
export const EXIT_USAGE = 2;
