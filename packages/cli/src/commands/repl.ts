// `vmsim repl`: the script commands typed one at a time, plus help, history and exit. A mistake prints
// `<repl>:N: message` and the session goes on.

import { EXIT_OK, ScriptError } from '@vmsim/sim-api/script';
import type { Io } from '../io.js';
import { makePrinter, type CliOptions } from '../options.js';
import { ScriptReader, stripComment } from '@vmsim/sim-api/script';
import { COMMAND_HELP, type Printer, type Session } from '@vmsim/sim-api/script';
import { VERSION } from '../version.js';
import { reportError } from './run.js';

export const REPL_HELP: readonly string[] = [
  ...COMMAND_HELP,
  'help                              this list',
  'history                           the commands typed so far',
  'exit                              leave (or end of input)',
];

export async function runRepl(options: CliOptions, io: Io, start: (printer: Printer) => Session): Promise<number> {
  const printer = makePrinter(options.json, io);
  const session = start(printer);
  if (io.interactive && !options.json) io.stdout(`vmsim ${VERSION} on ${options.model}: type help for the commands, exit to leave`);
  const history: string[] = [];
  const newReader = (): ScriptReader => new ScriptReader((text) => session.execute(text));
  let reader = newReader();
  let n = 0;
  for await (const text of io.lines('vmsim> ')) {
    n++;
    const command = stripComment(text).toLowerCase();
    if (!reader.pending) {
      if (command === 'exit' || command === 'quit') break;
      // With --json every stdout line is a JSON object, these two included.
      if (command === 'help') {
        if (printer.json) printer.record({ type: 'help', lines: REPL_HELP });
        else for (const line of REPL_HELP) printer.line(line);
        continue;
      }
      if (command === 'history') {
        if (printer.json) printer.record({ type: 'history', commands: [...history] });
        else history.forEach((line, i) => printer.line(`${String(i + 1).padStart(4)}  ${line}`));
        continue;
      }
    }
    if (command !== '') history.push(text.trim());
    try {
      reader.feed({ line: n, text });
    } catch (error) {
      if (!(error instanceof ScriptError)) throw error;
      reportError(io, printer, '<repl>', error);
      reader = newReader();
    }
  }
  try {
    reader.finish();
  } catch (error) {
    if (!(error instanceof ScriptError)) throw error;
    reportError(io, printer, '<repl>', error);
  }
  if (options.stats) session.printStats();
  return EXIT_OK;
}
