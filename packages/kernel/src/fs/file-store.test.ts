// The file store and descriptors through the kernel facade: create, open (modes, O_CREAT/O_EXCL/O_TRUNC),
// close, read, write, truncate, unlink; per-process descriptor tables, inherited by fork, closed by exit.
// Errno values as Linux 6.18 answers them (a C program on this machine: read(2) on an O_WRONLY descriptor
// → EBADF, write(2) on O_RDONLY → EBADF, ftruncate on O_RDONLY → EINVAL, close(99) → EBADF, pread past the
// end → 0 bytes, a negative offset → EINVAL).

import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, NoSuchProcessError } from '../errors.js';
import { Kernel } from '../kernel.js';
import { caught, expectSameSnapshot } from '../testing/assertions.js';
import { BadFileDescriptorError, FileExistsError, NoSuchFileError, TooManyOpenFilesError } from './errors.js';
import { MAX_OPEN_FILES, O_CREAT, O_EXCL, O_RDONLY, O_RDWR, O_TRUNC, O_WRONLY } from './file-store.js';

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);
const text = (b: Uint8Array): string => new TextDecoder().decode(b);

function boot(): Kernel {
  const k = new Kernel({ ramBytes: 64 * 4096, checkInvariants: true });
  k.spawn();
  return k;
}

describe('the file store', () => {
  it('creates files with their bytes, lists them by name, reads by name', () => {
    const k = boot();
    k.createFile('b', bytes('hello'));
    k.createFile('a');
    expect(k.files()).toEqual([
      { name: 'a', size: 0, cachedPages: 0, opens: 0 },
      { name: 'b', size: 5, cachedPages: 0, opens: 0 },
    ]);
    expect(text(k.readFile('b', 0, 100))).toBe('hello');
    expect(text(k.readFile('b', 1, 3))).toBe('ell');
    expect(k.readFile('b', 5, 10)).toEqual(new Uint8Array(0));
    expect(k.readFile('b', 100000, 10)).toEqual(new Uint8Array(0));
    expect(k.readFile('a', 0, 10)).toEqual(new Uint8Array(0));
  });

  it('refuses a taken name (EEXIST), a bad name or bytes (EINVAL), and a missing file (ENOENT)', () => {
    const k = boot();
    k.createFile('f');
    const e = caught(() => k.createFile('f'));
    expect(e).toBeInstanceOf(FileExistsError);
    expect(e).toMatchObject({ errno: 'EEXIST', fileName: 'f', name: 'FileExistsError' });
    for (const bad of ['', 'a/b', 'nul\0', 'x'.repeat(256), 7, null]) {
      expect(caught(() => k.createFile(bad as string))).toMatchObject({ errno: 'EINVAL', name: 'InvalidArgumentError' });
    }
    expect(caught(() => k.createFile('g', [1, 2] as unknown as Uint8Array))).toBeInstanceOf(InvalidArgumentError);
    const missing = caught(() => k.readFile('nope', 0, 1));
    expect(missing).toBeInstanceOf(NoSuchFileError);
    expect(missing).toMatchObject({ errno: 'ENOENT', fileName: 'nope' });
    expect(caught(() => k.open('nope', O_RDONLY))).toMatchObject({ errno: 'ENOENT' });
    expect(caught(() => k.unlink('nope'))).toMatchObject({ errno: 'ENOENT' });
  });

  it('writes grow the file; a gap reads as zeros; truncate shrinks and regrows with zeros', () => {
    const k = boot();
    k.createFile('f', bytes('abc'));
    expect(k.writeFile('f', 6, bytes('xy'))).toBe(2);
    expect(Array.from(k.readFile('f', 0, 100))).toEqual([97, 98, 99, 0, 0, 0, 120, 121]);
    k.truncate('f', 2);
    expect(text(k.readFile('f', 0, 100))).toBe('ab');
    k.truncate('f', 4);
    expect(Array.from(k.readFile('f', 0, 100))).toEqual([97, 98, 0, 0]);
    expect(k.files()[0]!.size).toBe(4);
    // A file larger than a page, written across the page boundary.
    k.writeFile('f', 4094, bytes('PAGE'));
    expect(text(k.readFile('f', 4094, 4))).toBe('PAGE');
    expect(k.fileDisk('f').length).toBe(4098);
  });

  it('refuses bad offsets and lengths (EINVAL) and changes nothing', () => {
    const k = boot();
    k.createFile('f', bytes('abc'));
    const before = k.snapshot();
    for (const op of [
      () => k.readFile('f', -1, 1), () => k.readFile('f', 0.5, 1), () => k.readFile('f', 0, -1),
      () => k.writeFile('f', -1, bytes('x')), () => k.writeFile('f', 0, 'x' as unknown as Uint8Array),
      () => k.truncate('f', -1), () => k.truncate('f', 2 ** 31), () => k.writeFile('f', 2 ** 30, bytes('x')),
    ]) expect(caught(op)).toMatchObject({ errno: 'EINVAL' });
    expectSameSnapshot(k.snapshot(), before);
  });
});

