// The vmsim command line: parses options, runs a subcommand, and turns every user mistake into one line on
// stderr and exit code 2. `main` takes its streams as an argument so tests can run it in-process.

import { InvalidOptionError } from '@vmsim/sim-api';
import {
  COMMAND_HELP, EXIT_INTERNAL, EXIT_OK, EXIT_USAGE, parseSize, quote, Session, UsageError, type Printer,
} from '@vmsim/sim-api/script';
import { parseCommandLine } from './args.js';
import { runScript } from './commands/run.js';
import type { Io } from './io.js';
import { MODELS, type CliOptions } from './options.js';
import { VERSION } from './version.js';


export const USAGE = `vmsim ${VERSION}: a virtual-memory simulator

Usage:
  vmsim run <file|->   run a scenario script (- reads standard input)
  vmsim repl           type commands interactively
  vmsim trace <file|-> replay a memory trace under replacement policies (vmsim trace --help)
  vmsim ostep <script> OSTEP's VM homework scripts, output byte for byte (vmsim ostep --help)
  vmsim exercise ...   seeded exercises with answer keys on real hardware models (vmsim exercise --help)
  vmsim --help | --version

Options:
  --hw <model>    paging hardware: ${MODELS.join(', ')} (default x86-32)
  --ram <size>    RAM size, e.g. 128K, 64M, 1G (default 1G)
  --verbose       print PGZERO / PGCOPY fault messages (like Simulator.begin(true))
  --json          one JSON object per line for every message and result
  --stats         print the statistics at the end
  -h, --help      this help
  -V, --version   the version

Exit codes: 0 success, 2 a usage or script error (file:line: message on stderr), 1 an internal error.

Script commands:
${COMMAND_HELP.map((line) => `  ${line}`).join('\n')}`;


/** Runs the CLI; resolves to the exit code. Standard output is flushed before it resolves. */
export async function main(argv: readonly string[], io: Io): Promise<number> {
  try {
    return await command(argv, io);
  } finally {
    io.flush?.();
  }
}

async function command(argv: readonly string[], io: Io): Promise<number> {
  try {
    if (argv[0] === 'ostep') return await (await import('./commands/ostep.js')).ostepCommand(argv.slice(1), io);
    if (argv[0] === 'exercise') return await (await import('./commands/exercise.js')).exerciseCommand(argv.slice(1), io);
    if (argv[0] === 'trace') return await (await import('./commands/trace.js')).runTrace(argv.slice(1), io);
    const parsed = parseCommandLine(argv, {
      hw: { type: 'string' },
      ram: { type: 'string' },
      verbose: { type: 'boolean' },
      json: { type: 'boolean' },
      stats: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
      version: { type: 'boolean', short: 'V' },
    }, 'vmsim');
    const { values, positionals } = parsed;
    if (values.help === true) {
      io.stdout(USAGE);
      return EXIT_OK;
    }
    if (values.version === true) {
      io.stdout(VERSION);
      return EXIT_OK;
    }
    const model = values.hw ?? 'x86-32';
    if (!(MODELS as readonly string[]).includes(model)) {
      throw new UsageError(`unknown --hw ${quote(model)} (expected ${MODELS.slice(0, -1).join(', ')} or ${MODELS.at(-1)})`);
    }
    const options: CliOptions = {
      model: model as CliOptions['model'],
      ramBytes: values.ram === undefined ? undefined : parseSize(values.ram),
      verbose: values.verbose === true,
      json: values.json === true,
      stats: values.stats === true,
    };
    const [command, ...rest] = positionals;
    if (command === undefined) throw new UsageError('missing command (try vmsim --help)');
    if (command === 'run') {
      if (rest.length !== 1) throw new UsageError(rest.length === 0 ? 'run: missing script file (or - for standard input)' : 'run: expected one script file');
      return await runScript(rest[0]!, options, io, (printer) => newSession(options, printer));
    }
    if (command === 'repl') {
      if (rest.length !== 0) throw new UsageError('repl: takes no arguments');
      // Loaded only for the REPL: a script run does not pay for it.
      const { runRepl } = await import('./commands/repl.js');
      return await runRepl(options, io, (printer) => newSession(options, printer));
    }
    throw new UsageError(`unknown command ${quote(command)} (expected run or repl; try vmsim --help)`);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`vmsim: ${error.message}`);
      return EXIT_USAGE;
    }
    io.stderr(`vmsim: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return EXIT_INTERNAL;
  }
}

/** Starts a simulation; an option the simulator refuses (e.g. a RAM size) is a usage error. */
function newSession(options: CliOptions, printer: Printer): Session {
  try {
    return new Session({ model: options.model, ramBytes: options.ramBytes, verbose: options.verbose, printer });
  } catch (error) {
    if (InvalidOptionError.isInstance(error)) throw new UsageError(error.message);
    throw error;
  }
}
