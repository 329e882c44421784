// The page cache's books and the invariant sweep: a cached frame holds one reference for the cache plus one
// per mapping; the sweep reports a reference too many, a cache entry lost while mapped, and a shared file
// mapping whose frame is not the cached page. Write-back writes a page up to the end of the file only.

import { describe, expect, it } from 'vitest';
import { KernelInvariantError } from '../errors.js';
import { Kernel } from '../kernel.js';
import { MAP_SHARED, PROT_READ, PROT_WRITE } from '../mm/vma.js';
import { caught } from '../testing/assertions.js';
import { contextOf, mmapAt } from '../testing/file-helpers.js';
import { O_RDWR } from './file-store.js';
import { cacheFill, cachedPfn, fileFaultFrames, writebackPage } from './page-cache.js';

const PAGE = 4096;
const VA = 0x10000000;

function mapped(): { k: Kernel; pfn: number } {
  const k = new Kernel({ ramBytes: 64 * PAGE, checkInvariants: false });
  const pid = k.spawn().pid;
  k.createFile('f', new Uint8Array(PAGE + 100).fill(3));
  mmapAt(k, pid, VA, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, k.open('f', O_RDWR));
  expect(k.load(VA, 1)).toBe(3);
  const pfn = k.translate(VA)!.pfn;
  expect(k.mappings()[0]!.refCount).toBe(2); // the cache and the mapping
  k.checkInvariants();
  return { k, pfn };
}

function problems(k: Kernel): readonly string[] {
  const error = caught(() => k.checkInvariants());
  expect(error).toBeInstanceOf(KernelInvariantError);
  return (error as KernelInvariantError).problems;
}

describe('page cache books', () => {
  it('the sweep reports a reference the cache and the mappings do not account for', () => {
    const { k, pfn } = mapped();
    k.frames.ref(pfn);
    expect(problems(k)).toContain(`data frame ${pfn}: refcount 3 but 2 mapping(s)`);
  });

  it('the sweep reports a cached page lost from its file while mapped', () => {
    const { k, pfn } = mapped();
    const file = [...contextOf(k).files.cached][0]!;
    file.cache.delete(0);
    expect(problems(k)).toEqual(expect.arrayContaining([
      `data frame ${pfn}: refcount 2 but 1 mapping(s)`,
      'the page cache\'s frame set disagrees with the files\' caches',
      `pid 0 maps frame ${pfn} at 0x${VA.toString(16)}, not the cached page 0 of file ${file.ino}`,
    ]));
  });

  it('cacheFill reads the disk page (zeros past the end); write-back stops at the end of the file', () => {
    const { k } = mapped();
    const ctx = contextOf(k);
    const file = [...ctx.files.cached][0]!;
    expect(fileFaultFrames(ctx, file, 1, false)).toBe(1);
    expect(fileFaultFrames(ctx, file, 0, false)).toBe(0);
    expect(fileFaultFrames(ctx, file, 0, true)).toBe(1);
    expect(fileFaultFrames(ctx, file, 2, false)).toBe(-1);
    const pfn = cacheFill(ctx, file, 1);
    expect(cachedPfn(file, 1)).toBe(pfn);
    expect(Array.from(k.ram.readBytes(pfn * PAGE + 98, 4))).toEqual([3, 3, 0, 0]);
    k.ram.writeBytes(pfn * PAGE, new Uint8Array(PAGE).fill(9));
    writebackPage(ctx, file, 1, pfn);
    expect(file.size).toBe(PAGE + 100);
    expect(Array.from(file.diskBytes().subarray(PAGE + 98))).toEqual([9, 9]);
    // A region's file shows in JSON as its inode and name, not its bytes.
    expect(JSON.parse(JSON.stringify(k.regions()))).toEqual([
      { start: VA, end: VA + 2 * PAGE, prot: PROT_READ | PROT_WRITE, flags: MAP_SHARED, file: { ino: file.ino, name: 'f', size: PAGE + 100 }, pgoff: 0, mayWrite: true },
    ]);
    expect(caught(() => k.fileDisk(3 as unknown as string))).toMatchObject({ errno: 'EINVAL' });
  });
});
