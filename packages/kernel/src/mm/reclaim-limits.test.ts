// Per-process memory limits (memory cgroups), the OOM killer, frames leaving the policy when freed, and the
// atomicity of refusals with swap in play (the snapshot holds the swap area and the swap cache), on every model.

import { ACCESS_WRITE } from '@vmsim/hw';
import { describe, expect, it } from 'vitest';
import { ERR_OOM_KILLED, VM_FAULT_OOM } from '../codes.js';
import { OomKilledError, OutOfMemoryError } from '../errors.js';
import type { KernelEvent } from '../events.js';
import type { Kernel, KernelOptions } from '../kernel.js';
import { caught, expectSameSnapshot } from '../testing/assertions.js';
import { boot, PAGE, pfnOf, VA } from '../testing/kernel-helpers.js';
import { MODELS } from '../testing/models.js';
import { MAP_ANONYMOUS, MAP_FIXED, MAP_PRIVATE, PROT_READ, PROT_WRITE } from './vma.js';

const RW = PROT_READ | PROT_WRITE;
const ANON = MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED;

function events(k: Kernel): KernelEvent[] {
  const out: KernelEvent[] = [];
  k.on((e) => out.push(e));
  return out;
}

/** Stores a distinct word in `n` pages from `first`, as the running process; all must succeed. */
function fill(k: Kernel, first: number, n: number, tag: number): void {
  for (let i = 0; i < n; i++) expect(k.store(VA + (first + i) * PAGE, 4, tag + i)).toBe(0);
}

/** Spawns a process, makes it the running one and maps 8 anonymous read-write pages at VA in it. */
function spawnWithArea(k: Kernel): ReturnType<Kernel['spawn']> {
  const p = k.spawn();
  k.switchTo(p.pid);
  k.mmap(VA, 8 * PAGE, RW, ANON);
  return p;
}

