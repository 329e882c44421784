// One test per branch of the Linux-named fault path, the renamed outcomes in codes, stats and events, the
// child's old/clean entries after fork, and the access-path defects of issue 9 item 10.

import { ACCESS_READ, ACCESS_WRITE, PTE_A, PTE_D, PTE_W, sv32, x86_32, x86_64 } from '@vmsim/hw';
import { describe, expect, it } from 'vitest';
import {
  PG_COW_COPY, PG_COW_REUSE, PG_SHARED_WRITE, PG_SPURIOUS, PG_ZERO_FILL, PG_ZERO_MAP, SEGV_MAPERR, VM_FAULT_SIGBUS,
} from '../codes.js';
import { InvalidArgumentError, InvalidOptionError } from '../errors.js';
import type { KernelEvent } from '../events.js';
import { Kernel } from '../kernel.js';
import { MAP_ANONYMOUS, MAP_SHARED, PROT_READ, PROT_WRITE } from '../mm/vma.js';
import { caught, expectSameSnapshot } from '../testing/assertions.js';

const VA = 0x10000000;
const boot = (model = x86_32()) => new Kernel({ model, ramBytes: 64 * 4096, checkInvariants: true });

function faults(k: Kernel): KernelEvent[] {
  const seen: KernelEvent[] = [];
  k.on((e) => {
    if (e.type === 'fault') seen.push(e);
  });
  return seen;
}

describe('handleMmFault branches, each with its code, counter and event', () => {
  it('spurious: the tables already allow the access (a stale TLB entry): flushed, nothing allocated', () => {
    const k = boot();
    const q = k.spawn();
    k.register(VA);
    const ev = faults(k);
    const data = k.stats().frames.data;
    expect(k.handlePageFault(q.pid, VA, ACCESS_READ)).toBe(PG_SPURIOUS);
    expect(k.stats().frames.data).toBe(data);
    expect(ev.map((e) => e.type === 'fault' && e.resolution)).toEqual(['spurious']);
  });

  it('doAnonymousPage: a read of an unpopulated page maps the zero page (PG_ZERO_MAP), a write zero-fills (PG_ZERO_FILL)', () => {
    const k = boot();
    const p = k.spawn();
    k.register(VA);
    k.register(VA + 0x1000);
    const space = p.space!;
    // Drop the entries register made, as an unpopulated region page would be.
    for (const va of [VA, VA + 0x1000]) {
      space.clearLeaf(space.entryPa(va));
      k.frames.unref(k.zeroPfn);
    }
    k.mmu.tlb.flushAll();
    const ev = faults(k);
    expect(k.handlePageFault(p.pid, VA, ACCESS_READ)).toBe(PG_ZERO_MAP);
    expect(k.translate(VA)!.pfn).toBe(k.zeroPfn);
    expect(k.handlePageFault(p.pid, VA + 0x1000, ACCESS_WRITE)).toBe(PG_ZERO_FILL);
    expect(k.translate(VA + 0x1000)!.pfn).not.toBe(k.zeroPfn);
    expect(ev.map((e) => e.type === 'fault' && e.resolution)).toEqual(['zero-map', 'zero-fill']);
    expect(k.stats().faults).toMatchObject({ zeroMap: 1, zeroFill: 1 });
  });

  it('doWpPage → wpPageCopy from the zero page zero-fills; → wpPageCopy of a shared frame copies; → wpPageReuse keeps the last sharer\'s frame', () => {
    const k = boot();
    const p = k.spawn();
    k.register(VA);
    const ev = faults(k);
    expect(k.handlePageFault(p.pid, VA, ACCESS_WRITE)).toBe(PG_ZERO_FILL);
    const child = k.fork();
    expect(k.handlePageFault(child.pid, VA, ACCESS_WRITE)).toBe(PG_COW_COPY);
    const frame = k.translate(VA, p.pid)!.pfn;
    expect(k.handlePageFault(p.pid, VA, ACCESS_WRITE)).toBe(PG_COW_REUSE);
    expect(k.translate(VA, p.pid)!.pfn).toBe(frame);
    expect(ev.map((e) => e.type === 'fault' && e.resolution)).toEqual(['zero-fill', 'cow-copy', 'cow-reuse']);
    expect(k.stats().faults).toMatchObject({ zeroFill: 1, cowCopy: 1, cowReuse: 1 });
  });

  it('doWpPage → wpPageShared: a read-only entry of a shared mapping becomes writable in place', () => {
    const k = boot();
    const p = k.spawn();
    const space = p.space!;
    space.vmas.insert({ start: VA, end: VA + 0x1000, prot: PROT_READ | PROT_WRITE, flags: MAP_SHARED | MAP_ANONYMOUS });
    expect(k.handlePageFault(p.pid, VA, ACCESS_WRITE)).toBe(PG_ZERO_FILL);
    const leaf = space.leaf(VA);
    space.setLeaf(leaf.entryPa, leaf.pfn, leaf.flags & ~PTE_W);
    const ev = faults(k);
    expect(k.handlePageFault(p.pid, VA, ACCESS_WRITE)).toBe(PG_SHARED_WRITE);
    expect(space.leaf(VA).pfn).toBe(leaf.pfn);
    expect(space.leaf(VA).flags & PTE_W).toBe(PTE_W);
    expect(ev.map((e) => e.type === 'fault' && e.resolution)).toEqual(['shared-write']);
    expect(k.stats().faults.sharedWrite).toBe(1);
  });

  it('a leaf the hardware refuses although the tables were not changed by this kernel is SIGBUS, counted apart from segfaults', () => {
    const k = boot();
    const p = k.spawn();
    k.register(VA);
    k.store(VA, 1, 1);
    const space = p.space!;
    const leaf = space.leaf(VA);
    // A writable entry without the read bit is malformed on RISC-V but here: a user entry without U.
    space.setLeaf(leaf.entryPa, leaf.pfn, leaf.flags & ~(1 << 4));
    const ev = faults(k);
    expect(k.handlePageFault(p.pid, VA, ACCESS_READ)).toBe(VM_FAULT_SIGBUS);
    expect(k.stats().faults).toMatchObject({ sigbus: 1, segfault: 0 });
    expect(ev.map((e) => e.type === 'fault' && e.resolution)).toEqual(['sigbus']);
  });
});

