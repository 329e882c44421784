// The cases of the xv6 mmap lab's `mmaptest` (user/mmaptest.c: mmap_test, fork_test, more_test), replayed on
// every model with the kernel's file store: a 1.5-page file of 'A', private and shared mappings, writes,
// partial munmap with write-back, unlink while mapped, lazy reads, two files, fork, access after munmap and
// writes to a read-only mapping (the "fatal fault" is a refused access; the process is then killed, as the
// default action of the signal would). Addresses are chosen here; xv6's mmap(0, …) lets the kernel choose.

import { describe, expect, it } from 'vitest';
import { SEGV_ACCERR, SEGV_MAPERR } from '../codes.js';
import type { Kernel } from '../kernel.js';
import { MAP_PRIVATE, MAP_SHARED, PROT_READ, PROT_WRITE } from '../mm/vma.js';
import { caught } from '../testing/assertions.js';
import { mmapAt, munmapRange } from '../testing/file-helpers.js';
import { boot, PAGE } from '../testing/kernel-helpers.js';
import { MODELS } from '../testing/models.js';
import { O_CREAT, O_RDONLY, O_RDWR, O_WRONLY } from './file-store.js';

const A = 'A'.charCodeAt(0);
const code = (c: string): number => c.charCodeAt(0);
const F = 'mmap.dur';
/** Where the tests place their mappings (xv6 lets the kernel choose); each base is used once per test. */
const P = [0x10000000, 0x10100000, 0x10200000, 0x10300000];

/** xv6's makefile(): 1.5 pages of 'A', written through an O_WRONLY | O_CREAT descriptor. */
function makefile(k: Kernel): void {
  if (k.files().some((f) => f.name === F)) k.unlink(F);
  const fd = k.open(F, O_WRONLY | O_CREAT);
  k.writeFile(fd, 0, new Uint8Array(PAGE + PAGE / 2).fill(A));
  k.close(fd);
}

/** xv6's _v1(): two pages read by user loads: 'A' for 1.5 pages, then zeros. */
function v1(k: Kernel, p: number): void {
  for (let i = 0; i < 2 * PAGE; i++) {
    const b = k.load(p + i, 1);
    if (b !== (i < PAGE + PAGE / 2 ? A : 0)) expect.fail(`v1 mismatch at ${i}: ${b}`);
  }
}

function fill(k: Kernel, p: number, from: number, to: number, c: string): void {
  for (let i = from; i < to; i++) if (k.store(p + i, 1, code(c)) !== 0) expect.fail(`store at ${i} refused`);
}

