import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HwArgumentError } from './errors.js';
import {
  ACCESS_EXEC, ACCESS_READ, ACCESS_WRITE, CTL_MXR, CTL_SUM, CTL_WP, FAULT_BUS, FAULT_NON_CANONICAL, FAULT_NOT_PRESENT, FAULT_PROTECTION,
  FAULT_RESERVED, PTE_A, PTE_D, PTE_G, PTE_R, PTE_U, PTE_V, PTE_W, PTE_X,
  type AccessKind, type HardwareModel,
} from './model.js';
import { Mmu, type MmuOptions } from './mmu.js';
import { findEntry, mapPage } from './page-table.js';
import { INITIAL_COMMIT_BYTES, PhysicalMemory } from './physical-memory.js';
import { SV32_R, SV32_V, SV32_W, SV32_X, sv32 } from './sv32.js';
import { referenceWalk } from './walk.js';
import { X86_P, X86_PDE_PS, X86_RW, X86_US, x86_32 } from './x86-32.js';

/** Read-write user data, read-only user data, and a supervisor-only page. */
const RW = PTE_V | PTE_R | PTE_W | PTE_U;
const RO = PTE_V | PTE_R | PTE_U;
const KERNEL = PTE_V | PTE_R | PTE_W;

const ROOT = 1;
const RAM_BYTES = 8 << 20; // 2048 frames: tables from frame 16, data from 0x100, a 4 MiB frame at 1024

interface Env {
  readonly model: HardwareModel;
  readonly ram: PhysicalMemory;
  readonly mmu: Mmu;
  /** Maps a page under `root` (default ROOT), allocating tables from frame 16 up. */
  map(va: number, pfn: number, flags: number, level?: number, root?: number): number;
  /** Physical address of the last-level entry for `va` under `root`. */
  pte(va: number, root?: number): number;
}

function env(model: HardwareModel, options: MmuOptions = {}): Env {
  const ram = new PhysicalMemory(RAM_BYTES);
  let nextTable = 16;
  const mmu = new Mmu(ram, model, options);
  mmu.setRoot(ROOT);
  return {
    model,
    ram,
    mmu,
    map: (va, pfn, flags, level, root = ROOT) => mapPage(ram, model, root, va, pfn, flags, () => nextTable++, level),
    pte: (va, root = ROOT) => findEntry(ram, model, root, va),
  };
}

function expectFault(mmu: Mmu, kind: number, va: number, access: AccessKind, user: boolean, level: number): void {
  expect(mmu.status).toBe(-kind);
  expect({
    kind: mmu.faultKind, va: mmu.faultVa, access: mmu.faultAccess, user: mmu.faultUser, level: mmu.faultLevel,
  }).toEqual({ kind, va, access, user, level });
}

/** Index of the first byte where two RAM images differ (missing bytes read as zero), or -1. */
function firstDifference(a: Uint8Array, b: Uint8Array): number {
  // RAM is committed on demand: bytes past the end of the shorter array read as zero.
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return i;
  return -1;
}

const MODELS: readonly [string, () => HardwareModel][] = [
  ['x86-32', () => x86_32({ pse: true })],
  ['sv32', () => sv32()],
];

