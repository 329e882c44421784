// A plain reference of every policy driven one operation at a time, as a kernel drives a policy: access(page,
// write), victim() (evict now, before an allocation) and remove(page) (a freed page, forgotten uncounted).
// Written from the definitions with arrays and linear scans; frames emptied by `remove` or `victim` are refilled
// last-freed first, frames never used in order.

import { PythonRandom } from '../python-random.js';
import type { PolicyName } from '../policy.js';
import type { ReferenceOptions } from './reference-policies.js';

interface Slot {
  page: number;
  ref: number;
  counter: number;
  lastUse: number;
  count: number;
}

const FRAME_BASED: readonly PolicyName[] = ['random', 'clock', 'nru', 'aging', 'wsclock', 'lfu'];

export class ReferenceStepper {
  references = 0;
  hits = 0;
  misses = 0;
  evictions = 0;
  writebacks = 0;
  private readonly dirty = new Set<number>();
  /** Frame-based policies: frame → slot or null. */
  private readonly slots: (Slot | null)[];
  private readonly free: number[];
  /** List-based policies (fifo, lru, mru, ostep-clock, opt): resident entries in list order. */
  private list: Slot[] = [];
  private readonly rng: PythonRandom;
  private hand = 0;
  private p = 0;
  private readonly t1: number[] = [];
  private readonly t2: number[] = [];
  private readonly b1: number[] = [];
  private readonly b2: number[] = [];
  private readonly bits: number;
  private readonly period: number;
  private readonly tau: number;
  private readonly top: number;

  constructor(
    readonly name: PolicyName,
    readonly frames: number,
    readonly stream: readonly number[],
    readonly options: ReferenceOptions = {},
  ) {
    this.slots = new Array<Slot | null>(frames).fill(null);
    this.free = [];
    for (let f = frames - 1; f >= 0; f--) this.free.push(f);
    this.rng = new PythonRandom(options.seed ?? 0);
    this.bits = options.bits ?? (name === 'aging' ? 8 : 2);
    this.period = options.period ?? 16;
    this.tau = options.tau ?? 4 * frames;
    this.top = 2 ** (this.bits - 1);
  }

  private get frameBased(): boolean {
    return FRAME_BASED.includes(this.name);
  }

  residentPages(): number[] {
    if (this.name === 'arc') return [...this.t1, ...this.t2].sort((a, b) => a - b);
    if (this.frameBased) return this.slots.filter((s) => s !== null).map((s) => s.page).sort((a, b) => a - b);
    return this.list.map((e) => e.page).sort((a, b) => a - b);
  }

  private residentCount(): number {
    return this.residentPages().length;
  }

  private countEviction(page: number): number {
    this.evictions++;
    if (this.dirty.has(page)) {
      this.writebacks++;
      this.dirty.delete(page);
    }
    return page;
  }

  /** Next use of `page` at or after stream position `from`, or a key for never (older last use = larger). */
  private optKey(entry: Slot, from: number): number {
    const next = this.stream.indexOf(entry.page, from);
    return next >= 0 ? next : 2 * this.stream.length - (entry.lastUse - 1);
  }

  victim(): number {
    if (this.residentCount() === 0) return -1;
    const now = this.references;
    switch (this.name) {
      case 'fifo':
      case 'lru':
        return this.countEviction(this.list.shift()!.page);
      case 'mru':
        return this.countEviction(this.list.pop()!.page);
      case 'opt': {
        let best = 0;
        for (let k = 1; k < this.list.length; k++) {
          if (this.optKey(this.list[k]!, now) > this.optKey(this.list[best]!, now)) best = k;
        }
        return this.countEviction(this.list.splice(best, 1)[0]!.page);
      }
      case 'ostep-clock': {
        for (;;) {
          const k = Math.floor(this.rng.random() * this.list.length);
          const e = this.list[k]!;
          if (e.counter >= 1) e.counter--;
          else return this.countEviction(this.list.splice(k, 1)[0]!.page);
        }
      }
      case 'arc':
        return this.arcVictim();
      default:
        return this.frameVictim(now);
    }
  }

  private occupied(): number[] {
    const out: number[] = [];
    this.slots.forEach((s, f) => {
      if (s !== null) out.push(f);
    });
    return out;
  }

