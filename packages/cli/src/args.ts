// Command-line parsing shared by every vmsim subcommand: node's parseArgs (strict, positionals allowed), with
// its errors turned into one-line usage errors that name the offending option and the help to read.

import type { parseArgs as ParseArgs, ParseArgsConfig } from 'node:util';
import { shorten, UsageError } from '@vmsim/sim-api/script';

type Options = NonNullable<ParseArgsConfig['options']>;
type Parsed<O extends Options> = ReturnType<typeof ParseArgs<{ args: string[]; options: O; allowPositionals: true; strict: true }>>;

/**
 * Parses `argv` against `options`. An unknown option is `unknown option <name> (try <help> --help)`; any other
 * mistake is parseArgs' own first line. `prefix` starts every message (`exercise: `).
 */
export function parseCommandLine<O extends Options>(argv: readonly string[], options: O, help: string, prefix = ''): Parsed<O> {
  // Through process.getBuiltinModule, not an ESM import of node:util: building that module's namespace runs
  // every getter it has (~1-2 ms of each start).
  const { parseArgs } = process.getBuiltinModule('node:util');
  try {
    return parseArgs({ args: [...argv], options, allowPositionals: true, strict: true });
  } catch (error) {
    // node's message for an unknown option runs on about `--` and positionals; name the option and point to --help.
    const unknown = (error as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' ? /'([^']+)'/.exec(String((error as Error).message)) : null;
    if (unknown !== null) throw new UsageError(`${prefix}unknown option ${shorten(unknown[1]!)} (try ${help} --help)`);
    throw new UsageError(`${prefix}${error instanceof Error ? error.message.split('\n')[0]! : String(error)}`);
  }
}
