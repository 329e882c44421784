// Output streams whose reader went away: `vmsim run big.vmsim | head` ends quietly, not with a stack trace.

/** Makes an EPIPE on `stream` end the process with its exit code so far; any other stream error is thrown. */
export function quietOnEpipe(stream: NodeJS.WritableStream): void {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}
