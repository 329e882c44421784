// Machine mode against page mode on real lackey traces: for fifo, lru, opt and clock, at several limits and on
// the hardware models, the kernel's own counters give exactly the hits, misses and writebacks a policy counts
// over the page stream. Then a 10^6-reference anonymous replay with swap, invariants swept along the way and
// nothing leaked after exit, and every argument check.

import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { MODEL_NAMES, sv39 } from '@vmsim/hw';
import { simulate, type PolicyName } from '@vmsim/replacement';
import { readPageTrace, type PageTrace } from '@vmsim/trace';
import { STRIDE_LACKEY_GZ, TRUE_LACKEY_GZ } from '@vmsim/trace/testing';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, InvalidOptionError, TraceReplayError } from './errors.js';
import { fencedBlock, runExampleLogged } from './testing/readme-example.js';
import { MachineReplay, replayMachine, type ReplayTrace } from './trace-replay.js';

const TRACES: readonly (readonly [string, PageTrace])[] = [
  ['true.lackey.gz', readPageTrace(gunzipSync(readFileSync(TRUE_LACKEY_GZ)))],
  ['stride.lackey.gz', readPageTrace(gunzipSync(readFileSync(STRIDE_LACKEY_GZ)))],
];
const AGREEING: readonly PolicyName[] = ['fifo', 'lru', 'opt', 'clock'];

function pageMode(trace: ReplayTrace, policy: PolicyName, frames: number) {
  const p = simulate(policy, trace.pages, trace.writes, { frames, pageCount: trace.pageCount });
  return { hits: p.hits, misses: p.misses, writebacks: p.writebacks, evictions: p.evictions };
}

describe.each(TRACES)('machine mode agrees with page mode on %s', (_name, trace) => {
  const limits = [4, 8, 16, 64, trace.pageCount + 1];
  describe.each(MODEL_NAMES.map((m) => [m]))('on %s', (hw) => {
    it.each(AGREEING.map((p) => [p]))('%s: hits, misses and writebacks at every limit', (policy) => {
      for (const frames of limits) {
        const machine = replayMachine(trace, { policy, frames, hw });
        const page = pageMode(trace, policy, frames);
        expect({ frames, hits: machine.hits, misses: machine.misses, writebacks: machine.writebacks, evictions: machine.evictions }).toEqual({
          frames,
          ...page,
        });
        expect(machine.references).toBe(trace.pages.length);
        // Every reference went through the MMU: a TLB hit or a miss (a miss walks), and the faults read pages in.
        expect(machine.tlbHits + machine.tlbMisses).toBeGreaterThanOrEqual(trace.pages.length);
        expect(machine.walks).toBeGreaterThanOrEqual(machine.misses);
        expect(machine.majorFaults).toBe(machine.misses);
        expect(machine.pswpout).toBe(0);
      }
    }, 120_000);
  });
});

describe('the agreement tests can fail', () => {
  const [, trace] = TRACES[1]!;

  it('the stride trace writes pages back at small limits, and a limit of every page evicts nothing', () => {
    for (const policy of AGREEING) {
      expect(replayMachine(trace, { policy, frames: 8 }).writebacks).toBeGreaterThan(0);
      const all = replayMachine(trace, { policy, frames: trace.pageCount });
      expect([all.evictions, all.writebacks, all.misses]).toEqual([0, 0, trace.pageCount]);
    }
  });

  it('different policies give different counts on the same trace, so agreement is not by accident', () => {
    const counts = AGREEING.map((policy) => replayMachine(trace, { policy, frames: 8 }).misses);
    expect(new Set(counts).size).toBeGreaterThan(2);
  });

  it('the counts come from the kernel: the machine result follows the kernel after more references', () => {
    const replay = new MachineReplay(trace, { policy: 'lru', frames: 8 });
    replay.run(1000);
    const part = replay.result();
    expect(part.references).toBe(1000);
    expect(part.misses).toBe(pageMode({ ...trace, pages: trace.pages.subarray(0, 1000), writes: trace.writes.subarray(0, 1000) }, 'lru', 8).misses);
    replay.run();
    expect(replay.result().misses).toBe(pageMode(trace, 'lru', 8).misses);
    replay.exit();
  });
});

describe('a 10^6-reference machine replay with swap (anonymous backing)', () => {
  it('ends with the invariants holding and no frame or swap slot leaked after exit', () => {
    // The /bin/true trace repeated six times (1,021,242 references, the same page ids each time).
    const [, one] = TRACES[0]!;
    const copies = 6;
    const pages = new Int32Array(one.pages.length * copies);
    const writes = new Uint8Array(one.writes.length * copies);
    for (let c = 0; c < copies; c++) {
      pages.set(one.pages, c * one.pages.length);
      writes.set(one.writes, c * one.writes.length);
    }
    expect(pages.length).toBeGreaterThanOrEqual(1_000_000);
    const trace = { pages, writes, pageCount: one.pageCount };
    const replay = new MachineReplay(trace, { policy: 'clock', frames: 12, backing: 'anon', hw: 'x86-64', checkEvery: 100_000 });
    replay.run();
    const r = replay.result();
    expect(r.references).toBe(pages.length);
    expect(r.pswpout).toBeGreaterThan(0);
    expect(r.pswpin).toBeGreaterThan(0);
    expect(r.evictions).toBeGreaterThan(0);
    const kernel = replay.kernel;
    kernel.checkInvariants();
    expect(kernel.stats().frames.data).toBeLessThanOrEqual(12);
    replay.exit();
    kernel.checkInvariants();
    const stats = kernel.stats();
    expect(stats.frames.data).toBe(0);
    expect(stats.frames.pageTables).toBe(0);
    expect(stats.frames.free).toBe(stats.frames.total - 1); // the zero page alone
    const swap = kernel.swapStats();
    expect([swap.slotsUsed, swap.swapCached]).toEqual([0, 0]);
  }, 120_000);
});

