// One simulation driven by text commands: the script and REPL commands mapped onto @vmsim/sim-api. Output
// goes through a Printer, as plain lines or as one JSON object per line.

import { isPolicyName, POLICY_NAMES, type PolicyName } from '@vmsim/replacement';
import {
  DataType, I64_MAX, I64_MIN, messages, Pointer, Simulator, U64_MAX, ValueType, VmsimError, type KernelStats, type ModelName,
  type SimulatorReclaimOptions,
} from '../index.js';
import { ScriptError } from './errors.js';
import { MM_COMMAND_HELP, MM_COMMANDS, MmCommands } from './mm-commands.js';
import { FILE_COMMAND_HELP, FILE_COMMANDS, fileCommand } from './file-commands.js';
import { parseRange, quote, scanFloat, shorten } from './parse.js';
import { PageTableCommands, PT_COMMAND_HELP } from './pt-commands.js';
import { isIdentifier, wordStart, words } from './script.js';

/** Where results go: `text` for people, `json` for programs. */
export interface Printer {
  /** A plain line of text output (used in text mode). */
  line(text: string): void;
  /** A JSON record (used in JSON mode). */
  record(value: Record<string, unknown>): void;
  readonly json: boolean;
}

export interface SessionOptions {
  readonly model: ModelName;
  readonly ramBytes: number | undefined;
  readonly verbose: boolean;
  readonly printer: Printer;
  /** Swap slots of every machine a bare `begin` starts (default 0); `begin … swap N` overrides it. */
  readonly swapSlots?: number;
  /** Reclaim of every machine a bare `begin` starts (default none); `begin … reclaim POLICY` overrides it. */
  readonly reclaim?: SimulatorReclaimOptions;
}

/** What `begin` starts: the mode, the swap area and the reclaim policy. */
interface MachineChoice {
  readonly verbose: boolean;
  readonly swapSlots: number;
  readonly reclaim: SimulatorReclaimOptions | undefined;
}

const BEGIN_USAGE = 'begin [verbose|quiet] [swap N] [reclaim POLICY [limit N]]';
/** The policies reclaim takes by name: every one but opt (it needs the future). */
const RECLAIM_POLICIES = POLICY_NAMES.filter((name) => name !== 'opt');
const MAX_SWAP_SLOTS = 2n ** 30n;

interface TypeWord {
  readonly name: string;
  readonly data: DataType;
  readonly make: (word: string) => ValueType;
}

function integer(kind: string, min: bigint, max: bigint, make: (n: bigint) => ValueType): (word: string) => ValueType {
  return (word) => make(parseRange(word, `${kind} value`, min, max, 'decimal'));
}

function float(make: (n: number) => ValueType): (word: string) => ValueType {
  return (word) => {
    const n = scanFloat(word);
    if (n === undefined) throw new ScriptError(`bad number ${quote(word)} for a float value`);
    return make(n);
  };
}

/** The value types a script can name, with the sim-api types they stand for. */
export const TYPES: readonly TypeWord[] = [
  { name: 'unsigned', data: DataType.UnsignedInt, make: integer('unsigned', 0n, U64_MAX, ValueType.UnsignedInt) },
  { name: 'signed', data: DataType.SignedInt, make: integer('signed', I64_MIN, I64_MAX, ValueType.SignedInt) },
  { name: 'u8', data: DataType.UnsignedInt8, make: integer('u8', 0n, 0xffn, ValueType.UnsignedInt8) },
  { name: 'u16', data: DataType.UnsignedInt16, make: integer('u16', 0n, 0xffffn, ValueType.UnsignedInt16) },
  { name: 'u32', data: DataType.UnsignedInt32, make: integer('u32', 0n, 0xffffffffn, ValueType.UnsignedInt32) },
  { name: 'i8', data: DataType.SignedInt8, make: integer('i8', -0x80n, 0x7fn, ValueType.SignedInt8) },
  { name: 'i16', data: DataType.SignedInt16, make: integer('i16', -0x8000n, 0x7fffn, ValueType.SignedInt16) },
  { name: 'i32', data: DataType.SignedInt32, make: integer('i32', -0x80000000n, 0x7fffffffn, ValueType.SignedInt32) },
  { name: 'f32', data: DataType.Float32, make: float(ValueType.Float32) },
  { name: 'f64', data: DataType.Float64, make: float(ValueType.Float64) },
];
/** Every type word, lowercased, aliases (u64, i64) included. */
const TYPE_BY_NAME: Record<string, TypeWord> = Object.fromEntries([
  ...TYPES.map((t) => [t.name, t] as const),
  ['u64', TYPES[0]!],
  ['i64', TYPES[1]!],
]);
const TYPE_NAMES = `${TYPES.map((t) => t.name).join(', ')} (and zero for write)`;

