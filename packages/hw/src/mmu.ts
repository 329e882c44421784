// The MMU: translates virtual addresses through a TLB and, on a miss, by walking the page tables in RAM,
// then performs loads and stores. On this path a fault is a return code (a negative FAULT_* kind), never
// an exception; the details of the last fault are kept in fields, like x86's CR2 and error code.
// Over 400 lines on purpose: the hit path, the miss path, the walk and the page-crossing path share the
// cached fields they read, and V8 specialises them best as methods of one class.

import { checkInteger, HwArgumentError } from './errors.js';
import {
  ACCESS_EXEC, ACCESS_READ, ACCESS_WRITE, CTL_WP, FAULT_BUS, FAULT_NON_CANONICAL, FAULT_NOT_PRESENT, FAULT_PROTECTION,
  FAULT_RESERVED, levelSpanShift, PTE_D, PTE_G, PTE_R, PTE_U, PTE_W, PTE_X, validateModel, vaRange,
  type AccessKind, type HardwareModel,
} from './model.js';
import type { PhysicalMemory, RamGrowthListener } from './physical-memory.js';
import { permBit, Tlb, type TlbConfig } from './tlb.js';

export interface MmuOptions {
  readonly tlb?: TlbConfig;
  /** CTL_* bits in force at start (default CTL_WP). */
  readonly control?: number;
}

/** Returned by `resolve` when a page-crossing access was staged through the scratch buffer. */
const STAGED = -16;
/** `hit`'s answer when the shadow does not serve the access (any negative number would do: no fault code is tested). */
const NO_HIT = -1;
const RIGHTS = PTE_R | PTE_W | PTE_X | PTE_U;

export class Mmu implements RamGrowthListener {
  // Fields set in the constructor are `declare`d: a plain declaration would first define them as undefined,
  // which makes V8 track them as "any value" and re-check every typed array on the hot path (2x slower).
  declare readonly ram: PhysicalMemory;
  declare readonly model: HardwareModel;
  declare readonly tlb: Tlb;
  /** Frame of the root table and the current ASID (set together by `setRoot`). */
  rootPfn = 0;
  asid = 0;
  /** CTL_* bits (set by `setControl`). */
  declare control: number;
  /** Result of the last access: 0, or a negative FAULT_* kind. */
  status = 0;
  /** The last fault: kind, virtual address, access kind, privilege and the level of the entry at fault. */
  faultKind = 0;
  faultVa = 0;
  faultAccess = 0;
  faultUser = false;
  faultLevel = -1;
  /** Page walks performed (TLB misses and side-effect-free translations). */
  walks = 0;

