#!/usr/bin/env node
// The `vmsim` executable: runs the CLI on the real process streams. `--version` answers without loading the
// simulator; everything else loads it (bundled into this build) on demand.

import { quietOnEpipe } from './epipe.js';
import { VERSION } from './version.js';

// A reader that goes away early (`vmsim run big.vmsim | head`) ends the output quietly. Standard error is
// made, and given the same handler, only when something is written to it (node-io.ts): on a terminal, making
// it loads node:tty, ~5 ms of a start.
quietOnEpipe(process.stdout);

const argv = process.argv.slice(2);
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
  process.stdout.write(`${VERSION}\n`);
} else {
  const { start } = await import('./start.js');
  process.exitCode = await start(argv);
}