function typeWord(word: string | undefined, command: string): TypeWord {
  if (word === undefined) throw new ScriptError(`${command}: missing type (one of ${TYPE_NAMES})`);
  const lower = word.toLowerCase();
  const type = Object.hasOwn(TYPE_BY_NAME, lower) ? TYPE_BY_NAME[lower] : undefined;
  if (type === undefined) throw new ScriptError(`${command}: unknown type ${quote(word)} (expected one of ${TYPE_NAMES})`);
  return type;
}

/** The command summary that `help` prints and the README repeats. */
export const COMMAND_HELP: readonly string[] = [
  'begin [verbose|quiet] [swap N] [reclaim POLICY [limit N]]',
  '                                  start a fresh simulator (one is started for you with the CLI options),',
  '                                  with N swap slots and reclaim by POLICY (fifo, lru, clock, ...) holding at',
  '                                  most N data frames; when nothing can be evicted the largest process is killed',
  'limit <pid> <pages>|none          a memory limit (memory.max) on pid and its children; needs reclaim',
  'ptr <name> [type]                 a named pointer at the next simulated address (like Pointer.new);',
  '                                  its type (default unsigned) is used when read or write names none',
  'register <name|addr>              register the page holding the address in the current process',
  '                                  (an addr is 0 to the end of the model\'s user space)',
  'write <name|addr> [type] <value>  write a value (write <name|addr> zero clears 8 bytes)',
  'read <name|addr> [type [label]]   read a value and print "<label>: <value>" (label defaults to the target)',
  'fork                              fork the current process; the child runs',
  'switch <n>                        run the n-th live process (0 is the first)',
  'kill                              kill the current process',
  'stats                             print the statistics',
  'dump                              print the page tables (every level) and the pages',
  ...FILE_COMMAND_HELP,
  'echo <text>                       print the text',
  ...MM_COMMAND_HELP,
  'repeat <count> [var] ... end      run the lines in between count times; {expr} uses var (default i)',
  ...PT_COMMAND_HELP,
  `types: ${TYPE_NAMES}; numbers in decimal or 0x hex; # starts a comment`,
];

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

export class Session {
  sim: Simulator;
  private readonly pointers = new Map<string, { ptr: Pointer; type: TypeWord }>();
  private readonly mm: MmCommands;
  /** Seed 003's tables and seed 004's memory maps on this simulator (pt-commands.ts). */
  private pt: PageTableCommands;

  constructor(private readonly options: SessionOptions) {
    this.sim = this.begin({ verbose: options.verbose, swapSlots: options.swapSlots ?? 0, reclaim: options.reclaim });
    this.mm = new MmCommands(options.printer, () => this.sim);
    this.pt = new PageTableCommands(this.sim, options.printer);
  }

  /** Runs one command line (comments and {expressions} already handled). Throws ScriptError on a mistake. */
  execute(text: string): void {
    try {
      this.dispatch(text);
    } catch (error) {
      // The checks here should catch every mistake first; a typed error from below still is the user's.
      if (VmsimError.isInstance(error) && !ScriptError.isInstance(error)) throw new ScriptError(`${words(text)[0]}: ${error.message}`);
      throw error;
    }
  }