describe.each(MODELS)('memory limits and the OOM killer on $name', ({ make }) => {
  const machine = (options: Partial<KernelOptions>): Kernel => boot(make, { swapSlots: 16, ...options });

  it('a per-process limit evicts from the group its own policy chooses, leaving other processes alone', () => {
    const k = machine({ reclaim: { policy: 'lru' } });
    const a = spawnWithArea(k);
    const b = k.fork(); // b has no limit: a's limit is set on a alone... but b is a's child and inherits it
    k.setMemoryLimit(a.pid, 3);
    k.setMemoryLimit(b.pid, null); // b had no group of its own: nothing changes, b stays in a's group
    const c = spawnWithArea(k);
    fill(k, 0, 6, 100); // c: unlimited
    k.switchTo(a.pid);
    const log = events(k);
    fill(k, 0, 3, 200); // a: 3 frames, at its limit
    expect(k.load(VA, 4)).toBe(200); // page 0 is now the most recently used
    fill(k, 3, 1, 203); // over: a's least recently used (page 1) goes
    const evicted = log.filter((e) => e.type === 'evict');
    expect(evicted).toHaveLength(1);
    expect(k.translate(VA + PAGE, a.pid)).toBeNull();
    expect(k.translate(VA, a.pid)).not.toBeNull();
    for (let i = 0; i < 6; i++) expect(k.translate(VA + i * PAGE, c.pid)).not.toBeNull(); // c untouched
    expect(k.reclaimStats().groups).toEqual([{ pid: a.pid, limit: 3, charged: 3 }]);
    // b (a's child) shares the group: its frames count against the same limit
    k.switchTo(b.pid);
    fill(k, 6, 2, 300);
    expect(k.reclaimStats().groups).toEqual([{ pid: a.pid, limit: 3, charged: 3 }]);
    expect(k.reclaimStats().evictions).toBe(3);
    // every page still reads back its value, through swap-ins charged to the group
    k.switchTo(a.pid);
    for (const [i, v] of [[0, 200], [1, 201], [2, 202], [3, 203]] as const) expect(k.load(VA + i * PAGE, 4)).toBe(v);
    expect(k.reclaimStats().groups[0]!.charged).toBe(3);
    k.checkInvariants();
  });

  it('raising a limit stops evictions; removing it hands the frames back to the machine-wide policy', () => {
    const k = machine({ reclaim: { policy: 'fifo' } });
    const a = spawnWithArea(k);
    k.setMemoryLimit(a.pid, 2);
    fill(k, 0, 3, 1);
    expect(k.reclaimStats().evictions).toBe(1);
    k.setMemoryLimit(a.pid, 4);
    fill(k, 3, 2, 4);
    expect(k.reclaimStats()).toMatchObject({ evictions: 1, groups: [{ pid: a.pid, limit: 4, charged: 4 }] });
    k.setMemoryLimit(a.pid, null);
    fill(k, 5, 3, 6);
    expect(k.reclaimStats()).toMatchObject({ evictions: 1, resident: 7, groups: [] });
    k.checkInvariants();
  });

  it('the OOM killer kills the largest process (RSS + swap), with its event, and the request goes on', () => {
    const k = machine({ swapSlots: 0, reclaim: { policy: 'fifo', limit: 6 } });
    const small = spawnWithArea(k);
    fill(k, 0, 2, 1);
    const big = spawnWithArea(k);
    fill(k, 0, 3, 10);
    const third = spawnWithArea(k);
    fill(k, 0, 1, 20); // 6 frames: at the limit, nothing evictable (no swap)
    const log = events(k);
    expect(k.store(VA + PAGE, 4, 21)).toBe(0); // big (3 pages) is killed; third goes on
    expect(log.filter((e) => e.type === 'oom-kill' || e.type === 'kill')).toEqual([
      { type: 'oom-kill', pid: big.pid, rss: 3, swap: 0 },
      { type: 'kill', pid: big.pid },
    ]);
    expect(k.processes().map((p) => p.pid)).toEqual([small.pid, third.pid]);
    expect(k.reclaimStats()).toMatchObject({ oomKills: 1, resident: 4 });
    expect(k.copyin(small.pid, VA, 1)[0]).toBe(1);
    k.checkInvariants();
  });

  it('ties go to the lowest pid; swap entries count with the resident pages', () => {
    const k = machine({ swapSlots: 2, reclaim: { policy: 'fifo', limit: 4 } });
    const a = spawnWithArea(k);
    fill(k, 0, 2, 1);
    const b = spawnWithArea(k);
    fill(k, 0, 2, 5); // limit reached
    fill(k, 2, 2, 7); // a's two pages go to the two slots: a has 0 + 2, b 4 + 0
    expect(k.swapStats().processes).toEqual([{ pid: a.pid, swapPages: 2 }, { pid: b.pid, swapPages: 0 }]);
    const log = events(k);
    k.switchTo(a.pid);
    expect(k.store(VA + 2 * PAGE, 4, 9)).toBe(0); // nothing evictable (swap full): b (4) is larger than a (2)
    expect(log.find((e) => e.type === 'oom-kill')).toEqual({ type: 'oom-kill', pid: b.pid, rss: 4, swap: 0 });
    const k2 = machine({ swapSlots: 0, reclaim: { policy: 'fifo', limit: 4 } });
    const x = spawnWithArea(k2);
    fill(k2, 0, 2, 1);
    const y = spawnWithArea(k2);
    fill(k2, 0, 2, 1);
    const log2 = events(k2);
    expect(k2.store(VA + 2 * PAGE, 4, 3)).toBe(0); // x and y tie at 2: x, the lower pid, goes
    expect(log2.find((e) => e.type === 'oom-kill')).toEqual({ type: 'oom-kill', pid: x.pid, rss: 2, swap: 0 });
  });

  it('when the faulting process itself is killed the access fails with ERR_OOM_KILLED; a syscall with OomKilledError', () => {
    const k = machine({ swapSlots: 0, reclaim: { policy: 'lru', limit: 2 } });
    const p = spawnWithArea(k);
    fill(k, 0, 2, 1);
    const log = events(k);
    expect(k.store(VA + 2 * PAGE, 4, 3)).toBe(ERR_OOM_KILLED);
    expect(k.status).toBe(ERR_OOM_KILLED);
    expect(k.process(p.pid).state).toBe('terminated');
    expect(k.current).toBeNull();
    expect(log.some((e) => e.type === 'fault' && e.resolution === 'oom')).toBe(true);
    expect(k.stats().frames.data).toBe(0);
    // a write by the kernel (copyout) for a process that gets killed: OomKilledError
    const q = k.spawn();
    k.mmap(VA, 8 * PAGE, RW, ANON, -1, 0, q.pid);
    k.copyout(q.pid, VA, Uint8Array.of(1));
    k.copyout(q.pid, VA + PAGE, Uint8Array.of(2));
    const e = caught(() => k.copyout(q.pid, VA + 2 * PAGE, Uint8Array.of(3)));
    expect(e).toBeInstanceOf(OomKilledError);
    expect(e).toMatchObject({ pid: q.pid, errno: 'ENOMEM' });
    k.checkInvariants();
  });

  it('with oomKill off, a request reclaim cannot serve fails and changes nothing (swap included in the snapshot)', () => {
    const k = machine({ swapSlots: 1, reclaim: { policy: 'fifo', limit: 2, oomKill: false } });
    const p = spawnWithArea(k);
    fill(k, 0, 3, 1); // page 0 in the one slot
    expect(k.snapshot().swap.slots).toEqual([{ slot: 0, refs: 1, bytes: expect.any(Uint8Array) }]);
    const before = k.snapshot();
    expect(k.store(VA + 3 * PAGE, 4, 9)).toBe(VM_FAULT_OOM);
    expectSameSnapshot(k.snapshot(), before);
    expect(k.handlePageFault(p.pid, VA + 4 * PAGE, ACCESS_WRITE)).toBe(VM_FAULT_OOM);
    expectSameSnapshot(k.snapshot(), before);
    expect(caught(() => k.write(VA + 5 * PAGE, Uint8Array.of(1)))).toBeInstanceOf(OutOfMemoryError);
    expectSameSnapshot(k.snapshot(), before);
    expect(k.process(p.pid).state).toBe('running');
    expect(k.load(VA, 4)).toBe(VM_FAULT_OOM); // swapping page 0 in needs a frame under the limit too
    expectSameSnapshot(k.snapshot(), before);
  });

  it('a kernel write over pages the limits cannot all hold is refused before a byte is written', () => {
    // Machine-wide limit 2 with one page loaded and no swap: room for one more load, and the write loads two.
    const k = machine({ swapSlots: 0, reclaim: { policy: 'fifo', limit: 2, oomKill: false } });
    spawnWithArea(k);
    fill(k, 0, 1, 1);
    const before = k.snapshot();
    const e = caught(() => k.write(VA + 2 * PAGE - 2, Uint8Array.of(1, 2, 3, 4)));
    expect(e).toBeInstanceOf(OutOfMemoryError);
    expectSameSnapshot(k.snapshot(), before);
    // The same under a per-process limit (memory.max) with the machine-wide one far away.
    const g = machine({ swapSlots: 0, reclaim: { policy: 'lru', oomKill: false } });
    const p = spawnWithArea(g);
    g.setMemoryLimit(p.pid, 2);
    fill(g, 0, 1, 1);
    const held = g.snapshot();
    expect(caught(() => g.write(VA + 2 * PAGE - 2, Uint8Array.of(1, 2, 3, 4)))).toBeInstanceOf(OutOfMemoryError);
    expectSameSnapshot(g.snapshot(), held);
    // With room for both loads made first, by evicting another page to swap, the write goes through whole.
    const s = machine({ swapSlots: 1, reclaim: { policy: 'fifo', limit: 2, oomKill: false } });
    spawnWithArea(s);
    fill(s, 0, 1, 1);
    s.write(VA + 2 * PAGE - 2, Uint8Array.of(1, 2, 3, 4));
    expect([...s.read(VA + 2 * PAGE - 2, 4)]).toEqual([1, 2, 3, 4]);
    expect([...s.read(VA, 4)]).toEqual([1, 0, 0, 0]); // page 0, in the slot, read without bringing it in
    expect(s.swapStats()).toMatchObject({ pswpout: 1, slotsUsed: 1 });
    s.checkInvariants();
  });

  it('a kernel write over more pages than the limit holds still goes through, evicting its own pages as it goes', () => {
    const k = machine({ swapSlots: 2, reclaim: { policy: 'fifo', limit: 1, oomKill: false } });
    spawnWithArea(k);
    const data = Uint8Array.from({ length: PAGE + 8 }, (_, i) => i & 0xff);
    k.write(VA + PAGE - 4, data);
    expect([...k.read(VA + PAGE - 4, data.length)]).toEqual([...data]);
    expect(k.reclaimStats()).toMatchObject({ resident: 1 });
    k.checkInvariants();
  });

  it('the snapshot sees a change in a swap slot and in the swap cache', () => {
    const k = machine({ swapSlots: 4 });
    const p = k.spawn();
    k.mmap(VA, 2 * PAGE, RW, ANON);
    k.store(VA, 4, 7);
    k.reclaim(pfnOf(k, VA, p.pid));
    const swapped = k.snapshot();
    expect(swapped.swap.slots).toHaveLength(1);
    expect(swapped.swap.slots[0]!.bytes![0]).toBe(7);
    expect(k.load(VA, 4)).toBe(7);
    const cached = k.snapshot();
    expect(cached.swap.cache).toEqual([[0, pfnOf(k, VA, p.pid)]]);
    expect(cached.swap).not.toEqual(swapped.swap);
    expect(cached.reclaim).toBeNull();
  });

  it('frames leave the policy when freed: munmap, exit, a COW break by the last sharer', () => {
    const k = machine({ reclaim: { policy: 'lru', limit: 8 } });
    const a = spawnWithArea(k);
    fill(k, 0, 3, 1);
    expect(k.reclaimStats().resident).toBe(3);
    k.munmap(VA, PAGE);
    expect(k.reclaimStats().resident).toBe(2);
    const b = k.fork();
    k.switchTo(b.pid);
    k.store(VA + PAGE, 4, 50); // b's copy: a new frame in the policy
    expect(k.reclaimStats().resident).toBe(3);
    k.kill(a.pid); // a's copy of page 1 goes; page 2 stays (b holds it)
    expect(k.reclaimStats().resident).toBe(2);
    k.kill(b.pid);
    expect(k.reclaimStats().resident).toBe(0);
    expect(k.snapshot().reclaim).toEqual({ tracked: [], groups: [] });
  });
});
