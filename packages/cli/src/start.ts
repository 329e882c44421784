// The CLI on the real process streams: what bin.ts loads for every command but --version (one chunk in the build).

import { main } from './main.js';
import { nodeIo } from './node-io.js';

/** Runs `vmsim ...argv` on the process streams; resolves to the exit code. */
export function start(argv: readonly string[]): Promise<number> {
  return main(argv, nodeIo());
}