  private dispatch(text: string): void {
    const w = words(text);
    const command = w[0]!.toLowerCase();
    const args = w.slice(1);
    if (w[1] === '=' && w.length > 2) return this.mm.assign(w[0]!, w[2]!.toLowerCase(), w.slice(3));
    if (MM_COMMANDS.has(command)) return this.mm.run(command, args);
    switch (command) {
      case 'begin':
        return this.commandBegin(args);
      case 'ptr':
        return this.commandPtr(args);
      case 'register':
        this.arity(command, args, 1, 1, '<name|addr>');
        return this.sim.register(this.target(args[0]!, command).ptr);
      case 'write':
        return this.commandWrite(args);
      case 'read':
        return this.commandRead(args, text);
      case 'fork':
        this.arity(command, args, 0, 0, '');
        return this.sim.fork();
      case 'switch': {
        this.arity(command, args, 1, 1, '<n>');
        // Exact or refused: an index beyond 2^53 - 1 would reach the simulator rounded.
        const n = parseRange(args[0]!, 'switch', -MAX_SAFE, MAX_SAFE, 'decimal');
        return this.sim.switch(Number(n));
      }
      case 'kill':
        this.arity(command, args, 0, 0, '');
        return this.sim.kill();
      case 'stats':
        this.arity(command, args, 0, 0, '');
        return this.printStats();
      case 'limit':
        return this.commandLimit(args);
      case 'dump': {
        this.arity(command, args, 0, 0, '');
        const printer = this.options.printer;
        // With every process killed there is nothing to dump: say so, as the simulator does for other commands.
        if (this.sim.pid === undefined) {
          const text = messages.noProcess('dump');
          if (printer.json) printer.record({ type: 'message', text });
          else printer.line(text);
          return;
        }
        const lines = this.sim.dump();
        if (printer.json) printer.record({ type: 'dump', lines });
        else for (const line of lines) printer.line(line);
        return;
      }
      case 'echo': {
        // The text after `echo` and one separator, as it is.
        const start = wordStart(text, 0) + 4;
        const rest = text.slice(start < text.length ? start + 1 : start);
        if (this.options.printer.json) this.options.printer.record({ type: 'echo', text: rest });
        else this.options.printer.line(rest);
        return;
      }
      default:
        if (FILE_COMMANDS.includes(command)) return fileCommand(this.sim, this.options.printer, command, args, text);
        if (PageTableCommands.handles(command)) return this.pt.execute(command, args);
        throw new ScriptError(`unknown command ${quote(w[0]!)} (try help)`);
    }
  }

  /** Prints the statistics (at the end of a run with --stats, or for the `stats` command). */
  printStats(): void {
    const sim = this.sim;
    const stats = sim.stats();
    const printer = this.options.printer;
    const swap = sim.swapSlots > 0 ? sim.kernel.swapStats() : undefined;
    const reclaim = sim.reclaimPolicy !== null ? { policy: sim.reclaimPolicy, ...sim.kernel.reclaimStats() } : undefined;
    if (printer.json) {
      printer.record({ type: 'stats', stats, ...(swap === undefined ? {} : { swap }), ...(reclaim === undefined ? {} : { reclaim }) });
      return;
    }
    for (const line of formatStats(stats)) printer.line(line);
    for (const line of formatSwapStats(swap, reclaim)) printer.line(line);
  }

  private begin(choice: MachineChoice): Simulator {
    const printer = this.options.printer;
    const output = printer.json ? (text: string) => printer.record({ type: 'message', text }) : (text: string) => printer.line(text);
    return Simulator.begin(choice.verbose, {
      model: this.options.model,
      output,
      ...(this.options.ramBytes === undefined ? {} : { ramBytes: this.options.ramBytes }),
      ...(choice.swapSlots === 0 ? {} : { swapSlots: choice.swapSlots }),
      ...(choice.reclaim === undefined ? {} : { reclaim: choice.reclaim }),
    });
  }

  /** `begin [verbose|quiet] [swap N] [reclaim POLICY [limit N]]`: what is not given comes from the session's options. */
  private parseBegin(args: string[]): MachineChoice {
    let verbose = this.options.verbose;
    let swapSlots: number | undefined;
    let policy: PolicyName | undefined;
    let limit: number | undefined;
    let i = 0;
    const first = args[0]?.toLowerCase();
    if (first === 'verbose' || first === 'quiet') {
      verbose = first === 'verbose';
      i = 1;
    } else if (first !== undefined && first !== 'swap' && first !== 'reclaim' && first !== 'limit') {
      throw new ScriptError(`begin: expected verbose or quiet, not ${quote(args[0]!)}`);
    }
    while (i < args.length) {
      const word = args[i]!.toLowerCase();
      const value = args[i + 1];
      if (word === 'swap') {
        if (swapSlots !== undefined) throw new ScriptError('begin: swap given twice');
        if (value === undefined) throw new ScriptError(`begin: swap needs a number of slots (expected ${BEGIN_USAGE})`);
        swapSlots = Number(parseRange(value, 'begin swap', 0n, MAX_SWAP_SLOTS, 'decimal'));
        i += 2;
      } else if (word === 'reclaim') {
        if (policy !== undefined) throw new ScriptError('begin: reclaim given twice');
        if (value === undefined) throw new ScriptError(`begin: reclaim needs a policy (one of ${RECLAIM_POLICIES.join(', ')})`);
        const name = value.toLowerCase();
        if (name === 'opt') throw new ScriptError('begin: reclaim opt is not possible: opt needs the future references (use vmsim trace for it)');
        if (!isPolicyName(name)) throw new ScriptError(`begin: unknown policy ${quote(value)} (expected one of ${RECLAIM_POLICIES.join(', ')})`);
        policy = name;
        i += 2;
        if (args[i]?.toLowerCase() === 'limit') {
          const n = args[i + 1];
          if (n === undefined) throw new ScriptError('begin: limit needs a number of frames');
          limit = Number(parseRange(n, 'begin limit', 1n, BigInt(Number.MAX_SAFE_INTEGER), 'decimal'));
          i += 2;
        }
      } else if (word === 'limit') {
        throw new ScriptError(`begin: limit goes after reclaim POLICY (expected ${BEGIN_USAGE})`);
      } else {
        throw new ScriptError(`begin: unexpected ${quote(args[i]!)} (expected ${BEGIN_USAGE})`);
      }
    }
    // Given nothing about swap and reclaim, a begin takes the session's own (the CLI's); given either, only what it says.
    if (swapSlots === undefined && policy === undefined) {
      return { verbose, swapSlots: this.options.swapSlots ?? 0, reclaim: this.options.reclaim };
    }
    const reclaim = policy === undefined ? undefined : limit === undefined ? { policy } : { policy, limit };
    return { verbose, swapSlots: swapSlots ?? 0, reclaim };
  }

