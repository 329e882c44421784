// What each mmap protection allows on each model, as Linux answers: the fault path, the hardware on a
// present page, and the kernel's own copies (copyin/copyout and their probes) must all agree.
//
// x86-64 was measured on this machine (Linux 6.18.44, x86-64, no PKU in use) with a small C program: mmap
// one private anonymous page with each prot, then read p[0], write p[0] = 42, and call a `ret` copied
// into the page (written through an RW mapping, then mprotect to the prot), catching SIGSEGV with its
// si_code. It printed:
//   ---: read ACCERR write ACCERR exec ACCERR      rw-: read ok write ok     exec ACCERR
//   r--: read ok     write ACCERR exec ACCERR      r-x: read ok write ACCERR exec ok
//   -w-: read ok     write ok     exec ACCERR      -wx: read ok write ok     exec ok
//   --x: read ok     write ACCERR exec ok          rwx: read ok write ok     exec ok
// (and /proc/self/maps still shows the asked-for `-w-p` and `--xp`).
// x86-32 (32-bit paging, no PAE): the same, except that without execute-disable every accessible page
// executes (i386's fault handler sees an instruction fetch as a read).
// RISC-V (Sv32, Sv39), from arch/riscv's protection_map and access_error: VM_WRITE alone is PAGE_COPY /
// PAGE_SHARED (R, or R+W: W without R is a reserved encoding), VM_EXEC alone is PAGE_EXEC (X only, so a
// load faults: access_error refuses a read without VM_READ|VM_WRITE), and exec needs VM_EXEC.

import { ACCESS_EXEC, ACCESS_READ, ACCESS_WRITE, type AccessKind } from '@vmsim/hw';
import { describe, expect, it } from 'vitest';
import { PG_SPURIOUS, SEGV_ACCERR } from '../codes.js';
import { PermissionDeniedError } from '../errors.js';
import type { Kernel } from '../kernel.js';
import { MAP_ANONYMOUS, MAP_PRIVATE, MAP_SHARED, PROT_EXEC, PROT_NONE, PROT_READ, PROT_WRITE } from '../mm/vma.js';
import { caught, expectSameSnapshot } from '../testing/assertions.js';
import { PAGE, boot } from '../testing/kernel-helpers.js';
import { MODELS } from '../testing/models.js';

const PROTS: readonly [string, number][] = [
  ['---', PROT_NONE], ['r--', PROT_READ], ['-w-', PROT_WRITE], ['--x', PROT_EXEC],
  ['rw-', PROT_READ | PROT_WRITE], ['r-x', PROT_READ | PROT_EXEC], ['-wx', PROT_WRITE | PROT_EXEC],
  ['rwx', PROT_READ | PROT_WRITE | PROT_EXEC],
];

/** Allowed accesses per prot, in PROTS order, as 'rwx' strings. */
const X86_64 = ['---', 'r--', 'rw-', 'r-x', 'rw-', 'r-x', 'rwx', 'rwx'];
const X86_32 = ['---', 'r-x', 'rwx', 'r-x', 'rwx', 'r-x', 'rwx', 'rwx'];
const RISCV = ['---', 'r--', 'rw-', '--x', 'rw-', 'r-x', 'rwx', 'rwx'];
const EXPECTED: Readonly<Record<string, readonly string[]>> = { 'x86-64': X86_64, 'x86-32': X86_32, sv32: RISCV, sv39: RISCV };

const ANON = MAP_PRIVATE | MAP_ANONYMOUS;

function allows(rights: string, access: AccessKind): boolean {
  return rights[access === ACCESS_READ ? 0 : access === ACCESS_WRITE ? 1 : 2] !== '-';
}

/** A fresh page with `prot` (nothing present) and one with the same prot whose frame holds 42 (present). */
function pages(k: Kernel, prot: number, flags = ANON): { fresh: number; present: number } {
  const fresh = k.mmap(0, PAGE, prot, flags);
  const present = k.mmap(0, PAGE, PROT_READ | PROT_WRITE, flags);
  expect(k.store(present, 4, 42)).toBe(0);
  k.mprotect(present, PAGE, prot);
  return { fresh, present };
}