  declare private readonly pageShift: number;
  declare private readonly pageSize: number;
  declare private readonly pageMask: number;
  declare private readonly levels: number;
  declare private readonly entryBytes: number;
  declare private readonly maxAsid: number;
  /**
   * Bits of a 32-bit number that must be clear in a valid address (none when vaBits is 32). In a sign-extended
   * space the non-negative addresses end at 2^(vaBits - 1), so its top bit makes an address non-canonical.
   */
  declare private readonly vaHighMask: number;
  /**
   * The TLB shadow's geometry (tlb.ts): the number of near pages (the rest take the far words), where the
   * tag starts in an address (tagShift) and the tag's bits in a word (tagMask).
   */
  declare private readonly nearPages: number;
  declare private readonly tagShift: number;
  declare private readonly tagMask: number;
  /**
   * Addresses may lie outside [0, 2^32) (x86-64, Sv39). Those go through `resolveFar` and `resolveSlow`;
   * addresses below 2^32 take the same fast path as on a 32-bit model, so the 32-bit models pay nothing for
   * wide ones.
   */
  declare private readonly wide: boolean;
  /** The valid virtual addresses: [vaMin, vaEnd). */
  declare private readonly vaMin: number;
  declare private readonly vaEnd: number;
  /** Per level: 2^(index position), to extract indices of wide addresses by division. */
  declare private readonly levelDiv: Float64Array;
  /** Per level: bit position of the index and its mask. */
  declare private readonly indexShift: Int32Array;
  declare private readonly indexMask: Int32Array;
  /** Base pages per leaf at each level (1 at the last level). */
  declare private readonly pagesPerLeaf: Float64Array;
  /** Cached permission bits for each combination of R, W, X, U, D (see permKey). */
  private readonly permTable = new Uint8Array(32);
  /**
   * The RAM's views, cached for the hot path and swapped by `ramGrew` when RAM grows. A translation is cached
   * in the TLB only once its frame is committed (see `miss`), so a hit never lands past the end of these.
   */
  declare private view: DataView;
  declare private bytes: Uint8Array;
  /** Bytes of RAM committed (the views' length), kept as a plain number for the walk's bounds check. */
  declare private committed: number;
  // Result of the last successful walk.
  private walkPfn = 0;
  private walkFlags = 0;
  private walkGlobal = false;
  /** log2 of the base pages in the leaf of the last successful walk (0 for a base page). */
  private walkSpan = 0;
  // Page-crossing accesses go byte by byte through these.
  private readonly splitPa = new Float64Array(8);
  private readonly scratchBytes = new Uint8Array(8);
  private readonly scratch = new DataView(this.scratchBytes.buffer);

  constructor(ram: PhysicalMemory, model: HardwareModel, options: MmuOptions = {}) {
    const problem = validateModel(model);
    if (problem !== null) throw new HwArgumentError('hardware model', model.name, problem);
    this.ram = ram;
    this.model = model;
    const unsignedBits = model.signExtendedVa === true ? model.vaBits - 1 : model.vaBits;
    this.tlb = new Tlb(options.tlb, { pageShift: model.pageShift });
    this.control = options.control ?? CTL_WP;
    this.pageShift = model.pageShift;
    // `1 <<`, not `2 **`: V8 stores an exponentiation result as a heap double, which would put the hot path
    // into floating-point arithmetic. validateModel keeps pageShift within 4..30.
    this.pageSize = 1 << model.pageShift;
    this.pageMask = this.pageSize - 1;
    this.levels = model.levels;
    this.entryBytes = model.entryBytes;
    this.maxAsid = 2 ** model.asidBits - 1;
    this.vaHighMask = unsignedBits >= 32 ? 0 : ~((1 << unsignedBits) - 1);
    // The tag of an address is va >>> (p + k); when k leaves no tag bits (p + k = 32), compare none (JavaScript
    // shifts count modulo 32, so va >>> 32 would be va itself).
    const tagShift = model.pageShift + this.tlb.nearIndexBits;
    this.nearPages = this.tlb.nearPages;
    this.tagShift = tagShift >= 32 ? 31 : tagShift;
    this.tagMask = tagShift >= 32 ? 0 : this.pageMask & ~0x3f;
    this.wide = model.vaBits > 32 || model.signExtendedVa === true;
    const range = vaRange(model);
    this.vaMin = range.min;
    this.vaEnd = range.end;
    this.levelDiv = new Float64Array(model.levels);
    this.indexShift = new Int32Array(model.levels);
    this.indexMask = new Int32Array(model.levels);
    this.pagesPerLeaf = new Float64Array(model.levels);
    for (let l = 0; l < model.levels; l++) {
      this.indexShift[l] = levelSpanShift(model, l);
      this.levelDiv[l] = 2 ** levelSpanShift(model, l);
      this.indexMask[l] = 2 ** model.indexBits[l]! - 1;
      this.pagesPerLeaf[l] = 2 ** (levelSpanShift(model, l) - model.pageShift);
    }
    this.view = ram.view;
    this.bytes = ram.bytes;
    this.committed = ram.bytes.length;
    ram.addGrowthListener(this);
    this.fillPermTable();
  }

