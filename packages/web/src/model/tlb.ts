// The TLB as a view: sets × ways, each way's tag (virtual page), ASID, global bit, frame and cached rights,
// its place in its set's LRU order, and the hit, miss and flush counters. Read through the Tlb's inspector
// accessors (entry, stampOfSlot), which touch neither the LRU order nor the counters.

import { permBit, type Tlb } from '@vmsim/hw';
import type { Kernel } from '@vmsim/kernel';
import { vaHex } from './bits.js';

export interface TlbWayView {
  readonly slot: number;
  readonly valid: boolean;
  readonly vpn: number;
  /** The tagged page's first address, as hex. */
  readonly page: string;
  readonly asid: number;
  readonly global: boolean;
  readonly pfn: number;
  /** Cached rights for user accesses: r, w, x or '-' each. */
  readonly rights: string;
  /** log2 of the base pages of the huge page the entry was cut from (0 for a base page). */
  readonly span: number;
  /** 0 for the set's most recently used valid way, 1 for the next…; -1 for an empty way. */
  readonly lru: number;
}

export interface TlbView {
  readonly sets: number;
  readonly ways: number;
  readonly rows: readonly (readonly TlbWayView[])[];
  readonly hits: number;
  readonly misses: number;
  readonly flushes: number;
  readonly occupancy: number;
  /** The running process's ASID (-1 when none runs). */
  readonly asid: number;
}

function rightsOf(perm: number): string {
  return (perm & permBit(0, true) ? 'r' : '-') + (perm & permBit(1, true) ? 'w' : '-') + (perm & permBit(2, true) ? 'x' : '-');
}

/** The TLB of the kernel's MMU. */
export function tlbView(kernel: Kernel): TlbView {
  const tlb: Tlb = kernel.mmu.tlb;
  const pageSize = kernel.pageSize;
  const rows: TlbWayView[][] = [];
  for (let set = 0; set < tlb.sets; set++) {
    const ways: TlbWayView[] = [];
    for (let way = 0; way < tlb.ways; way++) {
      const slot = set * tlb.ways + way;
      const e = tlb.entry(slot);
      ways.push(e === null
        ? { slot, valid: false, vpn: NaN, page: '', asid: 0, global: false, pfn: 0, rights: '', span: 0, lru: -1 }
        : { slot, valid: true, vpn: e.vpn, page: vaHex(e.vpn * pageSize), asid: e.asid, global: e.global, pfn: e.pfn, rights: rightsOf(e.perm), span: e.span, lru: 0 });
    }
    // LRU rank among the valid ways: the larger the stamp, the more recent.
    const valid = ways.filter((w) => w.valid).map((w) => ({ w, stamp: tlb.stampOfSlot(w.slot) }));
    valid.sort((a, b) => b.stamp - a.stamp);
    const rank = new Map(valid.map((v, i) => [v.w.slot, i]));
    rows.push(ways.map((w) => (w.valid ? { ...w, lru: rank.get(w.slot)! } : w)));
  }
  const current = kernel.current;
  return {
    sets: tlb.sets,
    ways: tlb.ways,
    rows,
    hits: tlb.hits,
    misses: tlb.misses,
    flushes: tlb.flushes,
    occupancy: tlb.occupancy,
    asid: current === null || current.space === null || current.state === 'terminated' ? -1 : current.space.asid,
  };
}
