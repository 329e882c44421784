// Plain reference implementations of every policy, written straight from each file's definition with arrays and
// linear scans (no typed-array tricks): the property tests run both on the same streams and compare every step.

import { PythonRandom } from '../python-random.js';
import type { PolicyName } from '../policy.js';

export interface ReferenceStep {
  hit: boolean;
  /** The evicted page, or -1. */
  victim: number;
}

export interface ReferenceRun {
  steps: ReferenceStep[];
  hits: number;
  misses: number;
  evictions: number;
  writebacks: number;
}

export interface ReferenceOptions {
  seed?: number;
  bits?: number;
  period?: number;
  tau?: number;
  insertRef?: boolean;
}

/**
 * Each policy's own options for a property run, drawn from one small random integer (1 to 8): the bits, period
 * or window of the policies that have one, and clock's insertRef alternating. The rest take none.
 */
export const POLICY_OPTIONS: Readonly<Record<PolicyName, (small: number) => ReferenceOptions>> = {
  fifo: () => ({}),
  lru: () => ({}),
  mru: () => ({}),
  opt: () => ({}),
  random: () => ({}),
  clock: (small) => ({ insertRef: small % 2 === 0 }),
  'ostep-clock': (small) => ({ bits: small % 4 }),
  nru: (small) => ({ period: small }),
  aging: (small) => ({ bits: small, period: 1 + (small % 5) }),
  wsclock: (small) => ({ tau: small * 2 }),
  lfu: () => ({}),
  arc: () => ({}),
};

interface Entry {
  page: number;
  ref: number;
  counter: number;
  lastUse: number;
  count: number;
}