describe('fork: the child\'s entries start old, and clean for shared mappings', () => {
  it('private pages: child A clear (D kept); shared pages: child A and D clear; the parent keeps both', () => {
    const k = boot();
    const p = k.spawn();
    k.register(VA);
    expect(k.store(VA, 4, 7)).toBe(0);
    const space = p.space!;
    space.vmas.insert({ start: VA + 0x1000, end: VA + 0x2000, prot: PROT_READ | PROT_WRITE, flags: MAP_SHARED | MAP_ANONYMOUS });
    expect(k.store(VA + 0x1000, 4, 8)).toBe(0);
    expect(space.leaf(VA).flags & (PTE_A | PTE_D)).toBe(PTE_A | PTE_D);
    const child = k.fork();
    const cs = child.space!;
    expect(cs.leaf(VA).flags & (PTE_A | PTE_D)).toBe(PTE_D);
    expect(cs.leaf(VA + 0x1000).flags & (PTE_A | PTE_D | PTE_W)).toBe(PTE_W);
    expect(space.leaf(VA).flags & (PTE_A | PTE_D)).toBe(PTE_A | PTE_D);
    expect(space.leaf(VA + 0x1000).flags & (PTE_A | PTE_D | PTE_W)).toBe(PTE_A | PTE_D | PTE_W);
  });
});

