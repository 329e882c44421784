// The swap area (Linux's swap_info_struct with its swap_map) and the swap cache (the pages of swap slots
// that are also in RAM): a fixed number of page-sized slots, each with a reference count — one per swap
// entry naming it in a page table, plus one while the swap cache holds it — taken lowest free slot first
// so runs are reproducible. A slot's bytes are kept only once a page is written to it (committed on demand,
// like RAM). Configured size 0 means no swap: every allocation fails.

import type { PhysicalMemory } from '@vmsim/hw';
import { InvalidArgumentError } from '../errors.js';
import { SwapSlotError } from './swap-errors.js';

export class SwapArea {
  readonly slots: number;
  readonly pageSize: number;
  /** References per slot: swap entries naming it, plus one while it is in the swap cache. 0 = free. */
  private readonly refs: Uint32Array;
  /** The page each written slot holds; null until written, and again once the slot is freed. */
  private readonly data: (Uint8Array | null)[];
  /** No slot below this one is free. */
  private lowest = 0;
  private nFree: number;

  constructor(slots: number, pageSize: number) {
    if (typeof slots !== 'number' || !Number.isSafeInteger(slots) || slots < 0 || slots > 2 ** 30) {
      throw new InvalidArgumentError('swap slots', slots, 'expected an integer from 0 to 2^30');
    }
    if (typeof pageSize !== 'number' || !Number.isSafeInteger(pageSize) || pageSize < 1) {
      throw new InvalidArgumentError('page size', pageSize, 'expected a positive integer');
    }
    this.slots = slots;
    this.pageSize = pageSize;
    this.refs = new Uint32Array(slots);
    this.data = new Array<Uint8Array | null>(slots).fill(null);
    this.nFree = slots;
  }

  get freeCount(): number {
    return this.nFree;
  }

  get used(): number {
    return this.slots - this.nFree;
  }

  /** The lowest free slot, with one reference; -1 when the area is full (or has no slots). */
  alloc(): number {
    if (this.nFree === 0) return -1;
    let s = this.lowest;
    while (this.refs[s] !== 0) s++;
    this.refs[s] = 1;
    this.lowest = s + 1;
    this.nFree--;
    return s;
  }

  /** One more reference to a slot in use (fork copying a swap entry, the swap cache taking it). Returns the count. */
  dup(slot: number): number {
    const count = this.refCount(slot);
    if (count === 0) throw new SwapSlotError('reference', slot, count);
    if (count === 0xffffffff) throw new SwapSlotError('reference overflow', slot, count);
    this.refs[slot] = count + 1;
    return count + 1;
  }

  /** Drops a reference; at none the slot is free and its bytes are forgotten. Returns the new count. */
  free(slot: number): number {
    const count = this.refCount(slot);
    if (count === 0) throw new SwapSlotError('double free', slot, count);
    this.refs[slot] = count - 1;
    if (count === 1) {
      this.data[slot] = null;
      this.nFree++;
      if (slot < this.lowest) this.lowest = slot;
    }
    return count - 1;
  }

  refCount(slot: number): number {
    this.checkSlot(slot);
    return this.refs[slot]!;
  }

  /** Has a page been written to the slot (since it was last allocated)? */
  isWritten(slot: number): boolean {
    this.checkSlot(slot);
    return this.data[slot] !== null;
  }

  /** Writes frame `pfn` of `ram` to the slot in use (a swap-out). */
  writePage(slot: number, ram: PhysicalMemory, pfn: number): void {
    if (this.refCount(slot) === 0) throw new SwapSlotError('write', slot, 0);
    const bytes = ram.readBytes(pfn * this.pageSize, this.pageSize);
    const page = this.data[slot] ?? new Uint8Array(this.pageSize);
    page.set(bytes);
    this.data[slot] = page;
  }