  /** @internal RAM grew: take its new views (RamGrowthListener). */
  ramGrew(ram: PhysicalMemory): void {
    if (ram !== this.ram) return;
    this.view = ram.view;
    this.bytes = ram.bytes;
    this.committed = ram.bytes.length;
  }

  /** Switches address space: loads the root register (CR3 / satp) with a root table frame and an ASID. */
  setRoot(rootPfn: number, asid = 0): void {
    checkInteger('root pfn', rootPfn, 0, this.model.maxPfn);
    checkInteger('asid', asid, 0, this.maxAsid);
    this.rootPfn = rootPfn;
    this.asid = asid;
    this.tlb.setAsid(asid);
    if (this.model.rootWriteFlushesTlb) this.tlb.flushNonGlobal();
  }

  /** The root register as the architecture encodes it. */
  rootRegister(): bigint {
    return this.model.encodeRoot(this.rootPfn, this.asid);
  }

  /** Changes the CTL_* bits. Cached rights depend on them, so the whole TLB is flushed. */
  setControl(control: number): void {
    checkInteger('control bits', control, 0, 0xff);
    this.control = control;
    this.fillPermTable();
    this.tlb.flushAll();
  }

  /** Drops the TLB entries of the page holding `va` (any ASID, global included), like INVLPG. */
  flushPage(va: number): void {
    this.checkVa(va);
    this.tlb.flushPage(this.vpnOf(va));
  }

  /** Translates `va` for an access, through the TLB, setting A/D bits: the physical address or -FAULT_*. */
  translate(va: number, access: AccessKind, user: boolean): number {
    return this.resolve(va, 1, access, user);
  }

  /** Translates by walking the tables in RAM, without the TLB and without setting A/D: for inspectors. */
  translateNoSideEffects(va: number, access: AccessKind, user: boolean): number {
    this.checkVa(va);
    if (va < this.vaMin || va >= this.vaEnd) return this.fault(FAULT_NON_CANONICAL, va, access, user, -1);
    return this.walk(va, access, user, false);
  }

