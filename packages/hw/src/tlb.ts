// A set-associative translation lookaside buffer: entries tagged with a virtual page number, an ASID and a
// global bit, LRU replacement within a set, and counters. Fully associative (one set) and direct-mapped
// (one way) are the two ends of the same configuration. All state lives in typed arrays.

import { checkInteger, HwArgumentError } from './errors.js';

export interface TlbConfig {
  /** Total entries (default 64). */
  readonly entries?: number;
  /** Entries per set (default 4). `ways === entries` is fully associative, `ways === 1` direct-mapped. */
  readonly ways?: number;
}

/*
 * Permission mask cached per entry: one bit per (privilege, access kind), plus a valid bit.
 *   bit 7 valid | 5 user-exec | 4 user-write | 3 user-read | 2 sup-exec | 1 sup-write | 0 sup-read
 * A hit checks `perm & (1 << (access + (user ? 3 : 0)))`.
 */
export const TLB_VALID = 0x80;

/** The permission bit for one access kind at one privilege. */
export function permBit(access: number, user: boolean): number {
  return 1 << (access + (user ? 3 : 0));
}

/** One entry as inspectors see it. */
export interface TlbEntry {
  readonly slot: number;
  readonly vpn: number;
  readonly asid: number;
  readonly pfn: number;
  readonly global: boolean;
  /** The cached permission bits (see permBit). */
  readonly perm: number;
}

export class Tlb {
  // Fields set in the constructor are `declare`d: a plain declaration would first define them as undefined,
  // which makes V8 track them as "any value" and re-check every typed array on the hot path (2x slower).
  declare readonly entries: number;
  declare readonly ways: number;
  declare readonly sets: number;
  declare readonly setMask: number;
  /** Tag: virtual page number (negative for the upper half of a sign-extended space), NaN when empty. */
  declare readonly tagVpn: Float64Array;
  declare readonly tagAsid: Int32Array;
  /** Frame numbers: below 2^28, since a cached frame lies in RAM (at most 4 GiB). An integer array keeps the
   * MMU's hit path in integer arithmetic. */
  declare readonly pfn: Int32Array;
  declare readonly perm: Uint8Array;
  declare readonly global: Uint8Array;
  /** log2 of the base pages covered by the leaf an entry was made from (0 for a base page, 10 for 4 MiB). */
  declare readonly span: Uint8Array;
  /** LRU stamps: the larger, the more recently used. */
  declare readonly stamp: Float64Array;
  /** Per set, the slot of its most recently used entry: where the MMU's hot path looks first. */
  declare readonly mru: Int32Array;
  private clock = 0;
  /** Valid entries cut from huge pages (span > 0): page flushes then also look outside the page's set. */
  private hugeEntries = 0;
  hits = 0;
  misses = 0;
  /** Flush operations (of any kind). */
  flushes = 0;
  /** Valid entries dropped by flushes. */
  flushedEntries = 0;

  constructor(config: TlbConfig = {}) {
    const entries = config.entries ?? 64;
    const ways = config.ways ?? Math.min(4, entries);
    checkInteger('TLB entries', entries, 1, 1 << 20);
    checkInteger('TLB ways', ways, 1, entries);
    if (entries % ways !== 0) throw new HwArgumentError('TLB ways', ways, `must divide the number of entries (${entries})`);
    const sets = entries / ways;
    if ((sets & (sets - 1)) !== 0) throw new HwArgumentError('TLB entries', entries, `entries / ways must be a power of two (got ${sets} sets)`);
    this.entries = entries;
    this.ways = ways;
    this.sets = sets;
    this.setMask = sets - 1;
    this.tagVpn = new Float64Array(entries).fill(NaN);
    this.tagAsid = new Int32Array(entries);
    this.pfn = new Int32Array(entries);
    this.perm = new Uint8Array(entries);
    this.global = new Uint8Array(entries);
    this.span = new Uint8Array(entries);
    this.stamp = new Float64Array(entries);
    this.mru = new Int32Array(sets);
    for (let set = 0; set < sets; set++) this.mru[set] = set * ways;
  }

  /** The slot caching `vpn` for `asid` (or a global entry), or -1. Marks the slot most recently used; the
   * caller counts hits and misses, since only it knows whether the cached rights served the access. */
  lookup(vpn: number, asid: number): number {
    const set = vpn & this.setMask;
    const base = set * this.ways;
    const end = base + this.ways;
    for (let i = base; i < end; i++) {
      if (this.tagVpn[i] === vpn && (this.tagAsid[i] === asid || this.global[i] === 1)) {
        this.stamp[i] = ++this.clock;
        this.mru[set] = i;
        return i;
      }
    }
    return -1;
  }

  /** Marks slot `i` most recently used (for a hit found without lookup). */
  touch(i: number): void {
    this.stamp[i] = ++this.clock;
  }

  /** Looks without touching counters or LRU order (for inspectors). */
  peek(vpn: number, asid: number): number {
    const base = (vpn & this.setMask) * this.ways;
    for (let i = base; i < base + this.ways; i++) {
      if (this.tagVpn[i] === vpn && (this.tagAsid[i] === asid || this.global[i] === 1)) return i;
    }
    return -1;
  }