  /** Reads the slot into frame `pfn` of `ram` (a swap-in); a slot never written reads as zeros. */
  readPage(slot: number, ram: PhysicalMemory, pfn: number): void {
    if (this.refCount(slot) === 0) throw new SwapSlotError('read', slot, 0);
    const page = this.data[slot];
    if (page === null || page === undefined) ram.zeroFrame(pfn);
    else ram.writeBytes(pfn * this.pageSize, page);
  }

  /** Copies `length` bytes from `offset` of the slot's page into `out` at `at` (zeros for a slot never written). */
  peek(slot: number, offset: number, length: number, out: Uint8Array, at: number): void {
    if (this.refCount(slot) === 0) throw new SwapSlotError('read', slot, 0);
    const page = this.data[slot];
    if (page === null || page === undefined) out.fill(0, at, at + length);
    else out.set(page.subarray(offset, offset + length), at);
  }

  /** Every slot in use: its reference count and its bytes (a copy; null if never written), in slot order. */
  snapshot(): { slot: number; refs: number; bytes: Uint8Array | null }[] {
    const out: { slot: number; refs: number; bytes: Uint8Array | null }[] = [];
    for (let s = 0; s < this.slots; s++) {
      if (this.refs[s] !== 0) out.push({ slot: s, refs: this.refs[s]!, bytes: this.data[s]?.slice() ?? null });
    }
    return out;
  }

  /** The slots in use with their counts, in slot order (for the invariant sweep and tests). */
  inUse(): [slot: number, refs: number][] {
    const out: [number, number][] = [];
    for (let s = 0; s < this.slots; s++) if (this.refs[s] !== 0) out.push([s, this.refs[s]!]);
    return out;
  }

  private checkSlot(slot: number): void {
    if (typeof slot !== 'number' || !Number.isInteger(slot) || slot < 0 || slot >= this.slots) {
      throw new InvalidArgumentError('swap slot', slot, this.slots === 0 ? 'there is no swap area' : `expected an integer from 0 to ${this.slots - 1}`);
    }
  }
}

/**
 * The swap cache (Linux's swapper_space): a slot whose page is also in a frame — just swapped in, or being
 * swapped out — maps to that frame, and back, so a second fault on the same slot (a page shared after fork)
 * finds the frame instead of reading the slot again, and a clean page whose slot still holds its bytes can
 * be dropped without a write. The cache holds one slot reference per entry (the caller takes it with
 * `SwapArea.dup` and gives it back when the entry goes).
 */
export class SwapCache {
  private readonly bySlot = new Map<number, number>();
  private readonly byPfn = new Map<number, number>();

  get size(): number {
    return this.bySlot.size;
  }

  /** Records that frame `pfn` holds the page of `slot`. Neither may be cached already. */
  add(slot: number, pfn: number): void {
    if (this.bySlot.has(slot)) throw new SwapSlotError('second cache entry', slot, 1);
    if (this.byPfn.has(pfn)) throw new InvalidArgumentError('pfn', pfn, `already caches slot ${this.byPfn.get(pfn)}`);
    this.bySlot.set(slot, pfn);
    this.byPfn.set(pfn, slot);
  }

  /** The frame caching `slot`, or -1. */
  pfnOf(slot: number): number {
    return this.bySlot.get(slot) ?? -1;
  }

  /** The slot frame `pfn` caches, or -1. */
  slotOf(pfn: number): number {
    return this.byPfn.get(pfn) ?? -1;
  }

  /** Forgets the entry of `slot`; returns the frame it named, or -1 when there was none. */
  removeSlot(slot: number): number {
    const pfn = this.bySlot.get(slot);
    if (pfn === undefined) return -1;
    this.bySlot.delete(slot);
    this.byPfn.delete(pfn);
    return pfn;
  }

  /** Every (slot, frame) entry, in slot order. */
  entries(): [slot: number, pfn: number][] {
    return [...this.bySlot].sort((a, b) => a[0] - b[0]);
  }
}
