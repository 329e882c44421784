#!/usr/bin/env node
// The `vmsim` executable: runs the CLI on the real process streams.

import { main } from './main.js';
import { nodeIo } from './node-io.js';

process.exitCode = await main(process.argv.slice(2), nodeIo());
