// Every policy on small hand-worked streams: the textbook reference string with 3 and 4 frames (Silberschatz's
// figures give FIFO 15/10, LRU 12/8, OPT 9/8 page faults), Belady's anomaly for FIFO, and step-by-step cases.

import { describe, expect, it } from 'vitest';
import {
  AgingPolicy,
  ArcPolicy,
  ClockPolicy,
  createPolicy,
  FifoPolicy,
  LfuPolicy,
  LruPolicy,
  MruPolicy,
  NruPolicy,
  OptPolicy,
  OstepClockPolicy,
  POLICY_NAMES,
  ReplacementArgumentError,
  ReplacementError,
  simulate,
  WsclockPolicy,
  type PolicyName,
  type ReplacementPolicy,
} from './index.js';

const TEXTBOOK = [7, 0, 1, 2, 0, 3, 0, 4, 2, 3, 0, 3, 2, 1, 2, 0, 1, 7, 0, 1];

function trace(policy: ReplacementPolicy, stream: readonly number[], writes?: readonly number[]) {
  const hits: boolean[] = [];
  const victims: number[] = [];
  stream.forEach((page, i) => {
    hits.push(policy.access(page, writes?.includes(i) ?? false));
    victims.push(policy.lastVictim);
  });
  return { hits, victims: victims.filter((v) => v >= 0) };
}

function misses(name: PolicyName, stream: readonly number[], frames: number): number {
  return simulate(name, Int32Array.from(stream), null, { frames, pageCount: 16 }).misses;
}

describe('the textbook reference string', () => {
  it.each([
    ['fifo', 3, 15],
    ['fifo', 4, 10],
    ['lru', 3, 12],
    ['lru', 4, 8],
    ['opt', 3, 9],
    ['opt', 4, 8],
  ] as const)('%s with %i frames: %i page faults', (name, frames, expected) => {
    const policy = simulate(name, Int32Array.from(TEXTBOOK), null, { frames, pageCount: 8 });
    expect(policy.misses).toBe(expected);
    expect(policy.hits).toBe(20 - expected);
    expect(policy.references).toBe(20);
    expect(policy.evictions).toBe(expected - frames);
    expect(policy.writebacks).toBe(0);
  });

  it('fifo with 3 frames evicts in load order (Silberschatz fig. 10.12)', () => {
    const { victims } = trace(new FifoPolicy({ frames: 3, pageCount: 8 }), TEXTBOOK);
    expect(victims).toEqual([7, 0, 1, 2, 3, 0, 4, 2, 3, 0, 1, 2]);
  });

  it('lru with 3 frames (Silberschatz fig. 10.15)', () => {
    const { victims } = trace(new LruPolicy({ frames: 3, pageCount: 8 }), TEXTBOOK);
    expect(victims).toEqual([7, 1, 2, 3, 0, 4, 0, 3, 2]);
  });

  it('opt with 3 frames (Silberschatz fig. 10.14)', () => {
    const { victims } = trace(new OptPolicy({ frames: 3, pageCount: 8, stream: Int32Array.from(TEXTBOOK) }), TEXTBOOK);
    expect(victims).toEqual([7, 1, 0, 4, 3, 2]);
  });

  it('clock with 3 frames, worked by hand: 14 faults, victims in hand order', () => {
    const { hits, victims } = trace(new ClockPolicy({ frames: 3, pageCount: 8 }), TEXTBOOK);
    expect(hits.filter((h) => !h)).toHaveLength(14);
    expect(victims).toEqual([7, 1, 2, 0, 3, 4, 2, 0, 3, 1, 2]);
  });

  it('clock with insertRef false: a new page has no second chance', () => {
    const clock = new ClockPolicy({ frames: 3, pageCount: 8, insertRef: false });
    // 1,2,3 fill with bits clear; 4 replaces 1 at once (hand 0 → 1); 2 hits (bit set); 5: hand passes 2 (clears), takes 3.
    expect(trace(clock, [1, 2, 3, 4, 2, 5]).victims).toEqual([1, 3]);
    expect(clock.handFrame).toBe(0);
  });

  it('mru with 3 frames evicts the page just used', () => {
    const { victims } = trace(new MruPolicy({ frames: 3, pageCount: 8 }), [1, 2, 3, 4, 2, 5]);
    // 4 evicts 3 (most recent); 2 hits; 5 evicts 2.
    expect(victims).toEqual([3, 2]);
  });

  it('every policy gives the same counts through access() and run()', () => {
    for (const name of POLICY_NAMES) {
      const stream = Int32Array.from(TEXTBOOK);
      const writes = Uint8Array.from(TEXTBOOK, (_, i) => (i % 3 === 0 ? 1 : 0));
      const a = createPolicy(name, { frames: 3, pageCount: 8, stream });
      TEXTBOOK.forEach((p, i) => a.access(p, writes[i] === 1));
      const b = simulate(name, stream, writes, { frames: 3, pageCount: 8 });
      expect(b.counts(), name).toEqual(a.counts());
      expect(b.residentPages(), name).toEqual(a.residentPages());
      expect(a.misses, name).toBeGreaterThanOrEqual(misses('opt', TEXTBOOK, 3));
    }
  });
});