describe.each(MODELS)('Mmu with %s', (_name, makeModel) => {
  const VA = 0x00403000;
  const PFN = 0x123;

  describe('loads and stores', () => {
    it('round-trips every width and lands little-endian at the translated address', () => {
      const { ram, mmu, map } = env(makeModel());
      map(VA, PFN, RW);
      const pa = PFN * 4096;
      expect(mmu.store8(VA + 1, 0xab)).toBe(0);
      expect(mmu.load8(VA + 1)).toBe(0xab);
      expect(ram.read8(pa + 1)).toBe(0xab);

      expect(mmu.store16(VA + 0x10, 0xbeef)).toBe(0);
      expect(mmu.load16(VA + 0x10)).toBe(0xbeef);
      expect([...ram.readBytes(pa + 0x10, 2)]).toEqual([0xef, 0xbe]);

      expect(mmu.store32(VA + 0x20, 0xdeadbeef)).toBe(0);
      expect(mmu.load32(VA + 0x20)).toBe(0xdeadbeef); // unsigned
      expect([...ram.readBytes(pa + 0x20, 4)]).toEqual([0xef, 0xbe, 0xad, 0xde]);

      expect(mmu.store64(VA + 0x30, 0x0123456789abcdefn)).toBe(0);
      expect(mmu.load64(VA + 0x30)).toBe(0x0123456789abcdefn);
      expect([...ram.readBytes(pa + 0x30, 8)]).toEqual([0xef, 0xcd, 0xab, 0x89, 0x67, 0x45, 0x23, 0x01]);
      expect(mmu.store64(VA + 0x38, -1n)).toBe(0); // low 64 bits of the two's complement
      expect(mmu.load64(VA + 0x38)).toBe(0xffffffffffffffffn);

      expect(mmu.storeF32(VA + 0x40, 1.5)).toBe(0);
      expect(mmu.loadF32(VA + 0x40)).toBe(1.5);
      expect(ram.read32(pa + 0x40)).toBe(0x3fc00000);
      expect(mmu.storeF32(VA + 0x44, Math.PI)).toBe(0);
      expect(mmu.loadF32(VA + 0x44)).toBe(Math.fround(Math.PI));

      expect(mmu.storeF64(VA + 0x48, -Math.E)).toBe(0);
      expect(mmu.loadF64(VA + 0x48)).toBe(-Math.E);
      expect(ram.readF64(pa + 0x48)).toBe(-Math.E);
      expect(ram.read32(pa + 0x4c) >>> 31).toBe(1); // the sign bit lives in the last byte

      // Stores keep only the low bits.
      mmu.store8(VA + 0x50, 0x1ff);
      expect(mmu.load8(VA + 0x50)).toBe(0xff);
      mmu.store16(VA + 0x52, -1);
      expect(mmu.load16(VA + 0x52)).toBe(0xffff);
      mmu.store32(VA + 0x54, -2);
      expect(mmu.load32(VA + 0x54)).toBe(0xfffffffe);
      expect(mmu.status).toBe(0);
    });

    it('reads what RAM holds at the translated address and nothing from the untranslated one', () => {
      const { ram, mmu, map } = env(makeModel());
      map(VA, PFN, RW);
      ram.write32(PFN * 4096 + 0x124, 0xcafef00d);
      ram.write32(VA + 0x124, 0x11111111); // identity address: must not be read
      expect(mmu.load32(VA + 0x124)).toBe(0xcafef00d);
      expect(mmu.translate(VA + 0x124, ACCESS_READ, true)).toBe(PFN * 4096 + 0x124);
    });

    it('splits an access that crosses into another page across two different frames', () => {
      const { ram, mmu, map } = env(makeModel());
      map(0x00400000, 0x120, RW);
      map(0x00401000, 0x200, RW);
      expect(mmu.store32(0x00400ffe, 0xaabbccdd)).toBe(0);
      expect([...ram.readBytes(0x120ffe, 2)]).toEqual([0xdd, 0xcc]);
      expect([...ram.readBytes(0x200000, 2)]).toEqual([0xbb, 0xaa]);
      expect([...ram.readBytes(0x121000, 2)]).toEqual([0, 0]); // not the physically next frame
      expect(mmu.load32(0x00400ffe)).toBe(0xaabbccdd);

      expect(mmu.store16(0x00400fff, 0x1234)).toBe(0);
      expect(ram.read8(0x120fff)).toBe(0x34);
      expect(ram.read8(0x200000)).toBe(0x12);
      expect(mmu.load16(0x00400fff)).toBe(0x1234);

      expect(mmu.store64(0x00400ffb, 0x0807060504030201n)).toBe(0);
      expect([...ram.readBytes(0x120ffb, 5)]).toEqual([1, 2, 3, 4, 5]);
      expect([...ram.readBytes(0x200000, 3)]).toEqual([6, 7, 8]);
      expect(mmu.load64(0x00400ffb)).toBe(0x0807060504030201n);

      expect(mmu.storeF64(0x00400ffc, 1 / 3)).toBe(0);
      expect(mmu.loadF64(0x00400ffc)).toBe(1 / 3);
      expect(mmu.storeF32(0x00400ffd, -0.25)).toBe(0);
      expect(mmu.loadF32(0x00400ffd)).toBe(-0.25);
      expect(mmu.status).toBe(0);
    });

    it('wraps an access at the top of the address space around to address 0', () => {
      const { ram, mmu, map } = env(makeModel());
      map(0xfffff000, 0x140, RW);
      map(0x00000000, 0x141, RW);
      expect(mmu.store32(0xfffffffe, 0x44332211)).toBe(0);
      expect([...ram.readBytes(0x140ffe, 2)]).toEqual([0x11, 0x22]);
      expect([...ram.readBytes(0x141000, 2)]).toEqual([0x33, 0x44]);
      expect(mmu.load32(0xfffffffe)).toBe(0x44332211);
    });

    it('writes nothing when the second page of a crossing store faults', () => {
      const { ram, mmu, map } = env(makeModel());
      map(0x00500000, 0x130, RW);
      ram.fillFrame(0x130, 0x5a);
      expect(mmu.store32(0x00500ffe, 0xaabbccdd)).toBe(-FAULT_NOT_PRESENT);
      expectFault(mmu, FAULT_NOT_PRESENT, 0x00501000, ACCESS_WRITE, true, 1);
      expect(mmu.store64(0x00500ff9, 0x1122334455667788n)).toBe(-FAULT_NOT_PRESENT);
      expect(mmu.storeF64(0x00500ffc, 1.25)).toBe(-FAULT_NOT_PRESENT);
      expect(mmu.storeF32(0x00500ffe, 1.25)).toBe(-FAULT_NOT_PRESENT);
      expect(mmu.store16(0x00500fff, 0xffff)).toBe(-FAULT_NOT_PRESENT);
      expect([...ram.readBytes(0x130ff0, 16)].every((b) => b === 0x5a)).toBe(true);

      // Second page mapped read-only: a protection fault, and still nothing written on either page.
      map(0x00501000, 0x131, RO);
      ram.fillFrame(0x131, 0x6b);
      expect(mmu.store32(0x00500ffe, 0)).toBe(-FAULT_PROTECTION);
      expectFault(mmu, FAULT_PROTECTION, 0x00501000, ACCESS_WRITE, true, 1);
      expect([...ram.readBytes(0x130ffe, 2)]).toEqual([0x5a, 0x5a]);
      expect([...ram.readBytes(0x131000, 2)]).toEqual([0x6b, 0x6b]);
    });

    it('sets D on neither page when the second page of a crossing store faults (D must be exact)', () => {
      const { ram, model, mmu, map, pte } = env(makeModel());
      map(0x00500000, 0x130, RW);
      map(0x00501000, 0x131, RO);
      const first = pte(0x00500000);
      expect(mmu.store32(0x00500ffe, 1)).toBe(-FAULT_PROTECTION);
      expect(model.flags(ram.read32(first), 0, 1) & PTE_D).toBe(0);
      expect(mmu.faultVa).toBe(0x00501000);
      // Once the second page is writable, the same store goes through and dirties both pages.
      map(0x00501000, 0x131, RW);
      mmu.flushPage(0x00501000);
      expect(mmu.store32(0x00500ffe, 1)).toBe(0);
      expect(model.flags(ram.read32(first), 0, 1) & PTE_D).toBe(PTE_D);
      expect(model.flags(ram.read32(pte(0x00501000)), 0, 1) & PTE_D).toBe(PTE_D);
    });

    it('returns the fault of a crossing load, with the conventions of each width', () => {
      const { mmu, map } = env(makeModel());
      map(0x00500000, 0x130, RW | PTE_X);
      expect(mmu.load32(0x00500ffe)).toBe(-FAULT_NOT_PRESENT);
      expectFault(mmu, FAULT_NOT_PRESENT, 0x00501000, ACCESS_READ, true, 1);
      expect(mmu.load16(0x00500fff)).toBe(-FAULT_NOT_PRESENT);
      expect(mmu.load64(0x00500ffc)).toBe(0n);
      expect(mmu.status).toBe(-FAULT_NOT_PRESENT);
      expect(mmu.loadF64(0x00500ffc)).toBeNaN();
      expect(mmu.loadF32(0x00500ffd)).toBeNaN();
      expect(mmu.fetch32(0x00500ffe)).toBe(-FAULT_NOT_PRESENT);
      expect(mmu.faultAccess).toBe(ACCESS_EXEC);
    });
  });

  describe('faults', () => {
    it('reports a missing root-level entry at level 0 and a missing last-level entry at level 1', () => {
      const { mmu, map } = env(makeModel());
      expect(mmu.load32(0x00800010)).toBe(-FAULT_NOT_PRESENT);
      expectFault(mmu, FAULT_NOT_PRESENT, 0x00800010, ACCESS_READ, true, 0);
      map(0x00800000, 0x150, RW);
      expect(mmu.store8(0x00801234, 1, false)).toBe(-FAULT_NOT_PRESENT);
      expectFault(mmu, FAULT_NOT_PRESENT, 0x00801234, ACCESS_WRITE, false, 1);
    });

    it('reports protection faults with the access kind and privilege', () => {
      const { mmu, map } = env(makeModel());
      map(VA, PFN, RO);
      map(VA + 0x1000, PFN + 1, KERNEL);
      expect(mmu.load32(VA + 8)).toBeGreaterThanOrEqual(0);
      expect(mmu.store32(VA + 8, 1)).toBe(-FAULT_PROTECTION);
      expectFault(mmu, FAULT_PROTECTION, VA + 8, ACCESS_WRITE, true, 1);
      expect(mmu.load8(VA + 0x1001, true)).toBe(-FAULT_PROTECTION);
      expectFault(mmu, FAULT_PROTECTION, VA + 0x1001, ACCESS_READ, true, 1);
      expect(mmu.load8(VA + 0x1001, false)).toBe(0);
      expect(mmu.status).toBe(0);
    });

    it('keeps the last fault details after later successful accesses (like CR2)', () => {
      const { mmu, map } = env(makeModel());
      map(VA, PFN, RW);
      expect(mmu.load32(0x00c00000)).toBe(-FAULT_NOT_PRESENT);
      expect(mmu.store32(VA, 5)).toBe(0);
      expect(mmu.status).toBe(0);
      expect(mmu.faultVa).toBe(0x00c00000);
      expect(mmu.faultKind).toBe(FAULT_NOT_PRESENT);
    });

    it('reports a leaf frame outside RAM and a table outside RAM as bus faults', () => {
      const { ram, model, mmu, map } = env(makeModel());
      map(VA, RAM_BYTES / 4096, RW); // first frame past the end of RAM
      expect(mmu.load8(VA)).toBe(-FAULT_BUS);
      expectFault(mmu, FAULT_BUS, VA, ACCESS_READ, true, 1);
      // A root entry pointing to a table beyond RAM.
      const rootEntry = ROOT * 4096 + (0x00c00000 >>> 22) * 4;
      ram.write32(rootEntry, model.encodeLo(0x3ff00, PTE_V | PTE_R | PTE_W | PTE_X | PTE_U, 0, false));
      expect(mmu.store16(0x00c00000, 1)).toBe(-FAULT_BUS);
      expectFault(mmu, FAULT_BUS, 0x00c00000, ACCESS_WRITE, true, 1);
      // A table in the first frame past the end of RAM: its entry 0 starts exactly at the end.
      ram.write32(rootEntry, model.encodeLo(RAM_BYTES / 4096, PTE_V | PTE_R | PTE_W | PTE_X | PTE_U, 0, false));
      expect(mmu.load8(0x00c00000)).toBe(-FAULT_BUS);
      expectFault(mmu, FAULT_BUS, 0x00c00000, ACCESS_READ, true, 1);
      // ...and a frame that ends exactly at the end of RAM is fine.
      map(VA + 0x1000, RAM_BYTES / 4096 - 1, RW);
      expect(mmu.store8(VA + 0x1fff, 0x77)).toBe(0);
      expect(ram.read8(RAM_BYTES - 1)).toBe(0x77);
    });

    it('uses 0n and NaN for faulting 64-bit and float loads, with the code in status', () => {
      const { mmu, map } = env(makeModel());
      map(VA, PFN, KERNEL);
      expect(mmu.load64(VA)).toBe(0n);
      expect(mmu.status).toBe(-FAULT_PROTECTION);
      expect(mmu.loadF32(0x00c00000)).toBeNaN();
      expect(mmu.status).toBe(-FAULT_NOT_PRESENT);
      expect(mmu.loadF64(VA)).toBeNaN();
      expect(mmu.status).toBe(-FAULT_PROTECTION);
      // A successful load of zero is told apart by status.
      expect(mmu.load64(VA, false)).toBe(0n);
      expect(mmu.status).toBe(0);
      expect(mmu.loadF32(VA, false)).toBe(0);
      expect(mmu.status).toBe(0);
    });
  });

  describe('accessed and dirty bits, and the dirty-bit trap', () => {
    it('a read fills the TLB without D; the first write walks again and sets D; later writes hit', () => {
      const { ram, model, mmu, map, pte } = env(makeModel());
      map(VA, PFN, RW);
      const leaf = pte(VA);
      const flags = (): number => model.flags(ram.read32(leaf), 0, 1);
      expect(flags() & (PTE_A | PTE_D)).toBe(0);

      expect(mmu.load32(VA)).toBe(0);
      expect(flags() & (PTE_A | PTE_D)).toBe(PTE_A);
      expect([mmu.tlb.hits, mmu.tlb.misses, mmu.walks]).toEqual([0, 1, 1]);
      mmu.load32(VA + 4);
      expect([mmu.tlb.hits, mmu.tlb.misses, mmu.walks]).toEqual([1, 1, 1]);

      expect(mmu.store32(VA + 8, 7)).toBe(0);
      expect([mmu.tlb.hits, mmu.tlb.misses, mmu.walks]).toEqual([1, 2, 2]);
      expect(flags() & (PTE_A | PTE_D)).toBe(PTE_A | PTE_D);

      mmu.store32(VA + 12, 8);
      mmu.load32(VA + 12);
      expect([mmu.tlb.hits, mmu.tlb.misses, mmu.walks]).toEqual([3, 2, 2]);
      expect(mmu.tlb.occupancy).toBe(1);
    });

    it('caches rights for both privileges: supervisor and user accesses hit alike', () => {
      const { mmu, map } = env(makeModel(), { control: CTL_WP | CTL_SUM });
      map(VA, PFN, RW | PTE_A | PTE_D);
      map(VA + 0x1000, PFN + 1, KERNEL | PTE_A | PTE_D);
      for (const user of [false, true, false, true]) mmu.load8(VA, user);
      expect([mmu.tlb.hits, mmu.tlb.misses]).toEqual([3, 1]);
      for (let i = 0; i < 3; i++) mmu.store8(VA + 0x1000, i, false);
      expect([mmu.tlb.hits, mmu.tlb.misses]).toEqual([5, 2]);
      // A user access to the supervisor page finds the entry, is denied, walks, and faults.
      expect(mmu.load8(VA + 0x1000, true)).toBe(-FAULT_PROTECTION);
      expect([mmu.tlb.hits, mmu.tlb.misses]).toEqual([5, 3]);
    });

    it('serves writes from a read-filled entry when the page was already dirty', () => {
      const { mmu, map } = env(makeModel());
      map(VA, PFN, RW | PTE_A | PTE_D);
      mmu.load8(VA);
      mmu.store8(VA, 1);
      expect([mmu.tlb.hits, mmu.tlb.misses]).toEqual([1, 1]);
    });

    it('sets neither A nor D when the access faults on the leaf', () => {
      const { ram, model, mmu, map, pte } = env(makeModel());
      map(VA, PFN, RO);
      expect(mmu.store8(VA, 1)).toBe(-FAULT_PROTECTION);
      expect(model.flags(ram.read32(pte(VA)), 0, 1) & (PTE_A | PTE_D)).toBe(0);
      expect(mmu.tlb.occupancy).toBe(0);
    });
  });

  describe('TLB coherence', () => {
    it('keeps using the old frame after a remap in RAM until the page is flushed', () => {
      const { ram, mmu, map } = env(makeModel());
      ram.write32(0x160 * 4096, 0xaaaa);
      ram.write32(0x161 * 4096, 0xbbbb);
      map(VA, 0x160, RW);
      expect(mmu.load32(VA)).toBe(0xaaaa);
      map(VA, 0x161, RW); // rewrites the leaf entry, no flush
      expect(mmu.load32(VA)).toBe(0xaaaa);
      expect(mmu.translate(VA, ACCESS_READ, true)).toBe(0x160 * 4096);
      expect(mmu.translateNoSideEffects(VA, ACCESS_READ, true)).toBe(0x161 * 4096);
      mmu.flushPage(VA + 0x123); // any address in the page
      expect(mmu.load32(VA)).toBe(0xbbbb);

      map(VA, 0x160, RW);
      expect(mmu.load32(VA)).toBe(0xbbbb);
      mmu.tlb.flushAll();
      expect(mmu.load32(VA)).toBe(0xaaaa);
    });

    it('flushPage drops only the page of that address', () => {
      const { mmu, map } = env(makeModel());
      map(VA, PFN, RW);
      map(VA + 0x1000, PFN + 1, RW);
      mmu.load8(VA);
      mmu.load8(VA + 0x1000);
      mmu.flushPage(VA + 0xfff);
      expect(mmu.tlb.peek(VA >>> 12, 0)).toBe(-1);
      expect(mmu.tlb.peek((VA >>> 12) + 1, 0)).toBeGreaterThanOrEqual(0);
    });

    it('still allows a write after the PTE is made read-only without a flush, and faults after the flush', () => {
      const { ram, model, mmu, map, pte } = env(makeModel());
      map(VA, PFN, RW);
      expect(mmu.store32(VA, 1)).toBe(0);
      const leaf = pte(VA);
      ram.write32(leaf, model.encodeLo(PFN, RO | PTE_A | PTE_D, 1, true));
      expect(mmu.store32(VA, 2)).toBe(0); // stale, as on real hardware
      expect(ram.read32(PFN * 4096)).toBe(2);
      mmu.flushPage(VA);
      expect(mmu.store32(VA, 3)).toBe(-FAULT_PROTECTION);
      expect(ram.read32(PFN * 4096)).toBe(2);
    });

    it('takes an upgrade to read-write without a flush: a denied hit walks again', () => {
      const { ram, model, mmu, map, pte } = env(makeModel());
      map(VA, PFN, RO);
      expect(mmu.load32(VA)).toBe(0);
      expect(mmu.store32(VA, 9)).toBe(-FAULT_PROTECTION);
      ram.write32(pte(VA), model.encodeLo(PFN, RW | PTE_A, 1, true));
      const misses = mmu.tlb.misses;
      expect(mmu.store32(VA, 9)).toBe(0);
      expect(mmu.tlb.misses).toBe(misses + 1);
      expect(ram.read32(PFN * 4096)).toBe(9);
      expect(mmu.tlb.occupancy).toBe(1);
    });

    it('changing the control bits flushes the whole TLB', () => {
      const { mmu, map } = env(makeModel());
      map(VA, PFN, RW | PTE_G);
      mmu.load8(VA);
      expect(mmu.tlb.occupancy).toBe(1);
      const flushes = mmu.tlb.flushes;
      mmu.setControl(CTL_WP | CTL_SUM);
      expect(mmu.control).toBe(CTL_WP | CTL_SUM);
      expect(mmu.tlb.occupancy).toBe(0);
      expect(mmu.tlb.flushes).toBe(flushes + 1);
    });
  });

  describe('huge pages', () => {
    it('maps 4 MiB through a root-level leaf, sets D there, and caches base pages', () => {
      const { ram, model, mmu, map } = env(makeModel());
      const rootEntry = map(0x00800000, 1024, RW, 0); // frame 1024 = 4 MiB
      expect(mmu.translate(0x00812345, ACCESS_READ, true)).toBe(0x00412345);
      expect(mmu.store32(0x00bffffc, 0x5555)).toBe(0);
      expect(ram.read32(0x007ffffc)).toBe(0x5555);
      expect(model.flags(ram.read32(rootEntry), 0, 0) & (PTE_A | PTE_D)).toBe(PTE_A | PTE_D);
      const vpns = mmu.tlb.validEntries().map((e) => [e.vpn, e.pfn]);
      expect(vpns).toContainEqual([0x812, 0x412]);
      expect(vpns).toContainEqual([0xbff, 0x7ff]);
    });

    it('flushPage of any address in a huge page drops every cached piece of it', () => {
      const { ram, mmu, map } = env(makeModel());
      const rootEntry = map(0x00800000, 1024, RW, 0);
      mmu.load8(0x00800000);
      mmu.load8(0x00801000);
      mmu.load8(0x00a00000);
      expect(mmu.tlb.occupancy).toBe(3);
      // Unmap the huge page, then invalidate it through its first address, as an OS does.
      ram.write32(rootEntry, 0);
      mmu.flushPage(0x00800000);
      expect(mmu.tlb.occupancy).toBe(0);
      expect(mmu.load8(0x00801000)).toBe(-FAULT_NOT_PRESENT);
      expect(mmu.load8(0x00a00000)).toBe(-FAULT_NOT_PRESENT);
      // Base pages elsewhere are not affected.
      map(VA, PFN, RW);
      map(0x00800000, 1024, RW, 0);
      mmu.load8(VA);
      mmu.load8(0x00805000);
      mmu.flushPage(0x00bff000);
      expect(mmu.tlb.validEntries().map((e) => e.vpn)).toEqual([VA >>> 12]);
    });
  });

  describe('translateNoSideEffects', () => {
    it('walks without touching the TLB, its counters, or A/D bits in RAM', () => {
      const { ram, mmu, map } = env(makeModel());
      map(VA, PFN, RW);
      map(VA + 0x1000, PFN + 1, RW);
      mmu.load8(VA + 0x1000);
      const before = ram.bytes.slice();
      const counters = [mmu.tlb.hits, mmu.tlb.misses, mmu.tlb.flushes, mmu.tlb.occupancy];
      expect(mmu.translateNoSideEffects(VA + 0x10, ACCESS_WRITE, true)).toBe(PFN * 4096 + 0x10);
      expect(mmu.translateNoSideEffects(VA + 0x1010, ACCESS_WRITE, true)).toBe((PFN + 1) * 4096 + 0x10);
      expect(mmu.translateNoSideEffects(0x00c00000, ACCESS_READ, true)).toBe(-FAULT_NOT_PRESENT);
      expect(firstDifference(ram.bytes, before)).toBe(-1);
      expect([mmu.tlb.hits, mmu.tlb.misses, mmu.tlb.flushes, mmu.tlb.occupancy]).toEqual(counters);
      expect(mmu.tlb.peek(VA >>> 12, 0)).toBe(-1);
      expect(mmu.status).toBe(0);
    });

    it('checks the rights of the access', () => {
      const { mmu, map } = env(makeModel());
      map(VA, PFN, KERNEL);
      expect(mmu.translateNoSideEffects(VA, ACCESS_READ, true)).toBe(-FAULT_PROTECTION);
      expect(mmu.translateNoSideEffects(VA, ACCESS_READ, false)).toBe(PFN * 4096);
    });

    it('translate() on the other hand fills the TLB and sets A/D', () => {
      const { ram, model, mmu, map, pte } = env(makeModel());
      map(VA, PFN, RW);
      expect(mmu.translate(VA + 5, ACCESS_WRITE, true)).toBe(PFN * 4096 + 5);
      expect(model.flags(ram.read32(pte(VA)), 0, 1) & PTE_D).toBe(PTE_D);
      expect(mmu.tlb.occupancy).toBe(1);
    });
  });

  describe('argument checks', () => {
    const BAD = [-1, 2 ** 32, 2 ** 40, 1.5, NaN, Infinity];
    it.each(BAD)('rejects the virtual address %s with HwArgumentError', (va) => {
      const { mmu, map } = env(makeModel());
      map(0, PFN, RW);
      expect(() => mmu.load8(va)).toThrow(HwArgumentError);
      expect(() => mmu.load32(va)).toThrow(HwArgumentError);
      expect(() => mmu.load64(va)).toThrow(HwArgumentError);
      expect(() => mmu.store32(va, 0)).toThrow(HwArgumentError);
      expect(() => mmu.storeF64(va, 0)).toThrow(HwArgumentError);
      expect(() => mmu.fetch32(va)).toThrow(HwArgumentError);
      expect(() => mmu.translate(va, ACCESS_READ, true)).toThrow(HwArgumentError);
      expect(() => mmu.translateNoSideEffects(va, ACCESS_READ, true)).toThrow(HwArgumentError);
      expect(() => mmu.flushPage(va)).toThrow(HwArgumentError);
      expect(mmu.tlb.occupancy).toBe(0);
    });

    it('rejects a root frame the model cannot hold and leaves the root as it was', () => {
      const { model, mmu } = env(makeModel());
      expect(() => mmu.setRoot(-1)).toThrow(HwArgumentError);
      expect(() => mmu.setRoot(model.maxPfn + 1)).toThrow(HwArgumentError);
      expect(() => mmu.setRoot(2.5)).toThrow(HwArgumentError);
      expect(mmu.rootPfn).toBe(ROOT);
    });

    it('rejects control bits out of range', () => {
      const { mmu } = env(makeModel());
      expect(() => mmu.setControl(-1)).toThrow(HwArgumentError);
      expect(() => mmu.setControl(0x100)).toThrow(HwArgumentError);
    });
  });
});

