// The step engine: a script's commands run one at a time on a Session, forward and back. Going back is
// exact by deterministic replay: a fresh session (Simulator.begin resets everything, the pointer counter
// included) runs the first n commands again, so every view after a jump is what a run straight to n shows.
// Each step keeps what it printed, the kernel's events and, for read/write/register, the access it made.

import {
  Simulator, type DataType, type FaultResolution, type KernelEvent, type ModelName, type Pointer,
} from '@vmsim/sim-api';
import { ScriptError, Session, type Printer } from '@vmsim/sim-api/script';
import { walkView, type WalkView } from '../model/walk.js';
import { compileScript, type ScriptStep } from './compile.js';

export interface EngineOptions {
  readonly script: string;
  readonly model: ModelName;
  /** RAM size in bytes; undefined for the kernel's default. */
  readonly ramBytes?: number | undefined;
}

export interface AccessRecord {
  readonly kind: 'read' | 'write' | 'register';
  readonly pid: number;
  readonly va: number;
  /**
   * The walk of the address before and after the step: null when it lies outside the address space, and for
   * steps that a jump ran on its way (only the step a jump lands on, and every single step, record walks).
   */
  readonly before: WalkView | null;
  readonly after: WalkView | null;
  /** What the TLB did: hit, miss (then a walk), or nothing (register does not access memory). */
  readonly tlb: 'hit' | 'miss' | 'none';
  /** How the last fault of the step ended, or null when none was taken. */
  readonly fault: FaultResolution | null;
}

export interface StepRecord {
  readonly step: ScriptStep;
  readonly output: readonly string[];
  readonly events: readonly KernelEvent[];
  readonly access: AccessRecord | null;
  /** The mistake that stopped the run here, as `line N: message`. */
  readonly error: string | null;
}

export class StepEngine {
  readonly options: EngineOptions;
  readonly steps: readonly ScriptStep[];
  #session!: Session;
  #records: StepRecord[] = [];
  #halted = false;
  // What the step being run collects.
  #output: string[] = [];
  #events: KernelEvent[] = [];
  #access: AccessRecord | null = null;
  #watched: Simulator | null = null;
  /** Whether the step being run records the walks of its access (runTo records them for its last step only). */
  #detail = true;

  constructor(options: EngineOptions) {
    this.options = options;
    this.steps = compileScript(options.script);
    this.#start();
  }

  /** Commands run so far (0 at the start). */
  get position(): number {
    return this.#records.length;
  }

  /** A step stopped the run with an error: no further step runs. */
  get halted(): boolean {
    return this.#halted;
  }

  /** Every command has run, or the run has stopped on an error. */
  get done(): boolean {
    return this.#halted || this.#records.length >= this.steps.length;
  }

  get simulator(): Simulator {
    return this.#session.sim;
  }

  /** What each step run so far did, in order. */
  get records(): readonly StepRecord[] {
    return this.#records;
  }

  /** The last step run, or null at the start. */
  get last(): StepRecord | null {
    return this.#records.at(-1) ?? null;
  }

  /** Runs the next command; returns its record, or null when there is none to run. */
  step(): StepRecord | null {
    if (this.done) return null;
    const step = this.steps[this.#records.length]!;
    this.#output = [];
    this.#events = [];
    this.#access = null;
    let error: string | null = null;
    if (step.error !== null) {
      error = `line ${step.line}: ${step.error}`;
    } else {
      try {
        this.#session.execute(step.text);
      } catch (e) {
        if (!(e instanceof ScriptError)) throw e;
        error = `line ${step.line}: ${e.message}`;
      }
    }
    this.#watch();
    if (error !== null) this.#halted = true;
    const record: StepRecord = { step, output: this.#output, events: this.#events, access: this.#access, error };
    this.#records.push(record);
    return record;
  }

  /** Runs or replays to exactly `n` commands run (clamped to the script; stops early at an error). */
  runTo(n: number): void {
    if (!Number.isInteger(n)) throw new RangeError(`runTo: expected an integer step, not ${String(n)}`);
    const target = Math.max(0, Math.min(n, this.steps.length));
    if (target < this.#records.length) this.#start();
    try {
      while (this.#records.length < target) {
        this.#detail = this.#records.length === target - 1;
        if (this.step() === null) break;
      }
    } finally {
      this.#detail = true;
    }
  }

  /** Goes back `k` commands (exact: a replay from the start). */
  back(k = 1): void {
    this.runTo(Math.max(0, this.#records.length - k));
  }

  reset(): void {
    this.#start();
  }

  runToEnd(): void {
    this.runTo(this.steps.length);
  }

  #start(): void {
    this.#records = [];
    this.#halted = false;
    this.#output = [];
    this.#events = [];
    const printer: Printer = {
      json: false,
      line: (text) => this.#output.push(text),
      record: (value) => this.#output.push(JSON.stringify(value)),
    };
    this.#session = new Session({ model: this.options.model, ramBytes: this.options.ramBytes, verbose: false, printer });
    this.#watched = null;
    this.#watch();
  }

  /** Listens to the session's simulator (a `begin` makes a new one) and notes its accesses. */
  #watch(): void {
    const sim = this.#session.sim;
    if (sim === this.#watched) return;
    this.#watched = sim;
    sim.kernel.on((event) => this.#events.push(event));
    const kernel = sim.kernel;
    const tlb = kernel.mmu.tlb;
    const note = <R>(kind: AccessRecord['kind'], ptr: Pointer, run: () => R): R => {
      const pid = sim.pid;
      const va = ptr.address;
      const detail = this.#detail;
      const before = pid === undefined || !detail ? null : safeWalk(sim, pid, va);
      const hits = tlb.hits;
      const misses = tlb.misses;
      const result = run();
      const after = pid === undefined || !detail || kernel.process(pid).space === null ? null : safeWalk(sim, pid, va);
      const faults = this.#events.filter((e): e is Extract<KernelEvent, { type: 'fault' }> => e.type === 'fault');
      const tlbResult = kind === 'register' ? 'none' : tlb.misses > misses ? 'miss' : tlb.hits > hits ? 'hit' : 'none';
      if (pid !== undefined) this.#access = { kind, pid, va, before, after, tlb: tlbResult, fault: faults.at(-1)?.resolution ?? null };
      return result;
    };
    const { read, write, register } = sim;
    sim.read = (<V extends bigint | number>(ptr: Pointer, type: DataType<V>) => note('read', ptr, () => read.call(sim, ptr, type))) as typeof read;
    sim.write = (ptr, value) => note('write', ptr, () => write.call(sim, ptr, value));
    sim.register = (ptr) => note('register', ptr, () => register.call(sim, ptr));
  }
}

/** The walk of `va`, or null when the address lies outside the model's user space. */
function safeWalk(sim: Simulator, pid: number, va: number): WalkView | null {
  if (!Number.isSafeInteger(va) || va < 0 || va >= sim.addressLimit) return null;
  return walkView(sim.kernel, pid, va);
}