describe('item 10 defects', () => {
  it.each([x86_32, sv32])('(a) a 4-byte access at 0xfffffffe wraps into page 0 for load and store alike (%o)', (make) => {
    const k = boot(make());
    k.spawn();
    k.register(0xfffff000);
    k.register(0);
    expect(k.store(0xfffffffe, 4, 0x11223344)).toBe(0);
    expect(k.load(0xfffffffe, 4)).toBe(0x11223344);
    expect(k.load(0, 2)).toBe(0x1122);
  });

  it('(a) a wrapping store whose page 0 is not registered is refused before anything changes', () => {
    const k = boot();
    k.spawn();
    k.register(0xfffff000);
    const before = k.snapshot();
    expect(k.store(0xfffffffe, 4, 1)).toBe(SEGV_MAPERR);
    expect(k.load(0xfffffffe, 4)).toBe(SEGV_MAPERR);
    expectSameSnapshot(k.snapshot(), before);
  });

  it('(b)(c) bad values throw InvalidArgumentError before any fault is handled', () => {
    const k = boot();
    k.spawn();
    k.register(VA);
    const before = k.snapshot();
    const bad: [number, unknown][] = [[4, 'abc'], [4, Number.NaN], [4, undefined], [4, 2 ** 53], [4, 7.5], [4, -1], [1, 256], [2, 0x10000], [4, 2 ** 32], [4, 1n], [4, Symbol('x')]];
    for (const [size, value] of bad) {
      expect(InvalidArgumentError.isInstance(caught(() => k.store(VA, size as 4, value as number))), String(value)).toBe(true);
    }
    expect(InvalidArgumentError.isInstance(caught(() => k.store64(VA, 5 as unknown as bigint)))).toBe(true);
    expect(InvalidArgumentError.isInstance(caught(() => k.store64(VA, 'x' as unknown as bigint)))).toBe(true);
    expectSameSnapshot(k.snapshot(), before);
    expect(k.stats().faults.zeroFill).toBe(0);
  });

  it('(d) a bigint or Symbol address on the access path is SEGV_MAPERR with status, never a throw', () => {
    const k = boot();
    k.spawn();
    k.register(VA);
    for (const va of [BigInt(VA), Symbol('va')] as unknown as number[]) {
      expect(k.load(va, 4)).toBe(SEGV_MAPERR);
      expect(k.status).toBe(SEGV_MAPERR);
      expect(k.store(va, 4, 1)).toBe(SEGV_MAPERR);
      expect(k.load64(va)).toBe(0n);
      expect(k.store64(va, 1n)).toBe(SEGV_MAPERR);
    }
    expect(k.stats().faults.segfault).toBe(8);
  });

  it('(e) a model that is neither a HardwareModel nor a known name, and bad tlb options, throw InvalidOptionError', () => {
    for (const options of [{ model: 'x86-65' }, { model: 42 }, { model: null }, { tlb: null }, { tlb: 'abc' }, { tlb: -1 }, { tlb: { entries: -1 } }, { tlb: { ways: 1.5 } }]) {
      const error = caught(() => new Kernel(options as never));
      expect(InvalidOptionError.isInstance(error), JSON.stringify(options)).toBe(true);
      expect((error as Error).message).not.toContain('NaN');
      expect((error as InvalidOptionError).errno).toBe('EINVAL');
      expect((error as Error).name).toBe('InvalidOptionError');
    }
  });

  it('a failed access leaves the machine as it was except Accessed bits the walk set in upper-level entries', () => {
    const k = boot(x86_64());
    const p = k.spawn();
    k.register(VA);
    // Clear A in every upper-level entry on the way to VA, then fault next to it (same tables, no region).
    k.mmu.tlb.flushAll();
    const before = k.snapshot();
    expect(k.load(VA + 0x1000, 4)).toBe(SEGV_MAPERR);
    const after = k.snapshot();
    const tables = new Set(k.pageTables(p.pid).filter((t) => t.level < 3).map((t) => t.pfn));
    for (let i = 0; i < after.ram.length; i++) {
      if (after.ram[i] === before.ram[i]) continue;
      expect(tables.has(Math.floor(i / 4096)), `byte ${i}`).toBe(true);
      expect((after.ram[i]! ^ before.ram[i]!) & ~0x20).toBe(0); // x86's A is bit 5 of the low byte
    }
    expect({ ...after, ram: null, tlb: null }).toEqual({ ...before, ram: null, tlb: null });
  });
});