describe('Mmu with x86-32', () => {
  it('setRoot (MOV CR3) drops non-global entries and keeps global ones', () => {
    const { mmu, map } = env(x86_32());
    map(0x00400000, 0x100, RW);
    map(0x00401000, 0x101, RW | PTE_G);
    mmu.load8(0x00400000);
    mmu.load8(0x00401000);
    expect(mmu.tlb.occupancy).toBe(2);
    mmu.setRoot(ROOT);
    expect(mmu.tlb.peek(0x400, 0)).toBe(-1);
    expect(mmu.tlb.peek(0x401, 0)).toBeGreaterThanOrEqual(0);
    const misses = mmu.tlb.misses;
    mmu.load8(0x00401000);
    expect(mmu.tlb.misses).toBe(misses);
    expect(mmu.rootRegister()).toBe(BigInt(ROOT) << 12n);
  });

  it('ignores G when CR4.PGE is off', () => {
    const { mmu, map } = env(x86_32({ pge: false }));
    map(0x00401000, 0x101, RW | PTE_G);
    mmu.load8(0x00401000);
    expect(mmu.tlb.validEntries()[0]!.global).toBe(false);
    mmu.setRoot(ROOT);
    expect(mmu.tlb.occupancy).toBe(0);
  });

  it('setRoot switches to another page directory', () => {
    const { ram, mmu, map } = env(x86_32());
    map(0x00400000, 0x100, RW);
    map(0x00400000, 0x101, RW, undefined, 2);
    ram.write8(0x100000, 1);
    ram.write8(0x101000, 2);
    expect(mmu.load8(0x00400000)).toBe(1);
    mmu.setRoot(2);
    expect(mmu.load8(0x00400000)).toBe(2);
  });

  it('has no ASIDs: setRoot with asid 1 throws', () => {
    const { mmu } = env(x86_32());
    expect(() => mmu.setRoot(ROOT, 1)).toThrow(HwArgumentError);
    expect(mmu.asid).toBe(0);
  });

  it('combines U and R/W over both levels', () => {
    const { ram, mmu, map } = env(x86_32());
    map(0x00400000, 0x100, RW);
    const pde = ROOT * 4096 + 1 * 4;
    ram.write32(pde, ram.read32(pde) & ~X86_RW); // directory entry read-only
    expect(mmu.load8(0x00400000)).toBe(0);
    expect(mmu.store8(0x00400000, 1)).toBe(-FAULT_PROTECTION);
    expect(mmu.faultLevel).toBe(1);
    ram.write32(pde, ram.read32(pde) & ~X86_US); // directory entry supervisor-only
    mmu.flushPage(0x00400000);
    expect(mmu.load8(0x00400000)).toBe(-FAULT_PROTECTION);
    expect(mmu.load8(0x00400000, false)).toBe(0);
  });

  it('lets the supervisor write read-only pages only when CR0.WP is off, and read/write user pages', () => {
    const { ram, mmu, map } = env(x86_32());
    map(0x00400000, 0x100, RO);
    expect(mmu.control).toBe(CTL_WP);
    expect(mmu.store8(0x00400000, 1, false)).toBe(-FAULT_PROTECTION);
    expectFault(mmu, FAULT_PROTECTION, 0x00400000, ACCESS_WRITE, false, 1);
    mmu.setControl(0);
    expect(mmu.store8(0x00400000, 1, false)).toBe(0);
    expect(ram.read8(0x100000)).toBe(1);
    expect(mmu.store8(0x00400000, 2, true)).toBe(-FAULT_PROTECTION); // users still honour R/W
    mmu.setControl(CTL_WP);
    expect(mmu.store8(0x00400000, 3, false)).toBe(-FAULT_PROTECTION);
    // Supervisor access to user pages needs no SUM on x86 (no SMAP modelled).
    map(0x00401000, 0x101, RW);
    expect(mmu.store8(0x00401000, 4, false)).toBe(0);
    expect(mmu.load8(0x00401000, false)).toBe(4);
  });

  it('starts with the control bits given in the options', () => {
    const { mmu, map } = env(x86_32(), { control: 0 });
    map(0x00400000, 0x100, RO);
    expect(mmu.store8(0x00400000, 1, false)).toBe(0);
  });

  it('fetches from any present page (no NX in 32-bit paging)', () => {
    const { ram, mmu, map } = env(x86_32());
    map(0x00400000, 0x100, RO); // no PTE_X asked for
    ram.write32(0x100010, 0x90909090);
    expect(mmu.fetch32(0x00400010)).toBe(0x90909090);
    expect(mmu.translate(0x00400010, ACCESS_EXEC, true)).toBe(0x100010);
    map(0x00401000, 0x101, KERNEL);
    expect(mmu.fetch32(0x00401000, true)).toBe(-FAULT_PROTECTION);
    expectFault(mmu, FAULT_PROTECTION, 0x00401000, ACCESS_EXEC, true, 1);
    expect(mmu.fetch32(0x00401000, false)).toBe(0);
  });

  it('sets A in the directory entry it walks through, never D there', () => {
    const { ram, mmu, map } = env(x86_32());
    map(0x00400000, 0x100, RW);
    const pde = ROOT * 4096 + 4;
    expect(ram.read32(pde) & 0x60).toBe(0);
    mmu.store8(0x00400000, 1);
    expect(ram.read32(pde) & 0x60).toBe(0x20);
  });

  it('faults RESERVED on a 4 MiB PDE with bits 21:13 set (PSE on) but walks it as a table pointer with PSE off', () => {
    for (const pse of [true, false]) {
      const { ram, mmu } = env(x86_32({ pse }));
      ram.write32(ROOT * 4096 + 3 * 4, 0x00400000 | 0x2000 | X86_PDE_PS | X86_US | X86_RW | X86_P);
      const code = mmu.load8(0x00c00000);
      if (pse) {
        expect(code).toBe(-FAULT_RESERVED);
        expectFault(mmu, FAULT_RESERVED, 0x00c00000, ACCESS_READ, true, 0);
      } else {
        // Frame 0x402 is a table of zeroes: the PTE is not present.
        expect(code).toBe(-FAULT_NOT_PRESENT);
        expect(mmu.faultLevel).toBe(1);
      }
    }
  });
});