  // The loads and stores pass their access kind as a literal (checked against the constant by `satisfies`):
  // V8 does not constant-fold an imported binding, and the hit path's rights bit must fold to a constant.
  // Each touches RAM twice in its text, in the hit branch and after resolveSlow: see `hit` for why.
  load8(va: number, user = true): number {
    let pa = this.hit(va, 1, 0 satisfies typeof ACCESS_READ, user);
    if (pa >= 0) return this.bytes[pa]!;
    pa = this.resolveSlow(va, 1, 0 satisfies typeof ACCESS_READ, user);
    return pa >= 0 ? this.bytes[pa]! : pa;
  }
  load16(va: number, user = true): number {
    let pa = this.hit(va, 2, 0 satisfies typeof ACCESS_READ, user);
    if (pa >= 0) return this.view.getUint16(pa, true);
    pa = this.resolveSlow(va, 2, 0 satisfies typeof ACCESS_READ, user);
    if (pa >= 0) return this.view.getUint16(pa, true);
    return pa === STAGED ? this.scratch.getUint16(0, true) : pa;
  }
  /** The unsigned 32-bit value at `va`, or a negative fault code. */
  load32(va: number, user = true): number {
    let pa = this.hit(va, 4, 0 satisfies typeof ACCESS_READ, user);
    if (pa >= 0) return this.view.getUint32(pa, true);
    pa = this.resolveSlow(va, 4, 0 satisfies typeof ACCESS_READ, user);
    if (pa >= 0) return this.view.getUint32(pa, true);
    return pa === STAGED ? this.scratch.getUint32(0, true) : pa;
  }
  /** The unsigned 64-bit value at `va`; on a fault 0n, with the code in `status`. */
  load64(va: number, user = true): bigint {
    let pa = this.hit(va, 8, 0 satisfies typeof ACCESS_READ, user);
    if (pa >= 0) return this.view.getBigUint64(pa, true);
    pa = this.resolveSlow(va, 8, 0 satisfies typeof ACCESS_READ, user);
    if (pa >= 0) return this.view.getBigUint64(pa, true);
    return pa === STAGED ? this.scratch.getBigUint64(0, true) : 0n;
  }
  /** On a fault NaN, with the code in `status`. */
  loadF32(va: number, user = true): number {
    let pa = this.hit(va, 4, 0 satisfies typeof ACCESS_READ, user);
    if (pa >= 0) return this.view.getFloat32(pa, true);
    pa = this.resolveSlow(va, 4, 0 satisfies typeof ACCESS_READ, user);
    if (pa >= 0) return this.view.getFloat32(pa, true);
    return pa === STAGED ? this.scratch.getFloat32(0, true) : NaN;
  }
  loadF64(va: number, user = true): number {
    let pa = this.hit(va, 8, 0 satisfies typeof ACCESS_READ, user);
    if (pa >= 0) return this.view.getFloat64(pa, true);
    pa = this.resolveSlow(va, 8, 0 satisfies typeof ACCESS_READ, user);
    if (pa >= 0) return this.view.getFloat64(pa, true);
    return pa === STAGED ? this.scratch.getFloat64(0, true) : NaN;
  }
  /** Fetches the 32-bit word at `va` for execution. */
  fetch32(va: number, user = true): number {
    let pa = this.hit(va, 4, 2 satisfies typeof ACCESS_EXEC, user);
    if (pa >= 0) return this.view.getUint32(pa, true);
    pa = this.resolveSlow(va, 4, 2 satisfies typeof ACCESS_EXEC, user);
    if (pa >= 0) return this.view.getUint32(pa, true);
    return pa === STAGED ? this.scratch.getUint32(0, true) : pa;
  }

  /** Stores return 0, or a negative fault code (and then nothing was written). */
  store8(va: number, value: number, user = true): number {
    let pa = this.hit(va, 1, 1 satisfies typeof ACCESS_WRITE, user);
    if (pa < 0) pa = this.resolveSlow(va, 1, 1 satisfies typeof ACCESS_WRITE, user);
    if (pa >= 0) this.bytes[pa] = value;
    return pa < 0 ? pa : 0;
  }
  store16(va: number, value: number, user = true): number {
    let pa = this.hit(va, 2, 1 satisfies typeof ACCESS_WRITE, user);
    if (pa >= 0) {
      this.view.setUint16(pa, value, true);
      return 0;
    }
    pa = this.resolveSlow(va, 2, 1 satisfies typeof ACCESS_WRITE, user);
    if (pa >= 0) {
      this.view.setUint16(pa, value, true);
      return 0;
    }
    if (pa !== STAGED) return pa;
    this.scratch.setUint16(0, value, true);
    return this.scatter(2);
  }
  store32(va: number, value: number, user = true): number {
    let pa = this.hit(va, 4, 1 satisfies typeof ACCESS_WRITE, user);
    if (pa >= 0) {
      this.view.setUint32(pa, value, true);
      return 0;
    }
    pa = this.resolveSlow(va, 4, 1 satisfies typeof ACCESS_WRITE, user);
    if (pa >= 0) {
      this.view.setUint32(pa, value, true);
      return 0;
    }
    if (pa !== STAGED) return pa;
    this.scratch.setUint32(0, value, true);
    return this.scatter(4);
  }
  /** Stores the low 64 bits of `value`. */
  store64(va: number, value: bigint, user = true): number {
    let pa = this.hit(va, 8, 1 satisfies typeof ACCESS_WRITE, user);
    if (pa >= 0) {
      this.view.setBigUint64(pa, BigInt.asUintN(64, value), true);
      return 0;
    }
    pa = this.resolveSlow(va, 8, 1 satisfies typeof ACCESS_WRITE, user);
    if (pa >= 0) {
      this.view.setBigUint64(pa, BigInt.asUintN(64, value), true);
      return 0;
    }
    if (pa !== STAGED) return pa;
    this.scratch.setBigUint64(0, BigInt.asUintN(64, value), true);
    return this.scatter(8);
  }
  storeF32(va: number, value: number, user = true): number {
    let pa = this.hit(va, 4, 1 satisfies typeof ACCESS_WRITE, user);
    if (pa >= 0) {
      this.view.setFloat32(pa, value, true);
      return 0;
    }
    pa = this.resolveSlow(va, 4, 1 satisfies typeof ACCESS_WRITE, user);
    if (pa >= 0) {
      this.view.setFloat32(pa, value, true);
      return 0;
    }
    if (pa !== STAGED) return pa;
    this.scratch.setFloat32(0, value, true);
    return this.scatter(4);
  }
  storeF64(va: number, value: number, user = true): number {
    let pa = this.hit(va, 8, 1 satisfies typeof ACCESS_WRITE, user);
    if (pa >= 0) {
      this.view.setFloat64(pa, value, true);
      return 0;
    }
    pa = this.resolveSlow(va, 8, 1 satisfies typeof ACCESS_WRITE, user);
    if (pa >= 0) {
      this.view.setFloat64(pa, value, true);
      return 0;
    }
    if (pa !== STAGED) return pa;
    this.scratch.setFloat64(0, value, true);
    return this.scatter(8);
  }

