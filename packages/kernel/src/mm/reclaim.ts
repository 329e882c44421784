// Reclaim driven by a replacement policy (the kernel option `reclaim`), Linux's try_to_free_pages /
// mem_cgroup reclaim / out_of_memory in one small room.
//
// The policy's pages are pfns of reclaimable frames only: private anonymous data frames (copy-on-write shared
// ones included: one frame, one page) and page-cache frames. A frame enters the policy when a fault maps a new
// one — a zero-fill, a COW copy, a swap-in, a file page read into the cache — and leaves it when it is freed
// (one place: the frame's last reference going, KernelContext.unrefFrame) or evicted. Shared anonymous (shmem)
// frames, private copies of file pages (MAP_PRIVATE writes), page tables and the zero page never enter it.
// With a policy that wants references (lru, mru, lfu, arc, ostep-clock, a caller's own), every user access
// reports the frame it used (`touch`); the access that a fault has just loaded a frame for is not reported
// again (the load was its reference). The clock family (clock, nru, aging, wsclock) sees loads only and reads
// the real Accessed bits through the page tables (mm/accessed-bits.ts) when its hand moves.
//
// Triggers, before anything of the operation changes:
//   (a) the machine-wide `limit` on frames in the policy: before a fault adds one at the limit, one victim goes;
//   (b) RAM exhaustion: every free-frame check (KernelContext.haveFrames / requireFrames) evicts victims until
//       enough frames are free;
//   (c) a per-process limit, like a memory cgroup's memory.max: `setMemoryLimit(pid, pages)` gives pid a group
//       with its own policy instance. A process belongs to the group set on it, else to its parent's group
//       (recursively): a limit covers the descendants that have none of their own, forked before or after. A
//       frame is charged, for its lifetime, to the group of the process whose fault loaded it (a page shared
//       after fork stays charged to the loader's group); before a fault charges a frame to a group at its
//       limit, a victim from that group's own policy goes. A frame of a group sits in both the machine-wide
//       policy and its group's; evicted through either, it leaves both. Lowering a limit takes effect at the
//       group's next charge. Removing it (null) moves the group's frames back to the machine-wide policy only.
// A victim that cannot be reclaimed right now (an anonymous page with no swap slot to go to, a page pinned by
// other references, the frame the fault itself copies from) is set aside, and the next victim is asked for;
// when one is evicted or the policy has nothing left, the set-aside frames are given back to the policy as
// freshly loaded, in the order they were set aside. At most as many victims are asked for as the policy
// holds, so this never loops.
//
// Eviction: an anonymous frame is swapped out (mm/vmscan.ts: every entry becomes a swap entry, written to swap
// if dirty); a page-cache frame is unmapped everywhere, written back to its file if dirty, and dropped
// (mm/vmscan-file.ts). When reclaim cannot free what is needed, the OOM killer kills the live process with the
// largest RSS (entries mapping a frame other than the zero page) plus swap entries, ties to the lowest pid —
// within the group for a group limit — and the request is tried again. If the process the request is for is
// killed, the request fails (a fault with ERR_OOM_KILLED, a system call with OomKilledError).

import type { PolicyName } from '@vmsim/replacement';
import { InvalidArgumentError, InvalidOptionError, KernelInvariantError } from '../errors.js';
import type { MemFile } from '../fs/mem-file.js';
import type { KernelContext } from '../kernel-context.js';
import { exitProcess } from '../proc/exit.js';
import type { AddressSpace } from './address-space.js';
import { FRAME_DATA } from './frame-allocator.js';
import { PageTableAccessedBits } from './accessed-bits.js';
import { ReplacementPagePolicy, type PagePolicy } from './page-policy.js';
import { isReclaimable, reclaimFrame, swapEntriesOf } from './vmscan.js';
import { isFilePageReclaimable, reclaimFilePage } from './vmscan-file.js';
import { MAP_SHARED, VM_PFNMAP, type Vma } from './vma.js';

/** The kernel option `reclaim`. */
export interface ReclaimOptions {
  /** A @vmsim/replacement policy by name (not opt), or a PagePolicy of the caller's own. */
  readonly policy: PolicyName | PagePolicy;
  /** Frames the policy may hold at most (machine-wide); default: no limit but RAM. */
  readonly limit?: number;
  /** random, ostep-clock: the seed (default 0). */
  readonly seed?: number;
  /** ostep-clock: the counter ceiling; aging: the counter width. */
  readonly bits?: number;
  /** nru, aging: references (loads and reported accesses) between clearings / ticks. */
  readonly period?: number;
  /** wsclock: τ. */
  readonly tau?: number;
  /** clock: whether a loaded page starts with its reference bit set (default true). */
  readonly insertRef?: boolean;
  /** Kill the largest process when reclaim cannot free enough (default true); false: the request fails. */
  readonly oomKill?: boolean;
}