describe('Mmu with sv32', () => {
  it('keeps two address spaces apart by ASID, and switching back and forth hits without walking', () => {
    const { ram, mmu, map } = env(sv32());
    map(0x00400000, 0x100, RW, undefined, 1);
    map(0x00400000, 0x101, RW, undefined, 2);
    ram.write32(0x100000, 111);
    ram.write32(0x101000, 222);
    mmu.setRoot(1, 1);
    expect(mmu.load32(0x00400000)).toBe(111);
    mmu.setRoot(2, 2);
    expect(mmu.load32(0x00400000)).toBe(222);
    const walks = mmu.walks;
    for (let i = 0; i < 3; i++) {
      mmu.setRoot(1, 1);
      expect(mmu.load32(0x00400000)).toBe(111);
      mmu.setRoot(2, 2);
      expect(mmu.load32(0x00400000)).toBe(222);
    }
    expect(mmu.walks).toBe(walks);
    expect(mmu.tlb.validEntries().map((e) => [e.vpn, e.asid, e.pfn]).sort()).toEqual([[0x400, 1, 0x100], [0x400, 2, 0x101]]);
    expect(mmu.rootRegister()).toBe(BigInt((0x80000000 | (2 << 22) | 2) >>> 0));
  });

  it('flushes nothing on setRoot: reusing an ASID for another root without a fence sees the old translation', () => {
    const { ram, mmu, map } = env(sv32());
    map(0x00400000, 0x100, RW, undefined, 1);
    map(0x00400000, 0x101, RW, undefined, 2);
    ram.write32(0x100000, 111);
    ram.write32(0x101000, 222);
    mmu.setRoot(1, 5);
    mmu.load32(0x00400000);
    const flushes = mmu.tlb.flushes;
    mmu.setRoot(2, 5);
    expect(mmu.tlb.flushes).toBe(flushes);
    expect(mmu.load32(0x00400000)).toBe(111); // stale, as on hardware
    mmu.tlb.flushAsid(5); // SFENCE.VMA x0, asid
    expect(mmu.load32(0x00400000)).toBe(222);
  });

  it('lets a global mapping hit in every address space', () => {
    const { ram, mmu, map } = env(sv32());
    map(0x00400000, 0x100, RW | PTE_G, undefined, 1);
    ram.write32(0x100000, 7);
    mmu.setRoot(1, 1);
    expect(mmu.load32(0x00400000)).toBe(7);
    mmu.setRoot(2, 2); // root 2 maps nothing
    expect(mmu.load32(0x00400000)).toBe(7);
    mmu.tlb.flushNonGlobal();
    expect(mmu.load32(0x00400000)).toBe(7);
    mmu.tlb.flushAll();
    expect(mmu.load32(0x00400000)).toBe(-FAULT_NOT_PRESENT);
  });

  it('makes every page below a global pointer global', () => {
    const { ram, mmu, map } = env(sv32());
    map(0x00400000, 0x100, RW);
    const rootEntry = ROOT * 4096 + 4;
    ram.write32(rootEntry, ram.read32(rootEntry) | 0x20);
    mmu.load8(0x00400000);
    expect(mmu.tlb.validEntries()[0]!.global).toBe(true);
  });

  it('accepts ASIDs up to 511 and rejects 512', () => {
    const { mmu } = env(sv32());
    mmu.setRoot(ROOT, 511);
    expect(mmu.asid).toBe(511);
    expect(() => mmu.setRoot(ROOT, 512)).toThrow(HwArgumentError);
    expect(() => mmu.setRoot(ROOT, -1)).toThrow(HwArgumentError);
    expect(mmu.asid).toBe(511);
  });

  it('needs X to fetch and R to load; MXR makes execute-only pages readable', () => {
    const { ram, mmu, map } = env(sv32());
    map(0x00400000, 0x100, PTE_V | PTE_R | PTE_W | PTE_U);
    map(0x00401000, 0x101, PTE_V | PTE_X | PTE_U);
    ram.write32(0x101000, 0x00000013);
    expect(mmu.fetch32(0x00400000)).toBe(-FAULT_PROTECTION);
    expectFault(mmu, FAULT_PROTECTION, 0x00400000, ACCESS_EXEC, true, 1);
    expect(mmu.fetch32(0x00401000)).toBe(0x13);
    expect(mmu.load32(0x00401000)).toBe(-FAULT_PROTECTION);
    expectFault(mmu, FAULT_PROTECTION, 0x00401000, ACCESS_READ, true, 1);
    mmu.setControl(CTL_MXR);
    expect(mmu.load32(0x00401000)).toBe(0x13);
    expect(mmu.store32(0x00401000, 0)).toBe(-FAULT_PROTECTION);
  });

  it('keeps the supervisor off user pages unless SUM is set, and never lets it execute them', () => {
    const { ram, mmu, map } = env(sv32());
    map(0x00400000, 0x100, PTE_V | PTE_R | PTE_W | PTE_X | PTE_U);
    map(0x00401000, 0x101, PTE_V | PTE_R | PTE_W | PTE_X);
    expect(mmu.load8(0x00400000, false)).toBe(-FAULT_PROTECTION);
    expectFault(mmu, FAULT_PROTECTION, 0x00400000, ACCESS_READ, false, 1);
    expect(mmu.store8(0x00400000, 1, false)).toBe(-FAULT_PROTECTION);
    mmu.setControl(CTL_SUM);
    expect(mmu.store8(0x00400000, 1, false)).toBe(0);
    expect(mmu.load8(0x00400000, false)).toBe(1);
    expect(ram.read8(0x100000)).toBe(1);
    expect(mmu.fetch32(0x00400000, false)).toBe(-FAULT_PROTECTION);
    expect(mmu.fetch32(0x00400000, true)).toBe(1);
    // Supervisor pages: fine for the supervisor, never for the user.
    expect(mmu.fetch32(0x00401000, false)).toBe(0);
    expect(mmu.load8(0x00401000, true)).toBe(-FAULT_PROTECTION);
  });

  it('honours W at the leaf for the supervisor too (no WP switch on RISC-V)', () => {
    const { mmu, map } = env(sv32(), { control: 0 });
    map(0x00400000, 0x100, PTE_V | PTE_R);
    expect(mmu.store8(0x00400000, 1, false)).toBe(-FAULT_PROTECTION);
  });

  it('faults RESERVED on W without R, on a pointer at the last level and on a misaligned megapage', () => {
    const { ram, mmu, map, pte } = env(sv32());
    map(0x00400000, 0x100, RW);
    const leaf = pte(0x00400000);
    ram.write32(leaf, (0x100 << 10) | SV32_W | SV32_V);
    expect(mmu.load8(0x00400000)).toBe(-FAULT_RESERVED);
    expectFault(mmu, FAULT_RESERVED, 0x00400000, ACCESS_READ, true, 1);
    ram.write32(leaf, (0x100 << 10) | SV32_V); // a pointer where a leaf must be
    expect(mmu.load8(0x00400000)).toBe(-FAULT_RESERVED);
    expect(mmu.faultLevel).toBe(1);
    ram.write32(ROOT * 4096 + 3 * 4, (0x401 << 10) | SV32_X | SV32_R | SV32_V);
    expect(mmu.fetch32(0x00c00000)).toBe(-FAULT_RESERVED);
    expectFault(mmu, FAULT_RESERVED, 0x00c00000, ACCESS_EXEC, true, 0);
  });

  it('sets A only in the leaf, never in the pointer', () => {
    const { ram, mmu, map } = env(sv32());
    map(0x00400000, 0x100, RW);
    const rootEntry = ROOT * 4096 + 4;
    const before = ram.read32(rootEntry);
    mmu.store8(0x00400000, 1);
    expect(ram.read32(rootEntry)).toBe(before);
  });

  it('translates physical addresses above 4 GiB as bus faults (34-bit PPNs)', () => {
    const { mmu, map } = env(sv32());
    map(0x00400000, 0x200000, RW); // 8 GiB
    expect(mmu.load8(0x00400000)).toBe(-FAULT_BUS);
    expect(mmu.faultLevel).toBe(1);
  });
});