  /**
   * Physical address of [va, va + size) when it lies in one page; STAGED when it crosses a page boundary and
   * every byte translated (for reads the bytes are already in `scratch`); or a negative fault code.
   */
  private resolve(va: number, size: number, access: AccessKind, user: boolean): number {
    const pa = this.hit(va, size, access, user);
    return pa >= 0 ? pa : this.resolveSlow(va, size, access, user);
  }

  /**
   * The hit path: the physical address of [va, va + size) when the TLB's shadow (tlb.ts) holds its page with
   * the right, else NO_HIT. It reads one word of the shadow: one xor-mask-compare tests the tag and the
   * rights, one xor makes the physical address, and one counter records the hit. No loop, no LRU store and
   * no call: the loads and stores read RAM in the hit branch itself, so that in a caller's loop V8 need not
   * re-check `this` or re-tag the address after a call that the hit path never makes.
   */
  private hit(va: number, size: number, access: AccessKind, user: boolean): number {
    if (va >>> 0 !== va) return this.hitFar(va, size, access, user);
    // An aligned access never crosses a page (size is a power of two, at most 8, and pages are larger): the
    // test folds to a constant mask. A misaligned one takes resolveSlow, which tries the shadow again.
    if ((va & (size - 1)) === 0) {
      const tlb = this.tlb;
      const near = tlb.near;
      const word = near[(va >>> this.pageShift) & (near.length - 1)]!;
      const rights = 1 << (access + (user ? 3 : 0));
      if (((word ^ ((va >>> this.tagShift) << 6)) & (this.tagMask | rights)) === rights) {
        tlb.fastHits++;
        this.status = 0;
        return ((word & ~this.pageMask) ^ va) >>> 0;
      }
    }
    return NO_HIT;
  }