  private freeFrame(f: number): number {
    const page = this.slots[f]!.page;
    this.slots[f] = null;
    this.free.push(f);
    return page;
  }

  private frameVictim(now: number): number {
    const occ = this.occupied();
    const n = this.frames;
    let chosen = -1;
    if (this.name === 'random') {
      chosen = occ.length === n ? Math.floor(this.rng.random() * n) : occ[Math.floor(this.rng.random() * occ.length)]!;
    } else if (this.name === 'clock') {
      for (;;) {
        const s = this.slots[this.hand] ?? null;
        if (s !== null) {
          if (s.ref === 0) break;
          s.ref = 0;
        }
        this.hand = (this.hand + 1) % n;
      }
      chosen = this.hand;
      this.hand = (chosen + 1) % n;
    } else if (this.name === 'nru') {
      const cls = (f: number): number => this.slots[f]!.ref * 2 + (this.dirty.has(this.slots[f]!.page) ? 1 : 0);
      chosen = occ[0]!;
      for (const f of occ) if (cls(f) < cls(chosen)) chosen = f;
    } else if (this.name === 'aging') {
      const key = (f: number): number => this.slots[f]!.counter * 2 + this.slots[f]!.ref;
      chosen = occ[0]!;
      for (const f of occ) if (key(f) < key(chosen)) chosen = f;
    } else if (this.name === 'lfu') {
      chosen = occ[0]!;
      for (const f of occ) {
        const a = this.slots[f]!;
        const b = this.slots[chosen]!;
        if (a.count < b.count || (a.count === b.count && a.lastUse < b.lastUse)) chosen = f;
      }
    } else {
      // wsclock
      let h = this.hand;
      for (let k = 0; k < n && chosen < 0; k++) {
        const x = this.slots[h] ?? null;
        if (x !== null) {
          if (x.ref === 1) {
            x.ref = 0;
            x.lastUse = now;
          } else if (now - x.lastUse > this.tau) {
            if (!this.dirty.has(x.page)) {
              chosen = h;
              break;
            }
            this.writebacks++;
            this.dirty.delete(x.page);
          }
        }
        h = (h + 1) % n;
      }
      if (chosen < 0) {
        for (let k = 0; k < n; k++) {
          const f = (h + k) % n;
          const x = this.slots[f] ?? null;
          if (x !== null && !this.dirty.has(x.page)) {
            chosen = f;
            break;
          }
        }
      }
      if (chosen < 0) {
        for (let k = 0; k < n && chosen < 0; k++) if (this.slots[(h + k) % n] !== null) chosen = (h + k) % n;
      }
      this.hand = (chosen + 1) % n;
    }
    return this.countEviction(this.freeFrame(chosen));
  }

  private arcReplace(inB2: boolean): number {
    let v: number;
    if (this.t1.length >= 1 && ((inB2 && this.t1.length === this.p) || this.t1.length > this.p || this.t2.length === 0)) {
      v = this.t1.shift()!;
      this.b1.push(v);
    } else {
      v = this.t2.shift()!;
      this.b2.push(v);
    }
    return this.countEviction(v);
  }

  /** Case IV of ARC before a new page joins T1. */
  private arcCaseFour(full: boolean): void {
    const c = this.frames;
    const l1 = this.t1.length + this.b1.length;
    const total = l1 + this.t2.length + this.b2.length;
    if (l1 === c) {
      if (this.t1.length < c) {
        this.b1.shift();
        if (full) this.arcReplace(false);
      } else {
        this.countEviction(this.t1.shift()!);
      }
    } else if (total >= c) {
      if (total === 2 * c) this.b2.shift();
      if (full) this.arcReplace(false);
    }
  }

  private arcVictim(): number {
    const before = [...this.t1, ...this.t2];
    if (this.t1.length + this.t2.length === this.frames) this.arcCaseFour(true);
    else this.arcReplace(false);
    const after = new Set([...this.t1, ...this.t2]);
    return before.find((x) => !after.has(x))!;
  }

