// Script commands for the simulator's file store: `file create|write|read|truncate|list`, `open`, `close`
// and `msync`. A mistake in the command itself (a missing argument, a bad number) is a script error; a call
// the kernel refuses is printed as its answer (`open → ENOENT (no such file: "x")`) and the script goes on.

import { Files, OpenFlags, VmsimError, type Simulator } from '../index.js';
import { ScriptError } from './errors.js';
import { parseRange, quote } from './parse.js';
import { wordStart } from './script.js';
import type { Printer } from './session.js';

/** The commands' lines in `help`. */
export const FILE_COMMAND_HELP: readonly string[] = [
  'file create <name> [text]         create a file holding the text (the rest of the line)',
  'file write <name|fd> <off> <text> write the text at byte <off> of a file or descriptor',
  'file read <name|fd> <off> <len>   print up to <len> bytes from <off> (a quoted string)',
  'file truncate <name|fd> <len>     set a file\'s size (pages past it leave every mapping)',
  'file list                         the files with their size, cached pages, open descriptions',
  'open <name> <r|w|rw> [create|excl|trunc]...  open in the current process; prints the fd',
  'close <fd>                        close a descriptor of the current process',
  'msync <addr> <len>                write the dirty pages of file mappings in range to the files',
];

/** The command words this file handles. */
export const FILE_COMMANDS: readonly string[] = ['file', 'open', 'close', 'msync'];

const OFFSET_MAX = BigInt(2 ** 30);
const OPEN_MODES: Record<string, number> = { r: OpenFlags.O_RDONLY, w: OpenFlags.O_WRONLY, rw: OpenFlags.O_RDWR };
const OPEN_OPTIONS: Record<string, number> = { create: OpenFlags.O_CREAT, excl: OpenFlags.O_EXCL, trunc: OpenFlags.O_TRUNC };

/** Runs one file command (`command` lowercased, `args` its words, `text` the whole line). */
export function fileCommand(sim: Simulator, printer: Printer, command: string, args: string[], text: string): void {
  const files = new Files(sim);
  const say = (lines: string, record: Record<string, unknown>): void => {
    if (printer.json) printer.record(record);
    else for (const line of lines.split('\n')) printer.line(line);
  };
  const call = (what: string, fn: () => void): void => {
    try {
      fn();
    } catch (error) {
      if (!VmsimError.isInstance(error) || ScriptError.isInstance(error)) throw error;
      const errno = error.errno ?? 'error';
      say(`${what} → ${errno} (${error.message})`, { type: 'call', command: what, ok: false, errno, message: error.message });
    }
  };
  switch (command) {
    case 'open': {
      arity('open', args, 2, 5, '<name> <r|w|rw> [create|excl|trunc]...');
      const mode = OPEN_MODES[args[1]!.toLowerCase()];
      if (mode === undefined) throw new ScriptError(`open: expected r, w or rw, not ${quote(args[1]!)}`);
      let flags = mode;
      for (const word of args.slice(2)) {
        const option = OPEN_OPTIONS[word.toLowerCase()];
        if (option === undefined) throw new ScriptError(`open: expected create, excl or trunc, not ${quote(word)}`);
        flags |= option;
      }
      return call('open', () => {
        const fd = files.open(args[0]!, flags);
        say(`open ${args[0]} → fd ${fd}`, { type: 'call', command: 'open', ok: true, name: args[0], fd });
      });
    }
    case 'close': {
      arity('close', args, 1, 1, '<fd>');
      const fd = Number(parseRange(args[0]!, 'close fd', 0n, 1n << 31n, 'decimal'));
      return call('close', () => files.close(fd));
    }
    case 'msync': {
      arity('msync', args, 2, 2, '<addr> <len>');
      const addr = Number(parseRange(args[0]!, 'msync address', 0n, BigInt(sim.addressLimit) - 1n, 'hex'));
      const length = Number(parseRange(args[1]!, 'msync length', 0n, BigInt(sim.addressLimit), 'decimal'));
      return call('msync', () => files.msync(addr, length));
    }
    case 'file':
      return fileSubcommand(files, args, text, call, say);
    default:
      throw new ScriptError(`unknown command ${quote(command)}`);
  }
}