  /**
   * The hit path of an address outside [0, 2^32) (or not an integer): the shadow's far word of its set. The
   * address is split into 32-bit words, lo by truncation and hi by one exact multiplication, and compared
   * with the cached page's words. A match means the page is cached, hence the address canonical; an address
   * that is not an integer makes hi fractional, which equals no stored word.
   */
  private hitFar(va: number, size: number, access: AccessKind, user: boolean): number {
    if (typeof va === 'number') {
      const lo = va >>> 0;
      const hi = (va - lo) * 2.3283064365386963e-10; // 2^-32: exact, va - lo is a multiple of 2^32
      if ((lo & this.pageMask) <= this.pageSize - size) {
        const tlb = this.tlb;
        const far = tlb.far;
        const at = ((lo >>> this.pageShift) & tlb.setMask) << 2;
        const word = far[at]!;
        if ((word & (1 << (access + (user ? 3 : 0)))) !== 0 && far[at + 1] === (lo & ~this.pageMask) && far[at + 2] === hi) {
          tlb.fastHits++;
          this.status = 0;
          return ((word & ~this.pageMask) | (lo & this.pageMask)) >>> 0;
        }
      }
    }
    return NO_HIT;
  }

  /**
   * Not a hit through the shadow's word: a page-crossing access, a 32-bit address of a TLB without near
   * words, a miss, or an address that is not valid.
   */
  private resolveSlow(va: number, size: number, access: AccessKind, user: boolean): number {
    let lo: number;
    let hi: number;
    if (va >>> 0 === va && (va & this.vaHighMask) === 0) {
      lo = va;
      hi = 0;
    } else if (this.wide && typeof va === 'number' && va >= this.vaMin && va < this.vaEnd) {
      lo = va >>> 0;
      hi = (va - lo) * 2.3283064365386963e-10;
      if ((hi | 0) !== hi) return this.badVa(va, access, user); // not an integer
    } else {
      return this.badVa(va, access, user);
    }
    if ((lo & this.pageMask) + size > this.pageSize) return this.resolveSplit(va, size, access, user);
    const shift = this.pageShift;
    const tlb = this.tlb;
    const rights = 1 << (access + (user ? 3 : 0));
    if (hi === 0 && lo >>> shift < this.nearPages) {
      // A misaligned access within one page: the near word, as in resolve.
      const near = tlb.near;
      const word = near[(lo >>> shift) & (near.length - 1)]!;
      if (((word ^ ((lo >>> this.tagShift) << 6)) & (this.tagMask | rights)) === rights) {
        tlb.fastHits++;
        this.status = 0;
        return ((word & ~this.pageMask) ^ lo) >>> 0;
      }
    } else if (hi === 0) {
      // A TLB without near words (pages under 512 bytes) keeps 32-bit pages in the far words too.
      const at = ((lo >>> shift) & tlb.setMask) << 2;
      const word = tlb.far[at]!;
      if ((word & rights) !== 0 && tlb.far[at + 1] === (lo & ~this.pageMask) && tlb.far[at + 2] === 0) {
        tlb.fastHits++;
        this.status = 0;
        return ((word & ~this.pageMask) | (lo & this.pageMask)) >>> 0;
      }
    }
    return this.miss(va, access, user);
  }

  /** An address that is no integer of the space: a programmer error (throws), or on a wide model a
   * non-canonical integer (FAULT_NON_CANONICAL). */
  private badVa(va: number, access: AccessKind, user: boolean): number {
    this.checkVa(va);
    this.status = this.fault(FAULT_NON_CANONICAL, va, access, user, -1);
    return this.status;
  }

  /** Not served by the shadow: search the set, else walk and cache the translation. */
  private miss(va: number, access: AccessKind, user: boolean): number {
    const tlb = this.tlb;
    const vpn = this.vpnOf(va);
    const slot = tlb.lookup(vpn, this.asid);
    if (slot >= 0 && (tlb.perm[slot]! & permBit(access, user)) !== 0) {
      tlb.countHit();
      this.status = 0;
      const pfn = tlb.pfn[slot]!;
      if ((pfn + 1) * this.pageSize > this.committed) this.ram.commitFrame(pfn);
      return pfn * this.pageSize + (va & this.pageMask);
    }
    // A miss, or a cached entry without the right (it may be stale): walk again.
    tlb.misses++;
    const pa = this.walk(va, access, user, true);
    this.status = pa < 0 ? pa : 0;
    if (pa >= 0) {
      // Commit the frame before caching it: hits then need no bounds check (RAM committed on demand).
      if ((this.walkPfn + 1) * this.pageSize > this.committed) this.ram.commitFrame(this.walkPfn);
      tlb.insert(vpn, this.asid, this.walkPfn, this.permTable[permKey(this.walkFlags)]!, this.walkGlobal, this.walkSpan);
    }
    return pa;
  }

