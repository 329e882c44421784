// File-backed mappings on every model: mmapFile's checks, the page cache shared by MAP_SHARED mappers and
// read(2)/write(2), MAP_PRIVATE copy on write, SIGBUS past the file's last page, write-back by the D bit
// (msync, munmap, exit), truncation and unlink while mapped, fork.
// Linux values (a C program on this machine, Linux 6.18): mmap of fd −1 → EBADF but an unaligned offset is
// EINVAL first; length 0 or no MAP_PRIVATE/MAP_SHARED → EINVAL (after the fd check); MAP_SHARED + PROT_WRITE
// on O_RDONLY → EACCES; any mapping of O_WRONLY (even PROT_NONE private) → EACCES; MAP_PRIVATE + PROT_WRITE
// on O_RDONLY is allowed; a mapping far past the end succeeds. With a 6000-byte file mapped over three pages:
// byte 6000 reads 0, page 2 is SIGBUS; after a write at 6000 and ftruncate to 7000, byte 6000 reads 0 (the
// tail was zeroed); after ftruncate to 100, page 1 is SIGBUS and byte 200 of page 0 reads 0. A private page
// not yet written sees a later write(2); a written one does not.

import { ACCESS_READ, ACCESS_WRITE, PTE_D, PTE_W } from '@vmsim/hw';
import { describe, expect, it } from 'vitest';
import { PG_FILE_MAP, SEGV_MAPERR, VM_FAULT_SIGBUS } from '../codes.js';
import type { Kernel } from '../kernel.js';
import { MAP_ANONYMOUS, MAP_PRIVATE, MAP_SHARED, PROT_NONE, PROT_READ, PROT_WRITE } from '../mm/vma.js';
import { caught, expectSameSnapshot } from '../testing/assertions.js';
import { mmapAt, munmapRange } from '../testing/file-helpers.js';
import { boot, PAGE, pfnOf, processStats, VA } from '../testing/kernel-helpers.js';
import { MODELS } from '../testing/models.js';
import { O_RDONLY, O_RDWR, O_WRONLY } from './file-store.js';

const RW = PROT_READ | PROT_WRITE;
/** A second mapping address, in another last-level table on every model. */
const VB = VA + 0x800000;

/** A file of `pages` pages, byte i of page p holding (p * 16 + i) & 0xff … simply: page p filled with p + 1. */
function pagesOf(n: number, extra = 0): Uint8Array {
  const out = new Uint8Array(n * PAGE + extra);
  for (let i = 0; i < out.length; i++) out[i] = Math.floor(i / PAGE) + 1;
  return out;
}

function setup(makeModel: () => ReturnType<typeof MODELS[number]['make']>, content = pagesOf(3)): { k: Kernel; pid: number } {
  const k = boot(makeModel);
  const pid = k.spawn().pid;
  k.createFile('f', content);
  return { k, pid };
}

