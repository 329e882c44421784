// The memory-manager script commands: mmap, munmap, mprotect, brk, sbrk, maps, signal, named answers and
// address expressions, refusals printed as answers, signals; and seed 003's snippets as examples/memory-manager.vmsim.

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { main } from './main.js';
import { messages } from '@vmsim/sim-api';
import { fakeIo, runText } from './testing/fake-io.js';

const NO_PROCESS_READ = messages.noProcess('read');

async function ok(script: readonly string[], options: readonly string[] = []): Promise<string[]> {
  const { code, out, err } = await runText(script, options);
  expect(err).toEqual([]);
  expect(code).toBe(0);
  return out;
}

describe('memory-manager commands', () => {
  it('mmap, write, read, munmap; named answers and name+offset addresses', async () => {
    expect(await ok(['p = mmap 0 4096 rw private', 'write p+8 u32 42', 'read p+8 u32 v', 'munmap p 4096', 'heap = sbrk 8192', 'write heap+16 u32 7', 'read heap+16 u32'])).toEqual([
      'p = mmap → 0x7ffff000', 'v: 42', 'munmap → 0', 'heap = sbrk → 0x10000000', 'heap+16: 7',
    ]);
  });

  it('a refused call prints its answer (errno, kind, message) and the script goes on', async () => {
    const out = await ok(['mmap 0 0 rw', 'munmap 0x1001 4096', 'mprotect 0x20000 4096 r', 'mmap 0x1000 4096 rw fixed', 'echo still running']);
    expect(out[0]).toMatch(/^mmap → EINVAL \(InvalidSize: /);
    expect(out[1]).toMatch(/^munmap → EINVAL \(NotAligned: /);
    expect(out[2]).toMatch(/^mprotect → ENOMEM \(RegionNotFound: /);
    expect(out[3]).toMatch(/^mmap → EPERM \(PermissionDenied: /);
    expect(out[4]).toBe('still running');
  });

  it('maps prints /proc/<pid>/maps lines; brk against a mapping is refused as ENOMEM', async () => {
    const out = await ok(['brk 0x10002000', 'mmap 0x10004000 4096 r-- fixed|noreplace', 'brk 0x10004000', 'maps']);
    expect(out).toEqual([
      'brk → 0x10002000',
      'mmap → 0x10004000',
      expect.stringMatching(/^brk → ENOMEM \(OutOfMemory: /),
      `10000000-10002000 rw-p 00000000 00:00 0${' '.repeat(10)}[heap]`,
      '10004000-10005000 r--p 00000000 00:00 0',
    ]);
  });

  it('a refused access sends SIGSEGV: caught it goes on, by default the process terminates', async () => {
    const out = await ok(['a = mmap 0 4096 r', 'signal catch', 'write a u8 1', 'read a+0x1000 u8', 'signal terminate', 'write a u8 1', 'read a u8']);
    expect(out).toEqual([
      'a = mmap → 0x7ffff000',
      'SIGSEGV (SEGV_ACCERR) at 0x7ffff000: process 0 continues (caught)',
      'SIGSEGV (SEGV_MAPERR) at 0x80000000: process 0 continues (caught)',
      'SIGSEGV (SEGV_ACCERR) at 0x7ffff000: process 0 terminated',
      NO_PROCESS_READ,
    ]);
  });

  it('script mistakes are script errors: bad protection, unknown flag, unknown name, assignment of munmap', async () => {
    for (const [line, message] of [
      ['mmap 0 4096 rq', 'mmap: bad protection "rq"'],
      ['mmap 0 4096 rw privat', 'mmap: unknown flag "privat"'],
      ['munmap nowhere 4096', 'munmap: unknown name "nowhere"'],
      ['x = munmap 0 4096', 'x = munmap: only mmap, brk and sbrk give an address to keep'],
      ['signal ignore', 'signal: expected catch or terminate, not "ignore"'],
    ] as const) {
      const { code, err } = await runText([line]);
      expect(code).toBe(2);
      expect(err[0]).toContain(message);
    }
  });

  it('JSON output: one record per answer', async () => {
    const out = await ok(['p = mmap 0 4096 rw', 'mmap 0 0 rw'], ['--json']);
    expect(JSON.parse(out[0]!)).toEqual({ type: 'mm', call: 'mmap', name: 'p', result: '0x7ffff000' });
    expect(JSON.parse(out[1]!)).toMatchObject({ type: 'mm', call: 'mmap', error: 'InvalidSize', errno: 'EINVAL' });
  });
});

describe('examples/memory-manager.vmsim (seed 003 snippets)', () => {
  it('prints the documented output on every model', async () => {
    for (const hw of ['x86-32', 'sv32', 'x86-64', 'sv39']) {
      const io = fakeIo();
      io.readFile = (path) => readFileSync(path, 'utf8');
      const file = fileURLToPath(new URL('../../../examples/memory-manager.vmsim', import.meta.url));
      expect(await main(['--hw', hw, 'run', file], io)).toBe(0);
      const pad = hw === 'x86-64' || hw === 'sv39' ? 34 : 10;
      expect(io.out).toEqual([
        'ptr = mmap → 0x7ffff000',
        '*ptr: 42',
        'munmap → 0',
        'addr = mmap → 0x7ffff000',
        'mprotect → 0',
        '7ffff000-80000000 r--p 00000000 00:00 0',
        'current_brk = brk → 0x10000000',
        'brk → 0x10002000',
        'old_brk = sbrk → 0x10002000',
        'restored = sbrk → 0x10004000',
        'brk → 0x10003000',
        'current_brk+16: 7',
        'stack_ptr = mmap → 0x7feff000',
        `10000000-10003000 rw-p 00000000 00:00 0${' '.repeat(pad)}[heap]`,
        '7feff000-7ffff000 rw-p 00000000 00:00 0',
        '7ffff000-80000000 r--p 00000000 00:00 0',
        'SIGSEGV (SEGV_ACCERR) at 0x7ffff000: process 0 continues (caught)',
        'SIGSEGV (SEGV_ACCERR) at 0x7ffff000: process 0 terminated',
      ]);
    }
  });
});
