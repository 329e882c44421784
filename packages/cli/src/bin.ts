#!/usr/bin/env node
// The `vmsim` executable: runs the CLI on the real process streams. `--version` answers without loading the
// simulator; everything else loads it (bundled into this build) on demand.

import { VERSION } from './version.js';

// A reader that goes away early (`vmsim run big.vmsim | head`) ends the output quietly, not with a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}

const argv = process.argv.slice(2);
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
  process.stdout.write(`${VERSION}\n`);
} else {
  const { start } = await import('./start.js');
  process.exitCode = await start(argv);
}