  private resolveSplit(va: number, size: number, access: AccessKind, user: boolean): number {
    if (access === ACCESS_WRITE) {
      // D must be set only by a store that happens: if some page would refuse the write, fault there (the
      // ordinary way) before any walk can set A/D on the other page.
      for (let i = 0; i < size; i++) {
        const byteVa = this.nextVa(va, i);
        if ((i === 0 || (byteVa & this.pageMask) === 0) && !this.writable(byteVa, user)) {
          return this.resolve(byteVa, 1, access, user);
        }
      }
    }
    for (let i = 0; i < size; i++) {
      // Addresses wrap at the top of the virtual address space, as on 32-bit x86 and RV32.
      const pa = this.resolve(this.nextVa(va, i), 1, access, user);
      if (pa < 0) return pa;
      this.splitPa[i] = pa;
    }
    if (access !== ACCESS_WRITE) for (let i = 0; i < size; i++) this.scratchBytes[i] = this.bytes[this.splitPa[i]!]!;
    this.status = 0;
    return STAGED;
  }

  /** The address `i` bytes after `va`: 32-bit spaces wrap around at the top; wide ones do not. */
  private nextVa(va: number, i: number): number {
    return this.wide ? va + i : ((va + i) & ~this.vaHighMask) >>> 0;
  }

  /** The virtual page number of `va` (negative for the upper half of a sign-extended space). */
  private vpnOf(va: number): number {
    return this.wide ? Math.floor(va / this.pageSize) : va >>> this.pageShift;
  }

  /** Would a write to `va` go through (by the TLB, else by a walk without side effects)? Sets no A/D bit. */
  private writable(va: number, user: boolean): boolean {
    if (va < this.vaMin || va >= this.vaEnd) return false;
    const slot = this.tlb.peek(this.vpnOf(va), this.asid);
    if (slot >= 0 && (this.tlb.perm[slot]! & permBit(ACCESS_WRITE, user)) !== 0) return true;
    return this.walk(va, ACCESS_WRITE, user, false) >= 0;
  }

  private scatter(size: number): number {
    for (let i = 0; i < size; i++) this.bytes[this.splitPa[i]!] = this.scratchBytes[i]!;
    return 0;
  }

