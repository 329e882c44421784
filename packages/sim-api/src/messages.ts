// Every line the simulator prints, as functions of the values they show. The first five are the original
// rust-vmem's texts, character for character; the rest replace the places where the original crashed.

/** The sink that receives each message line (default: console.log). */
export type OutputSink = (line: string) => void;

/** An object that takes whole lines, such as a `BufferedWriter`; the `output` option accepts one too. */
export interface LineWriter {
  writeLine(line: string): void;
}

/** Lowercase hex with a 0x prefix and no padding; a negative number gets a leading minus sign. */
export function hex(n: number): string {
  return n < 0 ? `-0x${(-n).toString(16)}` : `0x${n.toString(16)}`;
}

/** `register` of an address whose page is already mapped; shows the full (unaligned) address. */
export function alreadyRegistered(va: number): string {
  return `Mapping already registered for ${hex(va)}.`;
}

/** A read or write of a page that was never registered; shows the page-aligned address. */
export function invalidAddress(page: number): string {
  return `Invalid address ${hex(page)}`;
}

/**
 * The kernel's reclaim could not free a frame for an access and its OOM killer chose the process making it
 * (@vmsim/kernel's ERR_OOM_KILLED): the process is gone.
 */
export function oomKilled(pid: number): string {
  return `Out of memory: killed process ${pid}`;
}

/**
 * The OOM killer killed `pid` (reclaim could free no frame: swap full, nothing clean to drop): its resident
 * pages and its pages in swap. Printed whether verbose or not, in event order.
 */
export function oomKill(pid: number, rss: number, swap: number): string {
  return `Out of memory: killed process ${pid} (rss ${rss} page${rss === 1 ? '' : 's'}, swap ${swap} page${swap === 1 ? '' : 's'})`;
}

/**
 * Verbose: reclaim evicted frame `pfn`: an anonymous page to swap (written when dirty, else its copy in swap
 * kept), or a page-cache page to its file (written back when dirty, else dropped).
 */
export function evicted(pfn: number, dirty: boolean, to: 'swap' | 'file'): string {
  return `EVICT: pfn ${hex(pfn)} to ${to}${dirty ? ', written' : ', clean'}`;
}

/** Verbose: a page swapped out earlier is mapped again; `offset` = page − 0x80000000, read from `slot` (or the swap cache). */
export function swappedIn(offset: number, slot: number, fromCache: boolean): string {
  return `SWAPIN: ${hex(offset)} from slot ${slot}${fromCache ? ' (swap cache)' : ''}`;
}

/** A read or write by the current process while it is not running. */
export function zombie(pid: number): string {
  return `ZOMBIE ${pid}`;
}

/** Verbose: the first write to a zero-mapped page got a frame of its own. `offset` = page − 0x80000000. */
export function pgzero(offset: number): string {
  return `PGZERO: ${hex(offset)}`;
}

/** Verbose: a write to a copy-on-write page shared with another process copied it. */
export function pgcopy(offset: number): string {
  return `PGCOPY: ${hex(offset)}`;
}

/** Any call that needs a current process when there is none (every process was killed). */
export function noProcess(operation: string): string {
  return `No process is running: ${operation} ignored`;
}

/** `switch(n)` with an index that names no live process. */
export function badSwitch(n: unknown, live: number): string {
  const shown = typeof n === 'number' ? String(n) : typeof n === 'bigint' ? `${n}n` : typeof n === 'string' ? JSON.stringify(n) : String(n);
  const reason = live === 0 ? 'no process is alive' : live === 1 ? 'the only live process is 0' : `expected an index from 0 to ${live - 1}`;
  return `Cannot switch to process ${shown}: ${reason}; nothing changed`;
}

/** An operation that needed more free frames than there are; the machine was left unchanged. */
export function outOfMemory(operation: string, needed: number, free: number): string {
  return `Out of memory: cannot ${operation} (needs ${needed} frame${needed === 1 ? '' : 's'}, ${free} free); nothing changed`;
}

/**
 * An address, or a value stored at it, that does not fit in the model's user address space: `bits` wide.
 * `space` is "virtual" when user space is the model's whole space (the 32-bit models), "user" when it is
 * the lower half of a sign-extended space (x86-64: the 47-bit user address space; Sv39: 38-bit).
 */
export function outsideAddressSpace(va: number, size: number, bits: number, space: 'virtual' | 'user' = 'virtual'): string {
  const where = size > 0 ? `a value of ${size} byte${size === 1 ? '' : 's'} there runs past the end of` : 'outside';
  return `Invalid address ${hex(va)}: ${where} the ${bits}-bit ${space} address space`;
}

/** The kernel refused an access for a reason the friendly API does not cause itself (a hand-made region). */
export function accessRefused(operation: string, code: number): string {
  return `Cannot ${operation}: the kernel refused the access (code ${code}); nothing changed`;
}