  remove(page: number): boolean {
    if (this.name === 'arc') {
      for (const list of [this.t1, this.t2]) {
        const k = list.indexOf(page);
        if (k >= 0) {
          list.splice(k, 1);
          this.dirty.delete(page);
          return true;
        }
      }
      return false;
    }
    if (this.frameBased) {
      const f = this.slots.findIndex((s) => s !== null && s.page === page);
      if (f < 0) return false;
      this.freeFrame(f);
    } else {
      const k = this.list.findIndex((e) => e.page === page);
      if (k < 0) return false;
      this.list.splice(k, 1);
    }
    this.dirty.delete(page);
    return true;
  }

  /** One reference; returns whether it hit and the page it evicted (-1 none). */
  access(page: number, write: boolean): { hit: boolean; victim: number } {
    this.references++;
    const now = this.references;
    if (write) this.dirty.add(page);
    const evictionsBefore = this.evictions;
    let victim = -1;
    let hit: boolean;
    if (this.name === 'arc') {
      hit = this.arcAccess(page);
      if (this.evictions > evictionsBefore) victim = this.lastArcVictim;
    } else if (this.frameBased) {
      const s = this.slots.find((x) => x !== null && x.page === page);
      if (s !== undefined && s !== null) {
        hit = true;
        if (this.name === 'lfu') {
          s.count++;
          s.lastUse = now;
        } else {
          s.ref = 1;
        }
      } else {
        hit = false;
        if (this.free.length === 0) victim = this.frameVictim(now);
        const f = this.free.pop()!;
        const entry: Slot = { page, ref: 1, counter: 0, lastUse: now, count: 1 };
        if (this.name === 'clock') entry.ref = this.options.insertRef === false ? 0 : 1;
        if (this.name === 'aging') {
          entry.ref = 0;
          entry.counter = this.top;
        }
        this.slots[f] = entry;
      }
      if ((this.name === 'nru' || this.name === 'aging') && now % this.period === 0) {
        for (const x of this.slots) {
          if (x === null) continue;
          if (this.name === 'aging') x.counter = Math.floor(x.counter / 2) + (x.ref ? this.top : 0);
          x.ref = 0;
        }
      }
    } else {
      if (this.name === 'opt' && this.stream[now - 1] !== page) throw new Error('opt driven off its stream');
      const e = this.list.find((x) => x.page === page);
      if (e !== undefined) {
        hit = true;
        if (this.name === 'lru' || this.name === 'mru') {
          this.list.splice(this.list.indexOf(e), 1);
          this.list.push(e);
        } else if (this.name === 'ostep-clock') {
          e.counter = Math.min(e.counter + 1, this.bits);
        } else if (this.name === 'opt') {
          e.lastUse = now;
        }
      } else {
        hit = false;
        if (this.list.length === this.frames) victim = this.victimForMiss();
        this.list.push({ page, ref: 1, counter: 1, lastUse: now, count: 1 });
      }
    }
    if (hit) this.hits++;
    else this.misses++;
    return { hit, victim };
  }

  private victimForMiss(): number {
    // fifo, lru, mru, opt, ostep-clock: a miss with the list full evicts exactly as victim() does
    return this.victim();
  }

  private lastArcVictim = -1;

  private arcAccess(page: number): boolean {
    const c = this.frames;
    const before = [...this.t1, ...this.t2];
    const full = this.t1.length + this.t2.length === c;
    const del = (list: number[]): void => {
      list.splice(list.indexOf(page), 1);
    };
    let hit = false;
    if (this.t1.includes(page) || this.t2.includes(page)) {
      hit = true;
      del(this.t1.includes(page) ? this.t1 : this.t2);
      this.t2.push(page);
    } else if (this.b1.includes(page)) {
      this.p = Math.min(c, this.p + Math.max(this.b2.length / this.b1.length, 1));
      if (full) this.arcReplace(false);
      del(this.b1);
      this.t2.push(page);
    } else if (this.b2.includes(page)) {
      this.p = Math.max(0, this.p - Math.max(this.b1.length / this.b2.length, 1));
      if (full) this.arcReplace(true);
      del(this.b2);
      this.t2.push(page);
    } else {
      this.arcCaseFour(full);
      this.t1.push(page);
    }
    const after = new Set([...this.t1, ...this.t2]);
    this.lastArcVictim = before.find((x) => !after.has(x)) ?? -1;
    return hit;
  }
}
