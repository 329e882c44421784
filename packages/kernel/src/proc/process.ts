// A simulated process: a pid that is never reused, a parent link, a state, and its address space.

import type { AddressSpace } from '../mm/address-space.js';
import type { SigInfo } from './signal.js';

export type ProcessState = 'running' | 'sleeping' | 'terminated';

export class Process {
  state: ProcessState = 'sleeping';
  /** The address space; null once the process has terminated and its memory is freed. */
  space: AddressSpace | null;
  /** The signal the last refused fault sent (proc/signal.ts), until taken with `Kernel.takeSignal`; null when none. */
  siginfo: SigInfo | null = null;

  constructor(
    readonly pid: number,
    /** The pid of the process that forked this one, or -1 for a process the kernel spawned. */
    readonly parentPid: number,
    space: AddressSpace,
  ) {
    this.space = space;
  }
}
