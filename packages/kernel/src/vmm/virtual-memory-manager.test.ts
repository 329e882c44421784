import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { VM_FAULT_SIGBUS, SEGV_MAPERR } from '../codes.js';
import { AlreadyMappedError, InvalidAddressError, InvalidArgumentError, OutOfMemoryError } from '../errors.js';
import { Kernel } from '../kernel.js';
import { FRAME_RESERVED } from '../mm/frame-allocator.js';
import { PROT_READ, PROT_WRITE, VM_PFNMAP } from '../mm/vma.js';
import { caught, expectSameSnapshot } from '../testing/assertions.js';
import { ASID_MODELS, MODELS } from '../testing/models.js';
import {
  FrameInUseError, MemoryMapAlignmentError, MemoryMapOverlapError, MemoryMapSizeMismatchError, NOT_ALIGNED_MESSAGE,
  type MemoryArea, type VirtualMemoryMap,
} from './memory-map.js';
import { VirtualMemoryManager } from './virtual-memory-manager.js';

const RW = PROT_READ | PROT_WRITE;
const map = (vmarea: MemoryArea, pmarea: MemoryArea = vmarea, permissions = 0, isShared = false): VirtualMemoryMap => ({ vmarea, pmarea, permissions, isShared });
const area = (start: number, pages: number): MemoryArea => ({ start, end: start + pages * 0x1000 - 1 });

// Seed 004's tests (lines 228–287), one for one; the kernel stands in for the seed's global arch state.
describe.each(MODELS)("seed 004's tests on $name", ({ make }) => {
  const kernel = () => new Kernel({ model: make(), checkInvariants: true });

  it('test_new_virtual_memory_manager', () => {
    const vmm = VirtualMemoryManager.new(kernel());
    expect(vmm.getAsid()).toBe(0);
  });

  it('test_set_and_get_asid', () => {
    const vmm = VirtualMemoryManager.new(kernel());
    vmm.setAsid(42);
    expect(vmm.getAsid()).toBe(42);
  });

  it('test_add_and_get_memory_map', () => {
    const vmm = VirtualMemoryManager.new(kernel());
    const vma = { start: 0x1000, end: 0x1fff };
    vmm.addMemoryMap({ vmarea: vma, pmarea: vma, permissions: 0, isShared: false });
    expect(vmm.getMemoryMap(0)!.vmarea.start).toBe(0x1000);
  });

  it('test_remove_memory_map', () => {
    const vmm = VirtualMemoryManager.new(kernel());
    const vma = { start: 0x1000, end: 0x1fff };
    vmm.addMemoryMap({ vmarea: vma, pmarea: vma, permissions: 0, isShared: false });
    const removed = vmm.removeMemoryMap(0)!;
    expect(removed.vmarea.start).toBe(0x1000);
    expect(vmm.getMemoryMap(0)).toBeNull();
  });

  it('test_search_memory_map', () => {
    const vmm = VirtualMemoryManager.new(kernel());
    const vma1 = { start: 0x1000, end: 0x1fff };
    const vma2 = { start: 0x3000, end: 0x3fff };
    vmm.addMemoryMap({ vmarea: vma1, pmarea: vma1, permissions: 0, isShared: false });
    vmm.addMemoryMap({ vmarea: vma2, pmarea: vma2, permissions: 0, isShared: false });
    expect(vmm.searchMemoryMap(0x3500)!.vmarea.start).toBe(0x3000);
  });

  it('test_get_root_page_table', () => {
    const k = kernel();
    const vmm = VirtualMemoryManager.new(k);
    // alloc_virtual_address_space(): a new address space with its ASID.
    const p = k.spawn();
    const asid = p.space!.asid;
    vmm.setAsid(asid);
    const pageTable = vmm.getRootPageTable();
    expect(pageTable).not.toBeNull();
    expect(pageTable).toBe(p.space!.rootPfn);
  });
});

