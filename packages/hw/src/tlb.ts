// A set-associative translation lookaside buffer: entries tagged with a virtual page number, an ASID and a
// global bit, LRU replacement within a set, and counters. Fully associative (one set) and direct-mapped
// (one way) are the two ends of the same configuration. All state lives in typed arrays.
// Beside the modelled entries sits a shadow in the shape of v86's TLB: one int per virtual page below 4 GiB
// (frame, tag and rights), read by the MMU's hit path with one xor-mask-compare; it holds each set's most
// recent entry, so a hit through it changes no LRU order and only counts.
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
 * The shadow, in the shape of v86's TLB: the MMU's hit path reads one 32-bit word, tests it with one
 * xor-mask-compare and makes the physical address with one xor. It holds, for each set, the set's most
 * recently used entry, if the set search found it (`lookup`) and it is visible in the current address space
 * (`shadowAsid`: its own entries and global ones). A hit through the shadow is therefore a hit on an entry
 * that is already the most recent of its set: LRU order does not change, and the hit path only counts it
 * (`fastHits`). Any other use of the set (a lookup of another entry, an insert, a drop) moves or clears what
 * the shadow holds for it, so hits, misses, ASIDs, global entries and LRU stay exact.
 *
 * Near pages (0 <= vpn < 2^(32 - p): every address below 2^32) live in `near`, 2^k words indexed by the
 * vpn's low k bits. k >= log2(sets), so pages sharing a word share a set (and a set holds at most one word),
 * and k >= 38 - 2p, so the rest of the vpn (the tag, 32 - p - k bits) fits between the rights and the frame:
 *
 *     31 .. p        p-1 .. 6                  5 .. 0
 *    [ pfn ^ vpn ]  [ vpn >>> k (the tag) ]  [ rights: one bit per (privilege, access), see permBit ]
 *
 * An empty word is 0 (no rights: never a hit). For a 32-bit address va and the rights bit r of the access,
 *     ((word ^ ((va >>> (p + k)) << 6)) & (TAG | r)) === r          TAG = bits 6 .. p-1
 * tests the tag and the right at once, and the physical address is (word & ~(2^p - 1)) ^ va. The array is
 * allocated at the first fill (until then `near` is one empty word), so a TLB never used costs nothing.
 * With pages under 512 bytes the tag would not fit in 2^20 words: such TLBs have no near words.
 * Far pages (at or above 2^32, or negative: the upper half of a sign-extended space) live one per set in
 * `far`, four words per set: pfn << p | rights, then the page's address as two 32-bit words, low (its low p
 * bits zero) and high (and one unused, so that a set's words are found with one shift). The MMU splits an
 * address the same way, so it compares words and never forms a page number wider than 32 bits; the set is
 * taken from the low word, which needs sets <= 2^(32 - p) (else far pages are not shadowed).
 * Pages under 64 bytes, or frames whose address does not fit 32 bits, are never shadowed: the set search
 * serves them.
 */
/** Low bits of a shadow word holding the rights. */
const SHADOW_PERM = 0x3f;
/** At most 2^20 near words (4 MiB; 64 KiB with 4 KiB pages). */
const NEAR_MAX_BITS = 20;

/**
 * The page size the shadow is laid out for (the MMU passes its model's). A TLB built without one assumes
 * 4 KiB pages; any vpn and frame still work, the page size only decides the layout of the shadow's words.
 */
export interface TlbGeometry {
  /** log2 of the base page size, 4..30 (default 12). */
  readonly pageShift?: number;
}

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
  /** @internal LRU stamps: the larger, the more recently used. */
  declare readonly stamp: Float64Array;
  /** @internal The shadow's near words (see above): one empty word until the first fill. */
  declare near: Int32Array;
  /** @internal log2 of the near words (k; 0 when there are none). */
  declare readonly nearIndexBits: number;
  /** @internal Near pages: 2^(32 - pageShift), or 0 when the shadow has no near words. */
  declare readonly nearPages: number;
  /** @internal 2^k - 1 and 2^k (the near index mask and word count), precomputed: `**` on the fill path is slow. */
  declare private readonly nearMask: number;
  declare private readonly nearSize: number;
  /** @internal Frames the shadow can hold: 2^(32 - pageShift). */
  declare private readonly frameLimit: number;
  /** @internal The shadow's far pages, one per set at [4 * set]: pfn << pageShift | rights, vpn low word, vpn high word. */
  declare readonly far: Int32Array;
  /** @internal Per set: the slot the shadow holds (its most recent entry), or -1. */
  declare readonly held: Int32Array;
  /** @internal The ASID whose view the shadow holds. */
  declare shadowAsid: number;
  /**
   * @internal The valid slots, in no order (`filled[0..filledCount)`), and each slot's place in that list (-1 when
   * empty): flushes visit only these, so a MOV CR3 on a nearly empty TLB costs what it empties.
   */
  declare private readonly filled: Int32Array;
  declare private readonly filledAt: Int32Array;
  declare private filledCount: number;
  /** @internal Hits through the shadow since the last set search (folded into setHits there). */
  declare fastHits: number;
  /** @internal The LRU clock: advanced by every stamp. */
  declare clock: number;
  /** log2 of the base page size, and whether the shadow is used at all (pages of 64 bytes or more). */
  declare private readonly pageShift: number;
  declare private readonly shadowing: boolean;
  /** Hits found by the set search, plus the folded shadow hits. */
  declare private setHits: number;
  /** Valid entries cut from huge pages (span > 0): page flushes then also look outside the page's set. */
  declare private hugeEntries: number;
  declare misses: number;
  /** Flush operations (of any kind). */
  declare flushes: number;
  /** Valid entries dropped by flushes. */
  declare flushedEntries: number;

  constructor(config: TlbConfig = {}, geometry: TlbGeometry = {}) {
    if (typeof config !== 'object' || config === null) throw new HwArgumentError('TLB config', config, 'expected an object');
    if (typeof geometry !== 'object' || geometry === null) throw new HwArgumentError('TLB geometry', geometry, 'expected an object');
    const entries = config.entries ?? 64;
    const ways = config.ways ?? Math.min(4, entries);
    checkInteger('TLB entries', entries, 1, 1 << 20);
    checkInteger('TLB ways', ways, 1, entries);
    if (entries % ways !== 0) throw new HwArgumentError('TLB ways', ways, `must divide the number of entries (${entries})`);
    const sets = entries / ways;
    if ((sets & (sets - 1)) !== 0) throw new HwArgumentError('TLB entries', entries, `entries / ways must be a power of two (got ${sets} sets)`);
    const pageShift = geometry.pageShift ?? 12;
    checkInteger('TLB page shift', pageShift, 4, 30);
    this.entries = entries;
    this.ways = ways;
    this.sets = sets;
    this.setMask = sets - 1;
    // Every per-entry and per-set array is a view of one ArrayBuffer: V8 gives each typed array over 64
    // bytes a backing store of its own (~2 µs apiece), which made these eleven arrays most of a TLB's (and
    // of a kernel's) construction cost. Doubles first, then 32-bit words, then bytes: each view aligned.
    const buffer = new ArrayBuffer(entries * (2 * 8 + 4 * 4 + 3) + sets * 5 * 4);
    let at = 0;
    const doubles = (n: number): Float64Array => {
      const a = new Float64Array(buffer, at, n);
      at += 8 * n;
      return a;
    };
    const words = (n: number): Int32Array => {
      const a = new Int32Array(buffer, at, n);
      at += 4 * n;
      return a;
    };
    const bytes = (n: number): Uint8Array => {
      const a = new Uint8Array(buffer, at, n);
      at += n;
      return a;
    };
    this.tagVpn = doubles(entries).fill(NaN);
    this.stamp = doubles(entries);
    this.tagAsid = words(entries);
    this.pfn = words(entries);
    this.far = words(sets * 4);
    this.held = words(sets).fill(-1);
    this.filled = words(entries);
    this.filledAt = words(entries).fill(-1);
    this.perm = bytes(entries);
    this.global = bytes(entries);
    this.span = bytes(entries);
    // Near words (see above): k >= log2(sets) and k >= 38 - 2p, at most 2^NEAR_MAX_BITS.
    // Integers built with shifts and clz32, not ** or log2: V8 would keep those as heap doubles in the fields.
    const k = Math.max(0, 31 - Math.clz32(sets), 38 - 2 * pageShift);
    const shadowing = pageShift >= 6;
    const nearWords = shadowing && k <= NEAR_MAX_BITS;
    this.pageShift = pageShift;
    this.shadowing = shadowing;
    this.nearIndexBits = nearWords ? k : 0;
    this.nearPages = nearWords ? 1 << (32 - pageShift) : 0;
    this.nearMask = nearWords ? (1 << k) - 1 : 0;
    this.nearSize = nearWords ? 1 << k : 0;
    this.frameLimit = 1 << (32 - pageShift);
    this.near = new Int32Array(1);
    this.filledCount = 0;
    this.shadowAsid = 0;
    this.fastHits = 0;
    this.clock = 0;
    this.setHits = 0;
    this.hugeEntries = 0;
    this.misses = 0;
    this.flushes = 0;
    this.flushedEntries = 0;
  }

  /** Hits: translations served by a cached entry (through the shadow or the set search). */
  get hits(): number {
    return this.setHits + this.fastHits;
  }
  set hits(n: number) {
    this.setHits = n - this.fastHits;
  }

  /** Counts a hit found by `lookup` (the MMU's slow path). */
  countHit(): void {
    this.setHits++;
  }

  /** The slot caching `vpn` for `asid` (or a global entry), or -1. Marks the slot most recently used; the
   * caller counts hits and misses, since only it knows whether the cached rights served the access. */
  lookup(vpn: number, asid: number): number {
    // The shadow's hits are folded here, so that their counter stays a small integer.
    this.setHits += this.fastHits;
    this.fastHits = 0;
    const base = (vpn & this.setMask) * this.ways;
    const end = base + this.ways;
    for (let i = base; i < end; i++) {
      if (this.tagVpn[i] === vpn && (this.tagAsid[i] === asid || this.global[i] === 1)) {
        this.touch(i);
        return i;
      }
    }
    return -1;
  }

  /** Marks slot `i` most recently used (for a hit found without lookup); the shadow then holds it for its set. */
  touch(i: number): void {
    this.stamp[i] = ++this.clock;
    const set = (i / this.ways) | 0;
    if (this.held[set] !== i) this.hold(set, this.valid(i) && this.visible(i) ? i : -1);
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
    const set = vpn & this.setMask;
    const base = set * this.ways;
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
        const stamp = this.stamp[i]!;
        if (oldest < 0 || stamp < oldestStamp) {
          oldest = i;
          oldestStamp = stamp;
        }
      }
    }
    if (victim < 0) victim = empty >= 0 ? empty : oldest;
    // The new entry is the set's most recent: whatever the shadow held for the set is not any more. The
    // new one enters the shadow at its first hit (lookup), which keeps the miss path short.
    if (this.held[set] !== -1) this.hold(set, -1);
    if (this.filledAt[victim]! < 0) {
      this.filledAt[victim] = this.filledCount;
      this.filled[this.filledCount++] = victim;
    }
    this.tagVpn[victim] = vpn;
    this.tagAsid[victim] = asid;
    this.pfn[victim] = pfn;
    this.perm[victim] = perm | TLB_VALID;
    this.global[victim] = global ? 1 : 0;
    if (this.span[victim] !== 0) this.hugeEntries--; // the victim, if it was valid (drop() zeroes span)
    this.span[victim] = span;
    if (span !== 0) this.hugeEntries++;
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
      for (let j = this.filledCount - 1; j >= 0; j--) {
        const i = this.filled[j]!;
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
      for (let j = this.filledCount - 1; j >= 0; j--) {
        const i = this.filled[j]!;
        if (this.tagAsid[i] === asid && this.global[i] === 0 && this.inSameHugePage(i, vpn)) this.drop(i);
      }
    }
  }

  /** Drops the non-global entries of one address space (RISC-V SFENCE.VMA x0, asid). */
  flushAsid(asid: number): void {
    this.flushes++;
    // From the end of the list: drop() moves the last filled slot into the dropped one's place, already visited.
    for (let j = this.filledCount - 1; j >= 0; j--) {
      const i = this.filled[j]!;
      if (this.tagAsid[i] === asid && this.global[i] === 0) this.drop(i);
    }
  }

  /** Drops every non-global entry (x86 MOV to CR3). */
  flushNonGlobal(): void {
    this.flushes++;
    for (let j = this.filledCount - 1; j >= 0; j--) {
      const i = this.filled[j]!;
      if (this.global[i] === 0) this.drop(i);
    }
  }

  /** Drops everything, global entries included. */
  flushAll(): void {
    this.flushes++;
    for (let j = this.filledCount - 1; j >= 0; j--) this.drop(this.filled[j]!);
  }

  /**
   * Makes the shadow show the entries of address space `asid` (called by the MMU when the root register
   * changes). Only the sets whose held entry the new space cannot see are touched.
   */
  setAsid(asid: number): void {
    if (asid === this.shadowAsid) return;
    this.shadowAsid = asid;
    // Entries of the old address space leave the shadow; global ones stay. Nothing is filled here: the new
    // space's entries enter it at their next use (lookup).
    for (let set = 0; set < this.sets; set++) {
      const i = this.held[set]!;
      if (i >= 0 && !this.visible(i)) this.hold(set, -1);
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

  /**
   * The LRU stamp of slot `i` (0 for a slot never filled), for inspectors. Within a set, the larger stamp is
   * the more recently used entry. A hit through the shadow does not restamp its entry (it is already the
   * most recent of its set), so across sets the stamps order the last changes of each set's order.
   */
  stampOfSlot(i: number): number {
    checkInteger('TLB slot', i, 0, this.entries - 1);
    return this.stamp[i]!;
  }

  /**
   * What the shadow holds for `vpn` in the current ASID: the slot the MMU's hit path would use, with the
   * frame and rights it would use, or null. For tests that check the shadow against the entries.
   */
  shadowEntry(vpn: number): { readonly slot: number; readonly pfn: number; readonly perm: number } | null {
    const set = vpn & this.setMask;
    const slot = this.held[set]!;
    if (slot < 0 || this.tagVpn[slot] !== vpn) return null;
    const shift = this.pageShift;
    if (this.isNear(vpn)) {
      const word = this.near[vpn & this.nearMask]!;
      if (word === 0 || (word & ((1 << shift) - 1)) >>> 6 !== vpn / 2 ** this.nearIndexBits >>> 0) return null;
      return { slot, pfn: ((word >>> shift) ^ vpn) >>> 0, perm: word & SHADOW_PERM };
    }
    if (this.far[set * 4 + 1] !== vpn << shift || this.far[set * 4 + 2] !== Math.floor(vpn / 2 ** (32 - shift))) return null;
    const word = this.far[set * 4]!;
    return { slot, pfn: word >>> shift, perm: word & SHADOW_PERM };
  }

  /** Number of near shadow words (near pages equal modulo this share one, and then also a set). */
  get shadowSize(): number {
    return 2 ** this.nearIndexBits;
  }

  /** Number of entries the shadow holds (at most one per set). */
  shadowOccupancy(): number {
    let n = 0;
    for (let set = 0; set < this.sets; set++) if (this.held[set] !== -1) n++;
    return n;
  }

  resetCounters(): void {
    this.setHits = 0;
    this.fastHits = 0;
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

  /** Is `vpn` a near page (served by `near`)? */
  private isNear(vpn: number): boolean {
    return vpn >= 0 && vpn < this.nearPages;
  }

  /**
   * The shadow holds slot `i` for `set` (or nothing, for -1): the previous holder's word is emptied and the
   * new one's written. An entry whose frame address does not fit 32 bits, or without rights, is not held.
   */
  private hold(set: number, i: number): void {
    const old = this.held[set]!;
    const shift = this.pageShift;
    if (old >= 0) {
      const vpn = this.tagVpn[old]!;
      if (this.isNear(vpn)) this.near[vpn & this.nearMask] = 0;
      else this.far[set * 4] = 0;
      this.held[set] = -1;
    }
    if (i < 0 || !this.shadowing) return;
    const vpn = this.tagVpn[i]!;
    const pfn = this.pfn[i]!;
    const rights = this.perm[i]! & SHADOW_PERM;
    if (rights === 0 || pfn >= this.frameLimit) return;
    if (this.isNear(vpn)) {
      if (this.near.length !== this.nearSize) this.near = new Int32Array(this.nearSize);
      const tag = vpn >>> this.nearIndexBits; // a near vpn is below 2^(32 - p) and k ≤ NEAR_MAX_BITS < 32
      this.near[vpn & this.nearMask] = ((pfn ^ vpn) << shift) | (tag << 6) | rights;
    } else {
      if (this.sets > 2 ** (32 - shift)) return; // the MMU could not find the set from the low word
      this.far[set * 4] = (pfn << shift) | rights;
      this.far[set * 4 + 1] = vpn << shift; // the low word of the page's address (vpn << shift keeps its low 32 bits)
      this.far[set * 4 + 2] = Math.floor(vpn / 2 ** (32 - shift)); // the high word
    }
    this.held[set] = i;
  }

  private drop(i: number): void {
    const set = (i / this.ways) | 0;
    if (this.held[set] === i) this.hold(set, -1);
    if (this.span[i] !== 0) this.hugeEntries--;
    // Out of the filled list: the last listed slot takes this one's place.
    const at = this.filledAt[i]!;
    const last = this.filled[--this.filledCount]!;
    this.filled[at] = last;
    this.filledAt[last] = at;
    this.filledAt[i] = -1;
    this.tagVpn[i] = NaN;
    this.perm[i] = 0;
    this.global[i] = 0;
    this.span[i] = 0;
    this.flushedEntries++;
  }
}