describe.each(MODELS)('mmap protections as Linux answers them on $name', ({ name, make }) => {
  const expected = EXPECTED[name]!;

  it.each(PROTS.map(([label, prot], i) => ({ label, prot, rights: expected[i]! })))(
    '$label allows $rights: user loads and stores, instruction fetches, on fresh and present pages',
    ({ prot, rights }) => {
      for (const flags of [ANON, MAP_SHARED | MAP_ANONYMOUS]) {
        const k = boot(make);
        const p = k.spawn();
        const { fresh, present } = pages(k, prot, flags);
        // Reads: a fresh page reads zero (the zero page, or a shmem frame), the present one its 42.
        expect(k.load(fresh, 4)).toBe(allows(rights, ACCESS_READ) ? 0 : SEGV_ACCERR);
        expect(k.load(present, 4)).toBe(allows(rights, ACCESS_READ) ? 42 : SEGV_ACCERR);
        // Instruction fetches: the fault handler and the hardware (for the entry it leaves) agree.
        const fetch = k.handlePageFault(p.pid, fresh + 8, ACCESS_EXEC);
        if (allows(rights, ACCESS_EXEC)) {
          expect(fetch).toBeGreaterThan(0);
          const t = k.translate(fresh)!;
          expect(k.model.permits(t.flags, ACCESS_EXEC, true, k.mmu.control)).toBe(true);
          expect(k.handlePageFault(p.pid, present, ACCESS_EXEC)).toBe(PG_SPURIOUS);
        } else {
          expect(fetch).toBe(SEGV_ACCERR);
          expect(k.handlePageFault(p.pid, present, ACCESS_EXEC)).toBe(SEGV_ACCERR);
        }
        // Writes last: they change the pages.
        expect(k.store(fresh, 4, 7)).toBe(allows(rights, ACCESS_WRITE) ? 0 : SEGV_ACCERR);
        expect(k.store(present, 4, 7)).toBe(allows(rights, ACCESS_WRITE) ? 0 : SEGV_ACCERR);
        if (allows(rights, ACCESS_WRITE) && allows(rights, ACCESS_READ)) expect(k.load(present, 4)).toBe(7);
        k.takeSignal();
        k.checkInvariants();
      }
    },
  );

  it.each(PROTS.map(([label, prot], i) => ({ label, prot, rights: expected[i]! })))(
    '$label: the kernel\'s copyin and copyout answer as the user access does, and a refusal changes nothing',
    ({ prot, rights }) => {
      const k = boot(make);
      const p = k.spawn();
      const { fresh, present } = pages(k, prot);
      for (const [va, value] of [[fresh, 0], [present, 42]] as const) {
        if (allows(rights, ACCESS_READ)) {
          expect(new DataView(k.copyin(p.pid, va, 4).buffer).getUint32(0, true)).toBe(value);
        } else {
          const before = k.snapshot();
          expect(PermissionDeniedError.isInstance(caught(() => k.copyin(p.pid, va, 4)))).toBe(true);
          expectSameSnapshot(k.snapshot(), before);
        }
        if (allows(rights, ACCESS_WRITE)) {
          k.copyout(p.pid, va, Uint8Array.of(9, 0, 0, 0));
          if (allows(rights, ACCESS_READ)) expect(k.load(va, 4)).toBe(9);
        } else {
          const before = k.snapshot();
          expect(PermissionDeniedError.isInstance(caught(() => k.copyout(p.pid, va, Uint8Array.of(9))))).toBe(true);
          expectSameSnapshot(k.snapshot(), before);
        }
      }
      k.checkInvariants();
    },
  );

  it('maps keeps the asked-for protection (-w-p, --xp), as /proc/self/maps showed on Linux', () => {
    const k = boot(make);
    k.spawn();
    const w = k.mmap(0, PAGE, PROT_WRITE, ANON);
    const x = k.mmap(0, PAGE, PROT_EXEC, ANON);
    const perms = new Map(k.maps().map((m) => [m.start, m.perms]));
    expect(perms.get(w)).toBe('-w-p');
    expect(perms.get(x)).toBe('--xp');
  });
});