describe("Belady's anomaly", () => {
  const BELADY = [1, 2, 3, 4, 1, 2, 5, 1, 2, 3, 4, 5];
  it('fifo faults 9 times with 3 frames and 10 times with 4', () => {
    expect(misses('fifo', BELADY, 3)).toBe(9);
    expect(misses('fifo', BELADY, 4)).toBe(10);
  });
  it('lru and opt (stack algorithms) do not', () => {
    expect(misses('lru', BELADY, 3)).toBe(10);
    expect(misses('lru', BELADY, 4)).toBe(8);
    expect(misses('opt', BELADY, 3)).toBe(7);
    expect(misses('opt', BELADY, 4)).toBe(6);
  });
});

describe('writebacks', () => {
  it('count evictions of pages written since they were loaded, once per load', () => {
    const fifo = new FifoPolicy({ frames: 2, pageCount: 8 });
    fifo.access(1, true);
    fifo.access(1, true);
    fifo.access(2, false);
    fifo.access(3, false); // evicts dirty 1
    fifo.access(1, false); // evicts clean 2
    fifo.access(4, false); // evicts clean 3
    fifo.access(5, false); // evicts 1, clean since it was reloaded
    expect(fifo.counts()).toEqual({ references: 7, hits: 1, misses: 6, evictions: 4, writebacks: 1 });
  });

  it('wsclock writes back an old dirty page instead of evicting it, then takes a clean one', () => {
    const ws = new WsclockPolicy({ frames: 2, pageCount: 8, tau: 0 });
    ws.access(1, true);
    ws.access(2, false);
    // now = 3: turn 1 clears both bits (last use 3); no victim; the first clean page from the hand is 2.
    ws.access(3, false);
    expect(ws.lastVictim).toBe(2);
    expect(ws.writebacks).toBe(0);
    // now = 4, hand at frame 0 (page 1, R clear, age 1 > 0, dirty): written back, then frame 1 (page 3, R set).
    ws.access(4, false);
    expect(ws.writebacks).toBe(1);
    expect(ws.lastVictim).toBe(1);
  });
});