  /** The fast page walk; same rules as referenceWalk (walk.ts). */
  private walk(va: number, access: AccessKind, user: boolean, sideEffects: boolean): number {
    this.walks++;
    const model = this.model;
    const ram = this.ram;
    const view = this.view;
    let table = this.rootPfn * this.pageSize;
    let rights = RIGHTS;
    let inheritedGlobal = false;
    for (let level = 0; level < this.levels; level++) {
      const index = this.wide ? Math.floor(va / this.levelDiv[level]!) & this.indexMask[level]! : (va >>> this.indexShift[level]!) & this.indexMask[level]!;
      const entryPa = table + index * this.entryBytes;
      if (entryPa + this.entryBytes > ram.size) return this.fault(FAULT_BUS, va, access, user, level);
      // RAM never committed reads as zero: an entry there is not present.
      const committed = entryPa + this.entryBytes <= this.committed;
      const lo = committed ? view.getUint32(entryPa, true) : 0;
      const hi = committed && this.entryBytes === 8 ? view.getUint32(entryPa + 4, true) : 0;
      if (!model.isValid(lo, hi, level)) return this.fault(FAULT_NOT_PRESENT, va, access, user, level);
      if (model.isMalformed(lo, hi, level)) return this.fault(FAULT_RESERVED, va, access, user, level);
      const flags = model.flags(lo, hi, level);
      if (!model.isLeaf(lo, hi, level)) {
        if (model.permissionsAtEveryLevel) rights &= flags;
        if ((flags & PTE_G) !== 0 && model.globalInherits) inheritedGlobal = true;
        if (sideEffects && model.accessedOnNonLeaf && (lo & model.rawAccessed) === 0) {
          view.setUint32(entryPa, lo | model.rawAccessed, true);
        }
        table = model.pfn(lo, hi, level) * this.pageSize;
        continue;
      }
      const effective = model.permissionsAtEveryLevel ? (flags & ~RIGHTS) | (flags & rights) : flags;
      if (!model.permits(effective, access, user, this.control)) return this.fault(FAULT_PROTECTION, va, access, user, level);
      const perLeaf = this.pagesPerLeaf[level]!;
      const pfn = perLeaf === 1 ? model.pfn(lo, hi, level) : model.pfn(lo, hi, level) + (this.vpnOf(va) & (perLeaf - 1));
      if ((pfn + 1) * this.pageSize > ram.size) return this.fault(FAULT_BUS, va, access, user, level);
      let dirty = flags & PTE_D;
      if (sideEffects) {
        const newLo = lo | model.rawAccessed | (access === ACCESS_WRITE ? model.rawDirty : 0);
        if (newLo >>> 0 !== lo) view.setUint32(entryPa, newLo, true);
        if (access === ACCESS_WRITE) dirty = PTE_D;
      }
      this.walkPfn = pfn;
      this.walkFlags = (effective & ~PTE_D) | dirty;
      this.walkGlobal = inheritedGlobal || (flags & PTE_G) !== 0;
      this.walkSpan = this.indexShift[level]! - this.pageShift;
      return pfn * this.pageSize + (va & this.pageMask);
    }
    return this.fault(FAULT_RESERVED, va, access, user, this.levels - 1);
  }

  private fault(kind: number, va: number, access: AccessKind, user: boolean, level: number): number {
    this.faultKind = kind;
    this.faultVa = this.wide ? va : va >>> 0;
    this.faultAccess = access;
    this.faultUser = user;
    this.faultLevel = level;
    return -kind;
  }

  /** Permission bits to cache for each R/W/X/U/D combination. Write rights are cached only once D is set. */
  private fillPermTable(): void {
    for (let key = 0; key < 32; key++) {
      const flags = keyFlags(key);
      let perm = 0;
      for (let access = 0; access < 3; access++) {
        if (access === ACCESS_WRITE && (flags & PTE_D) === 0) continue;
        for (const user of [false, true]) {
          if (this.model.permits(flags, access as AccessKind, user, this.control)) perm |= permBit(access, user);
        }
      }
      this.permTable[key] = perm;
    }
  }

  /** A programmer error throws: not an integer, or (32-bit models) outside the space; on wide models a
   * non-canonical integer is left to the caller, which reports FAULT_NON_CANONICAL. */
  private checkVa(va: number): void {
    if (this.wide) {
      if (typeof va !== 'number' || !Number.isSafeInteger(va)) {
        throw new HwArgumentError('virtual address', va, 'expected an integer of magnitude below 2^53');
      }
    } else if (typeof va !== 'number' || va >>> 0 !== va || (va & this.vaHighMask) !== 0) {
      throw new HwArgumentError('virtual address', va, `expected an integer from 0 to 2^${this.model.vaBits} - 1`);
    }
  }
}

/* permKey packs the flags that decide rights into 5 bits: R W X U (bits 1..4 → 0..3) and D (bit 7 → 4). */
function permKey(flags: number): number {
  return ((flags >>> 1) & 0xf) | ((flags >>> 3) & 0x10);
}
function keyFlags(key: number): number {
  return ((key & 0xf) << 1) | ((key & 0x10) << 3);
}
