// The kernel's events as lines of the event log: faults with their outcome, frames allocated and freed,
// forks, kills, switches, maps and unmaps.

import type { KernelEvent } from '@vmsim/sim-api';
import { vaHex } from './bits.js';

export function formatEvent(e: KernelEvent): string {
  switch (e.type) {
    case 'fault':
      return `fault: pid ${e.pid} ${e.access} ${Number.isNaN(e.va) ? '(not an address)' : vaHex(e.va)} → ${e.resolution}`;
    case 'alloc':
      return `alloc: frame ${e.pfn} (${e.kind})`;
    case 'free':
      return `free: frame ${e.pfn}`;
    case 'fork':
      return `fork: ${e.parent} → child ${e.child}`;
    case 'kill':
      return `kill: pid ${e.pid}`;
    case 'switch':
      return `switch: pid ${e.from} → pid ${e.to}`;
    case 'map':
      return `map: pid ${e.pid} ${vaHex(e.va)} → frame ${e.pfn}${e.writable ? ' (writable)' : ' (read-only)'}`;
    case 'unmap':
      return `unmap: pid ${e.pid} ${vaHex(e.va)} (frame ${e.pfn})`;
    case 'swap-out':
      return `swap-out: frame ${e.pfn} → slot ${e.slot}${e.written ? ' (written)' : ' (clean, dropped)'}`;
    case 'swap-in':
      return `swap-in: pid ${e.pid} ${vaHex(e.va)} ← slot ${e.slot} (frame ${e.pfn}${e.fromCache ? ', from the swap cache' : ''})`;
    case 'evict':
      return `evict: frame ${e.pfn} → ${e.to}${e.dirty ? ' (written)' : ' (clean, dropped)'}`;
    case 'oom-kill':
      return `oom-kill: pid ${e.pid} (${e.rss} resident, ${e.swap} in swap)`;
  }
}
