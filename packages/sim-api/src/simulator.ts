// rust-vmem's Simulator: a list of live processes and a current one, driving one @vmsim/kernel machine with
// register / write / read / fork / switch / kill and printing the original's messages through a replaceable
// sink. Where the original panicked, this prints a clear message, changes nothing and returns.
// Over 400 lines because each call keeps its fast path (small enough to inline) beside its slow path and
// messages, so the order of checks that decides which message prints stays readable in one place.

import {
  isModelName, MAX_RAM_BYTES, MODEL_NAMES, modelByName, validateModel, vaRange, VmsimError, x86_32,
  type HardwareModel, type ModelName, type TlbConfig,
} from '@vmsim/hw';
import {
  ERR_NO_PROCESS, ERR_OOM_KILLED, Kernel, OutOfMemoryError, SEGV_MAPERR, VM_FAULT_OOM,
  type AddressSpace, type KernelEvent, type KernelStats, type Process,
} from '@vmsim/kernel';
import { isPolicyName, type PolicyName } from '@vmsim/replacement';
import { DataType, valueOfWords } from './data-type.js';
import { dumpLines } from './dump.js';
import { InvalidArgumentError, InvalidOptionError } from './errors.js';
import {
  accessRefused, alreadyRegistered, badSwitch, evicted, hex, invalidAddress, noProcess, oomKill, oomKilled, outOfMemory,
  outsideAddressSpace, pgcopy, pgzero, swappedIn, zombie, type LineWriter, type OutputSink,
} from './messages.js';
import { KERNBASE, Pointer } from './pointer.js';
import { storedHighWord, storedLowWord, ValueType } from './value-type.js';

/** The hardware models `Simulator.begin` knows by name: @vmsim/hw's registry, re-exported. */
export { MODEL_NAMES, type ModelName } from '@vmsim/hw';

export interface SimulatorOptions {
  /** RAM in bytes (default 1 GiB, committed lazily by the host): a multiple of the page size, 2 pages or more. */
  readonly ramBytes?: number;
  /** RAM in frames (pages), instead of `ramBytes`. */
  readonly frames?: number;
  /**
   * The paging hardware: 'x86-32' (default), 'sv32', 'x86-64' (4 levels, no PCIDs), 'sv39' (3 levels), or
   * any HardwareModel (e.g. `x86_64({ pcid: true })` from @vmsim/hw).
   */
  readonly model?: ModelName | HardwareModel;
  /**
   * Receives every message line (default: console.log): a function, or a LineWriter such as a BufferedWriter
   * (which its owner flushes).
   */
  readonly output?: OutputSink | LineWriter;
  /** TLB geometry, passed to the MMU. */
  readonly tlb?: TlbConfig;
  /**
   * Slots of the swap area (default 0: no swap), an integer from 0 to 2^30. Swap is used by reclaim: give
   * `reclaim` too, or nothing is ever swapped out.
   */
  readonly swapSlots?: number;
  /**
   * Page reclaim by a @vmsim/replacement policy (every name but 'opt', which needs the future): `limit` caps
   * the frames of user data the machine holds (default: RAM alone). Over the limit, or with RAM full, the
   * policy's victim is swapped out; when nothing can be evicted (swap full), the OOM killer kills the largest
   * process (resident plus swapped pages) and prints `Out of memory: killed process …` whether verbose or not.
   */
  readonly reclaim?: SimulatorReclaimOptions;
}

/** The `reclaim` option of `Simulator.begin`. */
export interface SimulatorReclaimOptions {
  /** The replacement policy by name: 'fifo', 'lru', 'clock', …; not 'opt'. */
  readonly policy: PolicyName;
  /** Frames of user data the policy may hold at most, machine-wide (1 to the RAM's frames). */
  readonly limit?: number;
}

/** A live process as `processes()` lists it. */
export interface ProcessInfo {
  readonly pid: number;
  /** The pid of the process it was forked from; -1 for the first process. */
  readonly parentPid: number;
  readonly state: 'running' | 'sleeping';
  readonly current: boolean;
}

