// The memory-manager script commands (seed 003 through sim-api's MemoryManager): mmap, munmap, mprotect,
// brk, sbrk, maps and signal. A call's answer is printed (`mmap → 0x7ffff000`, or `mmap → ENOMEM (…)` when
// refused: an answer, not a script error); `name = <call>` keeps the answer under a name that later lines
// use as an address (`write heap+16 u32 7`). Once a script used one of these commands, `read` and `write`
// are user loads and stores: a refused one sends SIGSEGV, whose default action (printed) terminates the
// process; `signal catch` prints it and goes on.

import {
  MemoryManager, messages, MmapFlags, type DataType, type Simulator, type ValueType, type VmError, type VmResult,
} from '../index.js';
import { ScriptError } from './errors.js';
import { parseRange, quote } from './parse.js';
import { isIdentifier } from './script.js';
import type { Printer } from './session.js';

export const MM_COMMAND_HELP: readonly string[] = [
  'mmap <addr> <length> <prot> [flags]  map memory (prot: none, r, rw, rx, rwx, or r--/rw-/…; flags joined by |:',
  '                                  private (default), shared, fixed, noreplace, noreserve, populate)',
  'munmap <addr> <length>            unmap pages (nothing mapped there is success, as on Linux)',
  'mprotect <addr> <length> <prot>   change the protection of pages',
  'brk <addr>                        move the program break (brk 0 queries it); sbrk <increment> moves it by bytes',
  '<name> = <mmap|brk|sbrk …>        keep the answer under a name; addresses may be name, name+n or name-n',
  'maps                              print the regions as /proc/<pid>/maps does',
  'signal catch|terminate            a refused access: print the signal and go on, or terminate (the default)',
];

export const MM_COMMANDS: ReadonlySet<string> = new Set(['mmap', 'munmap', 'mprotect', 'brk', 'sbrk', 'maps', 'signal']);

const PROT_WORDS: Readonly<Record<string, number>> = { none: 0, r: 1, w: 2, x: 4, rw: 3, rx: 5, wx: 6, rwx: 7 };

const FLAG_WORDS: Readonly<Record<string, (f: MmapFlags) => MmapFlags>> = {
  private: (f) => f,
  anonymous: (f) => f,
  shared: (f) => new MmapFlags(true, f.anonymous, f.fixed, f.fixedNoReplace, f.noReserve, f.populate),
  fixed: (f) => f.withFixed(),
  noreplace: (f) => f.withFixedNoReplace(),
  noreserve: (f) => f.withNoReserve(),
  populate: (f) => f.withPopulate(),
};

export class MmCommands {
  /** Answers kept by `name = call`. */
  private readonly names = new Map<string, number>();
  /** Has the script used a memory-manager command (which turns on signal delivery for read/write)? */
  active = false;
  private signals: 'terminate' | 'catch' = 'terminate';

  constructor(private readonly printer: Printer, private readonly sim: () => Simulator) {}

  /** Forgets the names (a new `begin`). */
  reset(): void {
    this.names.clear();
    this.active = false;
  }