  /**
   * Caches a translation, replacing the same page's old entry or else the set's least recently used one.
   * `span` > 0 marks a base page cut from a huge page of 2^span base pages, so that flushing any page of the
   * huge page drops every piece of it.
   */
  insert(vpn: number, asid: number, pfn: number, perm: number, global: boolean, span = 0): number {
    const base = (vpn & this.setMask) * this.ways;
    const end = base + this.ways;
    // One pass over the set: the page's own entry if cached, else the first empty way, else the LRU one.
    let victim = -1;
    let empty = -1;
    let oldest = -1;
    for (let i = base; i < end; i++) {
      const tag = this.tagVpn[i];
      if (tag === vpn && (this.tagAsid[i] === asid || this.global[i] === 1 || global)) {
        victim = i;
        break;
      }
      if (tag !== tag) {
        if (empty < 0) empty = i;
      } else if (oldest < 0 || this.stamp[i]! < this.stamp[oldest]!) {
        oldest = i;
      }
    }
    if (victim < 0) victim = empty >= 0 ? empty : oldest;
    this.tagVpn[victim] = vpn;
    this.tagAsid[victim] = asid;
    this.pfn[victim] = pfn;
    this.perm[victim] = perm | TLB_VALID;
    this.global[victim] = global ? 1 : 0;
    if (this.span[victim] !== 0) this.hugeEntries--; // the victim, if it was valid (drop() zeroes span)
    this.span[victim] = span;
    if (span !== 0) this.hugeEntries++;
    this.stamp[victim] = ++this.clock;
    this.mru[vpn & this.setMask] = victim;
    return victim;
  }

  /**
   * Drops every entry for one page, whatever its ASID, global ones included (x86 INVLPG). When the page lies
   * in a huge page, every cached piece of that huge page goes too, as INVLPG and SFENCE.VMA require.
   */
  flushPage(vpn: number): void {
    this.flushes++;
    const base = (vpn & this.setMask) * this.ways;
    for (let i = base; i < base + this.ways; i++) {
      if (this.tagVpn[i] === vpn) this.drop(i);
    }
    if (this.hugeEntries > 0) {
      for (let i = 0; i < this.entries; i++) {
        if (this.inSameHugePage(i, vpn)) this.drop(i);
      }
    }
  }

  /** Drops the non-global entries of one page (or of the huge page holding it) in one address space (RISC-V SFENCE.VMA va, asid). */
  flushPageAsid(vpn: number, asid: number): void {
    this.flushes++;
    const base = (vpn & this.setMask) * this.ways;
    for (let i = base; i < base + this.ways; i++) {
      if (this.tagVpn[i] === vpn && this.tagAsid[i] === asid && this.global[i] === 0) this.drop(i);
    }
    if (this.hugeEntries > 0) {
      for (let i = 0; i < this.entries; i++) {
        if (this.tagAsid[i] === asid && this.global[i] === 0 && this.inSameHugePage(i, vpn)) this.drop(i);
      }
    }
  }

  /** Drops the non-global entries of one address space (RISC-V SFENCE.VMA x0, asid). */
  flushAsid(asid: number): void {
    this.flushes++;
    for (let i = 0; i < this.entries; i++) {
      if (this.valid(i) && this.tagAsid[i] === asid && this.global[i] === 0) this.drop(i);
    }
  }

  /** Drops every non-global entry (x86 MOV to CR3). */
  flushNonGlobal(): void {
    this.flushes++;
    for (let i = 0; i < this.entries; i++) {
      if (this.valid(i) && this.global[i] === 0) this.drop(i);
    }
  }

  /** Drops everything, global entries included. */
  flushAll(): void {
    this.flushes++;
    for (let i = 0; i < this.entries; i++) {
      if (this.valid(i)) this.drop(i);
    }
  }

  /** Number of valid entries. */
  get occupancy(): number {
    let n = 0;
    for (let i = 0; i < this.entries; i++) if (this.valid(i)) n++;
    return n;
  }

  /** The valid entries, in slot order. */
  validEntries(): TlbEntry[] {
    const out: TlbEntry[] = [];
    for (let i = 0; i < this.entries; i++) {
      if (!this.valid(i)) continue;
      out.push({
        slot: i,
        vpn: this.tagVpn[i]!,
        asid: this.tagAsid[i]!,
        pfn: this.pfn[i]!,
        global: this.global[i] === 1,
        perm: this.perm[i]! & ~TLB_VALID,
      });
    }
    return out;
  }

  resetCounters(): void {
    this.hits = 0;
    this.misses = 0;
    this.flushes = 0;
    this.flushedEntries = 0;
  }

  /** Is slot `i` a valid piece of a huge page that also holds `vpn`? */
  private inSameHugePage(i: number, vpn: number): boolean {
    const span = this.span[i]!;
    return span !== 0 && this.valid(i) && Math.floor(this.tagVpn[i]! / 2 ** span) === Math.floor(vpn / 2 ** span);
  }

  /** A slot is empty when its tag is NaN (which equals nothing, so a lookup can never match it). */
  private valid(i: number): boolean {
    const tag = this.tagVpn[i]!;
    return tag === tag;
  }

  private drop(i: number): void {
    if (this.span[i] !== 0) this.hugeEntries--;
    this.tagVpn[i] = NaN;
    this.perm[i] = 0;
    this.global[i] = 0;
    this.span[i] = 0;
    this.flushedEntries++;
  }
}
