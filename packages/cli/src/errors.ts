// The CLI's user-facing errors: a bad command line (UsageError) and a bad script line (ScriptError). Both
// are user mistakes: they print a one-line message, never a stack trace, and exit with code 2.

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** A mistake in one script line; `line` is filled in by the script reader, the file name by the runner. */
export class ScriptError extends Error {
  line = 0;
  constructor(message: string) {
    super(message);
    this.name = 'ScriptError';
  }
}

export const EXIT_OK = 0;
/** A bug in vmsim itself (an unexpected exception). */
export const EXIT_INTERNAL = 1;
/** A user mistake: bad arguments, a missing file, a bad script line. */
export const EXIT_USAGE = 2;