const OPTION_NAMES: readonly string[] = ['ramBytes', 'frames', 'model', 'output', 'tlb', 'swapSlots', 'reclaim'];
const RECLAIM_KEYS: readonly string[] = ['policy', 'limit'];
/** The most swap slots the option takes (the kernel's own bound). */
const MAX_SWAP_SLOTS = 2 ** 30;
const defaultOutput: OutputSink = (line) => console.log(line);

interface CheckedOptions {
  model: HardwareModel;
  ramBytes: number;
  output: OutputSink | LineWriter;
  tlb: TlbConfig | undefined;
  swapSlots: number;
  reclaim: SimulatorReclaimOptions | undefined;
}

/** A function, or an object with a writeLine method. */
function isOutput(value: unknown): value is OutputSink | LineWriter {
  return typeof value === 'function' ||
    (typeof value === 'object' && value !== null && typeof (value as { writeLine?: unknown }).writeLine === 'function');
}
const OUTPUT_EXPECTED = 'expected a function (line: string) => void or an object with writeLine(line: string)';

function checkOptions(options: unknown): CheckedOptions {
  if (options === null || typeof options !== 'object') throw new InvalidOptionError('options', options, 'expected an object');
  const o = options as Record<string, unknown>;
  for (const key of Object.keys(o)) {
    if (!OPTION_NAMES.includes(key)) throw new InvalidOptionError(key, o[key], `unknown option; expected one of ${OPTION_NAMES.join(', ')}`);
  }

  let model: HardwareModel;
  if (o.model === undefined) model = x86_32();
  else if (isModelName(o.model)) model = modelByName(o.model);
  else if (typeof o.model === 'object' && o.model !== null) {
    model = o.model as HardwareModel;
    let problem: string | null;
    try {
      problem = validateModel(model);
    } catch (error) {
      problem = `not a usable HardwareModel (${error instanceof Error ? error.message : String(error)})`;
    }
    if (problem !== null) throw new InvalidOptionError('model', model.name ?? o.model, problem);
  } else {
    throw new InvalidOptionError('model', o.model, `expected ${MODEL_NAMES.map((name) => `'${name}'`).join(', ')} or a HardwareModel`);
  }
  const pageSize = 2 ** model.pageShift;

  let frames: number;
  let option: string;
  if (o.frames !== undefined && o.ramBytes !== undefined) {
    throw new InvalidOptionError('frames', o.frames, 'give ramBytes or frames, not both');
  }
  if (o.frames !== undefined) {
    option = 'frames';
    if (typeof o.frames !== 'number' || !Number.isInteger(o.frames)) throw new InvalidOptionError('frames', o.frames, 'expected an integer');
    frames = o.frames;
  } else {
    option = o.ramBytes === undefined ? 'ramBytes (default)' : 'ramBytes';
    const bytes = o.ramBytes ?? Simulator.DEFAULT_RAM_BYTES;
    if (typeof bytes !== 'number' || !Number.isInteger(bytes)) throw new InvalidOptionError('ramBytes', bytes, 'expected an integer');
    if (bytes % pageSize !== 0) throw new InvalidOptionError('ramBytes', bytes, `expected a multiple of the page size (${pageSize})`);
    frames = bytes / pageSize;
  }
  const shown = option === 'frames' ? frames : frames * pageSize;
  if (frames < 2) {
    throw new InvalidOptionError(option, shown, "expected at least 2 frames: the zero page and the first process's page directory");
  }
  if (frames * pageSize > MAX_RAM_BYTES) throw new InvalidOptionError(option, shown, 'expected at most 4 GiB of RAM');
  if (frames - 1 > model.maxPfn) throw new InvalidOptionError(option, shown, `${model.name} entries hold frame numbers up to ${model.maxPfn}`);

  if (o.output !== undefined && !isOutput(o.output)) throw new InvalidOptionError('output', o.output, OUTPUT_EXPECTED);
  const swapSlots = o.swapSlots ?? 0;
  if (typeof swapSlots !== 'number' || !Number.isInteger(swapSlots) || swapSlots < 0 || swapSlots > MAX_SWAP_SLOTS) {
    throw new InvalidOptionError('swapSlots', swapSlots, 'expected an integer from 0 to 2^30');
  }
  return {
    model,
    ramBytes: frames * pageSize,
    output: (o.output as OutputSink | LineWriter | undefined) ?? defaultOutput,
    tlb: o.tlb as TlbConfig | undefined,
    swapSlots,
    reclaim: o.reclaim === undefined ? undefined : checkReclaim(o.reclaim, frames),
  };
}

