// Machine-mode trace replay (issue 12, part 4): a page stream replayed as real loads and stores of one simulated
// process, through the MMU and TLB of a hardware model, with the kernel's reclaim keeping at most N data frames
// under a replacement policy. Page mode (a policy over the page ids) and this mode must count the same hits,
// misses and writebacks for fifo, lru, opt and clock; the counts here come from the kernel's own counters.
//
// Layout: page id p lives at base + p × pageSize of one region. The ids are dense and numbered in order of first
// touch, and a policy sees only which page is referenced, whether it is written, and in what order, never an
// address; so any one-to-one placement of the pages makes the same decisions, and one contiguous region keeps
// the page tables few (they never count against the limit). Only the TLB and walk figures belong to this
// compact layout rather than to the traced program's own addresses.
//
// Backing `file` (the default): the region is a MAP_SHARED mapping of a file of pageCount pages, so a page read
// in and never written is clean (dropped on eviction without a write) and a written one is written back: page
// mode's definitions exactly. misses = pages the faults read in (major faults); writebacks = reclaim's writes.
// Backing `anon`: a private anonymous region with a swap area. A read of a page never written maps the zero page
// (no frame: not a miss, nothing to evict) and a page's first eviction always writes it to swap, so its counts
// differ from page mode by definition.

import { isModelName, modelByName, validateModel, type HardwareModel, type ModelName, type TlbConfig } from '@vmsim/hw';
import {
  Kernel, MAP_ANONYMOUS, MAP_NORESERVE, MAP_PRIVATE, MAP_SHARED, O_CREAT, O_RDWR, PROT_READ, PROT_WRITE, VM_FAULT_OOM,
} from '@vmsim/kernel';
import { isPolicyName, POLICY_NAMES, type PolicyName } from '@vmsim/replacement';
import { InvalidArgumentError, InvalidOptionError, TraceReplayError } from './errors.js';
import { OptPagePolicy } from './trace-replay-opt.js';

/** What a replay needs of a page stream (`@vmsim/trace`'s PageTrace has it). */
export interface ReplayTrace {
  /** Dense page ids in [0, pageCount), one per reference. */
  readonly pages: Int32Array;
  /** 1 where the reference writes (same length as `pages`). */
  readonly writes: Uint8Array;
  readonly pageCount: number;
}

export type ReplayBacking = 'file' | 'anon';
export const REPLAY_BACKINGS: readonly ReplayBacking[] = ['file', 'anon'];

export interface MachineReplayOptions {
  /** The replacement policy reclaim uses, by name (@vmsim/replacement's). */
  readonly policy: PolicyName;
  /** N: the most data frames the process may hold (the reclaim limit). */
  readonly frames: number;
  /** The hardware model, by registry name or as an object (default 'x86-32'). */
  readonly hw?: ModelName | HardwareModel;
  /** Bytes per page of the trace; must be the model's page size (default: the model's). */
  readonly pageSize?: number;
  /** 'file' (default): a shared file mapping; 'anon': private anonymous memory with swap. */
  readonly backing?: ReplayBacking;
  /** anon: slots of the swap area (default pageCount, room for every page). */
  readonly swapSlots?: number;
  readonly tlb?: TlbConfig;
  /** Policy settings as page mode takes them: seed (random, ostep-clock), bits, period, tau. */
  readonly seed?: number;
  readonly bits?: number;
  readonly period?: number;
  readonly tau?: number;
  /** Run the kernel's invariant sweep every this many references and at the end (default 0: never). */
  readonly checkEvery?: number;
}

/** The counts of a machine-mode replay: page mode's fields first, then the kernel's own figures. */
export interface MachineReplayResult {
  readonly policy: PolicyName;
  readonly frames: number;
  readonly hw: string;
  readonly backing: ReplayBacking;
  readonly references: number;
  readonly hits: number;
  readonly misses: number;
  readonly writebacks: number;
  readonly evictions: number;
  readonly majorFaults: number;
  readonly minorFaults: number;
  readonly tlbHits: number;
  readonly tlbMisses: number;
  readonly walks: number;
  readonly pswpin: number;
  readonly pswpout: number;
  /** Seconds spent in `run` (the replay loop alone). */
  readonly seconds: number;
}