export function referenceRun(
  name: PolicyName,
  stream: readonly number[],
  writes: readonly boolean[],
  frames: number,
  options: ReferenceOptions = {},
): ReferenceRun {
  const steps: ReferenceStep[] = [];
  const dirty = new Set<number>();
  let writebacks = 0;
  let evictions = 0;
  const evict = (page: number): number => {
    evictions++;
    if (dirty.has(page)) {
      writebacks++;
      dirty.delete(page);
    }
    return page;
  };
  // Entries in frame order (frame-based policies) or list order (list-based ones).
  const mem: Entry[] = [];
  const find = (page: number): Entry | undefined => mem.find((e) => e.page === page);
  const rng = new PythonRandom(options.seed ?? 0);
  let hand = 0;
  let p = 0;
  const b1: number[] = [];
  const b2: number[] = [];
  const t1: number[] = [];
  const t2: number[] = [];
  const bits = options.bits ?? (name === 'aging' ? 8 : 2);
  const period = options.period ?? 16;
  const tau = options.tau ?? 4 * frames;
  const top = 2 ** (bits - 1);
  const fresh = (page: number, t: number): Entry => ({ page, ref: 1, counter: 0, lastUse: t, count: 1 });

  for (let i = 0; i < stream.length; i++) {
    const page = stream[i]!;
    const now = i + 1;
    if (writes[i]) dirty.add(page);
    let hit = false;
    let victim = -1;
    if (name === 'arc') {
      const c = frames;
      const del = (list: number[], x: number): void => {
        list.splice(list.indexOf(x), 1);
      };
      const replace = (inB2: boolean): void => {
        if (t1.length >= 1 && ((inB2 && t1.length === p) || t1.length > p)) {
          const v = t1.shift()!;
          b1.push(v);
          victim = evict(v);
        } else {
          const v = t2.shift()!;
          b2.push(v);
          victim = evict(v);
        }
      };
      if (t1.includes(page) || t2.includes(page)) {
        hit = true;
        del(t1.includes(page) ? t1 : t2, page);
        t2.push(page);
      } else if (b1.includes(page)) {
        p = Math.min(c, p + Math.max(b2.length / b1.length, 1));
        replace(false);
        del(b1, page);
        t2.push(page);
      } else if (b2.includes(page)) {
        p = Math.max(0, p - Math.max(b1.length / b2.length, 1));
        replace(true);
        del(b2, page);
        t2.push(page);
      } else {
        const l1 = t1.length + b1.length;
        const total = l1 + t2.length + b2.length;
        if (l1 === c) {
          if (t1.length < c) {
            b1.shift();
            replace(false);
          } else {
            victim = evict(t1.shift()!);
          }
        } else if (total >= c) {
          if (total === 2 * c) b2.shift();
          replace(false);
        }
        t1.push(page);
      }
      steps.push({ hit, victim });
      continue;
    }
    if (name === 'opt') {
      const e = find(page);
      if (e !== undefined) {
        hit = true;
        e.lastUse = now;
      } else {
        if (mem.length === frames) {
          let best = -1;
          let bestKey = -Infinity;
          for (let k = 0; k < mem.length; k++) {
            const next = stream.indexOf(mem[k]!.page, i + 1);
            const key = next >= 0 ? next : 2 * stream.length - (mem[k]!.lastUse - 1);
            if (key > bestKey) {
              bestKey = key;
              best = k;
            }
          }
          victim = evict(mem.splice(best, 1)[0]!.page);
        }
        mem.push(fresh(page, now));
      }
      steps.push({ hit, victim });
      continue;
    }
    const e = find(page);
    if (e !== undefined) {
      hit = true;
      if (name === 'lru' || name === 'mru') {
        mem.splice(mem.indexOf(e), 1);
        mem.push(e);
      } else if (name === 'ostep-clock') {
        e.counter = Math.min(e.counter + 1, bits);
      } else if (name === 'lfu') {
        e.count++;
        e.lastUse = now;
      } else {
        e.ref = 1;
      }
    } else {
      const entry = fresh(page, now);
      if (mem.length < frames) {
        if (name === 'clock') entry.ref = options.insertRef === false ? 0 : 1;
        if (name === 'aging') {
          entry.ref = 0;
          entry.counter = top;
        }
        if (name === 'ostep-clock') entry.counter = 1;
        mem.push(entry);
      } else if (name === 'fifo') {
        victim = evict(mem.shift()!.page);
        mem.push(entry);
      } else if (name === 'lru') {
        victim = evict(mem.shift()!.page);
        mem.push(entry);
      } else if (name === 'mru') {
        victim = evict(mem.pop()!.page);
        mem.push(entry);
      } else if (name === 'random') {
        const f = Math.floor(rng.random() * frames);
        victim = evict(mem[f]!.page);
        mem[f] = entry;
      } else if (name === 'clock') {
        while (mem[hand]!.ref === 1) {
          mem[hand]!.ref = 0;
          hand = (hand + 1) % frames;
        }
        victim = evict(mem[hand]!.page);
        entry.ref = options.insertRef === false ? 0 : 1;
        mem[hand] = entry;
        hand = (hand + 1) % frames;
      } else if (name === 'ostep-clock') {
        for (;;) {
          const k = Math.floor(rng.random() * frames);
          if (mem[k]!.counter >= 1) {
            mem[k]!.counter--;
          } else {
            victim = evict(mem.splice(k, 1)[0]!.page);
            break;
          }
        }
        entry.counter = 1;
        mem.push(entry);
      } else if (name === 'nru') {
        let best = 0;
        const cls = (x: Entry): number => x.ref * 2 + (dirty.has(x.page) ? 1 : 0);
        for (let k = 1; k < frames; k++) if (cls(mem[k]!) < cls(mem[best]!)) best = k;
        victim = evict(mem[best]!.page);
        mem[best] = entry;
      } else if (name === 'aging') {
        let best = 0;
        const key = (x: Entry): number => x.counter * 2 + x.ref;
        for (let k = 1; k < frames; k++) if (key(mem[k]!) < key(mem[best]!)) best = k;
        victim = evict(mem[best]!.page);
        entry.ref = 0;
        entry.counter = top;
        mem[best] = entry;
      } else if (name === 'wsclock') {
        let chosen = -1;
        for (let k = 0; k < frames && chosen < 0; k++) {
          const x = mem[hand]!;
          if (x.ref === 1) {
            x.ref = 0;
            x.lastUse = now;
          } else if (now - x.lastUse > tau) {
            if (!dirty.has(x.page)) {
              chosen = hand;
              break;
            }
            writebacks++;
            dirty.delete(x.page);
          }
          hand = (hand + 1) % frames;
        }
        if (chosen < 0) {
          chosen = hand;
          for (let k = 0; k < frames; k++) {
            const f = (hand + k) % frames;
            if (!dirty.has(mem[f]!.page)) {
              chosen = f;
              break;
            }
          }
        }
        victim = evict(mem[chosen]!.page);
        mem[chosen] = entry;
        hand = (chosen + 1) % frames;
      } else if (name === 'lfu') {
        let best = 0;
        for (let k = 1; k < frames; k++) {
          const a = mem[k]!;
          const b = mem[best]!;
          if (a.count < b.count || (a.count === b.count && a.lastUse < b.lastUse)) best = k;
        }
        victim = evict(mem[best]!.page);
        mem[best] = entry;
      }
    }
    if ((name === 'nru' || name === 'aging') && now % period === 0) {
      for (const x of mem) {
        if (name === 'aging') x.counter = Math.floor(x.counter / 2) + (x.ref ? top : 0);
        x.ref = 0;
      }
    }
    steps.push({ hit, victim });
  }
  const hits = steps.filter((s) => s.hit).length;
  return { steps, hits, misses: stream.length - hits, evictions, writebacks };
}