/** The `reclaim` option: an object with a policy name (not opt) and an optional limit of 1 to `frames`. */
function checkReclaim(reclaim: unknown, frames: number): SimulatorReclaimOptions {
  if (reclaim === null || typeof reclaim !== 'object') throw new InvalidOptionError('reclaim', reclaim, "expected an object { policy, limit? }");
  const r = reclaim as Record<string, unknown>;
  for (const key of Object.keys(r)) {
    if (!RECLAIM_KEYS.includes(key)) throw new InvalidOptionError(`reclaim.${key}`, r[key], `unknown option; expected one of ${RECLAIM_KEYS.join(', ')}`);
  }
  if (r.policy === 'opt') {
    throw new InvalidOptionError('reclaim.policy', 'opt', 'opt needs the future references, which a running machine does not know; replay a trace for it (MachineReplay)');
  }
  if (!isPolicyName(r.policy)) throw new InvalidOptionError('reclaim.policy', r.policy, 'expected a policy name of @vmsim/replacement (fifo, lru, clock, …)');
  if (r.limit !== undefined && (typeof r.limit !== 'number' || !Number.isInteger(r.limit) || r.limit < 1 || r.limit > frames)) {
    throw new InvalidOptionError('reclaim.limit', r.limit, `expected an integer from 1 to ${frames} (the RAM's frames)`);
  }
  return r.limit === undefined ? { policy: r.policy } : { policy: r.policy, limit: r.limit };
}

/** A parked access window (see Simulator.#hitSpace): [start, end) of `space` at change `seq`. */
class AccessWindow {
  space: AddressSpace | null = null;
  seq = -1;
  start = 0;
  end = 0;
}

function addressOf(ptr: unknown): number {
  if (!Pointer.isInstance(ptr)) throw new InvalidArgumentError('pointer', ptr, 'expected a Pointer (from Pointer.new or Pointer.at)');
  return ptr.address;
}

export class Simulator {
  /** RAM when `Simulator.begin` is given no size: 1 GiB, 262,144 frames of 4 KiB. */
  static readonly DEFAULT_RAM_BYTES = 2 ** 30;

  /** The machine underneath, for users who outgrow the friendly API. */
  readonly kernel: Kernel;
  /** Print PGZERO / PGCOPY (and evictions and swap-ins) and let `print()` dump memory. */
  readonly verbose: boolean;
  /** Slots of the swap area (0: no swap). */
  readonly swapSlots: number;
  /** The reclaim policy by name, or null when the machine has no reclaim. */
  readonly reclaimPolicy: PolicyName | null;
  #output: OutputSink | LineWriter;
  /** Live processes in creation order: `switch(n)` indexes this list. */
  readonly #live: Process[] = [];
  #current: Process | null = null;
  readonly #pageSize: number;
  /** One past the highest user address (the kernel's user space), and its width in bits for messages. */
  readonly #vaLimit: number;
  readonly #vaBits: number;
  /** 'user' when user space is the lower half of a sign-extended space, else 'virtual' (the whole space). */
  readonly #space: 'virtual' | 'user';
  /*
   * The window at hand: the last region an access of process #hitPid was found inside, [#hitStart, #hitEnd)
   * of #hitSpace while its region list's change counter (VmaList.seq) is still #hitSeq. An access wholly
   * inside it is registered without asking the kernel again; any change to that space's regions (register,
   * unmap, exit) moves the counter on. When another process accesses memory, the window at hand is parked
   * in #parked (by pid) and that process's own is taken back, so switching does not throw windows away.
   */
  #hitPid = -1;
  #hitSpace: AddressSpace | null = null;
  #hitSeq = -1;
  #hitStart = 0;
  #hitEnd = 0;
  readonly #parked: (AccessWindow | undefined)[] = [];

