// @vmsim/cli: the vmsim command line, callable in-process.

export { main, USAGE } from './main.js';
export { makePrinter, MODELS, type CliOptions } from './options.js';
export type { Io } from './io.js';
export { nodeIo } from './node-io.js';
export { Session, TYPES, COMMAND_HELP, formatStats, type Printer, type SessionOptions } from '@vmsim/sim-api/script';
export { ScriptReader, type SourceLine } from '@vmsim/sim-api/script';
export { EXIT_INTERNAL, EXIT_OK, EXIT_USAGE, ScriptError, UsageError } from '@vmsim/sim-api/script';