describe('descriptors', () => {
  it('open hands out the lowest free descriptor; close frees it; EBADF for anything not open', () => {
    const k = boot();
    k.createFile('f', bytes('data'));
    expect(k.open('f', O_RDONLY)).toBe(0);
    expect(k.open('f', O_RDWR)).toBe(1);
    expect(k.open('f', O_WRONLY)).toBe(2);
    k.close(1);
    expect(k.open('f', O_RDONLY)).toBe(1);
    expect(k.descriptors()).toEqual([
      { fd: 0, name: 'f', access: O_RDONLY }, { fd: 1, name: 'f', access: O_RDONLY }, { fd: 2, name: 'f', access: O_WRONLY },
    ]);
    expect(k.files()[0]!.opens).toBe(3);
    for (const fd of [3, 99, -1, 1.5]) {
      const e = caught(() => k.close(fd));
      expect(e).toBeInstanceOf(BadFileDescriptorError);
      expect(e).toMatchObject({ errno: 'EBADF', fd });
    }
    k.close(0);
    expect(caught(() => k.close(0))).toMatchObject({ errno: 'EBADF' });
  });

  it('access modes: read needs a readable descriptor, write a writable one (EBADF); ftruncate on O_RDONLY is EINVAL', () => {
    const k = boot();
    k.createFile('f', bytes('data'));
    const r = k.open('f', O_RDONLY);
    const w = k.open('f', O_WRONLY);
    const rw = k.open('f', O_RDWR);
    expect(text(k.readFile(r, 0, 4))).toBe('data');
    expect(caught(() => k.readFile(w, 0, 4))).toMatchObject({ errno: 'EBADF', name: 'BadFileDescriptorError' });
    expect(caught(() => k.writeFile(r, 0, bytes('x')))).toMatchObject({ errno: 'EBADF' });
    expect(k.writeFile(w, 0, bytes('D'))).toBe(1);
    expect(k.writeFile(rw, 1, bytes('A'))).toBe(1);
    expect(text(k.readFile(rw, 0, 4))).toBe('DAta');
    expect(caught(() => k.truncate(r, 1))).toMatchObject({ errno: 'EINVAL' });
    k.truncate(w, 1);
    expect(text(k.readFile(r, 0, 4))).toBe('D');
  });

  it('O_CREAT creates, O_EXCL refuses an existing file, O_TRUNC empties it; bad flags are EINVAL', () => {
    const k = boot();
    const fd = k.open('new', O_RDWR | O_CREAT);
    expect(k.files()).toEqual([{ name: 'new', size: 0, cachedPages: 0, opens: 1 }]);
    k.writeFile(fd, 0, bytes('content'));
    expect(caught(() => k.open('new', O_RDWR | O_CREAT | O_EXCL))).toMatchObject({ errno: 'EEXIST' });
    k.open('new', O_RDWR | O_TRUNC);
    expect(k.readFile('new', 0, 10).length).toBe(0);
    for (const flags of [3, 0o4000, -1, 0.5, 'r']) {
      expect(caught(() => k.open('new', flags as number))).toMatchObject({ errno: 'EINVAL', name: 'InvalidArgumentError' });
    }
  });

  it('each process has its own table; a bad pid is ESRCH', () => {
    const k = boot();
    const b = k.spawn().pid;
    k.createFile('f', bytes('x'));
    expect(k.open('f', O_RDONLY)).toBe(0);
    expect(k.open('f', O_RDONLY, b)).toBe(0);
    expect(k.open('f', O_RDONLY, b)).toBe(1);
    expect(caught(() => k.close(1))).toMatchObject({ errno: 'EBADF' });
    k.close(1, b);
    expect(caught(() => k.open('f', O_RDONLY, 99))).toBeInstanceOf(NoSuchProcessError);
    expect(caught(() => k.readFile(0, 0, 1, 99))).toBeInstanceOf(NoSuchProcessError);
  });

  it('fork: the child inherits every descriptor (same numbers, shared descriptions); closing in one leaves the other', () => {
    const k = boot();
    k.createFile('f', bytes('shared'));
    const parent = k.current!.pid;
    k.open('f', O_RDONLY);
    k.open('f', O_RDWR);
    const child = k.fork().pid;
    expect(k.descriptors(child)).toEqual(k.descriptors(parent));
    expect(k.files()[0]!.opens).toBe(2); // two descriptions, each shared by two descriptors
    k.close(0, child);
    expect(text(k.readFile(0, 0, 6, parent))).toBe('shared');
    expect(caught(() => k.readFile(0, 0, 6, child))).toMatchObject({ errno: 'EBADF' });
    k.writeFile(1, 0, bytes('S'), child);
    expect(text(k.readFile(1, 0, 6, parent))).toBe('Shared');
    expect(k.open('f', O_RDONLY, child)).toBe(0);
  });

  it('exit closes every descriptor of the process', () => {
    const k = boot();
    k.createFile('f');
    const a = k.current!.pid;
    k.open('f', O_RDONLY);
    const child = k.fork().pid;
    k.open('f', O_RDONLY, child);
    expect(k.files()[0]!.opens).toBe(2);
    k.kill(child);
    expect(k.files()[0]!.opens).toBe(1);
    k.kill(a);
    expect(k.files()[0]!.opens).toBe(0);
    expect(k.snapshot().files.descriptors).toEqual([]);
  });

  it(`refuses descriptor ${MAX_OPEN_FILES} (EMFILE) without creating the file O_CREAT asked for`, () => {
    const k = boot();
    k.createFile('f');
    for (let i = 0; i < MAX_OPEN_FILES; i++) k.open('f', O_RDONLY);
    const e = caught(() => k.open('g', O_RDONLY | O_CREAT));
    expect(e).toBeInstanceOf(TooManyOpenFilesError);
    expect(e).toMatchObject({ errno: 'EMFILE', limit: MAX_OPEN_FILES });
    expect(k.files().map((f) => f.name)).toEqual(['f']);
  });

  it('unlink removes the name; the open file stays readable and writable through its descriptor', () => {
    const k = boot();
    k.createFile('f', bytes('kept'));
    const fd = k.open('f', O_RDWR);
    k.unlink('f');
    expect(k.files()).toEqual([]);
    expect(caught(() => k.readFile('f', 0, 4))).toMatchObject({ errno: 'ENOENT' });
    expect(text(k.readFile(fd, 0, 4))).toBe('kept');
    k.writeFile(fd, 4, bytes('!'));
    expect(text(k.readFile(fd, 0, 5))).toBe('kept!');
    k.createFile('f', bytes('new'));
    expect(text(k.readFile('f', 0, 5))).toBe('new');
    k.close(fd);
  });
});