/** A memory group (a memory cgroup with memory.max): its limit, its own policy, the frames charged to it. */
interface MemoryGroup {
  /** The process the limit was set on. */
  readonly pid: number;
  /** Index in `groups` plus one (0 in groupOf means no group). */
  readonly id: number;
  limit: number;
  readonly policy: PagePolicy;
  charged: number;
}

/** The counts `Kernel.reclaimStats()` adds to the swap counts. */
export interface ReclaimCounters {
  fileEvictions: number;
  fileWritebacks: number;
  fileMajorFaults: number;
  oomKills: number;
}

export class Reclaimer {
  readonly policy: PagePolicy;
  limit: number;
  readonly oomKill: boolean;
  /** Frames in the policy. */
  count = 0;
  private readonly options: ReclaimOptions;
  private readonly named: PolicyName | null;
  /** pfn → 1 while the frame is in the policy. */
  private readonly tracked: Uint8Array;
  /** pfn → the id of the group the frame is charged to, 0 for none. */
  private readonly groupOf: Int32Array;
  private readonly groups: (MemoryGroup | null)[] = [];
  private readonly groupByPid = new Map<number, MemoryGroup>();
  /** Page-cache frames in the policy: pfn → the file page it holds. */
  private readonly filePages = new Map<number, { readonly file: MemFile; readonly index: number }>();
  /** The frames the current access's faults loaded (their access is not reported again), -1 none. */
  private loaded0 = -1;
  private loaded1 = -1;
  /** The frame of the fault in progress that must not be evicted (a COW source, a cached page being mapped). */
  private pin = -1;

  constructor(private readonly ctx: KernelContext, options: ReclaimOptions) {
    this.options = options;
    const total = ctx.frames.total;
    this.limit = options.limit ?? Infinity;
    this.oomKill = options.oomKill ?? true;
    this.tracked = new Uint8Array(total);
    this.groupOf = new Int32Array(total);
    if (typeof options.policy === 'string') {
      this.named = options.policy;
      this.policy = this.makePolicy(options.limit ?? total);
    } else {
      this.named = null;
      this.policy = options.policy;
    }
  }

  get wantsReferences(): boolean {
    return this.policy.wantsReferences;
  }

  private makePolicy(frames: number): PagePolicy {
    const o = this.options;
    const name = this.named!;
    const accessed = name === 'clock' || name === 'nru' || name === 'aging' || name === 'wsclock' ? new PageTableAccessedBits(this.ctx) : null;
    return new ReplacementPagePolicy(name, {
      frames,
      pageCount: this.ctx.frames.total,
      ...(o.seed === undefined ? {} : { seed: o.seed }),
      ...(o.bits === undefined ? {} : { bits: o.bits }),
      ...(o.period === undefined ? {} : { period: o.period }),
      ...(o.tau === undefined ? {} : { tau: o.tau }),
      ...(o.insertRef === undefined ? {} : { insertRef: o.insertRef }),
      accessed,
    });
  }

  // ------------------------------------------------------------ groups (per-process limits)

  /** Sets (pages) or removes (null) the limit of pid's own group. */
  setLimit(pid: number, pages: number | null): void {
    if (pages !== null && (typeof pages !== 'number' || !Number.isInteger(pages) || pages < 1 || pages > this.ctx.frames.total)) {
      throw new InvalidArgumentError('pages', pages, `expected null or an integer from 1 to ${this.ctx.frames.total}`);
    }
    this.ctx.procs.live(pid);
    const existing = this.groupByPid.get(pid);
    if (pages === null) {
      if (existing === undefined) return;
      for (let pfn = 0; pfn < this.groupOf.length; pfn++) {
        if (this.groupOf[pfn] === existing.id) {
          this.groupOf[pfn] = 0;
          existing.policy.removed(pfn);
        }
      }
      this.groups[existing.id - 1] = null;
      this.groupByPid.delete(pid);
      return;
    }
    if (existing !== undefined) {
      existing.limit = pages;
      return;
    }
    if (this.named === null) {
      throw new InvalidOptionError('reclaim.policy', 'a PagePolicy object', 'per-process limits need a policy by name (each group gets its own instance)');
    }
    const group: MemoryGroup = { pid, id: this.groups.length + 1, limit: pages, policy: this.makePolicy(this.ctx.frames.total), charged: 0 };
    this.groups.push(group);
    this.groupByPid.set(pid, group);
  }

