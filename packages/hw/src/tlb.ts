// A set-associative translation lookaside buffer: entries tagged with a virtual page number, an ASID and a
// global bit, LRU replacement within a set, and counters. Fully associative (one set) and direct-mapped
// (one way) are the two ends of the same configuration. All state lives in typed arrays.
// Beside the modelled entries sits a shadow in the shape of v86's TLB: one int per (hashed) virtual page,
// read by the MMU's hit path with one tag compare and one mask test, filled lazily from the entries.
// One file over 400 lines on purpose: the entries and the shadow change together in every operation, and
// splitting them would put the invariant that ties them across two files.

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
  /** log2 of the base pages of the huge page the entry was cut from (0 for a base page). */
  readonly span: number;
}

/*
 * The shadow: S = 2^k indices, h = vpn & (S - 1). Since S >= sets, entries sharing an index share a set.
 * Index h holds at most one entry, and only one visible in the current ASID (`shadowAsid`: its own entries
 * and global ones):
 *     shadowTag[h]   its vpn (NaN when h holds none, so no address matches)
 *     shadowData[h]  pfn << 6 | perm (bits 0..5, see permBit)
 *     shadowSlot[h]  its slot (-1 when h holds none)
 *     shadowStamp[h] its LRU stamp, kept here instead of in stamp[slot] while it is shadowed, so that a hit
 *                    writes one stamp with no further load
 * It is filled lazily: an entry enters the shadow when the set search finds it visible (`lookup`, the
 * MMU's second use of a page), replacing whatever its index held (whose stamp goes back to stamp[slot]),
 * and leaves it when it is dropped, replaced or no longer visible. So a fill costs nothing (the miss path
 * stays as cheap as a plain set-associative TLB), and a shadow hit is always exact: the insert rules keep at
 * most one visible entry per page, and the shadow only ever holds such an entry with its current data.
 * A hit through the shadow advances `clock` and nothing else; such hits are counted as clock - ticks,
 * where `ticks` counts the clock's other advances.
 */
const SHADOW_PFN_LIMIT = 2 ** 26;


export class Tlb {
  // Fields set in the constructor are `declare`d: a plain declaration would first define them as undefined,
  // which makes V8 track them as "any value" and re-check every typed array on the hot path (2x slower).
  declare readonly entries: number;
  declare readonly ways: number;
  declare readonly sets: number;
  declare readonly setMask: number;
  /** @internal Tag: virtual page number (negative for the upper half of a sign-extended space), NaN when empty. */
  declare readonly tagVpn: Float64Array;
  /** @internal */
  declare readonly tagAsid: Int32Array;
  /** @internal Frame numbers: below 2^28, since a cached frame lies in RAM (at most 4 GiB). */
  declare readonly pfn: Int32Array;
  /** @internal */
  declare readonly perm: Uint8Array;
  /** @internal */
  declare readonly global: Uint8Array;
  /** @internal log2 of the base pages covered by the leaf an entry was made from (0 for a base page, 10 for 4 MiB). */
  declare readonly span: Uint8Array;
  /** @internal LRU stamps of entries not in the shadow: the larger, the more recently used. */
  declare readonly stamp: Float64Array;
  /** @internal The shadow (see above): index mask and arrays. */
  declare readonly shadowMask: number;
  /** @internal */
  declare readonly shadowTag: Float64Array;
  /** @internal */
  declare readonly shadowData: Int32Array;
  /** @internal */
  declare readonly shadowSlot: Int32Array;
  /** @internal */
  declare readonly shadowStamp: Float64Array;
  /** @internal The ASID whose view the shadow holds. */
  declare shadowAsid: number;
  /** @internal The LRU clock: advanced by every use of an entry. */
  declare clock: number;
  /** @internal Advances of the clock other than hits through the shadow. */
  declare private ticks: number;
  /** Hits found by the set search (the rest are clock - ticks). */
  declare private setHits: number;
  /** Valid entries cut from huge pages (span > 0): page flushes then also look outside the page's set. */
  declare private hugeEntries: number;
  declare misses: number;
  /** Flush operations (of any kind). */
  declare flushes: number;
  /** Valid entries dropped by flushes. */
  declare flushedEntries: number;