describe('Mmu with a user-defined sign-extended model of at most 32 address bits', () => {
  /** Sv32's tables and rules with sign-extended addresses: [-2^(vaBits-1), 2^(vaBits-1)), the upper half negative. */
  function signExtendedSv32(): HardwareModel {
    return Object.create(sv32(), { name: { value: 'sv32, sign-extended' }, signExtendedVa: { value: true } }) as HardwareModel;
  }

  it('faults non-canonical addresses between 2^31 and 2^32 as the reference walker does, and maps the negative half', () => {
    const model = signExtendedSv32();
    const ram = new PhysicalMemory(RAM_BYTES);
    const mmu = new Mmu(ram, model);
    mmu.setRoot(ROOT);
    let next = 16;
    // The pages that 0x80000000 and 0xfffff000 would reach if bit 31 were not checked.
    mapPage(ram, model, ROOT, -(2 ** 31), 0x100, RW, () => next++);
    mapPage(ram, model, ROOT, -4096, 0x101, RW, () => next++);
    for (const va of [0x80000000, 0xfffff000, 0xffffffff, 2 ** 31 + 0x1234, -(2 ** 31) - 1, 2 ** 32]) {
      expect(referenceWalk(ram, model, ROOT, { va, access: ACCESS_READ, user: true, control: CTL_WP, sideEffects: true }))
        .toEqual({ ok: false, fault: FAULT_NON_CANONICAL, level: -1 });
      expect(mmu.translate(va, ACCESS_READ, true)).toBe(-FAULT_NON_CANONICAL);
      expectFault(mmu, FAULT_NON_CANONICAL, va, ACCESS_READ, true, -1);
      expect(mmu.load32(va)).toBe(-FAULT_NON_CANONICAL);
    }
    expect(mmu.tlb.occupancy).toBe(0);
    expect(mmu.translate(-(2 ** 31) + 8, ACCESS_READ, true)).toBe(0x100008);
    expect(mmu.translate(-1, ACCESS_READ, true)).toBe(0x101fff);
    expect(mmu.store32(-(2 ** 31) + 4, 0xfeedface)).toBe(0);
    expect(ram.read32(0x100004)).toBe(0xfeedface);
    expect(mmu.load32(-(2 ** 31) + 4)).toBe(0xfeedface);
    // The top of the lower half still takes the fast path.
    mapPage(ram, model, ROOT, 0x7ffff000, 0x102, RW, () => next++);
    expect(mmu.translate(0x7fffffff, ACCESS_READ, true)).toBe(0x102fff);
  });
});