describe("seed 004's doc example", () => {
  it('{ start: 0x0, end: 0x1000 } is 0x1001 bytes with an inclusive end: refused with the seed’s error', () => {
    const k = new Kernel();
    const vmm = VirtualMemoryManager.new(k);
    vmm.setAsid(42);
    const before = k.snapshot();
    const error = caught(() => vmm.addMemoryMap(map({ start: 0x0, end: 0x1000 }, { start: 0x80000000, end: 0x80001000 })));
    expect(error).toBeInstanceOf(MemoryMapAlignmentError);
    expect((error as Error).message.startsWith(NOT_ALIGNED_MESSAGE)).toBe(true);
    expect((error as Error).message).toContain('0x1001 bytes');
    expect((error as MemoryMapAlignmentError).errno).toBe('EINVAL');
    expectSameSnapshot(k.snapshot(), before);
    expect(vmm.getMemmap()).toEqual([]);
    // The same map with the inclusive end: one page, found at 0x500.
    vmm.addMemoryMap(map({ start: 0x0, end: 0xfff }, { start: 0x80000, end: 0x80fff }));
    expect(vmm.searchMemoryMap(0x500)!.vmarea.start).toBe(0);
    expect(vmm.translateVaddr(0x500)).toBe(0x80500);
    expect(vmm.translateVaddr(0x1000)).toBeNull();
  });
});

