import { describe, expect, it } from 'vitest';
import { type KernelEvent } from './events.js';
import { Kernel } from './kernel.js';
import { MODELS, tablesFor } from './testing/models.js';
import { expectSameSnapshot } from './testing/assertions.js';
import { PAGE, VA, HOLE, boot, tablesOf, belowRoot, pfnOf } from './testing/kernel-helpers.js';

describe.each(MODELS)('events on $name', ({ make: makeModel }) => {
  it('a small scenario emits every event type, in order', () => {
    const k = boot(makeModel, { ramBytes: 64 * PAGE });
    const events: KernelEvent[] = [];
    k.on((e) => events.push(e));
    const expected: KernelEvent[] = [];

    const p = k.spawn();
    const [root] = tablesOf(k, p.pid);
    expected.push({ type: 'alloc', pfn: root!, kind: 'table' }, { type: 'switch', from: -1, to: p.pid });
    expect(events).toEqual(expected);

    k.register(VA);
    // One new table per level below the root, allocated from the top down.
    const tables = belowRoot(k, p.pid);
    expect(tables).toHaveLength(k.model.levels - 1);
    for (const pfn of tables) expected.push({ type: 'alloc', pfn, kind: 'table' });
    expected.push({ type: 'map', pid: p.pid, va: VA, pfn: k.zeroPfn, writable: false });
    expect(events).toEqual(expected);

    expect(k.load(VA, 4)).toBe(0); // the zero page: no event
    expect(events).toEqual(expected);

    k.store(VA + 4, 4, 7);
    const a = pfnOf(k, VA, p.pid);
    expected.push(
      { type: 'alloc', pfn: a, kind: 'data' },
      { type: 'unmap', pid: p.pid, va: VA, pfn: k.zeroPfn },
      { type: 'map', pid: p.pid, va: VA, pfn: a, writable: true },
      { type: 'fault', pid: p.pid, va: VA + 4, access: 'write', resolution: 'zero-fill' },
    );
    expect(events).toEqual(expected);

    const c = k.fork();
    const [croot] = tablesOf(k, c.pid);
    const ctables = belowRoot(k, c.pid);
    expected.push(
      { type: 'alloc', pfn: croot!, kind: 'table' },
      ...ctables.map((pfn): KernelEvent => ({ type: 'alloc', pfn, kind: 'table' })),
      { type: 'map', pid: p.pid, va: VA, pfn: a, writable: false }, // the parent's page becomes copy-on-write
      { type: 'map', pid: c.pid, va: VA, pfn: a, writable: false },
      { type: 'fork', parent: p.pid, child: c.pid },
    );
    expect(events).toEqual(expected);

    k.switchTo(c.pid);
    expected.push({ type: 'switch', from: p.pid, to: c.pid });
    k.store(VA + 8, 4, 9);
    const b = pfnOf(k, VA, c.pid);
    expected.push(
      { type: 'alloc', pfn: b, kind: 'data' },
      { type: 'unmap', pid: c.pid, va: VA, pfn: a },
      { type: 'map', pid: c.pid, va: VA, pfn: b, writable: true },
      { type: 'fault', pid: c.pid, va: VA + 8, access: 'write', resolution: 'cow-copy' },
    );
    k.load(HOLE + 3, 1);
    expected.push({ type: 'fault', pid: c.pid, va: HOLE + 3, access: 'read', resolution: 'segv' });
    expect(events).toEqual(expected);

    k.kill(c.pid);
    expected.push(
      { type: 'unmap', pid: c.pid, va: VA, pfn: b },
      { type: 'free', pfn: b },
      // Tables are freed from the bottom up, the root last.
      ...[...ctables].reverse().map((pfn): KernelEvent => ({ type: 'free', pfn })),
      { type: 'free', pfn: croot! },
      { type: 'kill', pid: c.pid },
    );
    expect(events).toEqual(expected);

    k.switchTo(p.pid);
    k.store(VA, 4, 1);
    expected.push(
      { type: 'switch', from: -1, to: p.pid },
      { type: 'map', pid: p.pid, va: VA, pfn: a, writable: true }, // the last sharer keeps the frame
      { type: 'fault', pid: p.pid, va: VA, access: 'write', resolution: 'cow-reuse' },
    );
    expect(events).toEqual(expected);

    k.kill(p.pid);
    expected.push(
      { type: 'unmap', pid: p.pid, va: VA, pfn: a },
      { type: 'free', pfn: a },
      ...[...tables].reverse().map((pfn): KernelEvent => ({ type: 'free', pfn })),
      { type: 'free', pfn: root! },
      { type: 'kill', pid: p.pid },
    );
    expect(events).toEqual(expected);
    expect(new Set(events.map((e) => e.type))).toEqual(new Set(['fault', 'alloc', 'free', 'fork', 'kill', 'switch', 'map', 'unmap']));
    // Every frame allocated was freed, and the other way round.
    const allocs = events.filter((e) => e.type === 'alloc').map((e) => (e as { pfn: number }).pfn).sort();
    const frees = events.filter((e) => e.type === 'free').map((e) => (e as { pfn: number }).pfn).sort();
    expect(frees).toEqual(allocs);
  });

  it('an OOM fault is reported as such', () => {
    // The zero page, the tables for VA, and one frame for data: that frame is the last.
    const k = boot(makeModel, { ramBytes: (1 + tablesFor(makeModel(), [VA]) + 1) * PAGE });
    const p = k.spawn();
    k.register(VA);
    k.register(VA + PAGE);
    expect(k.store(VA, 1, 1)).toBe(0);
    const events: KernelEvent[] = [];
    k.on((e) => events.push(e));
    k.store(VA + PAGE, 1, 1);
    expect(events).toEqual([{ type: 'fault', pid: p.pid, va: VA + PAGE, access: 'write', resolution: 'oom' }]);
  });

  it('every listener gets every event; unsubscribing stops only that one', () => {
    const k = boot(makeModel);
    const one: string[] = [];
    const two: string[] = [];
    const off1 = k.on((e) => one.push(e.type));
    const off2 = k.on((e) => two.push(e.type));
    k.spawn();
    expect(one).toEqual(['alloc', 'switch']);
    expect(two).toEqual(one);
    off1();
    k.register(VA);
    expect(one).toEqual(['alloc', 'switch']);
    const tableAllocs: string[] = Array(k.model.levels - 1).fill('alloc');
    expect(two).toEqual(['alloc', 'switch', ...tableAllocs, 'map']);
    off1(); // twice is harmless
    off2();
    k.store(VA, 4, 1);
    k.kill();
    expect(two).toHaveLength(3 + tableAllocs.length);
  });

  it('with no subscriber nothing is emitted and the machine behaves exactly the same', () => {
    const script = (k: Kernel): void => {
      const p = k.spawn();
      k.register(VA);
      k.register(VA + PAGE);
      k.store(VA, 4, 1);
      const c = k.fork();
      k.switchTo(c.pid);
      k.store(VA, 4, 2);
      k.store(HOLE, 4, 2);
      k.switchTo(p.pid);
      k.kill(c.pid);
      k.store(VA + PAGE, 4, 3);
    };
    const quiet = boot(makeModel);
    script(quiet);
    const loud = boot(makeModel);
    let heard = 0;
    loud.on(() => heard++);
    script(loud);
    expect(heard).toBeGreaterThan(10);
    expectSameSnapshot(quiet.snapshot(), loud.snapshot());
    expect(quiet.stats()).toEqual(loud.stats());
  });
});
