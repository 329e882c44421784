// Property tests: the fast MMU (with its TLB) and the reference walker agree on random page tables.
//
// Each run fills a few frames of RAM with random entry words at a few random indices per level (valid and
// invalid entries, pointers, leaves, huge pages, malformed entries, frames inside and outside RAM, random
// flag bits; for 8-byte entries random high words: XD, frame bits, reserved bits), then picks virtual
// addresses mostly built from those indices so that walks get deep. On the sign-extended models (x86-64,
// Sv39) those addresses are made canonical (upper half negative), or left unsigned, or moved by a multiple
// of 2^vaBits: non-canonical addresses whose index bits still lead to valid entries.
// Runs: FC_RUNS (default 300) per property, times a model's `runScale`; seed: FC_SEED (fast-check prints the
// seed of a failure).

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ACCESS_EXEC, ACCESS_READ, ACCESS_WRITE, FAULT_BUS, FAULT_NON_CANONICAL, FAULT_NOT_PRESENT, FAULT_PROTECTION,
  FAULT_RESERVED, levelSpanShift, PTE_A, PTE_D, PTE_R, PTE_U, PTE_V, PTE_W, PTE_X, vaRange,
  type AccessKind, type HardwareModel,
} from './model.js';
import { Mmu } from './mmu.js';
import { PhysicalMemory } from './physical-memory.js';
import { sv32 } from './sv32.js';
import { sv39 } from './sv39.js';
import { referenceWalk } from './walk.js';
import { x86_32 } from './x86-32.js';
import { x86_64 } from './x86-64.js';