describe('Mmu over RAM committed on demand', () => {
  const PAGE = 4096;
  const FRAMES = 1024; // 4 MiB of RAM, committed from 64 KiB
  const DATA = 64; // data frames from here up; tables below
  const VA = 0x400000; // 64 pages mapped through one page table

  function machine() {
    const ram = new PhysicalMemory(FRAMES * PAGE);
    const model = x86_32();
    const mmu = new Mmu(ram, model);
    let nextTable = 2;
    mmu.setRoot(1);
    const map = (va: number, pfn: number, flags = RW) => mapPage(ram, model, 1, va, pfn, flags, () => nextTable++);
    return { ram, mmu, map };
  }

  it('a root or table never committed reads as not present, and the walk commits nothing', () => {
    const { ram, mmu } = machine();
    mmu.setRoot(FRAMES - 1);
    const committed = ram.committedBytes;
    expect(committed).toBeLessThan((FRAMES - 1) * ram.frameSize);
    expect(mmu.load32(VA)).toBe(-FAULT_NOT_PRESENT);
    expect(mmu.translateNoSideEffects(VA, ACCESS_READ, true)).toBe(-FAULT_NOT_PRESENT);
    expect(mmu.faultLevel).toBe(0);
    expect(ram.committedBytes).toBe(committed);
  });

  it('a translation to a frame past the commit commits it when cached; an inspector\'s does not', () => {
    const { ram, mmu, map } = machine();
    map(VA, FRAMES - 2);
    expect(mmu.translateNoSideEffects(VA, ACCESS_READ, true)).toBe((FRAMES - 2) * PAGE);
    expect(ram.committedBytes).toBe(INITIAL_COMMIT_BYTES);
    expect(mmu.load32(VA + 8)).toBe(0);
    expect(ram.committedBytes).toBe(FRAMES * PAGE);
    expect(mmu.store32(VA + 8, 0x12345678)).toBe(0);
    expect(ram.read32((FRAMES - 2) * PAGE + 8)).toBe(0x12345678);
  });

  it('cached translations keep working after someone else grows RAM: loads and stores use the new buffer', () => {
    const { ram, mmu, map } = machine();
    map(VA, 10);
    map(VA + PAGE, 11, RO);
    expect(mmu.store32(VA, 0xcafe)).toBe(0);
    expect(mmu.load32(VA + PAGE)).toBe(0);
    const before = ram.bytes;
    ram.write8(FRAMES * PAGE - 1, 7); // grows to all of RAM
    expect(ram.bytes).not.toBe(before);
    const hits = mmu.tlb.hits;
    expect(mmu.load32(VA)).toBe(0xcafe);
    expect(mmu.store32(VA + 4, 0xbeef)).toBe(0);
    expect(mmu.store16(VA + PAGE - 1, 0x0102)).toBe(-FAULT_PROTECTION); // across into the read-only page: refused whole
    expect(mmu.load8(VA + PAGE)).toBe(0);
    expect(mmu.tlb.hits - hits).toBeGreaterThanOrEqual(3);
    expect(ram.read32(10 * PAGE + 4)).toBe(0xbeef);
    ram.write32(11 * PAGE, 0x99);
    expect(mmu.load32(VA + PAGE)).toBe(0x99);
    expect(mmu.load8(VA + PAGE - 1)).toBe(0);
  });

  it('every frame the TLB caches is committed, and loads agree with a plain byte array (property)', () => {
    const page = fc.integer({ min: 0, max: 63 });
    const frame = fc.oneof(fc.integer({ min: DATA, max: FRAMES - 1 }), fc.integer({ min: DATA, max: DATA + 32 }));
    const offset = fc.integer({ min: 0, max: PAGE / 4 - 1 }).map((w) => w * 4);
    const op = fc.oneof(
      fc.record({ t: fc.constant('map' as const), page, pfn: frame }),
      fc.record({ t: fc.constant('store' as const), page, offset, value: fc.integer({ min: 0, max: 0xffffffff }) }),
      fc.record({ t: fc.constant('load' as const), page, offset }),
      fc.record({ t: fc.constant('raw' as const), pfn: frame, offset, value: fc.integer({ min: 0, max: 0xffffffff }) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 50 }), (ops) => {
        const { ram, mmu, map } = machine();
        const model = new DataView(new ArrayBuffer(FRAMES * PAGE));
        const frameOf = new Int32Array(64).fill(-1);
        for (const o of ops) {
          if (o.t === 'map') {
            map(VA + o.page * PAGE, o.pfn);
            mmu.flushPage(VA + o.page * PAGE);
            frameOf[o.page] = o.pfn;
          } else if (o.t === 'raw') {
            ram.write32(o.pfn * PAGE + o.offset, o.value);
            model.setUint32(o.pfn * PAGE + o.offset, o.value, true);
          } else {
            const va = VA + o.page * PAGE + o.offset;
            const pfn = frameOf[o.page]!;
            if (o.t === 'store') {
              expect(mmu.store32(va, o.value)).toBe(pfn < 0 ? -FAULT_NOT_PRESENT : 0);
              if (pfn >= 0) model.setUint32(pfn * PAGE + o.offset, o.value, true);
            } else {
              expect(mmu.load32(va)).toBe(pfn < 0 ? -FAULT_NOT_PRESENT : model.getUint32(pfn * PAGE + o.offset, true));
            }
          }
          for (const e of mmu.tlb.validEntries()) expect((e.pfn + 1) * PAGE).toBeLessThanOrEqual(ram.committedBytes);
        }
        for (let pfn = DATA; pfn < FRAMES; pfn++) {
          for (let i = 0; i < PAGE; i += 4) {
            if (ram.read32(pfn * PAGE + i) !== model.getUint32(pfn * PAGE + i, true)) expect([pfn, i]).toBe('the same word');
          }
        }
      }),
      { numRuns: 100 },
    );
  }, 60_000);
});
