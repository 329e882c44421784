// The process table: every process ever created by pid (pids are never reused), and the one running.
// Pids are handed out in order from 0, so the table is an array indexed by pid.

import { NoSuchProcessError } from '../errors.js';
import type { Process } from './process.js';

export class ProcessTable {
  private readonly byPid: (Process | undefined)[] = [];
  /** The pid the next spawn or fork gets. */
  nextPid = 0;
  /** The running process (or the one last switched to, now asleep), or null. */
  current: Process | null = null;

  add(p: Process): void {
    this.byPid[p.pid] = p;
  }

  /** Every process, terminated ones included, in pid order. */
  *all(): IterableIterator<Process> {
    for (const p of this.byPid) if (p !== undefined) yield p;
  }

  /** Any process ever created; NoSuchProcessError otherwise. */
  get(pid: number): Process {
    const p = this.lookup(pid);
    if (p === undefined) throw new NoSuchProcessError(pid);
    return p;
  }

  /** A process that has not terminated; NoSuchProcessError otherwise. */
  live(pid: number): Process {
    const p = this.lookup(pid);
    if (p === undefined || p.state === 'terminated') throw new NoSuchProcessError(pid);
    return p;
  }

  /** Any process, or undefined (for the ASID allocator's victims). */
  find(pid: number): Process | undefined {
    return this.lookup(pid);
  }

  /** The pid of the current process: the default of every `pid?` argument. */
  currentPid(): number {
    if (this.current === null) throw new NoSuchProcessError('none running');
    return this.current.pid;
  }

  /** The current process if it is running; NoSuchProcessError otherwise. */
  running(): Process {
    const p = this.current;
    if (p === null || p.state !== 'running') throw new NoSuchProcessError('none running');
    return p;
  }

  private lookup(pid: number): Process | undefined {
    return typeof pid === 'number' && pid >= 0 && pid < this.byPid.length ? this.byPid[pid] : undefined;
  }
}
