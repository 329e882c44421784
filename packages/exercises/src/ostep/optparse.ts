// The part of Python's optparse the OSTEP scripts rely on: short options with attached or separate values
// (-s5, -s 5), long options with '=' or a separate value and unique-prefix abbreviation (--se=5), bundled
// flags (-cv), '--' ending options, positionals anywhere, and `type='int'` values in optparse's radix rules.
// Its error messages are optparse's own; they reach the user as an ExerciseArgumentError.

import { ExerciseArgumentError } from '../errors.js';
import { pyOptparseInt, pyRepr } from './python-format.js';

/** One option as a script declares it (`parser.add_option('-s', '--seed', type='int', default=0, ...)`). */
export interface OptionSpec {
  readonly short?: string;
  readonly long?: string;
  readonly dest: string;
  readonly kind: 'int' | 'string' | 'flag';
  readonly default: bigint | string | boolean;
  readonly help: string;
}

/** What the parser found: each dest's value (an int as bigint, a string, or a flag's boolean), and whether -h was asked. */
export interface ParsedOptions {
  readonly values: Readonly<Record<string, bigint | string | boolean>>;
  readonly positionals: readonly string[];
  readonly help: boolean;
}

/** The result of running a script: what it prints on standard output and its exit status. */
export interface ScriptResult {
  readonly stdout: string;
  readonly exitCode: 0 | 1;
  /** What the script printed on standard error before it exited with 1 (a Python exception), if anything. */
  readonly stderr?: string;
}

/** Parses argv as optparse would for `specs`; throws ExerciseArgumentError with optparse's message on a mistake. */
export function parseOptions(script: string, specs: readonly OptionSpec[], argv: readonly string[]): ParsedOptions {
  if (!Array.isArray(argv) || argv.some((a) => typeof a !== 'string')) {
    throw new ExerciseArgumentError(script, '', argv, `${script}: the arguments must be an array of strings`);
  }
  const values: Record<string, bigint | string | boolean> = {};
  for (const spec of specs) values[spec.dest] = spec.default;
  const positionals: string[] = [];
  const fail = (option: string, value: unknown, message: string): never => {
    throw new ExerciseArgumentError(script, option, value, message);
  };
  const store = (spec: OptionSpec, name: string, raw: string): void => {
    if (spec.kind === 'int') {
      const n = pyOptparseInt(raw);
      if (n === null) fail(name, raw, `option ${name}: invalid integer value: ${pyRepr(raw)}`);
      values[spec.dest] = n!;
    } else {
      values[spec.dest] = raw;
    }
  };
  const rest = [...argv];
  while (rest.length > 0) {
    const arg = rest.shift()!;
    if (arg === '--') {
      positionals.push(...rest);
      break;
    }
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const typed = eq < 0 ? arg : arg.slice(0, eq);
      const name = matchLong(script, specs, typed);
      // optparse prints the help and exits as soon as it meets -h, whatever follows.
      if (name === '--help') return { values, positionals, help: true };
      const spec = specs.find((s) => s.long === name)!;
      if (spec.kind === 'flag') {
        if (eq >= 0) fail(name, arg, `${name} option does not take a value`);
        values[spec.dest] = true;
      } else if (eq >= 0) {
        store(spec, name, arg.slice(eq + 1));
      } else {
        if (rest.length === 0) fail(name, undefined, `${name} option requires 1 argument`);
        store(spec, name, rest.shift()!);
      }
      continue;
    }
    if (arg.startsWith('-') && arg !== '-') {
      for (let i = 1; i < arg.length; i++) {
        const name = `-${arg[i]}`;
        if (name === '-h') return { values, positionals, help: true };
        const spec = specs.find((s) => s.short === name);
        if (spec === undefined) fail(name, arg, `no such option: ${name}`);
        if (spec!.kind === 'flag') {
          values[spec!.dest] = true;
          continue;
        }
        const attached = arg.slice(i + 1);
        if (attached !== '') store(spec!, name, attached);
        else if (rest.length === 0) fail(name, undefined, `${name} option requires 1 argument`);
        else store(spec!, name, rest.shift()!);
        break;
      }
      continue;
    }
    positionals.push(arg);
  }
  return { values, positionals, help: false };
}