  constructor(config: TlbConfig = {}) {
    if (typeof config !== 'object' || config === null) throw new HwArgumentError('TLB config', config, 'expected an object');
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
    // 16 indices per entry (at least 1024, at most 2^16 unless the sets need more) keep pages that are
    // near each other in distinct indices.
    let size = 1024;
    while (size < entries * 16 && size < 1 << 16) size *= 2;
    while (size < sets) size *= 2;
    this.shadowMask = size - 1;
    this.shadowTag = new Float64Array(size).fill(NaN);
    this.shadowData = new Int32Array(size);
    this.shadowSlot = new Int32Array(size).fill(-1);
    this.shadowStamp = new Float64Array(size);
    this.shadowAsid = 0;
    this.clock = 0;
    this.ticks = 0;
    this.setHits = 0;
    this.hugeEntries = 0;
    this.misses = 0;
    this.flushes = 0;
    this.flushedEntries = 0;
  }

  /** Hits: translations served by a cached entry (through the shadow or the set search). */
  get hits(): number {
    return this.setHits + this.clock - this.ticks;
  }
  set hits(n: number) {
    this.setHits = n - (this.clock - this.ticks);
  }

  /** Counts a hit found by `lookup` (the MMU's slow path). */
  countHit(): void {
    this.setHits++;
  }

  /** The slot caching `vpn` for `asid` (or a global entry), or -1. Marks the slot most recently used; the
   * caller counts hits and misses, since only it knows whether the cached rights served the access. */
  lookup(vpn: number, asid: number): number {
    const base = (vpn & this.setMask) * this.ways;
    const end = base + this.ways;
    for (let i = base; i < end; i++) {
      if (this.tagVpn[i] === vpn && (this.tagAsid[i] === asid || this.global[i] === 1)) {
        this.touch(i);
        if (this.visible(i)) this.shadow(i);
        return i;
      }
    }
    return -1;
  }

