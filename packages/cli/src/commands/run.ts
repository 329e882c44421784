// `vmsim run <file|->`: runs a scenario script line by line. The first bad line stops the run with
// `file:line: message` on stderr and exit code 2; the lines before it have run.

import { EXIT_OK, EXIT_USAGE, ScriptError, UsageError } from '@vmsim/sim-api/script';
import type { Io } from '../io.js';
import { makePrinter, type CliOptions } from '../options.js';
import { shorten } from '@vmsim/sim-api/script';
import { ScriptReader } from '@vmsim/sim-api/script';
import type { Printer, Session } from '@vmsim/sim-api/script';

export async function runScript(path: string, options: CliOptions, io: Io, start: (printer: Printer) => Session): Promise<number> {
  const name = path === '-' ? '<stdin>' : path;
  const lines = path === '-' ? await readAll(io) : readFile(io, path).split(/\r?\n/);
  const printer = makePrinter(options.json, io);
  const session = start(printer);
  const reader = new ScriptReader((text) => session.execute(text));
  try {
    for (let i = 0; i < lines.length; i++) reader.feed({ line: i + 1, text: lines[i]! });
    reader.finish();
  } catch (error) {
    if (!(error instanceof ScriptError)) throw error;
    reportError(io, printer, name, error);
    return EXIT_USAGE;
  }
  if (options.stats) session.printStats();
  return EXIT_OK;
}

/** Prints `file:line: message` on stderr (and, with --json, an error record on stdout). */
export function reportError(io: Io, printer: Printer, file: string, error: ScriptError): void {
  io.stderr(`${file}:${error.line}: ${error.message}`);
  if (printer.json) printer.record({ type: 'error', file, line: error.line, message: error.message });
}

function readFile(io: Io, path: string): string {
  try {
    return io.readFile(path);
  } catch (error) {
    const code = (error as { code?: string }).code;
    // A path too long to show whole is cut, in the system's message too.
    const shown = shorten(path);
    if (code === 'ENOENT') throw new UsageError(`cannot read ${shown}: no such file`);
    if (code === 'EISDIR') throw new UsageError(`cannot read ${shown}: it is a directory`);
    const message = error instanceof Error ? error.message : String(error);
    throw new UsageError(`cannot read ${shown}: ${shown === path ? message : message.split(path).join(shown)}`);
  }
}

async function readAll(io: Io): Promise<string[]> {
  const lines: string[] = [];
  for await (const line of io.lines()) lines.push(line);
  return lines;
}