  /** The group a process belongs to: its own, else its nearest ancestor's; null for none. */
  groupOfPid(pid: number): MemoryGroup | null {
    if (this.groupByPid.size === 0) return null;
    const procs = this.ctx.procs;
    for (let p = pid; p >= 0; p = procs.get(p).parentPid) {
      const g = this.groupByPid.get(p);
      if (g !== undefined) return g;
    }
    return null;
  }

  /** The groups with their limits and charges, by the pid they were set on. */
  groupList(): { pid: number; limit: number; charged: number }[] {
    return [...this.groupByPid.values()].sort((a, b) => a.pid - b.pid).map((g) => ({ pid: g.pid, limit: g.limit, charged: g.charged }));
  }

  // ------------------------------------------------------------ the policy hooks

  /** A fault of `pid` mapped the new frame `pfn` in `vma`: it enters the policy if it is private anonymous. */
  loadedAnon(pfn: number, pid: number, vma: Vma, write: boolean): void {
    if (vma.file !== undefined || vma.shm !== undefined || (vma.flags & (MAP_SHARED | VM_PFNMAP)) !== 0) return;
    this.load(pfn, pid, write);
  }

  /** A fault of `pid` read page `index` of `file` into the new cache frame `pfn`. */
  loadedFile(pfn: number, pid: number, file: MemFile, index: number, write: boolean): void {
    this.filePages.set(pfn, { file, index });
    this.load(pfn, pid, write);
  }

  private load(pfn: number, pid: number, write: boolean): void {
    if (this.tracked[pfn] !== 0) throw new KernelInvariantError([`reclaim: frame ${pfn} loaded twice`]);
    this.tracked[pfn] = 1;
    this.count++;
    this.policy.loaded(pfn, write);
    const g = pid >= 0 ? this.groupOfPid(pid) : null;
    if (g !== null) {
      this.groupOf[pfn] = g.id;
      g.charged++;
      g.policy.loaded(pfn, write);
    }
    if (this.loaded0 < 0) this.loaded0 = pfn;
    else this.loaded1 = pfn;
  }

  /**
   * A user access used frame `pfn` (only called when the policy wants references); `faulted`: the access took a
   * fault, so the frames its faults loaded are not reported again (the load was the reference). Call
   * `accessDone` after the access's last frame.
   */
  touch(pfn: number, write: boolean, faulted: boolean): void {
    if (pfn >= this.tracked.length || this.tracked[pfn] === 0) return;
    if (faulted && (pfn === this.loaded0 || pfn === this.loaded1)) return;
    this.policy.touched(pfn, write);
    const id = this.groupOf[pfn]!;
    if (id !== 0) this.groups[id - 1]!.policy.touched(pfn, write);
  }

  /** The end of one access: the frames its faults loaded are ordinary frames again. */
  accessDone(): void {
    this.loaded0 = -1;
    this.loaded1 = -1;
  }

  /** Frame `pfn`'s last reference went: it leaves the policies (if it was in them). */
  freed(pfn: number): void {
    if (pfn < this.tracked.length && this.tracked[pfn] !== 0) this.untrack(pfn, null);
  }

  /** Takes `pfn` out of the books and out of every policy holding it but `except` (which gave it up itself). */
  private untrack(pfn: number, except: PagePolicy | null): void {
    this.tracked[pfn] = 0;
    this.count--;
    if (this.policy !== except) this.policy.removed(pfn);
    const id = this.groupOf[pfn]!;
    if (id !== 0) {
      const g = this.groups[id - 1]!;
      g.charged--;
      this.groupOf[pfn] = 0;
      if (g.policy !== except) g.policy.removed(pfn);
    }
    this.filePages.delete(pfn);
  }

  // ------------------------------------------------------------ triggers

  /**
   * Before `pid` loads `loads` new reclaimable frames (one fault: 1; a kernel write over several pages: one per
   * page it loads) and needs `n` free frames in all (tables included): room for them under the machine-wide
   * limit and pid's group limit, then `n` free frames. `pin`: a frame not to evict. More loads than a limit
   * holds can only be had by evicting some of them again as the later ones come in: then room for one, as for
   * a single fault. False when that cannot be had (after OOM kills, if on); the caller then fails with nothing
   * of its own changed.
   */
  roomToLoad(n: number, pid: number, pin: number, loads = 1): boolean {
    const group = pid >= 0 ? this.groupOfPid(pid) : null;
    if (loads > this.limit || (group !== null && loads > group.limit)) loads = 1;
    this.pin = pin;
    try {
      while (this.count > this.limit - loads) {
        if (!this.evictFrom(this.policy) && !this.kill(pid, null)) return false;
        if (!this.alive(pid)) return false;
      }
      const g = pid >= 0 ? this.groupOfPid(pid) : null;
      while (g !== null && g.charged > g.limit - loads) {
        if (!this.evictFrom(g.policy) && !this.kill(pid, g)) return false;
        if (!this.alive(pid)) return false;
      }
      return this.freeUp(n, pid);
    } finally {
      this.pin = -1;
    }
  }