describe.each(MODELS)('xv6 mmaptest on $name', ({ make }) => {
  it('mmap_test: basic, private, read-only, read/write, dirty, not-mapped unmap, lazy access, two files', () => {
    const k = boot(make);
    const pid = k.spawn().pid;
    const framesAtStart = k.frames.freeCount;
    makefile(k);
    let fd = k.open(F, O_RDONLY);

    // basic mmap
    let p = mmapAt(k, pid, P[0]!, 2 * PAGE, PROT_READ, MAP_PRIVATE, fd);
    v1(k, p);
    munmapRange(k, pid, p, 2 * PAGE);

    // mmap private: a read-only descriptor may back a private writable mapping; writes stay private.
    p = mmapAt(k, pid, P[1]!, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd);
    k.close(fd);
    v1(k, p);
    fill(k, p, 0, 2 * PAGE, 'Z');
    munmapRange(k, pid, p, 2 * PAGE);
    expect(caught(() => k.close(fd))).toMatchObject({ errno: 'EBADF' });
    fd = k.open(F, O_RDONLY);
    expect(k.readFile(fd, 0, PAGE).length).toBe(PAGE);
    expect(k.readFile(fd, 0, 1)[0]).toBe(A);
    expect(k.readFile(fd, PAGE, PAGE).length).toBe(PAGE / 2);
    expect(k.readFile(fd, PAGE, 1)[0]).toBe(A);
    k.close(fd);

    // mmap read-only: no shared writable mapping of a read-only descriptor.
    fd = k.open(F, O_RDONLY);
    expect(caught(() => mmapAt(k, pid, P[2]!, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd))).toMatchObject({ errno: 'EACCES' });
    k.close(fd);

    // mmap read/write: three pages of a 1.5-page file; the mapping outlives close(fd).
    fd = k.open(F, O_RDWR);
    p = mmapAt(k, pid, P[2]!, 3 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd);
    k.close(fd);
    v1(k, p);
    fill(k, p, 0, PAGE, 'B');
    fill(k, p, PAGE, 2 * PAGE, 'C');
    munmapRange(k, pid, p, 2 * PAGE); // just the first two of three pages

    // mmap dirty: the writes reached the file, up to its end.
    fd = k.open(F, O_RDONLY);
    const page0 = k.readFile(fd, 0, PAGE);
    expect(page0.every((b) => b === code('B'))).toBe(true);
    const page1 = k.readFile(fd, PAGE, PAGE);
    expect(page1.length).toBe(PAGE / 2);
    expect(page1.every((b) => b === code('C'))).toBe(true);
    k.close(fd);

    // not-mapped unmap: the third page was never touched.
    munmapRange(k, pid, p + 2 * PAGE, PAGE);
    expect(k.regions()).toEqual([]);

    // lazy access: mmap reads nothing, so a later write(2) shows in the first read of the mapping.
    k.unlink(F);
    makefile(k);
    fd = k.open(F, O_RDWR);
    p = mmapAt(k, pid, P[3]!, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd);
    k.close(fd);
    fd = k.open(F, O_RDWR);
    expect(k.writeFile(fd, 0, new Uint8Array([code('m')]))).toBe(1);
    k.close(fd);
    expect(k.load(p, 1)).toBe(code('m'));
    munmapRange(k, pid, p, 2 * PAGE);

    // two files at once, both unlinked while mapped.
    const fd1 = k.open('mmap1', O_RDWR | O_CREAT);
    k.writeFile(fd1, 0, new TextEncoder().encode('12345'));
    const p1 = mmapAt(k, pid, P[0]!, PAGE, PROT_READ, MAP_PRIVATE, fd1);
    k.close(fd1);
    k.unlink('mmap1');
    const fd2 = k.open('mmap2', O_RDWR | O_CREAT);
    k.writeFile(fd2, 0, new TextEncoder().encode('67890'));
    const p2 = mmapAt(k, pid, P[1]!, PAGE, PROT_READ, MAP_PRIVATE, fd2);
    k.close(fd2);
    k.unlink('mmap2');
    const text = (va: number) => String.fromCharCode(...[0, 1, 2, 3, 4].map((i) => k.load(va + i, 1)));
    expect(text(p1)).toBe('12345');
    expect(text(p2)).toBe('67890');
    munmapRange(k, pid, p1, PAGE);
    expect(text(p2)).toBe('67890');
    munmapRange(k, pid, p2, PAGE);

    // Every cached page went with its last mapping; what is left is page tables.
    expect(k.files().map((f) => f.name)).toEqual([F]);
    expect(k.files()[0]!.cachedPages).toBe(0);
    expect(k.stats().frames.data).toBe(0);
    expect(k.frames.freeCount).toBe(framesAtStart - (k.pageTables().length - 1));
  });

  it('fork_test: a file mapped twice and unlinked; the child sees it and unmaps a page; the parent keeps both', () => {
    const k = boot(make);
    const parent = k.spawn().pid;
    makefile(k);
    const fd = k.open(F, O_RDONLY);
    k.unlink(F);
    const p1 = mmapAt(k, parent, P[0]!, 2 * PAGE, PROT_READ, MAP_SHARED, fd);
    const p2 = mmapAt(k, parent, P[1]!, 2 * PAGE, PROT_READ, MAP_SHARED, fd);
    expect(k.load(p1 + PAGE, 1)).toBe(A); // just the second page
    const child = k.fork().pid;
    k.switchTo(child);
    v1(k, p1);
    munmapRange(k, child, p1, PAGE);
    expect(k.load(p1, 1)).toBe(SEGV_MAPERR);
    k.kill(child);
    k.switchTo(parent);
    v1(k, p1);
    v1(k, p2);
    expect(k.descriptors()).toEqual([{ fd, name: F, access: O_RDONLY }]);
  });

  it('more_test: munmap prevents access (in the child only); the parent\'s later writes reach the file; no writes to a read-only mapping', () => {
    const k = boot(make);
    const parent = k.spawn().pid;
    makefile(k);
    let fd = k.open(F, O_RDWR);
    const p = mmapAt(k, parent, P[0]!, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd);
    k.close(fd);
    k.store(p, 1, code('X'));
    k.store(p + PAGE, 1, code('Y'));

    // child #1: writes, unmaps the second page, then reads it: a fatal fault.
    let child = k.fork().pid;
    k.switchTo(child);
    k.store(p, 1, code('a'));
    k.store(p + PAGE, 1, code('b'));
    munmapRange(k, child, p + PAGE, PAGE);
    expect(k.load(p + PAGE, 1)).toBe(SEGV_MAPERR);
    k.kill(child);

    // child #2: the same with the first page.
    k.switchTo(parent);
    child = k.fork().pid;
    k.switchTo(child);
    k.store(p, 1, code('c'));
    k.store(p + PAGE, 1, code('d'));
    munmapRange(k, child, p, PAGE);
    expect(k.load(p, 1)).toBe(SEGV_MAPERR);
    k.kill(child);

    // The parent still has both pages, and sees the children's shared writes.
    k.switchTo(parent);
    expect(k.load(p, 1)).toBe(code('c'));
    expect(k.load(p + PAGE, 1)).toBe(code('d'));
    k.store(p, 1, code('P'));
    k.store(p + PAGE, 1, code('Q'));
    munmapRange(k, parent, p, PAGE);
    k.store(p + PAGE, 1, code('R'));
    munmapRange(k, parent, p + PAGE, PAGE);
    fd = k.open(F, O_RDONLY);
    expect(k.readFile(fd, 0, PAGE).length).toBe(PAGE);
    expect(k.readFile(fd, 0, 1)[0]).toBe(code('P'));
    expect(k.readFile(fd, PAGE, PAGE).length).toBe(PAGE / 2);
    expect(k.readFile(fd, PAGE, 1)[0]).toBe(code('R'));
    expect(k.fileDisk(F)[PAGE]).toBe(code('R'));
    k.close(fd);

    // writes to read-only mapped memory: a child maps PROT_READ, MAP_SHARED and writes: a fatal fault.
    makefile(k);
    k.register(P[3]!); // the parent keeps a region, so the tables under P[1] are the child's own
    child = k.fork().pid;
    k.switchTo(child);
    fd = k.open(F, O_RDWR);
    const q = mmapAt(k, child, P[1]!, 2 * PAGE, PROT_READ, MAP_SHARED, fd);
    expect(k.store(q, 1, 0)).toBe(SEGV_ACCERR);
    expect(k.load(q, 1)).toBe(A);
    k.kill(child);
    expect(k.readFile(F, 0, 1)[0]).toBe(A);
    expect(k.files()[0]).toMatchObject({ opens: 0, cachedPages: 0 });
  });
});