describe('the counter policies', () => {
  it('aging shifts R into the counters every period', () => {
    const aging = new AgingPolicy({ frames: 2, pageCount: 8, bits: 4, period: 2 });
    aging.access(1, false); // counter 1000
    aging.access(2, false); // tick: 1 → 0100, 2 → 0100
    expect([aging.counterOf(1), aging.counterOf(2)]).toEqual([4, 4]);
    aging.access(1, false); // R(1)
    aging.access(1, false); // tick: 1 → 1010, 2 → 0010
    expect([aging.counterOf(1), aging.counterOf(2)]).toEqual([10, 2]);
    aging.access(3, false);
    expect(aging.lastVictim).toBe(2);
  });

  it('nru prefers not-referenced clean pages, then not-referenced dirty ones', () => {
    const nru = new NruPolicy({ frames: 3, pageCount: 8, period: 3 });
    nru.access(1, true);
    nru.access(2, false);
    nru.access(3, false); // period: all R cleared
    nru.access(2, false); // R(2)
    nru.access(4, false); // classes: 1 → 1, 2 → 2, 3 → 0: evict 3
    expect(nru.lastVictim).toBe(3);
    nru.access(5, false); // 5th reference, no clearing yet; classes 1 → 1, 2 → 2, 4 → 2: evict 1 (dirty)
    expect(nru.lastVictim).toBe(1);
    expect(nru.writebacks).toBe(1);
  });

  it('lfu evicts the least used page, the least recently used among ties', () => {
    const lfu = new LfuPolicy({ frames: 3, pageCount: 8 });
    trace(lfu, [1, 1, 2, 2, 3, 4]);
    expect(lfu.lastVictim).toBe(3);
    lfu.access(5, false); // 4 (count 1) goes
    expect(lfu.lastVictim).toBe(4);
    lfu.access(2, false);
    lfu.access(6, false); // 1 and 5: 5 has count 1
    expect(lfu.lastVictim).toBe(5);
  });

  it('ostep-clock counters saturate at B and a new page starts at 1', () => {
    const clock = new OstepClockPolicy({ frames: 2, pageCount: 8, bits: 3, seed: 0 });
    trace(clock, [1, 1, 1, 1, 2]);
    expect(clock.counterOf(1)).toBe(3);
    expect(clock.counterOf(2)).toBe(1);
  });
});

describe('arc', () => {
  it('keeps a page seen twice over a scan longer than the cache', () => {
    const arc = new ArcPolicy({ frames: 3, pageCount: 16 });
    trace(arc, [1, 1, 2, 3, 4, 5, 6, 7]);
    expect(arc.isResident(1)).toBe(true);
    const lru = new LruPolicy({ frames: 3, pageCount: 16 });
    trace(lru, [1, 1, 2, 3, 4, 5, 6, 7]);
    expect(lru.isResident(1)).toBe(false);
  });

  it('a ghost hit in B1 grows p', () => {
    const arc = new ArcPolicy({ frames: 2, pageCount: 16 });
    trace(arc, [1, 2, 2, 3]); // T1 [1], T2 [2]: 3 → REPLACE evicts 1 to B1
    expect(arc.list('b1')).toEqual([1]);
    arc.access(1, false);
    expect(arc.p).toBe(1);
    expect(arc.list('t2')).toContain(1);
  });
});

describe('arguments', () => {
  it('rejects bad frames, page ids and streams with typed errors, leaving the counts as they were', () => {
    expect(() => new FifoPolicy({ frames: 0, pageCount: 4 })).toThrow(ReplacementArgumentError);
    expect(() => new LruPolicy({ frames: 1.5, pageCount: 4 })).toThrow(ReplacementArgumentError);
    const lru = new LruPolicy({ frames: 2, pageCount: 4 });
    lru.access(1, false);
    expect(() => lru.access(4, false)).toThrow(ReplacementArgumentError);
    expect(() => lru.access(-1, false)).toThrow(ReplacementArgumentError);
    expect(() => lru.access(0.5, false)).toThrow(ReplacementArgumentError);
    expect(() => lru.run(Int32Array.of(0, 9))).toThrow(ReplacementArgumentError);
    expect(lru.counts()).toEqual({ references: 1, hits: 0, misses: 1, evictions: 0, writebacks: 0 });
    const opt = new OptPolicy({ frames: 2, pageCount: 4, stream: Int32Array.of(1, 2) });
    expect(() => opt.access(2, false)).toThrow(/stream\[0\] = 1/);
    expect(opt.references).toBe(0);
    expect(() => createPolicy('nope' as PolicyName, { frames: 1, pageCount: 1 })).toThrow(ReplacementArgumentError);
    expect(() => createPolicy('opt', { frames: 1, pageCount: 1 })).toThrow(ReplacementArgumentError);
    expect(() => new AgingPolicy({ frames: 1, pageCount: 1, bits: 33 })).toThrow(ReplacementArgumentError);
    expect(ReplacementError.isInstance(new ReplacementArgumentError('a', 1, 'b'))).toBe(true);
    expect(ReplacementArgumentError.isInstance(new ReplacementError('x'))).toBe(false);
    try {
      lru.access(7, false);
    } catch (error) {
      expect(ReplacementArgumentError.isInstance(error)).toBe(true);
      expect((error as ReplacementArgumentError).errno).toBe('EINVAL');
      expect((error as ReplacementArgumentError).value).toBe(7);
    }
  });
});