describe.each(MODELS)('file mappings on $name', ({ make }) => {
  it('mmapFile checks in Linux order and changes nothing when it refuses', () => {
    const { k, pid } = setup(make);
    const ro = k.open('f', O_RDONLY);
    const wo = k.open('f', O_WRONLY);
    const rw = k.open('f', O_RDWR);
    const before = k.snapshot();
    const cases: [() => unknown, string, string][] = [
      [() => mmapAt(k, pid, VA, PAGE, PROT_READ, MAP_SHARED, -1, 1), 'EINVAL', 'NotAlignedError'],
      [() => mmapAt(k, pid, VA, PAGE, PROT_READ, MAP_SHARED, -1, 0), 'EBADF', 'BadFileDescriptorError'],
      [() => mmapAt(k, pid, VA, 0, PROT_READ, MAP_SHARED, -1, 0), 'EBADF', 'BadFileDescriptorError'],
      [() => mmapAt(k, pid, VA, 0, PROT_READ, MAP_SHARED, rw, 0), 'EINVAL', 'InvalidSizeError'],
      [() => mmapAt(k, pid, VA, PAGE, PROT_READ, 0, rw, 0), 'EINVAL', 'InvalidArgumentError'],
      [() => mmapAt(k, pid, VA, PAGE, PROT_READ, MAP_SHARED | MAP_PRIVATE, rw, 0), 'EINVAL', 'InvalidArgumentError'],
      [() => mmapAt(k, pid, VA, PAGE, RW, MAP_SHARED, ro, 0), 'EACCES', 'FileAccessError'],
      [() => mmapAt(k, pid, VA, PAGE, PROT_READ, MAP_SHARED, wo, 0), 'EACCES', 'FileAccessError'],
      [() => mmapAt(k, pid, VA, PAGE, PROT_NONE, MAP_PRIVATE, wo, 0), 'EACCES', 'FileAccessError'],
      [() => mmapAt(k, pid, VA + 1, PAGE, PROT_READ, MAP_PRIVATE, ro, 0), 'EINVAL', 'NotAlignedError'],
      [() => mmapAt(k, pid, VA, PAGE, PROT_READ, MAP_PRIVATE, 99, 0), 'EBADF', 'BadFileDescriptorError'],
    ];
    for (const [op, errno, name] of cases) expect(caught(op)).toMatchObject({ errno, name });
    expectSameSnapshot(k.snapshot(), before);
    // MAP_ANONYMOUS with a descriptor is anonymous memory (the descriptor is ignored, as Linux does): not a file
    // mapping. Allowed: a private writable mapping of a read-only descriptor; a mapping far past the end of the file.
    expect(mmapAt(k, pid, VA, PAGE, RW, MAP_PRIVATE, ro, 0)).toBe(VA);
    expect(mmapAt(k, pid, VB, PAGE, PROT_READ, MAP_SHARED, ro, 1024 * PAGE)).toBe(VB);
    expect(caught(() => mmapAt(k, pid, VA, PAGE, PROT_READ, MAP_SHARED, ro, 0))).toMatchObject({ errno: 'EEXIST' });
    const regions = k.regions();
    expect(regions.map(({ start, end, prot, flags, pgoff, mayWrite }) => ({ start, end, prot, flags, pgoff, mayWrite }))).toEqual([
      { start: VA, end: VA + PAGE, prot: RW, flags: MAP_PRIVATE, pgoff: 0, mayWrite: true },
      { start: VB, end: VB + PAGE, prot: PROT_READ, flags: MAP_SHARED, pgoff: 1024, mayWrite: false },
    ]);
    expect(regions.every((r) => r.file !== undefined && r.file.name === 'f')).toBe(true);
    expect(k.mappings()).toEqual([]); // nothing is mapped before a fault
  });

  it('MAP_SHARED: one cached frame for every mapper; writes show in the other mappings and in read(2)', () => {
    const { k, pid } = setup(make);
    const fd = k.open('f', O_RDWR);
    mmapAt(k, pid, VA, 3 * PAGE, RW, MAP_SHARED, fd);
    mmapAt(k, pid, VB, 2 * PAGE, PROT_READ, MAP_SHARED, fd, PAGE); // file pages 1 and 2
    const other = k.spawn().pid;
    const fd2 = k.open('f', O_RDONLY, other);
    mmapAt(k, other, VA, 3 * PAGE, PROT_READ, MAP_SHARED, fd2);
    expect(k.load(VA + PAGE, 1)).toBe(2);
    expect(k.stats().faults.fileMap).toBe(1);
    expect(k.store(VA + PAGE + 8, 4, 0xdeadbeef)).toBe(0);
    expect(k.load(VB + 8, 4)).toBe(0xdeadbeef);
    expect(pfnOf(k, VB, pid)).toBe(pfnOf(k, VA + PAGE, pid));
    expect(Array.from(k.readFile('f', PAGE + 8, 4))).toEqual([0xef, 0xbe, 0xad, 0xde]);
    k.switchTo(other);
    expect(k.load(VA + PAGE + 8, 4)).toBe(0xdeadbeef);
    expect(pfnOf(k, VA + PAGE, other)).toBe(pfnOf(k, VB, pid));
    expect(k.files()[0]!.cachedPages).toBe(1);
    // write(2) reaches every mapping of the cached page at once.
    k.writeFile('f', PAGE + 8, new Uint8Array([1, 2, 3, 4]));
    expect(k.load(VA + PAGE + 8, 4)).toBe(0x04030201);
    // The cache's reference does not make a singly mapped page "shared" in the statistics.
    expect(processStats(k, other)).toMatchObject({ resident: 1, shared: 1 });
    k.kill(pid);
    expect(processStats(k, other)).toMatchObject({ resident: 1, shared: 0 });
  });

  it('MAP_SHARED write sets the D bit and is not on disk before write-back; msync writes it and cleans the entry', () => {
    const { k, pid } = setup(make);
    const fd = k.open('f', O_RDWR);
    mmapAt(k, pid, VA, 3 * PAGE, RW, MAP_SHARED, fd);
    expect(k.load(VA, 1)).toBe(1);
    expect(k.translate(VA)!.flags & (PTE_W | PTE_D)).toBe(PTE_W); // writable, clean
    k.store(VA + 100, 1, 0xaa);
    expect(k.translate(VA)!.flags & PTE_D).toBe(PTE_D);
    expect(k.fileDisk('f')[100]).toBe(1);
    expect(k.readFile('f', 100, 1)[0]).toBe(0xaa);
    expect(caught(() => k.msync(VA + 1, PAGE))).toMatchObject({ errno: 'EINVAL' });
    expect(caught(() => k.msync(VA, 4 * PAGE))).toMatchObject({ errno: 'ENOMEM', name: 'UnmappedRangeError', va: VA + 3 * PAGE });
    expect(k.fileDisk('f')[100]).toBe(1);
    k.msync(VA, 3 * PAGE);
    expect(k.fileDisk('f')[100]).toBe(0xaa);
    expect(k.translate(VA)!.flags & PTE_D).toBe(0);
    // The next write walks again (the TLB entry was flushed) and sets D again.
    k.store(VA + 101, 1, 0xbb);
    expect(k.translate(VA)!.flags & PTE_D).toBe(PTE_D);
    expect(k.fileDisk('f')[101]).toBe(1);
    k.msync(VA, 1);
    expect(k.fileDisk('f')[101]).toBe(0xbb);
    expect(k.msync(VA, 0)).toBeUndefined();
  });

  it('msync writes a page dirtied through another process\'s mapping (the D bit of every entry)', () => {
    const { k, pid } = setup(make);
    const fd = k.open('f', O_RDWR);
    mmapAt(k, pid, VA, PAGE, PROT_READ, MAP_SHARED, fd);
    const writer = k.spawn().pid;
    const wfd = k.open('f', O_RDWR, writer);
    mmapAt(k, writer, VB, PAGE, RW, MAP_SHARED, wfd);
    k.switchTo(writer);
    k.store(VB, 4, 0x11223344);
    k.switchTo(pid);
    expect(k.load(VA, 4)).toBe(0x11223344);
    k.msync(VA, PAGE);
    expect(Array.from(k.fileDisk('f').subarray(0, 4))).toEqual([0x44, 0x33, 0x22, 0x11]);
    expect(k.translate(VB, writer)!.flags & PTE_D).toBe(0);
  });

  it('MAP_PRIVATE: reads map the cached frame read-only; a write copies (invisible to the file and other mappers)', () => {
    const { k, pid } = setup(make);
    const fd = k.open('f', O_RDWR);
    mmapAt(k, pid, VA, 3 * PAGE, RW, MAP_PRIVATE, fd);
    mmapAt(k, pid, VB, 3 * PAGE, RW, MAP_SHARED, fd);
    expect(k.load(VA, 1)).toBe(1);
    expect(k.load(VB, 1)).toBe(1);
    const cached = pfnOf(k, VB, pid);
    expect(pfnOf(k, VA, pid)).toBe(cached);
    expect(k.translate(VA)!.flags & PTE_W).toBe(0);
    // A private page not yet written sees write(2) and shared writes.
    k.store(VB, 1, 0x55);
    expect(k.load(VA, 1)).toBe(0x55);
    k.store(VA, 1, 0x66); // copy on write
    expect(pfnOf(k, VA, pid)).not.toBe(cached);
    expect(k.load(VA, 1)).toBe(0x66);
    expect(k.load(VB, 1)).toBe(0x55);
    expect(k.readFile('f', 0, 1)[0]).toBe(0x55);
    k.writeFile('f', 1, new Uint8Array([0x77]));
    expect(k.load(VA + 1, 1)).toBe(1); // the copy no longer follows the file
    expect(k.stats().faults).toMatchObject({ fileMap: 2, cowCopy: 1, fileCopy: 0 });
    // A first touch that writes copies the file's page straight away (do_cow_fault), no cache page needed.
    k.store(VA + PAGE + 4, 1, 0x99);
    expect(k.stats().faults.fileCopy).toBe(1);
    expect(k.load(VA + PAGE, 1)).toBe(2);
    expect(k.readFile('f', PAGE + 4, 1)[0]).toBe(2);
    expect(k.files()[0]!.cachedPages).toBe(1);
    k.msync(VA, 3 * PAGE);
    expect(k.fileDisk('f')[PAGE + 4]).toBe(2);
  });

  it('the offset selects the file page; a region split keeps each piece\'s page offset', () => {
    const { k, pid } = setup(make, pagesOf(4));
    const fd = k.open('f', O_RDWR);
    mmapAt(k, pid, VA, 3 * PAGE, RW, MAP_SHARED, fd, PAGE);
    expect([0, 1, 2].map((i) => k.load(VA + i * PAGE, 1))).toEqual([2, 3, 4]);
    munmapRange(k, pid, VA, PAGE);
    expect(k.regions().map(({ start, end, pgoff }) => ({ start, end, pgoff }))).toEqual([{ start: VA + PAGE, end: VA + 3 * PAGE, pgoff: 2 }]);
    expect(k.load(VA, 1)).toBe(SEGV_MAPERR);
    expect(k.load(VA + 2 * PAGE, 1)).toBe(4);
    // Mapping the hole again with the contiguous offset merges the pieces back.
    mmapAt(k, pid, VA, PAGE, RW, MAP_SHARED, fd, PAGE);
    expect(k.regions().map(({ start, end, pgoff }) => ({ start, end, pgoff }))).toEqual([{ start: VA, end: VA + 3 * PAGE, pgoff: 1 }]);
    // A different offset does not merge.
    munmapRange(k, pid, VA, PAGE);
    mmapAt(k, pid, VA, PAGE, RW, MAP_SHARED, fd, 0);
    expect(k.regions()).toHaveLength(2);
    expect(k.load(VA, 1)).toBe(1);
  });

  it('SIGBUS past the last page; bytes past the end in the last page read 0 and never reach the file', () => {
    const { k, pid } = setup(make, pagesOf(1, 6000 - PAGE)); // 6000 bytes: pages 0 and 1 (partial)
    const fd = k.open('f', O_RDWR);
    mmapAt(k, pid, VA, 3 * PAGE, RW, MAP_SHARED, fd);
    expect(k.load(VA + 6000, 1)).toBe(0);
    expect(k.load(VA + 5999, 1)).toBe(2);
    expect(k.load(VA + 2 * PAGE, 1)).toBe(VM_FAULT_SIGBUS);
    expect(k.store(VA + 2 * PAGE, 1, 1)).toBe(VM_FAULT_SIGBUS);
    expect(k.handlePageFault(pid, VA + 2 * PAGE + 5, ACCESS_READ)).toBe(VM_FAULT_SIGBUS);
    expect(k.stats().faults.sigbus).toBe(3);
    expect(k.translate(VA + 2 * PAGE)).toBeNull();
    k.store(VA + 6000, 1, 0x7a);
    k.msync(VA, 3 * PAGE);
    expect(k.fileDisk('f').length).toBe(6000);
    expect(k.readFile('f', 0, 10000).length).toBe(6000);
    // Extending the file zeroes the tail of the cached last page (Linux: byte 6000 reads 0 after ftruncate 7000).
    k.truncate(fd, 7000);
    expect(k.load(VA + 6000, 1)).toBe(0);
    expect(k.readFile('f', 6000, 1)[0]).toBe(0);
    // A private mapping is SIGBUS past the end as well, for writes too.
    mmapAt(k, pid, VB, 3 * PAGE, RW, MAP_PRIVATE, fd);
    expect(k.store(VB + 2 * PAGE, 1, 1)).toBe(VM_FAULT_SIGBUS);
    expect(k.handlePageFault(pid, VB + 2 * PAGE, ACCESS_WRITE)).toBe(VM_FAULT_SIGBUS);
    expect(caught(() => k.write(VB + 2 * PAGE, new Uint8Array([1])))).toMatchObject({ name: 'BeyondEndOfFileError', errno: 'EFAULT' });
  });

  it('truncate: pages past the new end leave every mapping (SIGBUS) and the cache; the kept page\'s tail reads 0', () => {
    const { k, pid } = setup(make);
    const fd = k.open('f', O_RDWR);
    mmapAt(k, pid, VA, 3 * PAGE, RW, MAP_SHARED, fd);
    mmapAt(k, pid, VB, 3 * PAGE, RW, MAP_PRIVATE, fd);
    for (let i = 0; i < 3; i++) k.load(VA + i * PAGE, 1);
    k.store(VB + 2 * PAGE, 1, 9); // a private copy of page 2: truncation removes it too (even_cows)
    const free = k.frames.freeCount;
    k.truncate('f', 100);
    expect(k.frames.freeCount).toBe(free + 3); // cached pages 1 and 2, the private copy
    expect(k.load(VA + PAGE, 1)).toBe(VM_FAULT_SIGBUS);
    expect(k.load(VB + 2 * PAGE, 1)).toBe(VM_FAULT_SIGBUS);
    expect(k.load(VA + 99, 1)).toBe(1);
    expect(k.load(VA + 200, 1)).toBe(0);
    expect(k.files()[0]).toMatchObject({ size: 100, cachedPages: 1 });
    k.truncate('f', 0);
    expect(k.load(VA, 1)).toBe(VM_FAULT_SIGBUS);
    expect(k.files()[0]!.cachedPages).toBe(0);
  });

  it('munmap writes the dirty pages back and frees cache pages no mapping holds', () => {
    const { k, pid } = setup(make);
    const fd = k.open('f', O_RDWR);
    const free = k.frames.freeCount;
    mmapAt(k, pid, VA, 3 * PAGE, RW, MAP_SHARED, fd);
    k.register(VA + 8 * PAGE); // keeps the page tables under a region
    k.store(VA, 4, 0x01020304);
    k.load(VA + PAGE, 1);
    munmapRange(k, pid, VA, 3 * PAGE);
    expect(Array.from(k.fileDisk('f').subarray(0, 4))).toEqual([4, 3, 2, 1]);
    expect(k.files()[0]!.cachedPages).toBe(0);
    expect(k.frames.freeCount).toBe(free - (k.pageTables().length - 1));
  });

  it('exit writes the dirty pages back, closes the descriptors and frees the cache', () => {
    const { k, pid } = setup(make);
    const free = k.frames.freeCount;
    const fd = k.open('f', O_RDWR);
    mmapAt(k, pid, VA, 3 * PAGE, RW, MAP_SHARED, fd);
    k.store(VA + 2 * PAGE, 2, 0xbeef);
    k.kill(pid);
    expect(Array.from(k.fileDisk('f').subarray(2 * PAGE, 2 * PAGE + 2))).toEqual([0xef, 0xbe]);
    expect(k.files()[0]).toMatchObject({ cachedPages: 0, opens: 0 });
    expect(k.frames.freeCount).toBe(free + 1); // the process's root too
  });

  it('fork: MAP_SHARED stays shared both ways; MAP_PRIVATE becomes copy-on-write', () => {
    const { k, pid } = setup(make);
    const fd = k.open('f', O_RDWR);
    mmapAt(k, pid, VA, 2 * PAGE, RW, MAP_SHARED, fd);
    mmapAt(k, pid, VB, 2 * PAGE, RW, MAP_PRIVATE, fd);
    k.store(VA, 1, 0x10);
    k.store(VB, 1, 0x20);
    const child = k.fork().pid;
    k.switchTo(child);
    expect(k.load(VA, 1)).toBe(0x10);
    expect(k.load(VB, 1)).toBe(0x20);
    k.store(VA, 1, 0x11);
    k.store(VB, 1, 0x21);
    k.switchTo(pid);
    expect(k.load(VA, 1)).toBe(0x11);
    expect(k.load(VB, 1)).toBe(0x20);
    k.store(VA + PAGE, 1, 0x12);
    k.switchTo(child);
    expect(k.load(VA + PAGE, 1)).toBe(0x12);
    // The child's entries started clean; its D bit marks its own write, the parent's its own.
    k.kill(child);
    expect(k.fileDisk('f')[0]).toBe(0x11);
    expect(k.fileDisk('f')[PAGE]).toBe(2);
    k.msync(VA, 2 * PAGE, pid);
    expect(k.fileDisk('f')[PAGE]).toBe(0x12);
    expect(k.readFile('f', 0, 1)[0]).toBe(0x11);
  });

  it('unlink while mapped: the mapping keeps the file; its pages go with the last mapping', () => {
    const { k, pid } = setup(make);
    const fd = k.open('f', O_RDWR);
    mmapAt(k, pid, VA, 3 * PAGE, RW, MAP_SHARED, fd);
    k.register(VA + 8 * PAGE);
    k.close(fd);
    k.unlink('f');
    expect(k.load(VA + PAGE, 1)).toBe(2);
    k.store(VA, 1, 0x42);
    expect(k.load(VA, 1)).toBe(0x42);
    const free = k.frames.freeCount;
    munmapRange(k, pid, VA, 3 * PAGE);
    expect(k.frames.freeCount).toBe(free + 2);
    expect(k.snapshot().files).toEqual({ files: [], cached: [], descriptors: [{ pid, fds: [] }] });
  });

  it('copyin reads unmapped file pages as the file holds them; copyin/copyout past the end are EFAULT and change nothing', () => {
    const { k, pid } = setup(make, pagesOf(1, 10)); // 4106 bytes
    const fd = k.open('f', O_RDWR);
    mmapAt(k, pid, VA, 3 * PAGE, RW, MAP_SHARED, fd);
    expect(Array.from(k.read(VA + PAGE - 2, 4))).toEqual([1, 1, 2, 2]);
    expect(Array.from(k.read(VA + PAGE + 9, 2))).toEqual([2, 0]);
    expect(k.mappings()).toEqual([]);
    const before = k.snapshot();
    expect(caught(() => k.read(VA + PAGE, PAGE + 1))).toMatchObject({ name: 'BeyondEndOfFileError', errno: 'EFAULT', va: VA + 2 * PAGE });
    expect(caught(() => k.write(VA + PAGE - 1, new Uint8Array(PAGE + 2)))).toMatchObject({ name: 'BeyondEndOfFileError', va: VA + 2 * PAGE });
    expect(k.store(VA + 2 * PAGE - 2, 4, 0x01020304)).toBe(VM_FAULT_SIGBUS); // crosses into the page past the end
    const after = k.snapshot();
    expectSameSnapshot(after, before);
    k.write(VA + PAGE - 1, new Uint8Array([7, 8]));
    expect(Array.from(k.readFile('f', PAGE - 1, 2))).toEqual([7, 8]);
  });

  it('fault events and the PG_FILE_MAP code', () => {
    const { k, pid } = setup(make);
    const fd = k.open('f', O_RDONLY);
    mmapAt(k, pid, VA, PAGE, PROT_READ, MAP_SHARED, fd);
    const events: unknown[] = [];
    k.on((e) => {
      if (!(e.type === 'alloc' && e.kind === 'table')) events.push(e);
    });
    expect(k.handlePageFault(pid, VA, ACCESS_READ)).toBe(PG_FILE_MAP);
    expect(events).toEqual([
      { type: 'alloc', pfn: expect.any(Number), kind: 'data' },
      { type: 'map', pid, va: VA, pfn: expect.any(Number), writable: false },
      { type: 'fault', pid, va: VA, access: 'read', resolution: 'file-map' },
    ]);
  });
});