/** The file a `file`-backed replay maps. */
const FILE_NAME = 'trace-pages';
/** Frames beyond the limit and the page tables, so that only the limit, never RAM, makes reclaim run. */
const RAM_SLACK_FRAMES = 16;

/**
 * One replay: the machine set up for a trace (a process, its region, reclaim with the policy and limit), the
 * references replayed in order by `run`, the counts read by `result`, and `exit` to end the process.
 */
export class MachineReplay {
  readonly kernel: Kernel;
  readonly policy: PolicyName;
  readonly frames: number;
  readonly backing: ReplayBacking;
  /** The region's first address: page id p is at base + p × pageSize. */
  readonly base: number;
  readonly pageSize: number;
  readonly pid: number;
  /** References replayed so far. */
  done = 0;
  private readonly pages: Int32Array;
  private readonly writes: Uint8Array;
  private readonly opt: OptPagePolicy | null;
  private readonly checkEvery: number;
  private seconds = 0;
  private exited = false;

  constructor(trace: ReplayTrace, options: MachineReplayOptions) {
    const { pages, writes, pageCount } = checkTrace(trace);
    if (options === null || typeof options !== 'object') throw new InvalidOptionError('options', options, 'expected an object { policy, frames, ... }');
    const policy: unknown = options.policy;
    if (!isPolicyName(policy)) throw new InvalidOptionError('policy', policy, `expected one of ${POLICY_NAMES.join(', ')}`);
    const frames = options.frames;
    if (typeof frames !== 'number' || !Number.isInteger(frames) || frames < 1 || frames > 0x3fffffff) {
      throw new InvalidOptionError('frames', frames, 'expected an integer from 1 to 2^30 − 1');
    }
    const model = modelOf(options.hw);
    const modelPageSize = 2 ** model.pageShift;
    const pageSize = options.pageSize ?? modelPageSize;
    if (pageSize !== modelPageSize) {
      throw new InvalidOptionError('pageSize', pageSize, `the trace's pages must be ${model.name}'s pages of ${modelPageSize} bytes`);
    }
    const backing = options.backing ?? 'file';
    if (backing !== 'file' && backing !== 'anon') throw new InvalidOptionError('backing', backing, "expected 'file' or 'anon'");
    const swapSlots = options.swapSlots ?? (backing === 'anon' ? pageCount : 0);
    if (typeof swapSlots !== 'number' || !Number.isInteger(swapSlots) || swapSlots < 0) {
      throw new InvalidOptionError('swapSlots', swapSlots, 'expected a non-negative integer');
    }
    if (backing === 'file' && options.swapSlots !== undefined && swapSlots !== 0) {
      throw new InvalidOptionError('swapSlots', swapSlots, "a file-backed replay writes pages back to the file, not to swap (use backing 'anon')");
    }
    const checkEvery = options.checkEvery ?? 0;
    if (typeof checkEvery !== 'number' || !Number.isInteger(checkEvery) || checkEvery < 0) {
      throw new InvalidOptionError('checkEvery', checkEvery, 'expected a non-negative integer (0: never)');
    }
    const length = pageCount * pageSize;
    const resident = Math.min(frames, pageCount);
    const ramFrames = resident + tableBound(model, length) + 1 + RAM_SLACK_FRAMES;
    const opt = policy === 'opt' ? new OptPagePolicy({ pages, pageCount }, frames, ramFrames) : null;
    this.kernel = new Kernel({
      model,
      ramBytes: ramFrames * pageSize,
      ...(options.tlb === undefined ? {} : { tlb: options.tlb }),
      swapSlots,
      reverseMap: true,
      reclaim: {
        policy: opt ?? policy,
        // At pageCount or more frames the limit never binds: every page fits.
        limit: resident,
        // Out of memory and swap, the fault fails (VM_FAULT_OOM) and the replay stops; nothing is killed.
        oomKill: false,
        ...policySettings(policy, options, frames),
      },
    });
    const kernel = this.kernel;
    this.pid = kernel.spawn().pid;
    // MAP_NORESERVE: RAM is sized to the limit, not to the region, so the overcommit heuristic would refuse a
    // region that only ever has `limit` pages resident.
    if (backing === 'file') {
      const fd = kernel.open(FILE_NAME, O_RDWR | O_CREAT);
      kernel.truncate(fd, length);
      this.base = kernel.mmap(0, length, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_NORESERVE, fd, 0);
      kernel.close(fd);
    } else {
      this.base = kernel.mmap(0, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE);
    }
    this.policy = policy;
    this.frames = frames;
    this.backing = backing;
    this.pageSize = pageSize;
    this.pages = pages;
    this.writes = writes;
    this.opt = opt;
    this.checkEvery = checkEvery;
  }

