import { describe, expect, it } from 'vitest';
import {
  accessRefused, alreadyRegistered, badSwitch, evicted, hex, invalidAddress, noProcess, oomKill, outOfMemory, outsideAddressSpace, pgcopy,
  pgzero, swappedIn, zombie,
} from './messages.js';

describe('swap and reclaim messages', () => {
  it('the OOM kill shows the pid, the resident and the swapped pages, singular for one', () => {
    expect(oomKill(3, 12, 4)).toBe('Out of memory: killed process 3 (rss 12 pages, swap 4 pages)');
    expect(oomKill(0, 1, 0)).toBe('Out of memory: killed process 0 (rss 1 page, swap 0 pages)');
    expect(oomKill(1, 0, 1)).toBe('Out of memory: killed process 1 (rss 0 pages, swap 1 page)');
  });

  it('EVICT and SWAPIN lines in the style of PGZERO', () => {
    expect(evicted(0x12, true, 'swap')).toBe('EVICT: pfn 0x12 to swap, written');
    expect(evicted(5, false, 'file')).toBe('EVICT: pfn 0x5 to file, clean');
    expect(swappedIn(0x3000, 2, false)).toBe('SWAPIN: 0x3000 from slot 2');
    expect(swappedIn(0, 0, true)).toBe('SWAPIN: 0x0 from slot 0 (swap cache)');
  });
});

describe('messages', () => {
  it('prints the original texts character for character', () => {
    expect(alreadyRegistered(0x80000010)).toBe('Mapping already registered for 0x80000010.');
    expect(invalidAddress(0x80004000)).toBe('Invalid address 0x80004000');
    expect(zombie(3)).toBe('ZOMBIE 3');
    expect(pgzero(0)).toBe('PGZERO: 0x0');
    expect(pgzero(0x1000)).toBe('PGZERO: 0x1000');
    expect(pgcopy(0xabc000)).toBe('PGCOPY: 0xabc000');
  });

  it('shows hex in lowercase without padding, with a minus sign below zero', () => {
    expect(hex(0)).toBe('0x0');
    expect(hex(0xdeadbeef)).toBe('0xdeadbeef');
    expect(hex(-0x7ffff000)).toBe('-0x7ffff000');
    expect(pgzero(0x1000 - 0x80000000)).toBe('PGZERO: -0x7ffff000');
  });

  it('words the messages that replace the original crashes', () => {
    expect(noProcess('fork')).toBe('No process is running: fork ignored');
    expect(badSwitch(4, 4)).toBe('Cannot switch to process 4: expected an index from 0 to 3; nothing changed');
    expect(badSwitch(-1, 1)).toBe('Cannot switch to process -1: the only live process is 0; nothing changed');
    expect(badSwitch(0, 0)).toBe('Cannot switch to process 0: no process is alive; nothing changed');
    expect(badSwitch('1', 2)).toBe('Cannot switch to process "1": expected an index from 0 to 1; nothing changed');
    expect(badSwitch(2n, 2)).toBe('Cannot switch to process 2n: expected an index from 0 to 1; nothing changed');
    expect(outOfMemory('write to 0x80000000', 1, 0)).toBe('Out of memory: cannot write to 0x80000000 (needs 1 frame, 0 free); nothing changed');
    expect(outOfMemory('fork process 0', 2, 1)).toBe('Out of memory: cannot fork process 0 (needs 2 frames, 1 free); nothing changed');
    expect(outsideAddressSpace(0xfffffffc, 8, 32)).toBe(
      'Invalid address 0xfffffffc: a value of 8 bytes there runs past the end of the 32-bit virtual address space',
    );
    expect(outsideAddressSpace(0x1000000, 0, 24)).toBe('Invalid address 0x1000000: outside the 24-bit virtual address space');
    // The 64-bit models: user space is the lower half of the sign-extended space.
    expect(outsideAddressSpace(2 ** 47, 0, 47, 'user')).toBe('Invalid address 0x800000000000: outside the 47-bit user address space');
    expect(outsideAddressSpace(2 ** 38 - 2, 4, 38, 'user')).toBe(
      'Invalid address 0x3ffffffffe: a value of 4 bytes there runs past the end of the 38-bit user address space',
    );
    expect(accessRefused('write to 0x80000000', -2)).toBe('Cannot write to 0x80000000: the kernel refused the access (code -2); nothing changed');
  });
});