describe('anonymous backing differs from page mode by definition', () => {
  const [, trace] = TRACES[1]!;

  it('a first eviction always writes to swap; reads of pages never written take no frame', () => {
    const anon = replayMachine(trace, { policy: 'fifo', frames: 8, backing: 'anon' });
    expect(anon.pswpout).toBeGreaterThan(0);
    expect(anon.writebacks).toBe(anon.pswpout);
    expect(anon.references).toBe(trace.pages.length);
  });

  it('swap too small for the pages: the replay stops with TraceReplayError (ENOMEM)', () => {
    const replay = new MachineReplay(trace, { policy: 'fifo', frames: 2, backing: 'anon', swapSlots: 1 });
    const error = (() => {
      try {
        replay.run();
        return null;
      } catch (e) {
        return e;
      }
    })();
    expect(TraceReplayError.isInstance(error)).toBe(true);
    expect((error as TraceReplayError).errno).toBe('ENOMEM');
    expect(replay.done).toBe((error as TraceReplayError).reference);
  });
});

describe('arguments', () => {
  const trace = { pages: Int32Array.of(0, 1, 0, 2), writes: Uint8Array.of(0, 1, 0, 1), pageCount: 3 };
  const bad: readonly (readonly [string, () => unknown, typeof InvalidOptionError | typeof InvalidArgumentError])[] = [
    ['policy', () => new MachineReplay(trace, { policy: 'belady' as PolicyName, frames: 2 }), InvalidOptionError],
    ['frames 0', () => new MachineReplay(trace, { policy: 'lru', frames: 0 }), InvalidOptionError],
    ['frames 1.5', () => new MachineReplay(trace, { policy: 'lru', frames: 1.5 }), InvalidOptionError],
    ['hw', () => new MachineReplay(trace, { policy: 'lru', frames: 2, hw: 'arm' as 'sv39' }), InvalidOptionError],
    ['pageSize', () => new MachineReplay(trace, { policy: 'lru', frames: 2, pageSize: 8192 }), InvalidOptionError],
    ['backing', () => new MachineReplay(trace, { policy: 'lru', frames: 2, backing: 'disk' as 'file' }), InvalidOptionError],
    ['swapSlots with a file', () => new MachineReplay(trace, { policy: 'lru', frames: 2, swapSlots: 4 }), InvalidOptionError],
    ['swapSlots -1', () => new MachineReplay(trace, { policy: 'lru', frames: 2, backing: 'anon', swapSlots: -1 }), InvalidOptionError],
    ['checkEvery', () => new MachineReplay(trace, { policy: 'lru', frames: 2, checkEvery: -2 }), InvalidOptionError],
    ['pages', () => new MachineReplay({ ...trace, pages: [0, 1] as unknown as Int32Array }, { policy: 'lru', frames: 2 }), InvalidArgumentError],
    ['writes', () => new MachineReplay({ ...trace, writes: new Uint8Array(3) }, { policy: 'lru', frames: 2 }), InvalidArgumentError],
    ['pageCount', () => new MachineReplay({ ...trace, pageCount: 0 }, { policy: 'lru', frames: 2 }), InvalidArgumentError],
    ['a page id', () => new MachineReplay({ ...trace, pages: Int32Array.of(0, 3, 0, 2) }, { policy: 'lru', frames: 2 }), InvalidArgumentError],
    ['run count', () => new MachineReplay(trace, { policy: 'lru', frames: 2 }).run(5), InvalidArgumentError],
  ];
  it.each(bad)('%s: a typed error', (_what, call, cls) => {
    expect(call).toThrow(cls);
  });

  it('a HardwareModel object is taken as the hardware', () => {
    const r = replayMachine(trace, { policy: 'lru', frames: 2, hw: sv39() });
    expect([r.hw, r.misses, r.hits]).toEqual(['sv39', 3, 1]);
  });

  it('run while another process runs is refused, and nothing is replayed', () => {
    const replay = new MachineReplay(trace, { policy: 'lru', frames: 2 });
    const other = replay.kernel.spawn();
    replay.kernel.switchTo(other.pid);
    expect(() => replay.run()).toThrow(InvalidArgumentError);
    expect(replay.done).toBe(0);
    replay.kernel.switchTo(replay.pid);
    replay.run();
    expect(replay.result().misses).toBe(3);
  });

  it('run after exit is refused', () => {
    const replay = new MachineReplay(trace, { policy: 'lru', frames: 2 });
    replay.exit();
    expect(() => replay.run()).toThrow(InvalidArgumentError);
  });
});

describe('README', () => {
  it('the replay example prints the output shown', async () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const code = fencedBlock(readme, '```ts replay');
    const shown = fencedBlock(readme, '```text replay').trimEnd().split('\n');
    expect(await runExampleLogged(code)).toEqual(shown);
  });

  it('page mode counts what the example shows for fifo, lru, opt and clock', () => {
    const pages = Int32Array.from([0, 1, 2, 0, 3, 0, 4, 2, 3, 0, 3, 2, 1, 2, 0]);
    const writes = Uint8Array.from([1, 0, 0, 0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0]);
    const rows = AGREEING.map((policy) => {
      const p = pageMode({ pages, writes, pageCount: 5 }, policy, 3);
      return `${policy}: ${p.hits} hits, ${p.misses} misses, ${p.writebacks} writebacks`;
    });
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const shown = /```text replay\n([\s\S]*?)```/.exec(readme)![1]!.trimEnd().split('\n');
    expect(shown.map((line) => line.replace(/;.*$/, ''))).toEqual(rows);
  });
});