  /** References left to replay. */
  get remaining(): number {
    return this.pages.length - this.done;
  }

  /**
   * Replays the next `count` references (default: all that are left), in order: an 8-byte load at the page's
   * start for a read, an 8-byte store there for a write. Throws TraceReplayError if the kernel refuses one (out of memory and swap, a signal).
   */
  run(count = this.remaining): void {
    if (this.exited) throw new InvalidArgumentError('run', count, 'the replay has exited');
    if (typeof count !== 'number' || !Number.isInteger(count) || count < 0 || count > this.remaining) {
      throw new InvalidArgumentError('count', count, `expected an integer from 0 to ${this.remaining}`);
    }
    const current = this.kernel.current;
    if (current === null || current.pid !== this.pid || current.state !== 'running') {
      throw new InvalidArgumentError('run', count, `the replay's process ${this.pid} is not the one running (the kernel was switched from outside)`);
    }
    const start = performance.now();
    const end = this.done + count;
    const every = this.checkEvery;
    let i = this.done;
    while (i < end) {
      let stop = end;
      if (every > 0) stop = Math.min(end, (Math.floor(i / every) + 1) * every);
      this.replay(i, stop);
      i = stop;
      this.done = i;
      if (every > 0 && (i % every === 0 || i === this.pages.length)) this.kernel.checkInvariants();
    }
    this.seconds += (performance.now() - start) / 1000;
  }

  /**
   * The hot loop over references [from, to): no allocation, no closure, nothing thrown unless refused. The
   * accesses take the kernel's prechecked entries (the checks they skip hold here: the replay's process is the
   * only one and runs, and every address is the start of a page inside its region); the MMU, the TLB, the
   * fault handler and reclaim's reference reporting are the same as for any load or store.
   */
  private replay(from: number, to: number): void {
    const kernel = this.kernel;
    const pages = this.pages;
    const writes = this.writes;
    const base = this.base;
    const pageSize = this.pageSize;
    const opt = this.opt;
    for (let i = from; i < to; i++) {
      const va = base + pages[i]! * pageSize;
      if (opt !== null) opt.cursor = i;
      const r = writes[i] !== 0 ? kernel.store64WordsPrechecked(va, 1, 0) : kernel.load64WordsPrechecked(va);
      if (r < 0) this.refused(i, va, r);
    }
  }

  private refused(index: number, va: number, code: number): never {
    this.done = index;
    throw new TraceReplayError(index, this.pages[index]!, va, code, code === VM_FAULT_OOM ? 'ENOMEM' : 'EFAULT');
  }

