// The signal a refused fault sends (Linux's force_sig_fault): SIGSEGV with SEGV_MAPERR (no region) or
// SEGV_ACCERR (the region's protection), SIGBUS with BUS_ADRERR. The kernel records it on the process
// (`Kernel.siginfo`); whoever runs the process applies the action: the default terminates (`kill`), a
// program or script that catches it looks at the record and goes on.

import { SEGV_ACCERR, SEGV_MAPERR, VM_FAULT_SIGBUS } from '../codes.js';

export interface SigInfo {
  readonly signal: 'SIGSEGV' | 'SIGBUS';
  readonly code: 'SEGV_MAPERR' | 'SEGV_ACCERR' | 'BUS_ADRERR';
  /** The faulting address (si_addr); NaN when the access was given something that is not a number. */
  readonly va: number;
  readonly access: 'read' | 'write' | 'execute';
}

/** The signal of a refused fault's code, or null for codes that send none (out of memory, no process). */
export function signalFor(code: number, va: number, access: 'read' | 'write' | 'execute'): SigInfo | null {
  if (code === SEGV_MAPERR) return { signal: 'SIGSEGV', code: 'SEGV_MAPERR', va, access };
  if (code === SEGV_ACCERR) return { signal: 'SIGSEGV', code: 'SEGV_ACCERR', va, access };
  if (code === VM_FAULT_SIGBUS) return { signal: 'SIGBUS', code: 'BUS_ADRERR', va, access };
  return null;
}
