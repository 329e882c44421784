import { MODELS } from '@vmsim/hw/testing';
import { describe, expect, it } from 'vitest';
import { DataType } from './data-type.js';
import { MemoryManager, MmapFlags, ProtectionFlags } from './memory-manager.js';
import { Simulator } from './simulator.js';
import { ValueType } from './value-type.js';

const PAGE = 4096;

function setup(model: string): { sim: Simulator; mm: MemoryManager } {
  const sim = Simulator.begin(false, { model: model as 'x86-32', frames: 256, output: () => {} });
  return { sim, mm: new MemoryManager(sim) };
}

function ok<T>(r: { ok: true; value: T } | { ok: false; error: { message: string } }): T {
  if (!r.ok) throw new Error(`expected success: ${r.error.message}`);
  return r.value;
}

describe.each(MODELS)('MemoryManager (seed 003) on $name', ({ make }) => {
  const name = make().name;

  it('4 KB anonymous private map, write 42, unmap', () => {
    const { mm } = setup(name);
    const ptr = ok(mm.mmap(0, 4096, ProtectionFlags.READ_WRITE, MmapFlags.anonymousPrivate()));
    expect(ptr).toBe(0x8000_0000 - PAGE);
    ok(mm.write(ptr, ValueType.UnsignedInt8(42)));
    expect(ok(mm.read(ptr, DataType.UnsignedInt8)).getValue()).toBe(42);
    ok(mm.munmap(ptr, 4096));
    mm.signals = 'catch';
    const r = mm.read(ptr, DataType.UnsignedInt8);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error).toMatchObject({ kind: 'InvalidAddress', cause: { signal: 'SIGSEGV', code: 'SEGV_MAPERR' } });
  });

  it('mprotect read-only: a write is SIGSEGV SEGV_ACCERR, whose default action terminates the process', () => {
    const { sim, mm } = setup(name);
    const addr = ok(mm.mmap(0, 4096, ProtectionFlags.READ_WRITE, MmapFlags.anonymousPrivate()));
    ok(mm.mprotect(addr, 4096, ProtectionFlags.READ));
    expect(mm.maps()[0]!.perms).toBe('r--p');
    const r = mm.write(addr, ValueType.UnsignedInt32(1));
    expect(!r.ok && r.error).toMatchObject({ kind: 'PermissionDenied', cause: { code: 'SEGV_ACCERR' } });
    expect(sim.pid).toBeUndefined();
  });

  it('brk query and extend by 8 KB; sbrk +8192 then −4096; a refused brk is OutOfMemory (ENOMEM)', () => {
    const { mm } = setup(name);
    const current = ok(mm.brk(0));
    expect(current).toBe(0x1000_0000);
    expect(ok(mm.brk(current + 8192))).toBe(current + 8192);
    expect(ok(mm.sbrk(8192))).toBe(current + 8192);
    expect(ok(mm.sbrk(-4096))).toBe(current + 16384);
    expect(ok(mm.brk(0))).toBe(current + 12288);
    expect(mm.lines()[0]).toMatch(/^10000000-10003000 rw-p 00000000 00:00 0 +\[heap\]$/);
    ok(mm.mmap(current + 0x10000, PAGE, ProtectionFlags.READ, MmapFlags.anonymousPrivate().withFixed()));
    const r = mm.brk(current + 0x10000);
    expect(!r.ok && r.error).toMatchObject({ kind: 'OutOfMemory', errno: 'ENOMEM' });
    expect(mm.sbrk(-0x2000_0000).ok).toBe(false);
  });

  it('a 1 MB stack for a thread; errors carry seed 003 kinds and errno; stats', () => {
    const { mm } = setup(name);
    const stack = ok(mm.mmap(0, 1024 * 1024, ProtectionFlags.READ_WRITE, MmapFlags.anonymousPrivate()));
    ok(mm.write(stack + 1024 * 1024 - 8, ValueType.UnsignedInt(7n)));
    expect(ok(mm.read(stack + 1024 * 1024 - 8, DataType.UnsignedInt)).getValue()).toBe(7n);
    expect(mm.stats()).toMatchObject({ totalAllocated: 1024 * 1024, regionCount: 1, mappedPages: 1, process: { rss: 1, private: 1 } });
    const cases: [() => { ok: boolean }, string, string][] = [
      [() => mm.mmap(0, 0, 3, MmapFlags.anonymousPrivate()), 'InvalidSize', 'EINVAL'],
      [() => mm.munmap(stack + 1, PAGE), 'NotAligned', 'EINVAL'],
      [() => mm.mmap(stack, PAGE, 3, MmapFlags.anonymousPrivate().withFixedNoReplace()), 'AlreadyMapped', 'EEXIST'],
      [() => mm.mprotect(0x20000, PAGE, 1), 'RegionNotFound', 'ENOMEM'],
      [() => mm.mmap(0, 2 ** 30, 3, MmapFlags.anonymousPrivate()), 'OutOfMemory', 'ENOMEM'],
      [() => mm.mmap(0x1000, PAGE, 3, MmapFlags.anonymousShared().withFixed()), 'PermissionDenied', 'EPERM'],
    ];
    for (const [call, kind, errno] of cases) {
      const r = call() as { ok: false; error: { kind: string; errno: string } };
      expect(r.ok).toBe(false);
      expect(r.error).toMatchObject({ kind, errno });
    }
  });
});