function fileSubcommand(
  files: Files,
  args: string[],
  text: string,
  call: (what: string, fn: () => void) => void,
  say: (line: string, record: Record<string, unknown>) => void,
): void {
  const sub = args[0]?.toLowerCase();
  const rest = args.slice(1);
  switch (sub) {
    case 'create':
      if (rest.length < 1) throw new ScriptError('file create: missing argument (expected file create <name> [text])');
      return call('file create', () => files.create(rest[0]!, restOfLine(text, 3)));
    case 'write': {
      if (rest.length < 3) throw new ScriptError('file write: missing argument (expected file write <name|fd> <off> <text>)');
      const target = fileTarget(rest[0]!);
      const offset = Number(parseRange(rest[1]!, 'file write offset', 0n, OFFSET_MAX, 'decimal'));
      return call('file write', () => void files.write(target, offset, restOfLine(text, 4)));
    }
    case 'read': {
      arity('file read', rest, 3, 3, '<name|fd> <off> <len>');
      const target = fileTarget(rest[0]!);
      const offset = Number(parseRange(rest[1]!, 'file read offset', 0n, OFFSET_MAX, 'decimal'));
      const length = Number(parseRange(rest[2]!, 'file read length', 0n, OFFSET_MAX, 'decimal'));
      return call('file read', () => {
        const bytes = files.read(target, offset, length);
        say(`${rest[0]}[${offset}..${offset + bytes.length}]: ${showBytes(bytes)}`, {
          type: 'file-read', target: rest[0], offset, length: bytes.length, bytes: Array.from(bytes),
        });
      });
    }
    case 'truncate': {
      arity('file truncate', rest, 2, 2, '<name|fd> <len>');
      const target = fileTarget(rest[0]!);
      const length = Number(parseRange(rest[1]!, 'file truncate length', 0n, OFFSET_MAX, 'decimal'));
      return call('file truncate', () => files.truncate(target, length));
    }
    case 'list': {
      arity('file list', rest, 0, 0, '');
      const list = files.list();
      const lines = list.length === 0 ? ['no files'] : list.map((f) => `${f.name}: ${f.size} bytes, ${f.cachedPages} cached pages, ${f.opens} open`);
      say(lines.join('\n'), { type: 'files', files: list });
      return;
    }
    default:
      throw new ScriptError(`file: expected create, write, read, truncate or list${sub === undefined ? '' : `, not ${quote(args[0]!)}`}`);
  }
}

/** A word of digits is a descriptor; anything else a file name. */
function fileTarget(word: string): string | number {
  return /^[0-9]+$/.test(word) ? Number(parseRange(word, 'fd', 0n, 1n << 31n, 'decimal')) : word;
}

/** The text of the line from word `k` on, as typed (empty when it has fewer words). */
function restOfLine(text: string, k: number): string {
  return text.slice(wordStart(text, k));
}

/** Bytes as a quoted string: printable ASCII as it is, `"` and `\` escaped, other bytes as \xNN. */
export function showBytes(bytes: Uint8Array): string {
  let out = '"';
  for (const b of bytes) {
    if (b === 0x22 || b === 0x5c) out += `\\${String.fromCharCode(b)}`;
    else if (b >= 0x20 && b < 0x7f) out += String.fromCharCode(b);
    else out += `\\x${b.toString(16).padStart(2, '0')}`;
  }
  return `${out}"`;
}

function arity(command: string, args: string[], min: number, max: number, usage: string): void {
  if (args.length < min) throw new ScriptError(`${command}: missing argument (expected ${command} ${usage})`.trimEnd());
  if (args.length > max) throw new ScriptError(`${command}: too many arguments (expected ${`${command} ${usage}`.trimEnd()})`);
}
