#!/usr/bin/env node
// The `vmsim` executable: runs the CLI on the real process streams.

import { main } from './main.js';
import { nodeIo } from './node-io.js';

// A reader that goes away early (`vmsim run big.vmsim | head`) ends the output quietly, not with a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}

process.exitCode = await main(process.argv.slice(2), nodeIo());