  /** The counts so far, from the kernel's counters (never from the policy object's). */
  result(): MachineReplayResult {
    const kernel = this.kernel;
    const swap = kernel.swapStats();
    const reclaim = kernel.reclaimStats();
    const tlb = kernel.mmu.tlb;
    const references = this.done;
    // file: the pages read in from the file. anon: the frames the faults gave the region (zero-fills and swap-ins).
    const misses = this.backing === 'file' ? reclaim.majorFaults : reclaim.majorFaults + kernel.stats().faults.zeroFill;
    return {
      policy: this.policy,
      frames: this.frames,
      hw: kernel.model.name,
      backing: this.backing,
      references,
      hits: references - misses,
      misses,
      writebacks: reclaim.writebacks,
      evictions: reclaim.evictions,
      majorFaults: reclaim.majorFaults,
      minorFaults: reclaim.minorFaults,
      tlbHits: tlb.hits,
      tlbMisses: tlb.misses,
      walks: kernel.mmu.walks,
      pswpin: swap.pswpin,
      pswpout: swap.pswpout,
      seconds: this.seconds,
    };
  }

  /** Ends the process (its pages leave memory; a file's dirty pages are written back by exit, not counted). */
  exit(): void {
    if (this.exited) return;
    this.exited = true;
    this.kernel.kill(this.pid);
  }
}

/** Replays the whole trace on a fresh machine and returns the counts. */
export function replayMachine(trace: ReplayTrace, options: MachineReplayOptions): MachineReplayResult {
  const replay = new MachineReplay(trace, options);
  replay.run();
  const result = replay.result();
  replay.exit();
  return result;
}

function checkTrace(trace: ReplayTrace): ReplayTrace {
  if (trace === null || typeof trace !== 'object') throw new InvalidArgumentError('trace', trace, 'expected { pages, writes, pageCount }');
  const { pages, writes, pageCount } = trace;
  if (!(pages instanceof Int32Array)) throw new InvalidArgumentError('trace.pages', pages, 'expected an Int32Array of page ids');
  if (!(writes instanceof Uint8Array) || writes.length !== pages.length) {
    throw new InvalidArgumentError('trace.writes', writes, `expected a Uint8Array of ${pages.length} write flags`);
  }
  if (typeof pageCount !== 'number' || !Number.isInteger(pageCount) || pageCount < 1 || pageCount > 0x3fffffff) {
    throw new InvalidArgumentError('trace.pageCount', pageCount, 'expected an integer from 1 to 2^30 − 1');
  }
  for (let i = 0; i < pages.length; i++) {
    const p = pages[i]!;
    if (p < 0 || p >= pageCount) throw new InvalidArgumentError(`trace.pages[${i}]`, p, `expected a page id from 0 to ${pageCount - 1}`);
  }
  return trace;
}

function modelOf(hw: unknown): HardwareModel {
  if (hw === undefined) return modelByName('x86-32');
  if (isModelName(hw)) return modelByName(hw);
  if (hw !== null && typeof hw === 'object' && typeof (hw as Partial<HardwareModel>).encodeLo === 'function') {
    const problem = validateModel(hw as HardwareModel);
    if (problem !== null) throw new InvalidOptionError('hw', (hw as HardwareModel).name, problem);
    return hw as HardwareModel;
  }
  throw new InvalidOptionError('hw', hw, "expected 'x86-32', 'sv32', 'x86-64', 'sv39' or a HardwareModel");
}

/** Page-table frames a region of `length` bytes can need at most, wherever it is placed: root included. */
function tableBound(model: HardwareModel, length: number): number {
  let tables = 1;
  for (let level = 1; level < model.levels; level++) {
    // A table at `level` serves the span of one entry of the level above it.
    let span = 1;
    for (let l = level; l < model.levels; l++) span *= 2 ** model.indexBits[l]!;
    span *= 2 ** model.pageShift;
    tables += Math.ceil(length / span) + 1;
  }
  return tables;
}

/** The policy settings page mode gives `policy` (the same defaults). */
function policySettings(policy: PolicyName, options: MachineReplayOptions, frames: number) {
  return {
    seed: options.seed ?? 0,
    bits: options.bits ?? (policy === 'aging' ? 8 : 2),
    period: options.period ?? 16,
    tau: options.tau ?? 4 * frames,
  };
}