  /** The address a word names: a kept name, optionally ± an offset; undefined when it is no kept name. */
  resolve(word: string): number | undefined {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)(?:([+-])(0x[0-9a-fA-F]+|[0-9]+))?$/.exec(word);
    if (m === null) return undefined;
    const base = this.names.get(m[1]!);
    if (base === undefined) return undefined;
    if (m[2] === undefined) return base;
    const offset = Number(m[3]!);
    const address = m[2] === '+' ? base + offset : base - offset;
    if (address < 0) throw new ScriptError(`${word}: the address is below 0`);
    return address;
  }

  /** Runs `name = call …`. */
  assign(name: string, command: string, args: string[]): void {
    if (!isIdentifier(name)) throw new ScriptError(`bad name ${quote(name)} (letters, digits and _, not starting with a digit)`);
    if (command !== 'mmap' && command !== 'brk' && command !== 'sbrk') throw new ScriptError(`${name} = ${command}: only mmap, brk and sbrk give an address to keep`);
    this.run(command, args, name);
  }

  run(command: string, args: string[], name?: string): void {
    this.active = true;
    const mm = new MemoryManager(this.sim());
    mm.signals = 'catch';
    switch (command) {
      case 'mmap': {
        arity(command, args, 3, 4, '<addr> <length> <prot> [flags]');
        const flags = this.flags(args[3]);
        return this.answer(command, mm.mmap(this.address(args[0]!, command), this.number(args[1]!, command), this.prot(args[2]!, command), flags), name);
      }
      case 'munmap':
        arity(command, args, 2, 2, '<addr> <length>');
        return this.answer(command, mm.munmap(this.address(args[0]!, command), this.number(args[1]!, command)), name);
      case 'mprotect':
        arity(command, args, 3, 3, '<addr> <length> <prot>');
        return this.answer(command, mm.mprotect(this.address(args[0]!, command), this.number(args[1]!, command), this.prot(args[2]!, command)), name);
      case 'brk':
        arity(command, args, 1, 1, '<addr>');
        return this.answer(command, mm.brk(this.address(args[0]!, command)), name);
      case 'sbrk': {
        arity(command, args, 1, 1, '<increment>');
        const n = parseRange(args[0]!, 'sbrk increment', -(2n ** 52n), 2n ** 52n, 'decimal');
        return this.answer(command, mm.sbrk(Number(n)), name);
      }
      case 'maps': {
        arity(command, args, 0, 0, '');
        const lines = mm.lines();
        if (this.printer.json) this.printer.record({ type: 'maps', lines });
        else for (const line of lines) this.printer.line(line);
        return;
      }
      case 'signal': {
        arity(command, args, 1, 1, 'catch|terminate');
        const mode = args[0]!.toLowerCase();
        if (mode !== 'catch' && mode !== 'terminate') throw new ScriptError(`signal: expected catch or terminate, not ${quote(args[0]!)}`);
        this.signals = mode;
        return;
      }
      default:
        throw new ScriptError(`unknown command ${quote(command)}`);
    }
  }

  /** `write` once the memory manager is in use: a user store, whose refusal sends a signal. */
  write(address: number, value: ValueType): void {
    if (this.sim().pid === undefined) return this.message(messages.noProcess('write'));
    const mm = new MemoryManager(this.sim());
    mm.signals = 'catch';
    const r = mm.write(address, value);
    if (!r.ok) this.refused(r.error);
  }

  /** `read` once the memory manager is in use: a user load, whose refusal sends a signal; the value or undefined. */
  read<V extends bigint | number>(address: number, type: DataType<V>): ValueType<V> | undefined {
    if (this.sim().pid === undefined) {
      this.message(messages.noProcess('read'));
      return undefined;
    }
    const mm = new MemoryManager(this.sim());
    mm.signals = 'catch';
    const r = mm.read(address, type);
    if (r.ok) return r.value;
    this.refused(r.error);
    return undefined;
  }

  /** A refused access: the signal printed, and its default action (terminate) unless the script catches it. */
  private refused(error: VmError): void {
    const sim = this.sim();
    const pid = sim.pid;
    if (!('signal' in error.cause)) return this.message(error.message);
    const info = error.cause;
    const where = Number.isNaN(info.va) ? 'NaN' : `0x${info.va.toString(16)}`;
    const terminate = this.signals === 'terminate';
    const text = `${info.signal} (${info.code}) at ${where}: process ${pid} ${terminate ? 'terminated' : 'continues (caught)'}`;
    if (this.printer.json) this.printer.record({ type: 'signal', pid, signal: info.signal, code: info.code, address: where, terminated: terminate });
    else this.printer.line(text);
    if (terminate) sim.kill();
  }

  private message(text: string): void {
    if (this.printer.json) this.printer.record({ type: 'message', text });
    else this.printer.line(text);
  }

  private answer(command: string, result: VmResult<number | void>, name?: string): void {
    const printer = this.printer;
    if (result.ok) {
      const value = typeof result.value === 'number' ? `0x${result.value.toString(16)}` : '0';
      if (name !== undefined && typeof result.value === 'number') this.names.set(name, result.value);
      if (printer.json) printer.record({ type: 'mm', call: command, ...(name === undefined ? {} : { name }), result: value });
      else printer.line(`${name === undefined ? '' : `${name} = `}${command} → ${value}`);
      return;
    }
    const e = result.error;
    if (printer.json) printer.record({ type: 'mm', call: command, ...(name === undefined ? {} : { name }), error: e.kind, errno: e.errno, message: e.message });
    else printer.line(`${name === undefined ? '' : `${name} = `}${command} → ${e.errno} (${e.kind}: ${e.message})`);
  }

  private address(word: string, command: string): number {
    const named = this.resolve(word);
    if (named !== undefined) return named;
    if (/^[A-Za-z_]/.test(word)) throw new ScriptError(`${command}: unknown name ${quote(word)}`);
    return this.number(word, command);
  }

  private number(word: string, command: string): number {
    return Number(parseRange(word, `${command} argument`, 0n, 2n ** 53n - 1n, 'hex'));
  }

  private prot(word: string, command: string): number {
    const lower = word.toLowerCase();
    if (Object.hasOwn(PROT_WORDS, lower)) return PROT_WORDS[lower]!;
    const m = /^([r-])([w-])([x-])$/.exec(lower);
    if (m !== null) return (m[1] === 'r' ? 1 : 0) | (m[2] === 'w' ? 2 : 0) | (m[3] === 'x' ? 4 : 0);
    throw new ScriptError(`${command}: bad protection ${quote(word)} (none, r, rw, rx, rwx or like rw-)`);
  }

  private flags(word: string | undefined): MmapFlags {
    let flags = MmapFlags.anonymousPrivate();
    if (word === undefined) return flags;
    for (const part of word.toLowerCase().split(/[|,]/)) {
      const apply = Object.hasOwn(FLAG_WORDS, part) ? FLAG_WORDS[part] : undefined;
      if (apply === undefined) throw new ScriptError(`mmap: unknown flag ${quote(part)} (private, shared, fixed, noreplace, noreserve, populate)`);
      flags = apply(flags);
    }
    return flags;
  }
}

function arity(command: string, args: string[], min: number, max: number, usage: string): void {
  if (args.length < min) throw new ScriptError(`${command}: missing argument (expected ${command} ${usage})`.trimEnd());
  if (args.length > max) throw new ScriptError(`${command}: too many arguments (expected ${`${command} ${usage}`.trimEnd()})`);
}