const env = (globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env ?? {};
const RUNS = Number(env.FC_RUNS ?? 300);
const SEED = env.FC_SEED === undefined ? undefined : Number(env.FC_SEED);
const PARAMS = { numRuns: RUNS, ...(SEED === undefined ? {} : { seed: SEED }) };
const TIMEOUT = 120_000;

/** Frames of RAM in each generated world; every frame holds random entries. */
const FRAMES = 12;
/** Random indices per level that hold entries (in every frame). */
const K = 3;

// ---------------------------------------------------------------------------------------------------------
// A third model (the same as in toy-model.test.ts): 3 levels, 1 KiB pages, V W U A D L NX, frame in 31:10.

const T_V = 1;
const T_L = 1 << 5;
const T_D = 1 << 4;
const T_NX = 1 << 6;

class Toy3 implements HardwareModel {
  readonly name = 'toy3';
  readonly levels = 3;
  readonly pageShift = 10;
  readonly indexBits: readonly number[] = [6, 8, 8];
  readonly entryBytes = 4 as const;
  readonly vaBits = 32;
  readonly maxPfn = 0x3fffff;
  readonly asidBits = 4;
  readonly softwareBits = 0;
  readonly supportedFlags = PTE_V | PTE_R | PTE_W | PTE_X | PTE_U | PTE_A | PTE_D;
  readonly permissionsAtEveryLevel = true;
  readonly accessedOnNonLeaf = true;
  readonly globalInherits = false;
  readonly rootWriteFlushesTlb = false;
  readonly rawAccessed = 1 << 3;
  readonly rawDirty = T_D;
  isValid(lo: number): boolean {
    return (lo & T_V) !== 0;
  }
  isLeaf(lo: number, _hi: number, level: number): boolean {
    return level === 2 || (lo & T_L) !== 0;
  }
  isMalformed(lo: number, hi: number, level: number): boolean {
    if ((lo & 0x380) !== 0) return true;
    if (level === 2) return (lo & T_L) !== 0;
    if (!this.isLeaf(lo, hi, level)) return (lo & T_D) !== 0;
    return (lo >>> 10) % 2 ** (levelSpanShift(this, level) - 10) !== 0;
  }
  pfn(lo: number): number {
    return lo >>> 10;
  }
  flags(lo: number, hi: number, level: number): number {
    let f = 0;
    if (lo & T_V) f |= PTE_V | PTE_R;
    if (lo & 2) f |= PTE_W;
    if (lo & 4) f |= PTE_U;
    if ((lo & T_NX) === 0) f |= PTE_X;
    if (lo & 8) f |= PTE_A;
    if (lo & T_D && this.isLeaf(lo, hi, level)) f |= PTE_D;
    return f;
  }
  encodeLo(pfn: number, flags: number, level: number, leaf: boolean): number {
    let lo = pfn * 1024 + (flags & PTE_V ? T_V : 0) + (flags & PTE_W ? 2 : 0) + (flags & PTE_U ? 4 : 0);
    if ((flags & PTE_X) === 0) lo += T_NX;
    if (leaf && level < 2) lo += T_L;
    return lo >>> 0;
  }
  encodeHi(): number {
    return 0;
  }
  permits(flags: number, access: AccessKind, user: boolean): boolean {
    if (user && (flags & PTE_U) === 0) return false;
    if (access === ACCESS_WRITE) return (flags & PTE_W) !== 0;
    if (access === ACCESS_EXEC) return (flags & PTE_X) !== 0;
    return (flags & PTE_R) !== 0;
  }
  encodeRoot(rootPfn: number, asid: number): bigint {
    return (BigInt(asid) << 22n) | BigInt(rootPfn);
  }
  decodeRoot(register: bigint): { rootPfn: number; asid: number } | null {
    return { rootPfn: Number(register & 0x3fffffn), asid: Number(register >> 22n) };
  }
}

// ---------------------------------------------------------------------------------------------------------
// Per-model generators of entry words.

interface Case {
  readonly name: string;
  readonly make: () => HardwareModel;
  /** Bit position of the frame number in an entry, and its width. */
  readonly pfnShift: number;
  readonly pfnBits: number;
  /** Frame numbers that start a huge page at level 0 (aligned), to get some huge pages inside RAM. */
  readonly hugeFrames: readonly number[];
  /** Flag bits (below pfnShift) of an entry read at `level`, biased towards well-formed pointers and leaves. */
  readonly flags: (level: number) => fc.Arbitrary<number>;
  /** 8-byte entries: the high word (bits 63..32) of an entry read at `level`. */
  readonly hiWord?: (level: number) => fc.Arbitrary<number>;
  /**
   * Whole low words of huge leaves (aligned frames, in RAM or not) for the levels above the last, mixed in
   * with the other words: with frames and flags drawn apart, few random huge leaves are well formed. Models
   * with it also pick index 0 often at the level above the last, so that 1 GiB pages at frame 0 reach RAM.
   */
  readonly hugeWord?: (level: number) => fc.Arbitrary<number>;
  /** Fault kinds the model must produce in 300 random runs. */
  readonly kinds: readonly number[];
  /**
   * Runs per property, as a multiple of RUNS (default 1). With three or four levels, high words and
   * non-canonical addresses, fewer random walks succeed; more runs keep the variety checks well clear of
   * their thresholds, which stay those of RUNS runs.
   */
  readonly runScale?: number;
}

const paramsOf = (c: Case) => ({ ...PARAMS, numRuns: RUNS * (c.runScale ?? 1) });

const bits = (n: number): fc.Arbitrary<number> => fc.integer({ min: 0, max: 2 ** n - 1 });
const u32 = fc.integer({ min: 0, max: 0xffffffff });
/** Unbiased random words for flag masks (fast-check's bias towards 0 would clear nearly every bit). */
const mask = fc.noBias(u32);

/**
 * Random flags: each bit of `often` is set with probability 3/4, of `half` with 1/2, of `rarely` with 1/8,
 * and the bits of `always` are set.
 */
function biased(always: number, often: number, half: number, rarely: number): fc.Arbitrary<number> {
  return fc.tuple(mask, mask, mask, mask, mask, mask).map(([a, b, c, d, e, f]) =>
    (always | ((a | b) & often) | (c & half) | (d & e & f & rarely)) >>> 0);
}
const junk = (n: number) => ({ arbitrary: bits(n), weight: 1 });

// x86: P 0, RW 1, US 2, PWT 3, PCD 4, A 5, D 6, PS/PAT 7, G 8, AVL 11:9.
const X86_FLAGS = (pse: boolean) => (level: number): fc.Arbitrary<number> =>
  fc.oneof(
    { arbitrary: biased(0x1, 0x6, 0xe78 | (pse && level === 0 ? 0x80 : 0), 0x80), weight: 8 },
    junk(12),
  );
// Sv32: V 0, R 1, W 2, X 3, U 4, G 5, A 6, D 7, RSW 9:8.
const SV32_FLAGS = (level: number): fc.Arbitrary<number> =>
  level === 0
    ? fc.oneof(
      { arbitrary: biased(0x1, 0, 0x300, 0x20), weight: 6 }, // pointer
      { arbitrary: biased(0x1, 0xe, 0x3d0, 0x20), weight: 2 }, // megapage
      junk(10),
    )
    : fc.oneof({ arbitrary: biased(0x1, 0xe, 0x3d0, 0x20), weight: 8 }, junk(10));
// toy3: V 0, W 1, U 2, A 3, D 4, L 5, NX 6, reserved 9:7.
const TOY_FLAGS = (level: number): fc.Arbitrary<number> =>
  level < 2
    ? fc.oneof(
      { arbitrary: biased(0x1, 0x6, 0x8, 0x40), weight: 7 }, // pointer
      { arbitrary: biased(0x21, 0x6, 0x18, 0x40), weight: 1 }, // huge page
      junk(10),
    )
    : fc.oneof({ arbitrary: biased(0x1, 0x6, 0x18, 0x60), weight: 8 }, junk(10));

// x86-64: as x86; PS (7) makes 1 GiB / 2 MiB pages in PDPTEs and PDEs and is reserved in a PML4E. Four levels
// multiply every way a walk can fail, so here R/W and U/S are set with probability 7/8 and huge pages (mostly
// misaligned, with random frames) are rarer.
const X64_FLAGS = (_level: number): fc.Arbitrary<number> =>
  fc.oneof(
    { arbitrary: fc.tuple(biased(0x1, 0, 0xe78, 0x80), mask, mask, mask).map(([f, a, b, c]) => (f | (~(a & b & c) & 0x6)) >>> 0), weight: 12 },
    junk(12),
  );
// High words: mostly 0 or XD (bit 63), sometimes frame bits 39:32 (outside RAM), a reserved bit of 51:40, the
// ignored and protection-key bits 62:52, or anything.
const X64_HI = (): fc.Arbitrary<number> =>
  fc.oneof(
    { arbitrary: fc.constant(0), weight: 24 },
    { arbitrary: fc.constant(0x80000000), weight: 3 },
    { arbitrary: fc.integer({ min: 1, max: 0xff }), weight: 1 },
    { arbitrary: fc.integer({ min: 8, max: 19 }).map((b) => 2 ** b), weight: 1 },
    { arbitrary: fc.integer({ min: 0, max: 0x7ff }).map((b) => (b * 2 ** 20) >>> 0), weight: 1 },
    { arbitrary: u32, weight: 1 },
  );
// Sv39: as Sv32 with two levels of pointers or megapages above the leaves (fewer megapages: with random frames
// they are mostly misaligned, and two levels of them would end most walks early).
const SV39_FLAGS = (level: number): fc.Arbitrary<number> =>
  level < 2
    ? fc.oneof(
      { arbitrary: biased(0x1, 0, 0x300, 0x20), weight: 7 }, // pointer
      { arbitrary: biased(0x1, 0xe, 0x3d0, 0x20), weight: 1 }, // megapage / gigapage
      junk(10),
    )
    : fc.oneof({ arbitrary: biased(0x1, 0xe, 0x3d0, 0x20), weight: 8 }, junk(10));
// High words: mostly 0, sometimes PPN bits 43:22 (outside RAM), a bit of 63:54 (N, PBMT, reserved), or anything.
const SV39_HI = (): fc.Arbitrary<number> =>
  fc.oneof(
    { arbitrary: fc.constant(0), weight: 30 },
    { arbitrary: fc.integer({ min: 1, max: 0x3fffff }), weight: 1 },
    { arbitrary: fc.integer({ min: 22, max: 31 }).map((b) => 2 ** b), weight: 1 },
    { arbitrary: u32, weight: 1 },
  );

// Huge leaves: PS and U/S, R/W (7/8) set, at frame 0 (in RAM), 512 (a 2 MiB boundary) or 2^18 (1 GiB), past RAM.
const X64_HUGE = (_level: number): fc.Arbitrary<number> =>
  fc.tuple(fc.constantFrom(0, 0, 0, 512, 2 ** 18), biased(0x81, 0, 0xe78, 0), mask, mask, mask)
    .map(([pfn, f, a, b, c]) => (pfn * 4096 + (f | (~(a & b & c) & 0x6))) >>> 0);
// Sv39 megapages and gigapages: R or X set, at the same frames (512 is misaligned for a gigapage).
const SV39_HUGE = (_level: number): fc.Arbitrary<number> =>
  fc.tuple(fc.constantFrom(0, 0, 0, 512, 2 ** 18), biased(0x1, 0xe, 0x3d0, 0x20))
    .map(([pfn, f]) => (pfn * 1024 + (f | ((f & 0xa) === 0 ? 0x2 : 0))) >>> 0);

const ALL_FAULTS = [FAULT_NOT_PRESENT, FAULT_PROTECTION, FAULT_RESERVED, FAULT_BUS];
const WIDE_FAULTS = [...ALL_FAULTS, FAULT_NON_CANONICAL];
const CASES: readonly Case[] = [
  { name: 'x86-32', make: () => x86_32(), pfnShift: 12, pfnBits: 20, hugeFrames: [0, 1024], flags: X86_FLAGS(false), kinds: [FAULT_NOT_PRESENT, FAULT_PROTECTION, FAULT_BUS] },
  { name: 'x86-32 PSE', make: () => x86_32({ pse: true }), pfnShift: 12, pfnBits: 20, hugeFrames: [0, 1, 1024], flags: X86_FLAGS(true), kinds: ALL_FAULTS },
  { name: 'x86-32 PSE, no PGE', make: () => x86_32({ pse: true, pge: false }), pfnShift: 12, pfnBits: 20, hugeFrames: [0, 1], flags: X86_FLAGS(true), kinds: ALL_FAULTS },
  { name: 'sv32', make: () => sv32(), pfnShift: 10, pfnBits: 22, hugeFrames: [0, 1024], flags: SV32_FLAGS, kinds: ALL_FAULTS },
  { name: 'toy3', make: () => new Toy3(), pfnShift: 10, pfnBits: 22, hugeFrames: [0], flags: TOY_FLAGS, kinds: ALL_FAULTS },
  // Huge frames: aligned (0), PAT or misaligned (1, 2), a 2 MiB boundary outside RAM (512).
  {
    name: 'x86-64', make: () => x86_64(), pfnShift: 12, pfnBits: 20, hugeFrames: [0, 1, 2, 512], flags: X64_FLAGS, hiWord: X64_HI,
    hugeWord: X64_HUGE, kinds: WIDE_FAULTS, runScale: 3,
  },
  {
    name: 'x86-64 PCID', make: () => x86_64({ pcid: true }), pfnShift: 12, pfnBits: 20, hugeFrames: [0, 1, 512], flags: X64_FLAGS,
    hiWord: X64_HI, hugeWord: X64_HUGE, kinds: WIDE_FAULTS, runScale: 3,
  },
  {
    name: 'sv39', make: () => sv39(), pfnShift: 10, pfnBits: 22, hugeFrames: [0, 1, 512], flags: SV39_FLAGS, hiWord: SV39_HI,
    hugeWord: SV39_HUGE, kinds: WIDE_FAULTS, runScale: 3,
  },
];

interface World {
  readonly rootPfn: number;
  /** Per level, the K indices that hold entries. */
  readonly idx: readonly (readonly number[])[];
  /** Per level, FRAMES * K entry words, written at that level's indices of every frame. */
  readonly words: readonly (readonly number[])[];
  /** 8-byte entries: per level, the high words of those entries (empty for 4-byte entries). */
  readonly hi: readonly (readonly number[])[];
}

function worldArb(c: Case): fc.Arbitrary<World> {
  const model = c.make();
  const word = (level: number): fc.Arbitrary<number> => fc.oneof(
    {
      arbitrary: fc.tuple(
        fc.oneof(
          { arbitrary: fc.integer({ min: 0, max: FRAMES - 1 }), weight: 8 },
          { arbitrary: fc.constantFrom(...c.hugeFrames), weight: level < model.levels - 1 ? 3 : 1 },
          { arbitrary: fc.constantFrom(FRAMES - 1, FRAMES), weight: 1 }, // the last frame, the first one past RAM
          { arbitrary: bits(c.pfnBits), weight: 1 },
        ),
        c.flags(level),
      ).map(([pfn, flags]) => (pfn * 2 ** c.pfnShift + flags) >>> 0),
      weight: 15,
    },
    { arbitrary: u32, weight: 1 },
    ...(c.hugeWord !== undefined && level < model.levels - 1 ? [{ arbitrary: c.hugeWord(level), weight: 5 }] : []),
  );
  // Last-level indices are often small, so that base pages of a huge page at frame 0 land in RAM; the
  // other levels' indices are anywhere, so that they collide with the last level's only now and then.
  const index = (n: number, last: boolean, aboveLast: boolean): fc.Arbitrary<number> =>
    last ? fc.oneof(fc.integer({ min: 0, max: FRAMES - 1 }), bits(n))
    : aboveLast && c.hugeWord !== undefined ? fc.oneof(fc.constant(0), bits(n), bits(n)) : bits(n);
  const levels = [...model.indexBits.keys()];
  return fc.record({
    rootPfn: fc.integer({ min: 0, max: FRAMES - 1 }),
    idx: fc.tuple(...levels.map((l) => fc.array(index(model.indexBits[l]!, l === model.levels - 1, l === model.levels - 2), { minLength: K, maxLength: K }))),
    words: fc.tuple(...levels.map((l) => fc.array(word(l), { minLength: FRAMES * K, maxLength: FRAMES * K }))),
    hi: fc.tuple(...levels.map((l) => {
      const hiWord = c.hiWord;
      return hiWord === undefined ? fc.constant([]) : fc.array(hiWord(l), { minLength: FRAMES * K, maxLength: FRAMES * K });
    })),
  });
}

/** RAM of FRAMES frames; the entries of deeper levels are written last (they win where indices collide). */
function buildRam(model: HardwareModel, world: World): PhysicalMemory {
  const pageSize = 2 ** model.pageShift;
  const ram = new PhysicalMemory(FRAMES * pageSize, { frameSize: pageSize });
  for (let l = 0; l < model.levels; l++) {
    let w = 0;
    for (let f = 0; f < FRAMES; f++) {
      for (const i of world.idx[l]!) {
        ram.write32(f * pageSize + i * model.entryBytes, world.words[l]![w]!);
        if (model.entryBytes === 8) ram.write32(f * pageSize + i * model.entryBytes + 4, world.hi[l]![w]!);
        w++;
      }
    }
  }
  return ram;
}

function copyRam(ram: PhysicalMemory): PhysicalMemory {
  const copy = new PhysicalMemory(ram.size, { frameSize: ram.frameSize });
  copy.writeBytes(0, ram.bytes); // commits as much as `ram` has
  return copy;
}

function sameRam(a: PhysicalMemory, b: PhysicalMemory): boolean {
  const x = new Uint32Array(a.bytes.buffer);
  const y = new Uint32Array(b.bytes.buffer);
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}

/** A virtual address: mostly built from the world's indices, sometimes anything. */
interface VaChoice {
  readonly picks: readonly number[];
  readonly offset: number;
  readonly nearEnd: boolean;
  readonly random: number | null;
  /**
   * Sign-extended models: 'canonical' sign-extends the address (the upper half negative), 'unsigned' leaves it
   * as built (non-canonical when its top bit is set), 'moved' adds `k` * 2^vaBits to the canonical address
   * (non-canonical, with the same index bits).
   */
  readonly form: 'canonical' | 'unsigned' | 'moved';
  readonly k: number;
}

/** Addresses of sign-extended models: anywhere in the space, anywhere a number is exact, or at its edges. */
function wideVa(model: HardwareModel): fc.Arbitrary<number> {
  const { min, end } = vaRange(model);
  return fc.oneof(
    { arbitrary: fc.integer({ min, max: end - 1 }), weight: 2 },
    { arbitrary: fc.integer({ min: -(2 ** 53 - 1), max: 2 ** 53 - 1 }), weight: 1 },
    { arbitrary: fc.constantFrom(min, end - 1, end, min - 1, -1, 0, 2 ** 32 - 1, 2 ** 32, -(2 ** 32)), weight: 1 },
  );
}

const vaArb = (model: HardwareModel): fc.Arbitrary<VaChoice> => {
  const limit = 2 ** (52 - model.vaBits) - 1;
  return fc.record({
    picks: fc.array(fc.integer({ min: 0, max: K - 1 }), { minLength: model.levels, maxLength: model.levels }),
    offset: bits(model.pageShift),
    nearEnd: fc.boolean(),
    // null (build the address from the world's indices) five times out of six
    random: fc.oneof(
      { arbitrary: fc.constant(null), weight: 5 },
      { arbitrary: model.signExtendedVa === true ? wideVa(model) : fc.integer({ min: 0, max: 2 ** model.vaBits - 1 }), weight: 1 },
    ),
    form: model.signExtendedVa === true
      ? fc.oneof(
        { arbitrary: fc.constant('canonical' as const), weight: 10 },
        { arbitrary: fc.constant('unsigned' as const), weight: 1 },
        { arbitrary: fc.constant('moved' as const), weight: 1 },
      )
      : fc.constant('canonical' as const),
    k: fc.oneof(fc.constantFrom(1, -1, limit, -limit), fc.integer({ min: 1, max: limit }), fc.integer({ min: -limit, max: -1 })),
  });
};

function vaOf(model: HardwareModel, world: World, choice: VaChoice): number {
  if (choice.random !== null) return choice.random;
  const pageSize = 2 ** model.pageShift;
  let va = choice.nearEnd ? pageSize - 1 - (choice.offset & 7) : choice.offset;
  for (let l = 0; l < model.levels; l++) va += world.idx[l]![choice.picks[l]!]! * 2 ** levelSpanShift(model, l);
  if (model.signExtendedVa !== true || choice.form === 'unsigned') return va;
  const canonical = va >= 2 ** (model.vaBits - 1) ? va - 2 ** model.vaBits : va;
  return choice.form === 'canonical' ? canonical : canonical + choice.k * 2 ** model.vaBits;
}

/** The address `i` bytes after `va`: a 32-bit space wraps at its top, a sign-extended one just goes on. */
function nextVa(model: HardwareModel, va: number, i: number): number {
  return model.signExtendedVa === true ? va + i : (va + i) % 2 ** model.vaBits;
}

type RefAccess =
  | { readonly ok: true; readonly pas: readonly number[] }
  | { readonly ok: false; readonly fault: number; readonly level: number; readonly va: number };

/**
 * The reference for an access of `size` bytes: one walk per page touched, bytes in order, wrapping at the top
 * of a 32-bit space (a non-canonical byte of a sign-extended one faults there).
 * A store that some page refuses faults on that page before any walk sets A/D elsewhere (D must be exact).
 */
function refAccess(
  ram: PhysicalMemory, model: HardwareModel, root: number, va: number, size: number, access: AccessKind, user: boolean,
  control: number,
): RefAccess {
  const pageSize = 2 ** model.pageShift;
  if (access === ACCESS_WRITE) {
    for (let i = 0; i < size; i++) {
      const a = nextVa(model, va, i);
      if (i > 0 && a % pageSize !== 0) continue;
      if (!referenceWalk(ram, model, root, { va: a, access, user, control, sideEffects: false }).ok) {
        const r = referenceWalk(ram, model, root, { va: a, access, user, control, sideEffects: true });
        if (!r.ok) return { ok: false, fault: r.fault, level: r.level, va: a };
      }
    }
  }
  const pas: number[] = [];
  for (let i = 0; i < size; i++) {
    const a = nextVa(model, va, i);
    if (i > 0 && a % pageSize !== 0) {
      pas.push(pas[i - 1]! + 1);
      continue;
    }
    const r = referenceWalk(ram, model, root, { va: a, access, user, control, sideEffects: true });
    if (!r.ok) return { ok: false, fault: r.fault, level: r.level, va: a };
    pas.push(r.pa);
  }
  return { ok: true, pas };
}

function bytesAt(ram: PhysicalMemory, pas: readonly number[]): bigint {
  let v = 0n;
  for (let i = pas.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(ram.bytes[pas[i]!]!);
  return v;
}

/** One access through the Mmu by the method that matches its kind and size; the result as a bigint or a fault code. */
function mmuAccess(mmu: Mmu, va: number, size: number, access: AccessKind, user: boolean, value: bigint): bigint | number {
  if (access !== ACCESS_WRITE) {
    const v = access === ACCESS_EXEC ? mmu.fetch32(va, user)
      : size === 1 ? mmu.load8(va, user) : size === 2 ? mmu.load16(va, user) : size === 4 ? mmu.load32(va, user) : mmu.load64(va, user);
    return typeof v === 'bigint' ? (mmu.status < 0 ? mmu.status : v) : v < 0 ? v : BigInt(v);
  }
  const n = BigInt.asUintN(size * 8, value);
  return size === 1 ? mmu.store8(va, Number(n), user)
    : size === 2 ? mmu.store16(va, Number(n), user)
    : size === 4 ? mmu.store32(va, Number(n), user)
    : mmu.store64(va, n, user);
}

interface Tally {
  ok: number;
  faults: number[];
  /** Successful single accesses through a huge leaf, and at negative (upper-half) addresses. */
  huge: number;
  upper: number;
}
const newTally = (): Tally => ({ ok: 0, faults: [0, 0, 0, 0, 0, 0], huge: 0, upper: 0 });

function expectVariety(c: Case, tally: Tally): void {
  if (env.FC_TALLY) console.log(c.name, JSON.stringify(tally));
  // Guards against a generator that never reaches the interesting cases (the properties would pass vacuously).
  expect(tally.ok).toBeGreaterThan(RUNS / 100);
  for (const kind of c.kinds) expect(tally.faults[kind], `fault kind ${kind}`).toBeGreaterThan(0);
}

/** The single-access property also reaches huge leaves (models with `hugeWord`) and the upper half. */
function expectDepth(c: Case, model: HardwareModel, tally: Tally): void {
  if (c.hugeWord !== undefined) expect(tally.huge, 'accesses through huge pages').toBeGreaterThan(0);
  if (model.signExtendedVa === true) expect(tally.upper, 'accesses in the upper half').toBeGreaterThan(0);
}

// ---------------------------------------------------------------------------------------------------------

describe.each(CASES)('fast MMU against referenceWalk: $name', (c) => {
  const model = c.make();

  it('agrees on single accesses: physical address or fault kind and level, loaded value, and RAM after A/D updates', () => {
    const tally = newTally();
    fc.assert(
      fc.property(
        worldArb(c), vaArb(model), fc.constantFrom(ACCESS_READ, ACCESS_WRITE, ACCESS_EXEC), fc.boolean(),
        fc.integer({ min: 0, max: 7 }), fc.constantFrom('translate', 'inspect', 'data'), fc.constantFrom(1, 2, 4, 8),
        fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
        (world, choice, access, user, control, op, size, value) => {
          const base = buildRam(model, world);
          const va = vaOf(model, world, choice);
          const ramA = copyRam(base);
          const ramB = copyRam(base);
          const mmu = new Mmu(ramA, model, { control });
          mmu.setRoot(world.rootPfn);

          if (op === 'inspect') {
            const ref = referenceWalk(ramB, model, world.rootPfn, { va, access, user, control, sideEffects: false });
            const got = mmu.translateNoSideEffects(va, access, user);
            if (ref.ok) expect(got).toBe(ref.pa);
            else expect([got, mmu.faultLevel]).toEqual([-ref.fault, ref.level]);
            expect(sameRam(ramA, base) && sameRam(ramB, base)).toBe(true);
            expect(mmu.tlb.occupancy).toBe(0);
            return;
          }

          const n = op === 'translate' ? 1 : access === ACCESS_EXEC ? 4 : size;
          const ref = refAccess(ramB, model, world.rootPfn, va, n, access, user, control);
          if (ref.ok) {
            tally.ok++;
            const first = referenceWalk(base, model, world.rootPfn, { va, access, user, control, sideEffects: false });
            if (first.ok && first.level < model.levels - 1) tally.huge++;
            if (va < 0) tally.upper++;
          } else tally.faults[ref.fault]!++;

          if (op === 'translate') {
            const got = mmu.translate(va, access, user);
            expect(got).toBe(ref.ok ? ref.pas[0] : -ref.fault);
          } else {
            // Expected result, computed on the reference RAM after its walks (as the MMU reads after its own).
            let expected: bigint | number;
            if (!ref.ok) expected = -ref.fault;
            else if (access === ACCESS_WRITE) {
              for (let i = 0; i < n; i++) ramB.bytes[ref.pas[i]!] = Number((value >> BigInt(8 * i)) & 0xffn);
              expected = 0;
            } else expected = bytesAt(ramB, ref.pas);
            expect(mmuAccess(mmu, va, n, access, user, value)).toEqual(expected);
          }
          expect(mmu.status).toBe(ref.ok ? 0 : -ref.fault);
          if (!ref.ok) {
            expect([mmu.faultKind, mmu.faultLevel, mmu.faultVa, mmu.faultAccess, mmu.faultUser])
              .toEqual([ref.fault, ref.level, ref.va, access, user]);
          }
          expect(sameRam(ramA, ramB)).toBe(true);
        },
      ),
      paramsOf(c),
    );
    expectVariety(c, tally);
    expectDepth(c, model, tally);
  }, TIMEOUT);
});

// Sequences through the TLB. Only hardware A/D updates change the tables between accesses; for these models
// they never change a translation (toy3 is left out: setting D in a leaf that also serves as a pointer
// elsewhere makes that pointer malformed, a real PTE change that a TLB may legitimately not see).
/** Either one of the run's few hot addresses (so that pages are used again and hit), or a fresh one. */
type SeqVa = number | VaChoice;

type Step =
  | { readonly kind: 'access'; readonly va: SeqVa; readonly access: AccessKind; readonly user: boolean; readonly size: number; readonly store: boolean }
  | { readonly kind: 'flushPage'; readonly va: VaChoice }
  | { readonly kind: 'flushAll' | 'flushNonGlobal' | 'setRoot' }
  | { readonly kind: 'asid'; readonly asid: number }
  | { readonly kind: 'control'; readonly control: number };

const stepArb = (model: HardwareModel): fc.Arbitrary<Step> =>
  fc.oneof(
    {
      arbitrary: fc.record({
        kind: fc.constant('access' as const),
        va: fc.oneof({ arbitrary: fc.integer({ min: 0, max: 3 }), weight: 4 }, { arbitrary: vaArb(model), weight: 1 }),
        access: fc.constantFrom(ACCESS_READ, ACCESS_WRITE, ACCESS_EXEC),
        user: fc.boolean(), size: fc.constantFrom(1, 2, 4, 8), store: fc.boolean(),
      }),
      weight: 12,
    },
    { arbitrary: fc.record({ kind: fc.constant('flushPage' as const), va: vaArb(model) }), weight: 1 },
    { arbitrary: fc.record({ kind: fc.constantFrom('flushAll' as const, 'flushNonGlobal' as const, 'setRoot' as const) }), weight: 1 },
    { arbitrary: fc.record({ kind: fc.constant('asid' as const), asid: fc.integer({ min: 0, max: 2 ** model.asidBits - 1 }) }), weight: 1 },
    { arbitrary: fc.record({ kind: fc.constant('control' as const), control: fc.integer({ min: 0, max: 7 }) }), weight: 1 },
  );

describe.each(CASES.filter((c) => c.name !== 'toy3'))('TLB sequences against referenceWalk: $name', (c) => {
  const model = c.make();

  it('every access of a sequence, hits and misses alike, matches a fresh reference walk', () => {
    const tally = newTally();
    let hits = 0;
    let accesses = 0;
    fc.assert(
      fc.property(
        worldArb(c), fc.array(vaArb(model), { minLength: 4, maxLength: 4 }), fc.array(stepArb(model), { minLength: 1, maxLength: 60 }),
        fc.record({ entries: fc.constantFrom(1, 4, 8, 16), ways: fc.constantFrom(1, 2, 4) }),
        (world, hot, steps, tlbShape) => {
          const ramA = buildRam(model, world);
          const ramB = copyRam(ramA);
          const ways = Math.min(tlbShape.ways, tlbShape.entries);
          const mmu = new Mmu(ramA, model, { tlb: { entries: tlbShape.entries, ways } });
          mmu.setRoot(world.rootPfn);
          for (const step of steps) {
            switch (step.kind) {
              case 'flushPage': mmu.flushPage(vaOf(model, world, step.va)); break;
              case 'flushAll': mmu.tlb.flushAll(); break;
              case 'flushNonGlobal': mmu.tlb.flushNonGlobal(); break;
              case 'setRoot': mmu.setRoot(world.rootPfn, mmu.asid); break;
              case 'asid': mmu.setRoot(world.rootPfn, step.asid); break;
              case 'control': mmu.setControl(step.control); break;
              case 'access': {
                const va = vaOf(model, world, typeof step.va === 'number' ? hot[step.va]! : step.va);
                const viaTranslate = step.access === ACCESS_WRITE && !step.store;
                const n = viaTranslate ? 1 : step.access === ACCESS_EXEC ? 4 : step.size;
                const ref = refAccess(ramB, model, world.rootPfn, va, n, step.access, step.user, mmu.control);
                if (ref.ok) tally.ok++;
                else tally.faults[ref.fault]!++;
                const before = mmu.tlb.hits;
                let got: bigint | number;
                let expected: bigint | number;
                if (step.access === ACCESS_WRITE && step.store) {
                  // Store back the bytes already there, so data never changes a table: only A/D bits move.
                  const same = ref.ok ? bytesAt(ramB, ref.pas) : 0n;
                  got = mmuAccess(mmu, va, n, ACCESS_WRITE, step.user, same);
                  expected = ref.ok ? 0 : -ref.fault;
                } else if (viaTranslate) {
                  got = mmu.translate(va, ACCESS_WRITE, step.user);
                  expected = ref.ok ? ref.pas[0]! : -ref.fault;
                } else {
                  got = mmuAccess(mmu, va, n, step.access, step.user, 0n);
                  expected = ref.ok ? bytesAt(ramB, ref.pas) : -ref.fault;
                }
                expect(got).toEqual(expected);
                if (!ref.ok) expect([mmu.faultLevel, mmu.faultVa]).toEqual([ref.level, ref.va]);
                hits += mmu.tlb.hits - before;
                accesses++;
                expect(sameRam(ramA, ramB)).toBe(true);
                break;
              }
            }
          }
        },
      ),
      paramsOf(c),
    );
    expectVariety(c, tally);
    if (env.FC_TALLY) console.log(c.name, 'hits', hits, 'of', accesses, 'accesses');
    expect(hits).toBeGreaterThan(RUNS / 30); // the TLB really served accesses
  }, TIMEOUT);
});
