// The one interface every replacement policy has: a page (a dense id in [0, pageCount)) is referenced, read or
// write; the policy keeps the resident set of at most `frames` pages, names a victim on a miss with every frame
// taken (or when a kernel asks for one with `victim()` before it allocates), forgets pages a kernel freed
// (`remove`), and counts references, hits, misses (compulsory included), evictions and writebacks.

import { ReplacementArgumentError } from './errors.js';

/** The names of the policies this package has, in the order `all` runs them. */
export const POLICY_NAMES = [
  'fifo',
  'lru',
  'mru',
  'opt',
  'random',
  'clock',
  'ostep-clock',
  'nru',
  'aging',
  'wsclock',
  'lfu',
  'arc',
] as const;

export type PolicyName = (typeof POLICY_NAMES)[number];

/**
 * Where the clock family (clock, nru, aging, wsclock) reads reference bits besides the ones its own hits set.
 * A kernel implements it over its page tables: read and clear the hardware Accessed bit of every entry that maps
 * `page` (through the reverse map), flush the TLB entry of each one it cleared so the next access walks again and
 * sets the bit, and answer whether any was set.
 */
export interface AccessedBits {
  testAndClearAccessed(page: number): boolean;
}

/** The counts of one run. */
export interface PolicyCounts {
  readonly references: number;
  readonly hits: number;
  readonly misses: number;
  readonly evictions: number;
  readonly writebacks: number;
}

/** Options every policy takes. */
export interface PolicyOptions {
  /** Number of frames (resident pages at most), ≥ 1. */
  readonly frames: number;
  /** Page ids are integers in [0, pageCount). */
  readonly pageCount: number;
}

export function checkCount(argument: string, value: unknown, min: number, max = 0x3fffffff): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new ReplacementArgumentError(argument, value, `an integer in [${min}, ${max}]`);
  }
  return value;
}

/**
 * The base of every policy: the counts, the per-page dirty bits (a page written since it was loaded) and the
 * argument checks. A subclass implements `step(page, write)` (returns true on a hit), `evictVictim()` (the one
 * eviction path: `step` calls it on a miss with every frame taken, `victim()` calls it directly; it calls
 * `evict(page)` for the page it removes) and `forget(page)` (drop a resident page without counting anything).
 */
export abstract class ReplacementPolicy implements PolicyCounts {
  abstract readonly name: PolicyName;
  readonly frames: number;
  readonly pageCount: number;
  references = 0;
  hits = 0;
  misses = 0;
  evictions = 0;
  writebacks = 0;
  /** The page the last access evicted, or -1 (a kernel unmaps and swaps out this page). */
  lastVictim = -1;
  /** 1 for a resident page written since it was loaded. */
  protected readonly dirty: Uint8Array;

  constructor(options: PolicyOptions) {
    if (typeof options !== 'object' || options === null) {
      throw new ReplacementArgumentError('options', options, 'an object { frames, pageCount }');
    }
    this.frames = checkCount('frames', options.frames, 1);
    this.pageCount = checkCount('pageCount', options.pageCount, 1);
    this.dirty = new Uint8Array(this.pageCount);
  }

  /** References `page`, a write if `write`; true on a hit. On a miss with every frame taken it evicts a victim. */
  access(page: number, write: boolean): boolean {
    if ((page | 0) !== page || page < 0 || page >= this.pageCount) {
      throw new ReplacementArgumentError('page', page, `an integer in [0, ${this.pageCount - 1}]`);
    }
    return this.step(page, write ? 1 : 0);
  }

  /**
   * References pages[start..end) in order, writes[i] !== 0 marking a write (null: all reads). The batch entry:
   * checks the page ids once, then runs the policy's own loop.
   */
  run(pages: Int32Array, writes: Uint8Array | null = null, start = 0, end = pages.length): void {
    if (!(pages instanceof Int32Array)) throw new ReplacementArgumentError('pages', pages, 'an Int32Array');
    if (writes !== null && (!(writes instanceof Uint8Array) || writes.length < pages.length)) {
      throw new ReplacementArgumentError('writes', writes, `null or a Uint8Array of length ≥ ${pages.length}`);
    }
    checkCount('start', start, 0, pages.length);
    checkCount('end', end, start, pages.length);
    const limit = this.pageCount;
    for (let i = start; i < end; i++) {
      const p = pages[i]!;
      if (p < 0 || p >= limit) throw new ReplacementArgumentError(`pages[${i}]`, p, `an integer in [0, ${limit - 1}]`);
    }
    this.runChecked(pages, writes, start, end);
  }

  /** The batch loop over checked ids; the hot policies override it with an inlined loop. */
  protected runChecked(pages: Int32Array, writes: Uint8Array | null, start: number, end: number): void {
    for (let i = start; i < end; i++) this.step(pages[i]!, writes === null ? 0 : writes[i]!);
  }

  /** One reference to a checked page id; true on a hit. Counts, sets dirty on a write, evicts when needed. */
  protected abstract step(page: number, write: number): boolean;

  /** True if `page` is resident. */
  abstract isResident(page: number): boolean;

  /** The number of resident pages. */
  abstract residentCount(): number;

  /**
   * Evicts the page the policy would evict on a miss now and returns it (-1 if nothing is resident): it leaves
   * the resident set, the eviction is counted and a writeback too if the page was written since it was loaded,
   * exactly as a miss would count them; references, hits and misses do not change. A kernel calls this before it
   * allocates a frame; a later `access` of a new page takes the freed frame, so `victim()` then `access(page)`
   * behaves exactly as `access(page)` missing with every frame taken.
   */
  victim(): number {
    this.lastVictim = -1;
    return this.evictVictim();
  }

  /**
   * Forgets a resident page without counting an eviction or a writeback (a kernel freed its frame: munmap, exit,
   * a copy-on-write break); false if `page` was not resident. Its frame becomes free for the next miss.
   */
  remove(page: number): boolean {
    if ((page | 0) !== page || page < 0 || page >= this.pageCount) {
      throw new ReplacementArgumentError('page', page, `an integer in [0, ${this.pageCount - 1}]`);
    }
    if (!this.isResident(page)) return false;
    this.forget(page);
    this.dirty[page] = 0;
    return true;
  }

  /** The one eviction path: chooses a victim, removes it, calls `evict` for it, returns it; -1 if none. */
  protected abstract evictVictim(): number;

  /** Removes a resident page from the policy's structures (no counting; the base clears its dirty bit). */
  protected abstract forget(page: number): void;

  /** The resident pages, in the policy's own order (frame order, or list order from the eviction end). */
  abstract residentPages(): number[];

  /** The counts so far. */
  counts(): PolicyCounts {
    return {
      references: this.references,
      hits: this.hits,
      misses: this.misses,
      evictions: this.evictions,
      writebacks: this.writebacks,
    };
  }

  /** Removes `page` from the accounting of the resident set: counts the eviction and a writeback if dirty. */
  protected evict(page: number): void {
    this.evictions++;
    if (this.dirty[page] !== 0) {
      this.writebacks++;
      this.dirty[page] = 0;
    }
    this.lastVictim = page;
  }
}
