// mmap(2) of files through the kernel's own call (mm/mmap.ts → fs/file-mapping.ts), on every model: placement
// chosen by the kernel, the maps listing of a file region, MAP_FIXED over a dirty shared file region (written
// back before it is replaced), mprotect's EACCES on a shared region of a read-only descriptor, and MAP_POPULATE.

import { describe, expect, it } from 'vitest';
import { MAP_FIXED, MAP_POPULATE, MAP_PRIVATE, MAP_SHARED, MAP_ANONYMOUS, PROT_READ, PROT_WRITE } from '../mm/vma.js';
import { MMAP_BASE } from '../mm/layout.js';
import { caught } from '../testing/assertions.js';
import { boot, PAGE } from '../testing/kernel-helpers.js';
import { MODELS } from '../testing/models.js';
import { O_CREAT, O_RDONLY, O_RDWR } from './file-store.js';

const RW = PROT_READ | PROT_WRITE;
const text = (bytes: Uint8Array): string => String.fromCharCode(...bytes);

describe.each(MODELS)('mmap of files through Kernel.mmap on $name', ({ make }) => {
  it('a shared file mapping placed by the kernel: writes reach read(2), maps() names the file', () => {
    const k = boot(make);
    k.spawn();
    const fd = k.open('data.bin', O_RDWR | O_CREAT);
    k.writeFile(fd, 0, new Uint8Array(2 * PAGE).fill(0x2e));
    const va = k.mmap(0, 2 * PAGE, RW, MAP_SHARED, fd, PAGE);
    // Top-down in the mmap area: the highest free range below MMAP_BASE.
    expect(va).toBe(MMAP_BASE - 2 * PAGE);
    expect(k.store(va + 5, 1, 0x41)).toBe(0);
    expect(text(k.readFile(fd, PAGE + 4, 3))).toBe('.A.');
    const entry = k.maps().find((m) => m.start === va)!;
    expect(entry).toMatchObject({ end: va + 2 * PAGE, perms: 'rw-s', offset: PAGE, name: 'data.bin', type: 'file-backed' });
    expect(entry.inode).toBeGreaterThan(0);
    k.unlink('data.bin');
    expect(k.maps().find((m) => m.start === va)!.name).toBe('data.bin (deleted)');
  });

  it('MAP_FIXED over a dirty shared file page writes it back before the anonymous page replaces it', () => {
    const k = boot(make);
    k.spawn();
    const fd = k.open('log', O_RDWR | O_CREAT);
    k.writeFile(fd, 0, new Uint8Array(PAGE));
    const va = k.mmap(0, PAGE, RW, MAP_SHARED, fd, 0);
    expect(k.store(va, 4, 0x64636261)).toBe(0);
    expect(k.mmap(va, PAGE, RW, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED)).toBe(va);
    expect(k.load(va, 4)).toBe(0);
    expect(text(k.fileDisk('log').subarray(0, 4))).toBe('abcd');
    k.checkInvariants();
  });

  it('mprotect refuses PROT_WRITE on a shared mapping of a read-only descriptor (EACCES), a private one takes it', () => {
    const k = boot(make);
    k.spawn();
    k.createFile('ro', new Uint8Array(PAGE).fill(1));
    const fd = k.open('ro', O_RDONLY);
    const shared = k.mmap(0, PAGE, PROT_READ, MAP_SHARED, fd, 0);
    const before = k.regions();
    expect(caught(() => k.mprotect(shared, PAGE, RW))).toMatchObject({ errno: 'EACCES', name: 'PermissionDeniedError' });
    expect(k.regions()).toEqual(before);
    const priv = k.mmap(0, PAGE, PROT_READ, MAP_PRIVATE, fd, 0);
    k.mprotect(priv, PAGE, RW);
    expect(k.store(priv, 1, 9)).toBe(0);
    expect(k.fileDisk('ro')[0]).toBe(1);
  });

  it('MAP_POPULATE faults a private writable file mapping in with writes (copies), a shared one with reads', () => {
    const k = boot(make);
    k.spawn();
    k.createFile('p', new Uint8Array(2 * PAGE).fill(7));
    const fd = k.open('p', O_RDWR);
    const priv = k.mmap(0, 2 * PAGE, RW, MAP_PRIVATE | MAP_POPULATE, fd, 0);
    const shared = k.mmap(0, 2 * PAGE, RW, MAP_SHARED | MAP_POPULATE, fd, 0);
    const mapped = new Map(k.mappings().map((m) => [m.va, m]));
    for (const base of [priv, shared]) for (const va of [base, base + PAGE]) expect(mapped.has(va)).toBe(true);
    // The private pages hold copies (their own frames); the shared ones the file's cached frames.
    expect(mapped.get(priv)!.pfn).not.toBe(mapped.get(shared)!.pfn);
    expect(k.load(priv + PAGE, 1)).toBe(7);
    k.checkInvariants();
  });
});