function matchLong(script: string, specs: readonly OptionSpec[], typed: string): string {
  const longs = specs.map((s) => s.long).filter((l): l is string => l !== undefined);
  longs.push('--help');
  if (longs.includes(typed)) return typed;
  const candidates = longs.filter((l) => l.startsWith(typed)).sort();
  if (candidates.length === 1) return candidates[0]!;
  if (candidates.length === 0) throw new ExerciseArgumentError(script, typed, typed, `no such option: ${typed}`);
  throw new ExerciseArgumentError(script, typed, typed, `ambiguous option: ${typed} (${candidates.join(', ')}?)`);
}

/** optparse's help width without a COLUMNS variable: 80 columns less 2. */
const HELP_WIDTH = 78;
const MAX_HELP_POSITION = 24;

/** What `script.py -h` prints: optparse's IndentedHelpFormatter layout, help texts wrapped as textwrap does. */
export function helpText(script: string, specs: readonly OptionSpec[]): string {
  const rows: [string, string][] = [['-h, --help', 'show this help message and exit']];
  for (const spec of specs) {
    const metavar = spec.dest.toUpperCase();
    const names = [spec.short, spec.long].filter((n): n is string => n !== undefined);
    const shown = spec.kind === 'flag' ? names : names.map((n) => (n.startsWith('--') ? `${n}=${metavar}` : `${n} ${metavar}`));
    rows.push([shown.join(', '), spec.help]);
  }
  const indent = 2;
  const helpPosition = Math.min(Math.max(...rows.map(([opts]) => opts.length + indent)) + 2, MAX_HELP_POSITION);
  const helpWidth = Math.max(HELP_WIDTH - helpPosition, 11);
  const optWidth = helpPosition - indent - 2;
  let out = `Usage: ${script}.py [options]\n\nOptions:\n`;
  for (const [opts, help] of rows) {
    const lines = wrap(help, helpWidth);
    if (opts.length > optWidth) out += `${' '.repeat(indent)}${opts}\n${' '.repeat(helpPosition)}${lines[0]}\n`;
    else out += `${' '.repeat(indent)}${opts.padEnd(optWidth)}  ${lines[0]}\n`;
    for (const line of lines.slice(1)) out += `${' '.repeat(helpPosition)}${line}\n`;
  }
  return out;
}

/**
 * textwrap.wrap for single-spaced text: greedy lines of at most `width`, breaking at spaces and after the
 * hyphen of a hyphenated word (two letters, '-', a letter), as textwrap's break_on_hyphens does.
 */
function wrap(text: string, width: number): string[] {
  const chunks = text.split(/( +)/).flatMap((chunk) => (chunk.startsWith(' ') ? [chunk] : chunk.split(/(?<=[A-Za-z]{2}-)(?=[A-Za-z])/)));
  const lines: string[] = [];
  let line = '';
  for (const chunk of chunks) {
    if (chunk === '') continue;
    if (line.length + chunk.length > width && line.trim() !== '') {
      lines.push(line.trimEnd());
      line = chunk.startsWith(' ') ? '' : chunk;
    } else {
      line += line === '' && chunk.startsWith(' ') && lines.length > 0 ? '' : chunk;
    }
  }
  if (line.trim() !== '') lines.push(line.trimEnd());
  return lines;
}

/** Collects print() output the way the scripts produce it. */
export class Printer {
  private readonly parts: string[] = [];

  /** Python's `print(a, b, ...)`: the arguments joined by spaces, then a newline. */
  print(...args: readonly (string | number | bigint | boolean)[]): void {
    this.parts.push(args.map((a) => (typeof a === 'boolean' ? (a ? 'True' : 'False') : String(a))).join(' '), '\n');
  }

  /** Python's `print(text, end='')`. */
  write(text: string): void {
    this.parts.push(text);
  }

  /** Everything printed so far, with the given exit status. */
  result(exitCode: 0 | 1): ScriptResult {
    return { stdout: this.parts.join(''), exitCode };
  }
}