describe.each(ASID_MODELS)('memory maps are real on $name', ({ make }) => {
  function setup() {
    const k = new Kernel({ model: make(), checkInvariants: true });
    const p = k.spawn();
    const vmm = k.virtualMemoryManager();
    vmm.setAsid(p.space!.asid);
    return { k, p, vmm };
  }

  it('adding enters a device/linear region and its pages; accesses reach the named frames; removing undoes it all', () => {
    const { k, p, vmm } = setup();
    const free = k.frames.freeCount;
    const tables = p.space!.tables;
    k.ram.write32(0x100004, 0xfeedf00d);
    vmm.addMemoryMap(map(area(0x40000000, 4), area(0x100000, 4), RW));
    expect(vmm.pid).toBe(p.pid);
    expect(k.regions()).toEqual([{ start: 0x40000000, end: 0x40004000, prot: RW, flags: 1 | VM_PFNMAP }]);
    expect(k.maps()).toMatchObject([{ start: 0x40000000, end: 0x40004000, perms: 'rw-p', type: 'device' }]);
    for (let pfn = 0x100; pfn < 0x104; pfn++) expect(k.frames.kindOf(pfn)).toBe(FRAME_RESERVED);
    expect(k.translate(0x40000004)!.pa).toBe(0x100004);
    expect(k.load(0x40000004, 4)).toBe(0xfeedf00d);
    expect(k.store(0x40003ffc, 4, 0x1234)).toBe(0);
    expect(k.ram.read32(0x103ffc)).toBe(0x1234);
    expect(k.frames.freeCount).toBe(free - 4 - (p.space!.tables - tables));
    vmm.removeMemoryMap(0);
    expect(k.regions()).toEqual([]);
    expect(k.translate(0x40000004)).toBeNull();
    // The TLB entry went with it: the access is a segfault, not a stale hit.
    expect(k.load(0x40000004, 4)).toBe(SEGV_MAPERR);
    expect(p.space!.tables).toBe(tables);
    expect(k.frames.freeCount).toBe(free);
  });

  it('a physical area beyond RAM is device memory: accesses fault as a bus error', () => {
    const { k, vmm } = setup();
    const beyond = k.ram.size;
    vmm.addMemoryMap(map(area(0x2000, 2), area(beyond, 2), RW, true));
    expect(vmm.translateVaddr(0x2010)).toBe(beyond + 0x10);
    expect(k.translate(0x2010)!.pa).toBe(beyond + 0x10);
    expect(k.load(0x2010, 4)).toBe(VM_FAULT_SIGBUS);
    expect(k.stats().faults.sigbus).toBe(1);
    expect(k.mappings().map((m) => m.refCount)).toEqual([0, 0]);
    vmm.removeAllMemoryMaps();
    expect(k.mappings()).toEqual([]);
  });

  it('reserved frames are never handed out, survive the exit of the process, and return when the map goes', () => {
    const { k, p, vmm } = setup();
    vmm.addMemoryMap(map(area(0x10000, 8), area(0x20000, 8), PROT_READ));
    for (let i = 0; i < 64; i++) {
      k.register(0x800000 + i * 0x1000);
      k.store(0x800000 + i * 0x1000, 4, i);
    }
    for (const m of k.mappings()) if (m.va >= 0x800000) expect(m.pfn < 0x20 || m.pfn >= 0x28).toBe(true);
    const child = k.fork();
    expect(k.regions(child.pid).some((r) => (r.flags & VM_PFNMAP) !== 0)).toBe(false);
    k.kill(child.pid);
    k.kill(p.pid);
    for (let pfn = 0x20; pfn < 0x28; pfn++) expect(k.frames.kindOf(pfn)).toBe(FRAME_RESERVED);
    expect(vmm.pid).toBeNull();
    expect(vmm.getRootPageTable()).toBeNull();
    expect(vmm.translateVaddr(0x10008)).toBe(0x20008);
    vmm.removeMemoryMap(0);
    expect(k.frames.freeCount).toBe(k.frames.total - 1);
  });

  it('refuses overlaps, size mismatches, frames in use, taken regions and out-of-range areas, changing nothing', () => {
    const { k, vmm } = setup();
    vmm.addMemoryMap(map(area(0x10000, 4), area(0x200000, 4), RW));
    k.register(0x30000);
    const before = k.snapshot();
    const cases: [VirtualMemoryMap, new (...a: never[]) => Error, RegExp][] = [
      [map(area(0x13000, 2), area(0x300000, 2), RW), MemoryMapOverlapError, /memory map 0x13000..=0x14fff overlaps memory map 0 \(0x10000..=0x13fff\): a virtual page has one translation/],
      [map(area(0x20000, 2), area(0x300000, 3), RW), MemoryMapSizeMismatchError, /virtual 0x20000..=0x21fff is 0x2000 bytes, physical 0x300000..=0x302fff is 0x3000 bytes/],
      [map(area(0x20000, 1), area(0x201000, 1), RW), FrameInUseError, /frame 513 is in use \(reserved frame\)/],
      [map(area(0x20000, 1), area(0x1000, 1), RW), FrameInUseError, /frame 1 is in use \(table frame\)/],
      [map(area(0x2f000, 2), area(0x300000, 2), RW), AlreadyMappedError, /address 0x30000 is already mapped/],
      [map(area(0x20001, 1), area(0x300000, 1), RW), MemoryMapAlignmentError, /^Address or size is not aligned to PAGE_SIZE/],
      [map({ start: 0x20000, end: 0x20fff }, { start: 0x300000, end: 0x300ffe }, RW), MemoryMapAlignmentError, /not aligned/],
      [map(area(k.model.signExtendedVa ? 2 ** (k.model.vaBits - 1) : 2 ** 32, 1), area(0x300000, 1), RW), InvalidAddressError, /invalid address/],
      [{ ...map(area(0x20000, 1)), permissions: 8 }, InvalidArgumentError, /permissions/],
      [{ ...map(area(0x20000, 1)), isShared: 1 as unknown as boolean }, InvalidArgumentError, /isShared/],
      [map({ start: 0x21000, end: 0x20000 }), InvalidArgumentError, /before start/],
    ];
    for (const [m, cls, message] of cases) {
      const error = caught(() => vmm.addMemoryMap(m));
      expect(error, message.source).toBeInstanceOf(cls);
      expect((error as Error).message).toMatch(message);
    }
    // restore is all or nothing.
    expect(caught(() => vmm.restoreMemoryMaps([map(area(0x50000, 1), area(0x400000, 1), RW), map(area(0x50000, 1), area(0x401000, 1), RW)]))).toBeInstanceOf(MemoryMapOverlapError);
    expectSameSnapshot(k.snapshot(), before);
    expect(vmm.getMemmap().length).toBe(1);
  });

  it('runs out of memory for the tables with nothing changed', () => {
    const k = new Kernel({ model: make(), ramBytes: 16 * 4096, checkInvariants: true });
    const p = k.spawn();
    const vmm = k.virtualMemoryManager();
    vmm.setAsid(p.space!.asid);
    k.register(0x1000);
    while (k.frames.freeCount > 0) k.createPageTable();
    const before = k.snapshot();
    expect(caught(() => vmm.addMemoryMap(map(area(0x40000000, 1), area(0x10000000, 1), RW)))).toBeInstanceOf(OutOfMemoryError);
    expectSameSnapshot(k.snapshot(), before);
  });

  it('remove_all and restore round-trip the list and the tables', () => {
    const { k, vmm } = setup();
    const maps = [map(area(0x10000, 2), area(0x200000, 2), RW), map(area(0x400000, 1), area(0x300000, 1), PROT_READ, true)];
    vmm.restoreMemoryMaps(maps);
    const mappings = k.mappings();
    const removed = vmm.removeAllMemoryMaps();
    expect(removed).toEqual(maps);
    expect(k.mappings()).toEqual([]);
    vmm.restoreMemoryMaps(removed);
    expect(k.mappings()).toEqual(mappings);
    expect(vmm.searchMemoryMapIdx(0x400fff)).toBe(1);
    expect(vmm.searchMemoryMapIdx(0x401000)).toBeNull();
  });

  it('memory maps = page tables: translate_vaddr (by the list) and the tables agree (property)', () => {
    const k = new Kernel({ model: make(), checkInvariants: false });
    const p = k.spawn();
    const vmm = k.virtualMemoryManager();
    vmm.setAsid(p.space!.asid);
    const ramPages = k.ram.size / 4096;
    const op = fc.record({
      remove: fc.boolean(),
      idx: fc.nat(7),
      vpage: fc.integer({ min: 0, max: 255 }),
      pages: fc.integer({ min: 1, max: 8 }),
      ppage: fc.integer({ min: 64, max: ramPages + 64 }),
      perm: fc.constantFrom(PROT_READ, RW),
    });
    fc.assert(fc.property(fc.array(op, { maxLength: 20 }), fc.array(fc.integer({ min: 0, max: 264 * 4096 }), { maxLength: 30 }), (ops, probes) => {
      for (const o of ops) {
        if (o.remove) {
          vmm.removeMemoryMap(o.idx);
          continue;
        }
        try {
          vmm.addMemoryMap(map(area(0x1000000 + o.vpage * 4096, o.pages), area(o.ppage * 4096, o.pages), o.perm));
        } catch (error) {
          const known = [MemoryMapOverlapError, FrameInUseError].some((c) => error instanceof c);
          expect(known, String(error)).toBe(true);
        }
      }
      for (const probe of probes) {
        const va = 0x1000000 + probe;
        const pa = vmm.translateVaddr(va);
        expect(k.translate(va)?.pa ?? null).toBe(pa);
        // And the MMU's own access (TLB included, so a stale entry would show): the byte at pa, a bus error
        // beyond RAM, a segfault outside every map.
        if (pa === null) expect(k.load(va, 1)).toBe(SEGV_MAPERR);
        else if (pa >= k.ram.size) expect(k.load(va, 1)).toBe(VM_FAULT_SIGBUS);
        else {
          k.ram.write8(pa, probe & 0xff);
          expect(k.load(va, 1)).toBe(probe & 0xff);
        }
      }
      k.checkInvariants();
      vmm.removeAllMemoryMaps();
      expect(k.mappings()).toEqual([]);
      expect(p.space!.tables).toBe(1);
    }), { numRuns: 40 });
  });
});