  private commandBegin(args: string[]): void {
    this.sim = this.begin(this.parseBegin(args));
    this.pointers.clear();
    this.mm.reset();
    this.pt = new PageTableCommands(this.sim, this.options.printer);
  }

  /** `limit <pid> <pages>|none`: the kernel's setMemoryLimit (a memory cgroup's memory.max) on pid's group. */
  private commandLimit(args: string[]): void {
    this.arity('limit', args, 2, 2, '<pid> <pages>|none');
    if (this.sim.reclaimPolicy === null) throw new ScriptError(`limit: needs reclaim (start with ${BEGIN_USAGE})`);
    const pid = Number(parseRange(args[0]!, 'limit pid', 0n, MAX_SAFE, 'decimal'));
    const pages = args[1]!.toLowerCase() === 'none' ? null : Number(parseRange(args[1]!, 'limit pages', 1n, MAX_SAFE, 'decimal'));
    this.sim.kernel.setMemoryLimit(pid, pages);
  }

  private commandPtr(args: string[]): void {
    this.arity('ptr', args, 1, 2, '<name> [type]');
    const name = args[0]!;
    if (!isIdentifier(name)) throw new ScriptError(`ptr: bad name ${quote(name)} (letters, digits and _, not starting with a digit)`);
    const type = args[1] === undefined ? TYPES[0]! : typeWord(args[1], 'ptr');
    this.pointers.set(name, { ptr: Pointer.new(ValueType.Zero), type });
  }

  private commandWrite(args: string[]): void {
    this.arity('write', args, 2, 3, '<name|addr> [type] <value>');
    const target = this.target(args[0]!, 'write');
    if (args.length === 2 && args[1]!.toLowerCase() === 'zero') return this.sim.write(target.ptr, ValueType.Zero);
    const type = args.length === 3 ? typeWord(args[1], 'write') : this.defaultType(target, 'write');
    let value: ValueType;
    try {
      value = type.make(args[args.length - 1]!);
    } catch (error) {
      // A bad number or a value out of range: say which command it was in, like every other message.
      if (error instanceof ScriptError) throw new ScriptError(`write: ${error.message}`);
      throw error;
    }
    if (this.mm.active) return this.mm.write(target.ptr.address, value);
    this.sim.write(target.ptr, value);
  }

  private commandRead(args: string[], text: string): void {
    if (args.length < 1) throw new ScriptError('read: missing argument (expected read <name|addr> [type] [label])');
    const target = this.target(args[0]!, 'read');
    const ptr = target.ptr;
    // A label needs the type before it, so a mistyped type is an error rather than the start of a label.
    const typed = args.length > 1;
    const type = typed ? typeWord(args[1], 'read') : this.defaultType(target, 'read');
    // The label is the rest of the line after the type, its spaces and tabs kept as they are.
    const label = args.length > 2 ? text.slice(wordStart(text, 3)) : args[0]!;
    const value = this.mm.active ? this.mm.read(ptr.address, type.data) : this.sim.read(ptr, type.data);
    const printer = this.options.printer;
    if (printer.json) {
      printer.record({
        type: 'read',
        target: args[0],
        address: `0x${ptr.address.toString(16)}`,
        dataType: type.name,
        label,
        value: value === undefined ? null : String(value.getValue()),
      });
    } else if (value !== undefined) {
      printer.line(`${label}: ${String(value.getValue())}`);
    }
  }