  /** Marks slot `i` most recently used (for a hit found without lookup). */
  touch(i: number): void {
    this.ticks++;
    this.setStamp(i, ++this.clock);
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
    let oldestStamp = 0;
    for (let i = base; i < end; i++) {
      const tag = this.tagVpn[i];
      if (tag === vpn && (this.tagAsid[i] === asid || this.global[i] === 1 || global)) {
        victim = i;
        break;
      }
      if (tag !== tag) {
        if (empty < 0) empty = i;
      } else {
        const stamp = this.stampOf(i);
        if (oldest < 0 || stamp < oldestStamp) {
          oldest = i;
          oldestStamp = stamp;
        }
      }
    }
    if (victim < 0) victim = empty >= 0 ? empty : oldest;
    if (this.valid(victim)) this.unshadow(victim);
    this.tagVpn[victim] = vpn;
    this.tagAsid[victim] = asid;
    this.pfn[victim] = pfn;
    this.perm[victim] = perm | TLB_VALID;
    this.global[victim] = global ? 1 : 0;
    if (this.span[victim] !== 0) this.hugeEntries--; // the victim, if it was valid (drop() zeroes span)
    this.span[victim] = span;
    if (span !== 0) this.hugeEntries++;
    this.ticks++;
    this.stamp[victim] = ++this.clock;
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

  /**
   * Makes the shadow show the entries of address space `asid` (called by the MMU when the root register
   * changes). Only the indices the old view filled are cleared.
   */
  setAsid(asid: number): void {
    if (asid === this.shadowAsid) return;
    this.shadowAsid = asid;
    // Entries of the old address space leave the shadow; global ones stay. Nothing is filled here: the new
    // space's entries enter it at their next use (lookup).
    for (let i = 0; i < this.entries; i++) {
      if (this.valid(i) && !this.visible(i)) this.unshadow(i);
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
      const entry = this.entry(i);
      if (entry !== null) out.push(entry);
    }
    return out;
  }

  /** The entry in slot `i`, or null when the slot is empty. */
  entry(i: number): TlbEntry | null {
    checkInteger('TLB slot', i, 0, this.entries - 1);
    if (!this.valid(i)) return null;
    return {
      slot: i,
      vpn: this.tagVpn[i]!,
      asid: this.tagAsid[i]!,
      pfn: this.pfn[i]!,
      global: this.global[i] === 1,
      perm: this.perm[i]! & ~TLB_VALID,
      span: this.span[i]!,
    };
  }

  /** The LRU stamp of slot `i` (larger is more recent; 0 for a slot never filled), for inspectors. */
  stampOfSlot(i: number): number {
    checkInteger('TLB slot', i, 0, this.entries - 1);
    return this.stampOf(i);
  }

  /**
   * What the shadow holds for `vpn` in the current ASID: the slot the MMU's hit path would use, with the
   * frame and rights it would use, or null. For tests that check the shadow against the entries.
   */
  shadowEntry(vpn: number): { readonly slot: number; readonly pfn: number; readonly perm: number } | null {
    const h = vpn & this.shadowMask;
    if (this.shadowTag[h] !== vpn) return null;
    const data = this.shadowData[h]!;
    return { slot: this.shadowSlot[h]!, pfn: data >>> 6, perm: data & 0x3f };
  }

  /** Number of shadow indices (pages equal modulo this share one). */
  get shadowSize(): number {
    return this.shadowMask + 1;
  }

  /** Number of filled shadow indices (a scan of the whole shadow, for tests). */
  shadowOccupancy(): number {
    let n = 0;
    for (let h = 0; h <= this.shadowMask; h++) if (this.shadowSlot[h] !== -1) n++;
    return n;
  }

  resetCounters(): void {
    this.setHits = 0;
    this.ticks = this.clock;
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

  /** Does a valid slot `i` belong to the shadow's address space (its own or global)? */
  private visible(i: number): boolean {
    return this.global[i] === 1 || this.tagAsid[i] === this.shadowAsid;
  }

  private hash(i: number): number {
    return this.tagVpn[i]! & this.shadowMask;
  }

  private stampOf(i: number): number {
    const h = this.hash(i);
    return this.shadowSlot[h] === i ? this.shadowStamp[h]! : this.stamp[i]!;
  }

  private setStamp(i: number, stamp: number): void {
    const h = this.hash(i);
    if (this.shadowSlot[h] === i) this.shadowStamp[h] = stamp;
    else this.stamp[i] = stamp;
  }

  /** A visible entry joins the shadow's view. */
  /** A visible entry found by the set search takes its index of the shadow (the previous holder leaves it). */
  private shadow(i: number): void {
    const h = this.hash(i);
    if (this.shadowSlot[h] === i) return;
    this.unfill(h);
    this.fill(h, i);
  }

  /** Slot `i` leaves the shadow if it is there (before it is dropped or replaced, or stops being visible). */
  private unshadow(i: number): void {
    const h = this.hash(i);
    if (this.shadowSlot[h] === i) this.unfill(h);
  }

  private fill(h: number, i: number): void {
    const pfn = this.pfn[i]!;
    if (pfn >= SHADOW_PFN_LIMIT) return; // a frame this high (pages under 64 bytes) takes the set search
    this.shadowTag[h] = this.tagVpn[i]!;
    this.shadowData[h] = (pfn << 6) | (this.perm[i]! & 0x3f);
    this.shadowSlot[h] = i;
    this.shadowStamp[h] = this.stamp[i]!;
  }

  private unfill(h: number): void {
    const i = this.shadowSlot[h]!;
    if (i < 0) return;
    this.stamp[i] = this.shadowStamp[h]!;
    this.shadowTag[h] = NaN;
    this.shadowData[h] = 0;
    this.shadowSlot[h] = -1;
  }

  private drop(i: number): void {
    this.unshadow(i);
    if (this.span[i] !== 0) this.hugeEntries--;
    this.tagVpn[i] = NaN;
    this.perm[i] = 0;
    this.global[i] = 0;
    this.span[i] = 0;
    this.flushedEntries++;
  }
}