  private constructor(verbose: boolean, kernel: Kernel, output: OutputSink | LineWriter, swapSlots: number, reclaimPolicy: PolicyName | null) {
    this.verbose = verbose;
    this.swapSlots = swapSlots;
    this.reclaimPolicy = reclaimPolicy;
    this.kernel = kernel;
    this.#output = output;
    this.#pageSize = kernel.pageSize;
    this.#vaLimit = vaRange(kernel.model).end;
    this.#vaBits = Math.log2(this.#vaLimit);
    this.#space = kernel.model.signExtendedVa === true ? 'user' : 'virtual';
  }

  /** One past the highest address a process may use: 2^32 on the 32-bit models, 2^47 on x86-64, 2^38 on Sv39. */
  get addressLimit(): number {
    return this.#vaLimit;
  }

  /**
   * A fresh machine with process 0 running, and the pointer counter back at 0x80000000. `verbose` turns on
   * the PGZERO / PGCOPY messages and `print()`. Bad options throw InvalidOptionError.
   */
  static begin(verbose = false, options: SimulatorOptions = {}): Simulator {
    if (typeof verbose !== 'boolean') throw new InvalidOptionError('verbose', verbose, 'expected true or false');
    const checked = checkOptions(options);
    let kernel: Kernel;
    try {
      kernel = new Kernel({
        model: checked.model,
        ramBytes: checked.ramBytes,
        ...(checked.tlb === undefined ? {} : { tlb: checked.tlb }),
        ...(checked.swapSlots === 0 ? {} : { swapSlots: checked.swapSlots }),
        ...(checked.reclaim === undefined ? {} : { reclaim: checked.reclaim }),
      });
    } catch (error) {
      // The kernel's own word on swap and reclaim (swapSlots beyond what the model's entries hold) names them already.
      if (InvalidOptionError.isInstance(error) && (error.option === 'swapSlots' || error.option.startsWith('reclaim'))) throw error;
      if (checked.tlb !== undefined && VmsimError.isInstance(error)) throw new InvalidOptionError('tlb', checked.tlb, error.message);
      throw error;
    }
    Pointer.reset();
    const sim = new Simulator(verbose, kernel, checked.output, checked.swapSlots, checked.reclaim?.policy ?? null);
    const first = kernel.spawn();
    sim.#live.push(first);
    sim.#current = first;
    // An OOM kill is printed whether verbose or not; it can happen only with reclaim.
    if (verbose || checked.reclaim !== undefined) kernel.on((event) => sim.#onKernelEvent(event));
    return sim;
  }

  /** Where messages go; assign a function or a LineWriter to redirect them. */
  get output(): OutputSink | LineWriter {
    return this.#output;
  }

  set output(sink: OutputSink | LineWriter) {
    if (!isOutput(sink)) throw new InvalidArgumentError('output', sink, OUTPUT_EXPECTED);
    this.#output = sink;
  }

  /** The pid of the current process, or undefined once every process has been killed. */
  get pid(): number | undefined {
    this.#prune();
    return this.#current === null ? undefined : this.#current.pid;
  }

  /** The live processes in list order (the order `switch(n)` counts in). */
  processes(): ProcessInfo[] {
    this.#prune();
    return this.#live.map((p) => ({
      pid: p.pid,
      parentPid: p.parentPid,
      state: p.state === 'running' ? 'running' : 'sleeping',
      current: p === this.#current,
    }));
  }

  /**
   * Makes the page holding `ptr` valid in the current process, mapped to the zero page. Prints
   * `Mapping already registered for 0x<address>.` when it already is.
   */
  register(ptr: Pointer): void {
    const va = addressOf(ptr);
    const p = this.#current;
    if (p === null || p.state === 'terminated') return this.#refuse(p, 'register', va);
    if (va >= this.#vaLimit) return this.#print(outsideAddressSpace(va, 0, this.#vaBits, this.#space));
    const kernel = this.kernel;
    if (kernel.isRegistered(va, p.pid)) return this.#print(alreadyRegistered(va));
    try {
      kernel.register(va, p.pid);
    } catch (error) {
      if (!OutOfMemoryError.isInstance(error)) throw error;
      this.#print(outOfMemory(`register ${hex(va)}`, error.framesNeeded, error.framesFree));
    }
  }

  /**
   * Stores `value` at `ptr` in the current process, little-endian, in `value.size` bytes. A first write to a
   * zero-mapped page gets a frame (PGZERO); a write to a page shared after a fork copies it (PGCOPY).
   */
  write(ptr: Pointer, value: ValueType): void {
    const va = addressOf(ptr);
    if (!ValueType.isInstance(value)) throw new InvalidArgumentError('value', value, 'expected a ValueType');
    const p = this.#current;
    const kernel = this.kernel;
    if (p === null || p.state !== 'running' || kernel.current !== p) return this.#refuse(p, 'write to', va);
    const size = value.size;
    if (!this.#hit(p, va, size) && !this.#otherWindow(p, va, size) && !this.#accessible(p, va, size)) return;
    // The common case kept small, so the engine inlines it: 8 bytes with their two words, inside one page
    // (the page offset by a mask: va is a checked integer, and `%` on a double above 2^31 calls into C).
    const lo = size === 8 ? storedLowWord(value) : -1;
    if (lo >= 0 && (va & (this.#pageSize - 1)) + 8 <= this.#pageSize) {
      // Everything store64Words would check is checked above: the entry point that skips it.
      const code = kernel.store64WordsPrechecked(va, lo, storedHighWord(value));
      if (code < 0) this.#failed(p, 'write to', va, code);
      return;
    }
    this.#writeOther(p, va, value, size);
  }

  /** The rest of `write`: 1, 2 or 4 bytes, an 8-byte value made from a wide bigint, or an access across pages. */
  #writeOther(p: Process, va: number, value: ValueType, size: number): void {
    const kernel = this.kernel;
    let code: number;
    if ((va & (this.#pageSize - 1)) + size <= this.#pageSize) {
      if (size === 8) {
        // Values made from numbers (and values read back) carry their two words: no bigint on the way to RAM.
        const lo = storedLowWord(value);
        code = lo >= 0 ? kernel.store64Words(va, lo, storedHighWord(value)) : kernel.store64(va, value.bits as bigint);
      } else {
        code = kernel.store(va, size as 1 | 2 | 4, value.bits as number);
      }
    } else {
      // Across a page boundary: the kernel's write checks both pages and the frames first (all or nothing).
      try {
        kernel.write(va, value.toBytes());
        code = 0;
      } catch (error) {
        if (!OutOfMemoryError.isInstance(error)) throw error;
        return this.#print(outOfMemory(`write to ${hex(va)}`, error.framesNeeded, error.framesFree));
      }
    }
    if (code < 0) this.#failed(p, 'write to', va, code);
  }

  /**
   * Loads a value of `type` from `ptr` in the current process; undefined (after a message) when the page
   * is not registered or no process is running. A registered page never written reads as 0 of `type`.
   */
  read<V extends bigint | number>(ptr: Pointer, type: DataType<V>): ValueType<V> | undefined {
    const va = addressOf(ptr);
    if (!DataType.isInstance(type)) throw new InvalidArgumentError('type', type, 'expected a DataType');
    const p = this.#current;
    const kernel = this.kernel;
    if (p === null || p.state !== 'running' || kernel.current !== p) {
      this.#refuse(p, 'read of', va);
      return undefined;
    }
    const size = type.size;
    if (!this.#hit(p, va, size) && !this.#otherWindow(p, va, size) && !this.#accessible(p, va, size)) return undefined;
    if (size === 8 && (va & (this.#pageSize - 1)) + 8 <= this.#pageSize) {
      // Everything load64Words would check is checked above: the entry point that skips it.
      const lo = kernel.load64WordsPrechecked(va);
      if (lo < 0) return this.#failed(p, 'read of', va, lo);
      return valueOfWords(type, lo, kernel.high);
    }
    return this.#readOther(p, va, type, size);
  }

  /** The rest of `read`: 1, 2 or 4 bytes, or 8 across a page boundary. */
  #readOther<V extends bigint | number>(p: Process, va: number, type: DataType<V>, size: number): ValueType<V> | undefined {
    const kernel = this.kernel;
    if (size === 8) {
      const lo = kernel.load64Words(va);
      if (lo < 0) return this.#failed(p, 'read of', va, lo);
      return valueOfWords(type, lo, kernel.high);
    }
    const bits = kernel.load(va, size as 1 | 2 | 4);
    if (bits < 0) return this.#failed(p, 'read of', va, bits);
    return type.fromBits(bits);
  }

  /**
   * Forks the current process. The child (a copy-on-write view of the parent's memory) is appended to the
   * list and becomes current and running; the parent sleeps.
   */
  fork(): void {
    this.#prune();
    const p = this.#current;
    if (p === null) return this.#print(noProcess('fork'));
    let child: Process;
    try {
      child = this.kernel.fork(p.pid);
    } catch (error) {
      if (!OutOfMemoryError.isInstance(error)) throw error;
      return this.#print(outOfMemory(`fork process ${p.pid}`, error.framesNeeded, error.framesFree));
    }
    this.#live.push(child);
    this.kernel.switchTo(child.pid);
    this.#current = child;
  }

  /** Runs the n-th live process (list order, from 0); the one that was running sleeps. */
  switch(n: number): void {
    this.#prune();
    const live = this.#live;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n >= live.length) return this.#print(badSwitch(n, live.length));
    const p = live[n]!;
    this.kernel.switchTo(p.pid);
    this.#current = p;
  }

  /**
   * Terminates the current process and frees its memory. Then its parent runs if it is alive; else the
   * process before it in the list; else (it was first) the new first process; else nothing is left.
   */
  kill(): void {
    this.#prune();
    const p = this.#current;
    if (p === null) return this.#print(noProcess('kill'));
    const live = this.#live;
    const index = live.indexOf(p);
    this.kernel.kill(p.pid);
    live.splice(index, 1);
    this.#current = null;
    const next = live.find((q) => q.pid === p.parentPid) ?? live[index > 0 ? index - 1 : 0];
    if (next !== undefined) {
      this.kernel.switchTo(next.pid);
      this.#current = next;
    }
  }

  /** Verbose only, as in the original: prints `dump()`. */
  print(): void {
    if (!this.verbose) return;
    for (const line of this.dump()) this.#print(line);
  }

  /** The memory dump of every live process in list order, as lines (whether verbose or not). */
  dump(): string[] {
    this.#prune();
    return dumpLines(this.kernel, this.#live.map((p) => p.pid));
  }

  /** The kernel's statistics: frames, faults by kind, TLB, per-process pages. */
  stats(): KernelStats {
    return this.kernel.stats();
  }

  #print(line: string): void {
    const output = this.#output;
    if (typeof output === 'function') output(line);
    else output.writeLine(line);
  }

  /** Message for an access that cannot run: no process at all, or a current process that is not running. */
  #refuse(p: Process | null, operation: string, va: number): void {
    if (p !== null && p.state === 'terminated') {
      this.#prune();
      p = this.#current;
    }
    if (p === null) this.#print(noProcess(`${operation} ${hex(va)}`));
    else this.#print(zombie(p.pid));
  }

  /** Does the access lie wholly inside the window at hand (see #hitSpace)? */
  #hit(p: Process, va: number, size: number): boolean {
    const space = p.space;
    return space === this.#hitSpace && space !== null && space.vmas.seq === this.#hitSeq &&
      va >= this.#hitStart && va + size <= this.#hitEnd && Number.isInteger(va);
  }

  /** After a switch: parks the window at hand, takes back `p`'s own (if it has one) and asks #hit again. */
  #otherWindow(p: Process, va: number, size: number): boolean {
    const own = this.#parked[p.pid];
    if (own === undefined || p.pid === this.#hitPid) return false;
    this.#park();
    this.#hitPid = p.pid;
    this.#hitSpace = own.space;
    this.#hitSeq = own.seq;
    this.#hitStart = own.start;
    this.#hitEnd = own.end;
    return this.#hit(p, va, size);
  }

  /** Stores the window at hand under its process's pid. */
  #park(): void {
    const pid = this.#hitPid;
    if (pid < 0) return;
    let w = this.#parked[pid];
    if (w === undefined) this.#parked[pid] = w = new AccessWindow();
    w.space = this.#hitSpace;
    w.seq = this.#hitSeq;
    w.start = this.#hitStart;
    w.end = this.#hitEnd;
  }

  /**
   * Checks that every page the access touches lies in the address space and is registered, printing why
   * not; on success remembers the region for #hit.
   */
  #accessible(p: Process, va: number, size: number): boolean {
    if (va + size > this.#vaLimit) {
      this.#print(outsideAddressSpace(va, va >= this.#vaLimit ? 0 : size, this.#vaBits, this.#space));
      return false;
    }
    const kernel = this.kernel;
    // Page bases by a mask: va is a non-negative safe integer, and `%` on one above 2^31 calls into C.
    const offsetMask = this.#pageSize - 1;
    if (!kernel.isRegistered(va, p.pid)) {
      this.#print(invalidAddress(va - (va & offsetMask)));
      return false;
    }
    const end = va + size - 1;
    const endPage = end - (end & offsetMask);
    if (endPage !== va - (va & offsetMask) && !kernel.isRegistered(end, p.pid)) {
      this.#print(invalidAddress(endPage));
      return false;
    }
    const space = p.space!;
    const vma = space.vmas.find(va)!;
    if (this.#hitPid !== p.pid) this.#park();
    this.#hitPid = p.pid;
    this.#hitSpace = space;
    this.#hitSeq = space.vmas.seq;
    this.#hitStart = vma.start;
    this.#hitEnd = vma.end;
    return true;
  }

  /** Message for an access the kernel refused after the checks above; always returns undefined. */
  #failed(p: Process, operation: string, va: number, code: number): undefined {
    if (code === VM_FAULT_OOM) this.#print(outOfMemory(`${operation} ${hex(va)}`, 1, this.kernel.frames.freeCount));
    else if (code === SEGV_MAPERR) this.#print(invalidAddress(this.kernel.mmu.faultVa - (this.kernel.mmu.faultVa % this.#pageSize)));
    else if (code === ERR_NO_PROCESS) this.#print(zombie(p.pid));
    // With reclaim (the only way to an OOM kill) the kill was printed, in event order, by #onKernelEvent.
    else if (code === ERR_OOM_KILLED) {
      if (this.reclaimPolicy === null) this.#print(oomKilled(p.pid));
    }
    else this.#print(accessRefused(`${operation} ${hex(va)}`, code));
    return undefined;
  }

  /** Drops processes that were killed through the kernel directly. */
  #prune(): void {
    const live = this.#live;
    for (let i = live.length - 1; i >= 0; i--) if (live[i]!.state === 'terminated') live.splice(i, 1);
    if (this.#current !== null && this.#current.state === 'terminated') this.#current = null;
  }

  #onKernelEvent(event: KernelEvent): void {
    if (event.type === 'oom-kill') return this.#print(oomKill(event.pid, event.rss, event.swap));
    if (!this.verbose) return;
    if (event.type === 'evict') return this.#print(evicted(event.pfn, event.dirty, event.to));
    if (event.type === 'swap-in') return this.#print(swappedIn(event.va - (event.va % this.#pageSize) - KERNBASE, event.slot, event.fromCache));
    if (event.type !== 'fault') return;
    if (event.resolution !== 'zero-fill' && event.resolution !== 'cow-copy') return;
    const offset = event.va - (event.va % this.#pageSize) - KERNBASE;
    this.#print(event.resolution === 'zero-fill' ? pgzero(offset) : pgcopy(offset));
  }
}