describe('accessed bits from the kernel', () => {
  it('clock gives a second chance to a page whose hardware Accessed bit is set, and clears it', () => {
    const hw = new Set<number>();
    const cleared: number[] = [];
    const clock = new ClockPolicy({
      frames: 2,
      pageCount: 8,
      insertRef: false,
      accessed: {
        testAndClearAccessed(page) {
          cleared.push(page);
          return hw.delete(page);
        },
      },
    });
    clock.access(1, false);
    clock.access(2, false);
    hw.add(1); // the MMU set Accessed on a load the policy did not see
    clock.access(3, false);
    expect(clock.lastVictim).toBe(2);
    expect(cleared).toEqual([1, 2]);
    expect(hw.size).toBe(0);
  });

  it('nru, aging and wsclock fold the hardware bits into R when they read it', () => {
    const hw = new Set<number>();
    const accessed = { testAndClearAccessed: (page: number) => hw.delete(page) };
    // nru: after the clearing at reference 2, page 1 looks unreferenced unless the hardware says otherwise.
    const nru = new NruPolicy({ frames: 2, pageCount: 8, period: 2, accessed });
    nru.access(1, false);
    nru.access(2, false);
    hw.add(1);
    nru.access(3, false);
    expect(nru.lastVictim).toBe(2);
    // aging: a hardware-referenced page gets the top bit at the tick.
    const aging = new AgingPolicy({ frames: 2, pageCount: 8, bits: 4, period: 2, accessed });
    aging.access(1, false);
    hw.add(1);
    aging.access(2, false); // tick: 1 → 1100 (R from the hardware), 2 → 0100
    expect([aging.counterOf(1), aging.counterOf(2)]).toEqual([12, 4]);
    expect(hw.size).toBe(0);
    // wsclock: a page the hardware saw is not old. Pages 1..3 load; 4 clears every bit in a turn and takes page 1
    // (the first clean one from the hand), leaving the hand at frame 1 (page 2, age 1 > τ = 0).
    const victimOf5 = (seen: boolean): number => {
      const ws = new WsclockPolicy({ frames: 3, pageCount: 8, tau: 0, accessed });
      for (const p of [1, 2, 3, 4]) ws.access(p, false);
      expect(ws.lastVictim).toBe(1);
      if (seen) hw.add(2);
      ws.access(5, false);
      return ws.lastVictim;
    };
    expect(victimOf5(false)).toBe(2);
    expect(victimOf5(true)).toBe(3);
  });

  it('clock with accessed bits gives the same counts through run() as through access()', () => {
    const stream = Int32Array.from({ length: 500 }, (_, i) => (i * 7919) % 13);
    const make = () => new ClockPolicy({ frames: 4, pageCount: 13, accessed: { testAndClearAccessed: (p) => p % 3 === 0 } });
    const a = make();
    stream.forEach((p) => a.access(p, false));
    const b = make();
    b.run(stream);
    expect(b.counts()).toEqual(a.counts());
  });
});
