// Swap and reclaim through the Simulator: the swapSlots and reclaim options, values that survive eviction,
// the OOM kill always printed, and the verbose EVICT / SWAPIN lines.
import { isModelName } from '@vmsim/hw';
import { describe, expect, it } from 'vitest';
import { DataType } from './data-type.js';
import { InvalidOptionError } from './errors.js';
import { KERNBASE, Pointer } from './pointer.js';
import { MODEL_NAMES, Simulator, type SimulatorOptions } from './simulator.js';
import { ValueType } from './value-type.js';

const PAGE = 4096;
const page = (n: number): Pointer => Pointer.at(KERNBASE + n * PAGE);

function start(verbose: boolean, options: SimulatorOptions): { sim: Simulator; lines: string[] } {
  const lines: string[] = [];
  const sim = Simulator.begin(verbose, { frames: 64, output: (line) => lines.push(line), ...options });
  return { sim, lines };
}

function caught(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

/** Registers and writes pages first..first+count-1 with 1000 + n. */
function fill(sim: Simulator, first: number, count: number): void {
  for (let n = first; n < first + count; n++) {
    sim.register(page(n));
    sim.write(page(n), ValueType.UnsignedInt(1000 + n));
  }
}

describe('Simulator.begin with swapSlots and reclaim', () => {
  it('passes them to the kernel', () => {
    const { sim } = start(false, { swapSlots: 8, reclaim: { policy: 'clock', limit: 4 } });
    expect(sim.swapSlots).toBe(8);
    expect(sim.reclaimPolicy).toBe('clock');
    expect(sim.kernel.swapStats().slots).toBe(8);
    expect(sim.kernel.reclaimStats().limit).toBe(4);
    const plain = start(false, {}).sim;
    expect([plain.swapSlots, plain.reclaimPolicy, plain.kernel.swapStats().slots]).toEqual([0, null, 0]);
    expect(() => plain.kernel.reclaimStats()).not.toThrow();
    expect(plain.kernel.reclaimStats().limit).toBeNull();
    // A reclaim without a limit, and swap alone.
    expect(start(false, { reclaim: { policy: 'fifo' } }).sim.kernel.reclaimStats().limit).toBeNull();
    expect(start(false, { swapSlots: 0 }).sim.swapSlots).toBe(0);
  });

  it.each([
    [{ swapSlots: -1 }, 'swapSlots', -1],
    [{ swapSlots: 1.5 }, 'swapSlots', 1.5],
    [{ swapSlots: '4' }, 'swapSlots', '4'],
    [{ swapSlots: 2 ** 30 + 1 }, 'swapSlots', 2 ** 30 + 1],
    [{ reclaim: 'lru' }, 'reclaim', 'lru'],
    [{ reclaim: null }, 'reclaim', null],
    [{ reclaim: { policy: 'opt' } }, 'reclaim.policy', 'opt'],
    [{ reclaim: { policy: 'nope' } }, 'reclaim.policy', 'nope'],
    [{ reclaim: {} }, 'reclaim.policy', undefined],
    [{ reclaim: { policy: 'lru', limit: 0 } }, 'reclaim.limit', 0],
    [{ reclaim: { policy: 'lru', limit: 65 } }, 'reclaim.limit', 65],
    [{ reclaim: { policy: 'lru', limit: 2.5 } }, 'reclaim.limit', 2.5],
    [{ reclaim: { policy: 'lru', oomKill: false } }, 'reclaim.oomKill', false],
  ])('refuses %j with an InvalidOptionError naming %s', (options, option, value) => {
    const error = caught(() => Simulator.begin(false, { frames: 64, ...(options as SimulatorOptions) }));
    expect(InvalidOptionError.isInstance(error)).toBe(true);
    expect((error as InvalidOptionError).option).toBe(option);
    expect((error as InvalidOptionError).value).toEqual(value);
  });

  it('says why opt is refused', () => {
    const error = caught(() => Simulator.begin(false, { reclaim: { policy: 'opt' as never } })) as InvalidOptionError;
    expect(error.message).toMatch(/^invalid option reclaim\.policy = "?opt"?: opt needs the future references/);
  });
});

describe.each(MODEL_NAMES.filter(isModelName))('swap through Simulator on %s', (model) => {
  it('pages written, evicted over the limit and read back: every value intact', () => {
    const { sim, lines } = start(false, { model, swapSlots: 8, reclaim: { policy: 'lru', limit: 3 } });
    fill(sim, 0, 6);
    for (let n = 0; n < 6; n++) expect(sim.read(page(n), DataType.UnsignedInt)?.getValue()).toBe(BigInt(1000 + n));
    const stats = sim.kernel.reclaimStats();
    expect(stats.pswpout).toBeGreaterThanOrEqual(3);
    expect(stats.pswpin).toBeGreaterThanOrEqual(3);
    expect(stats.resident).toBeLessThanOrEqual(3);
    expect(lines).toEqual([]);
  });
});

describe('the OOM killer through Simulator', () => {
  it('prints the kill in quiet mode, once, and the process is gone', () => {
    const { sim, lines } = start(false, { swapSlots: 2, reclaim: { policy: 'fifo', limit: 2 } });
    // 2 frames + 2 slots hold 4 pages; the fifth write has nowhere to go: process 0 is the only one.
    fill(sim, 0, 5);
    expect(lines).toEqual(['Out of memory: killed process 0 (rss 2 pages, swap 2 pages)']);
    expect(sim.pid).toBeUndefined();
    expect(sim.kernel.reclaimStats().oomKills).toBe(1);
    // Its frames and slots are free again.
    expect(sim.kernel.swapStats().slotsUsed).toBe(0);
  });

  it('kills the largest process, not the one asking, which then goes on', () => {
    const { sim, lines } = start(false, { swapSlots: 3, reclaim: { policy: 'lru', limit: 3 } });
    sim.register(page(0));
    sim.write(page(0), ValueType.UnsignedInt(7));
    sim.fork(); // the child (pid 1) runs; one page shared
    sim.switch(0);
    fill(sim, 1, 5); // the parent: 6 pages, as many as 3 frames and 3 slots hold
    sim.switch(1);
    sim.register(page(10));
    sim.write(page(10), ValueType.UnsignedInt(10)); // the seventh: nothing can be evicted
    expect(lines).toEqual([expect.stringMatching(/^Out of memory: killed process 0 \(rss \d pages, swap 3 pages\)$/)]);
    expect(sim.processes().map((p) => p.pid)).toEqual([1]);
    expect(sim.pid).toBe(1);
    expect(sim.read(page(10), DataType.UnsignedInt)?.getValue()).toBe(10n);
    expect(sim.read(page(0), DataType.UnsignedInt)?.getValue()).toBe(7n);
  });

  it('verbose: one EVICT line per eviction and one SWAPIN per swap-in, in event order with PGZERO', () => {
    const { sim, lines } = start(true, { swapSlots: 4, reclaim: { policy: 'fifo', limit: 1 } });
    fill(sim, 0, 2);
    expect(sim.read(page(0), DataType.UnsignedInt)?.getValue()).toBe(1000n);
    expect(lines).toEqual([
      'PGZERO: 0x0',
      expect.stringMatching(/^EVICT: pfn 0x[0-9a-f]+ to swap, written$/),
      'PGZERO: 0x1000',
      expect.stringMatching(/^EVICT: pfn 0x[0-9a-f]+ to swap, written$/),
      'SWAPIN: 0x0 from slot 0',
    ]);
  });
});