  /** The type a `ptr` was declared with, for reads and writes that name none. */
  private defaultType(target: { type?: TypeWord }, command: string): TypeWord {
    if (target.type === undefined) throw new ScriptError(`${command}: missing type (an address has no declared type; one of ${TYPE_NAMES})`);
    return target.type;
  }

  private target(word: string, command: string): { ptr: Pointer; type?: TypeWord } {
    const named = this.pointers.get(word);
    if (named !== undefined) return named;
    const kept = this.mm.resolve(word);
    if (kept !== undefined) return { ptr: Pointer.at(kept) };
    const c = word.charCodeAt(0);
    if ((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95) {
      throw new ScriptError(`${command}: unknown pointer ${quote(word)} (declare it with ptr ${shorten(word)})`);
    }
    // Any user address of the model: below 2^32 on the 32-bit models, 2^47 on x86-64, 2^38 on Sv39.
    const address = parseRange(word, `${command} address`, 0n, BigInt(this.sim.addressLimit) - 1n, 'hex');
    return { ptr: Pointer.at(Number(address)) };
  }

  private arity(command: string, args: string[], min: number, max: number, usage: string): void {
    if (args.length < min) throw new ScriptError(`${command}: missing argument (expected ${command} ${usage})`.trimEnd());
    if (args.length > max) throw new ScriptError(`${command}: too many arguments (expected ${`${command} ${usage}`.trimEnd()})`);
  }
}

/**
 * The swap and reclaim statistics as text lines: a `swap:` line when the machine has swap, a `reclaim:` line
 * when it has reclaim (both kernel counters: see Kernel.swapStats and Kernel.reclaimStats).
 */
export function formatSwapStats(
  swap: ReturnType<Simulator['kernel']['swapStats']> | undefined,
  reclaim: ({ policy: PolicyName } & ReturnType<Simulator['kernel']['reclaimStats']>) | undefined,
): string[] {
  const lines: string[] = [];
  if (swap !== undefined) {
    const using = swap.processes.filter((p) => p.swapPages > 0).map((p) => `process ${p.pid}: ${p.swapPages}`);
    lines.push(`swap: ${swap.slotsUsed} of ${swap.slots} slots used, ${swap.pswpin} pswpin, ${swap.pswpout} pswpout, ${swap.swapCached} in swap cache` +
      (using.length === 0 ? '' : ` (${using.join(', ')})`));
  }
  if (reclaim !== undefined) {
    const limit = reclaim.limit === null ? 'no limit' : `limit ${reclaim.limit}`;
    lines.push(`reclaim: ${reclaim.policy}, ${reclaim.resident} frames held (${limit}), ${reclaim.evictions} evictions, ${reclaim.writebacks} writebacks, ` +
      `${reclaim.majorFaults} major faults, ${reclaim.minorFaults} minor faults, ${reclaim.oomKills} OOM kills`);
    for (const g of reclaim.groups) lines.push(`memory limit of process ${g.pid}: ${g.charged} of ${g.limit} pages charged`);
  }
  return lines;
}

/** The statistics as text lines. */
export function formatStats(stats: KernelStats): string[] {
  const f = stats.frames;
  const q = stats.faults;
  const lines = [
    `machine: ${stats.model}, ${stats.levels} levels, ${stats.pageSize}-byte pages`,
    `frames: ${f.total} total, ${f.free} free, ${f.used} used (${f.pageTables} page tables, ${f.data} data, ${f.zero} zero page)`,
    `faults: ${q.zeroFill} zero-fill, ${q.cowCopy} cow-copy, ${q.cowReuse} cow-reuse, ${q.zeroMap} zero-map, ${q.spurious} spurious, ${q.segfault} segfault, ${q.sigbus} sigbus, ${q.oom} out-of-memory`,
    `tlb: ${stats.tlb.hits} hits, ${stats.tlb.misses} misses, ${stats.tlb.flushes} flushes (${stats.tlb.entries} entries)`,
    // Seed 003's memory statistics: total allocated bytes, active regions, mapped pages.
    `memory: ${stats.memory.totalAllocated} bytes allocated, ${stats.memory.regionCount} regions, ${stats.memory.mappedPages} mapped pages`,
  ];
  for (const p of stats.processes) {
    if (p.state === 'terminated') continue;
    lines.push(`process ${p.pid}: ${p.state}, ${p.resident} resident (${p.shared} shared, ${p.private} private), ${p.zeroMapped} zero-mapped, ${p.pageTables} page tables`);
  }
  return lines;
}