describe('setAsid moves the maps to the space the ASID names', () => {
  it.each(ASID_MODELS.filter((m) => m.make().asidBits > 0))('on $name', ({ make }) => {
    const k = new Kernel({ model: make(), checkInvariants: true });
    const a = k.spawn();
    const b = k.spawn();
    k.switchTo(b.pid);
    const vmm = k.virtualMemoryManager();
    vmm.setAsid(a.space!.asid);
    vmm.addMemoryMap(map(area(0x5000, 1), area(0x100000, 1), RW));
    expect(k.translate(0x5000, a.pid)!.pa).toBe(0x100000);
    vmm.setAsid(b.space!.asid);
    expect(vmm.pid).toBe(b.pid);
    expect(k.translate(0x5000, a.pid)).toBeNull();
    expect(k.regions(a.pid)).toEqual([]);
    expect(k.load(0x5000, 1)).toBe(0);
    expect(vmm.getRootPageTable()).toBe(b.space!.rootPfn);
    vmm.setAsid(2 ** k.model.asidBits - 1);
    expect(vmm.pid).toBeNull();
    expect(vmm.getRootPageTable()).toBeNull();
    expect(k.regions(b.pid)).toEqual([]);
    expect(caught(() => vmm.setAsid(2 ** k.model.asidBits))).toBeInstanceOf(InvalidArgumentError);
  });
});