  /** `n` free frames for a request of `pid` (-1: none in particular), evicting and OOM-killing as needed. */
  makeFree(n: number, pid: number, pin: number): boolean {
    this.pin = pin;
    try {
      return this.freeUp(n, pid);
    } finally {
      this.pin = -1;
    }
  }

  private freeUp(n: number, pid: number): boolean {
    const frames = this.ctx.frames;
    while (frames.freeCount < n) {
      if (this.evictFrom(this.policy)) continue;
      if (!this.kill(pid, null)) return false;
      if (!this.alive(pid)) return false;
    }
    return true;
  }

  private alive(pid: number): boolean {
    return pid < 0 || this.ctx.procs.get(pid).state !== 'terminated';
  }

  /**
   * Evicts one victim of `policy`; false when it names none that can be reclaimed now. Unreclaimable victims
   * are set aside and given back afterwards (see the file's first comment).
   */
  private evictFrom(policy: PagePolicy): boolean {
    const aside: number[] = [];
    let done = false;
    for (let tries = this.count; tries > 0; tries--) {
      const pfn = policy.victim();
      if (pfn < 0) break;
      if (pfn >= this.tracked.length || this.tracked[pfn] === 0) {
        throw new KernelInvariantError([`reclaim: the policy named frame ${pfn}, which it was never given`]);
      }
      if (pfn !== this.pin && this.evictable(pfn)) {
        this.evict(pfn, policy);
        done = true;
        break;
      }
      aside.push(pfn);
    }
    for (const pfn of aside) policy.loaded(pfn, false);
    return done;
  }

  private evictable(pfn: number): boolean {
    const ctx = this.ctx;
    const page = this.filePages.get(pfn);
    if (page !== undefined) return isFilePageReclaimable(ctx, pfn, page.file, page.index);
    return isReclaimable(ctx, pfn) && (ctx.swapCache.slotOf(pfn) >= 0 || ctx.swap.freeCount > 0);
  }

  private evict(pfn: number, from: PagePolicy): void {
    const ctx = this.ctx;
    const page = this.filePages.get(pfn);
    this.untrack(pfn, from);
    let dirty: boolean;
    if (page !== undefined) {
      dirty = reclaimFilePage(ctx, pfn, page.file, page.index);
    } else {
      const before = ctx.swapCounts.writebacks;
      if (!reclaimFrame(ctx, pfn)) throw new KernelInvariantError([`reclaim: frame ${pfn} was reclaimable and then was not`]);
      dirty = ctx.swapCounts.writebacks !== before;
    }
    if (ctx.listening) ctx.emit({ type: 'evict', pfn, dirty, to: page === undefined ? 'swap' : 'file' });
  }

  // ------------------------------------------------------------ inspection

  /** The frames in the policy, in pfn order. */
  trackedFrames(): number[] {
    const out: number[] = [];
    for (let pfn = 0; pfn < this.tracked.length; pfn++) if (this.tracked[pfn] !== 0) out.push(pfn);
    return out;
  }

  /**
   * For the invariant sweep: the policy holds exactly the live reclaimable frames — every data frame mapped only
   * in private anonymous regions and every page-cache frame — with the right counts and group charges.
   */
  check(problems: string[]): void {
    const ctx = this.ctx;
    const { frames } = ctx;
    let n = 0;
    const charged = new Map<number, number>();
    for (let pfn = 0; pfn < this.tracked.length; pfn++) {
      const id = this.groupOf[pfn]!;
      if (this.tracked[pfn] === 0) {
        if (id !== 0) problems.push(`reclaim: frame ${pfn} is charged to group ${id} but not tracked`);
        continue;
      }
      n++;
      if (id !== 0) charged.set(id, (charged.get(id) ?? 0) + 1);
      if (frames.kindOf(pfn) !== FRAME_DATA || frames.refCount(pfn) === 0) problems.push(`reclaim: tracked frame ${pfn} is not a data frame in use`);
      const page = this.filePages.get(pfn);
      if (page !== undefined) {
        if (page.file.cache.get(page.index) !== pfn) problems.push(`reclaim: tracked frame ${pfn} is not page ${page.index} of file ${page.file.ino}`);
      } else if (ctx.rmap.count(pfn) === 0) {
        problems.push(`reclaim: tracked anonymous frame ${pfn} is mapped by no entry`);
      }
    }
    if (n !== this.count) problems.push(`reclaim: ${n} frames tracked, counted ${this.count}`);
    if (this.count > this.limit) problems.push(`reclaim: ${this.count} frames tracked, over the limit ${this.limit}`);
    for (const pfn of this.filePages.keys()) if (this.tracked[pfn] === 0) problems.push(`reclaim: file frame ${pfn} is not tracked`);
    for (const pfn of ctx.files.cacheFrames) if (this.tracked[pfn] === 0) problems.push(`reclaim: page-cache frame ${pfn} is not tracked`);
    for (const [pfn, mappers] of ctx.rmap.frames()) {
      if (this.tracked[pfn] !== 0 || ctx.files.cacheFrames.has(pfn)) continue;
      const anon = mappers.every(({ space, va }) => {
        const vma = space.vmas.find(va);
        return vma !== undefined && vma.file === undefined && vma.shm === undefined && (vma.flags & (MAP_SHARED | VM_PFNMAP)) === 0;
      });
      if (anon) problems.push(`reclaim: private anonymous frame ${pfn} is not tracked`);
    }
    for (const g of this.groups) {
      if (g === null) continue;
      const c = charged.get(g.id) ?? 0;
      if (c !== g.charged) problems.push(`reclaim: group of pid ${g.pid} counts ${g.charged} frames, ${c} charged`);
    }
  }

  // ------------------------------------------------------------ the OOM killer

  /**
   * Kills the live process (of `group`, when given) with the largest RSS plus swap entries, ties to the lowest
   * pid; false when OOM kills are off or there is no candidate.
   */
  private kill(_forPid: number, group: MemoryGroup | null): boolean {
    if (!this.oomKill) return false;
    const ctx = this.ctx;
    let chosen = -1;
    let best = -1;
    let bestRss = 0;
    let bestSwap = 0;
    for (const p of ctx.procs.all()) {
      if (p.state === 'terminated' || p.space === null) continue;
      if (group !== null && this.groupOfPid(p.pid) !== group) continue;
      const rss = residentPages(ctx, p.space);
      const swap = ctx.swap.slots === 0 ? 0 : swapEntriesOf(ctx, p.space);
      if (rss + swap > best) {
        best = rss + swap;
        chosen = p.pid;
        bestRss = rss;
        bestSwap = swap;
      }
    }
    if (chosen < 0) return false;
    ctx.reclaimCounts.oomKills++;
    if (ctx.listening) ctx.emit({ type: 'oom-kill', pid: chosen, rss: bestRss, swap: bestSwap });
    exitProcess(ctx, chosen);
    return true;
  }
}

/** Entries of `space` mapping a frame other than the zero page (device regions apart): its RSS in pages. */
export function residentPages(ctx: KernelContext, space: AddressSpace): number {
  let rss = 0;
  const { zeroPfn, frames } = ctx;
  space.visit({
    leaf(va, _entryPa, pfn) {
      if (pfn === zeroPfn || pfn >= frames.total || frames.kinds[pfn] !== FRAME_DATA) return;
      const vma = space.vmas.find(va);
      if (vma !== undefined && (vma.flags & VM_PFNMAP) !== 0) return;
      rss++;
    },
  });
  return rss;
}

/**
 * Reports a user access of `size` bytes at `va` by `space` (successful, so every page it covers is mapped) to
 * reclaim's policy: the frame of each page, in address order; `faulted`: the access took a fault on the way.
 * Called only when `ctx.touching`.
 */
export function touchAccess(ctx: KernelContext, space: AddressSpace, va: number, size: number, write: boolean, faulted: boolean): void {
  const reclaim = ctx.reclaim!;
  const first = ctx.pageBase(va);
  if (space.find(first)) reclaim.touch(space.foundPfn, write, faulted);
  if ((va & (ctx.pageSize - 1)) + size > ctx.pageSize) {
    const second = ctx.nextPage(first);
    if (space.find(second)) reclaim.touch(space.foundPfn, write, faulted);
  }
  reclaim.accessDone();
}

/** Reports a user access within one page whose frame the caller knows (it translated the address itself). */
export function touchFrame(ctx: KernelContext, pfn: number, write: boolean, faulted: boolean): void {
  const reclaim = ctx.reclaim!;
  reclaim.touch(pfn, write, faulted);
  reclaim.accessDone();
}
