import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_EXAMPLE } from '../examples.js';
import { StepEngine } from './step-engine.js';

/** Everything observable of a machine, for exact comparisons. */
function state(engine: StepEngine): unknown {
  const sim = engine.simulator;
  return { snapshot: sim.kernel.snapshot(), processes: sim.processes(), stats: sim.stats(), records: engine.records.map((r) => [r.output, r.events, r.error]) };
}

const COW = DEFAULT_EXAMPLE.text;
// Forks until RAM runs out (out of memory is a message, not an error), then kills.
const OOM = 'ptr a\nregister a\nwrite a unsigned 7\nrepeat 6\nfork\nwrite a unsigned {i}\nend\nkill\nkill\nread a unsigned\nstats';

describe('StepEngine', () => {
  it('steps one command at a time, keeping what each printed', () => {
    const engine = new StepEngine({ script: COW, model: 'x86-32' });
    expect(engine.position).toBe(0);
    const outputs: string[] = [];
    while (!engine.done) outputs.push(...engine.step()!.output);
    expect(engine.position).toBe(engine.steps.length);
    expect(engine.step()).toBeNull();
    expect(outputs).toContain('a in the child after its write: 42');
    expect(outputs).toContain('PGCOPY: 0x0');
  });

  it('records the access of a read or write: its walk before and after, the TLB result and the fault', () => {
    const engine = new StepEngine({ script: COW, model: 'x86-32' });
    const copy = engine.steps.findIndex((s) => s.text.startsWith('write a unsigned 42'));
    engine.runTo(copy);
    const record = engine.step()!;
    expect(record.access).toMatchObject({ kind: 'write', pid: 1, va: 0x80000000, fault: 'cow-copy', tlb: 'miss' });
    const before = record.access!.before!.steps.at(-1)!;
    const after = record.access!.after!.steps.at(-1)!;
    expect(before.bits.filter((b) => b.set).map((b) => b.name)).toContain('COW');
    expect(after.bits.filter((b) => b.set).map((b) => b.name)).toEqual(['P', 'R/W', 'U/S', 'A', 'D']);
    expect(after.pfn).not.toBe(before.pfn);
    expect(record.events.map((e) => e.type)).toEqual(expect.arrayContaining(['fault', 'alloc']));
  });

  it('a command mistake stops the run there, as the cli does', () => {
    const engine = new StepEngine({ script: 'ptr a\nwrite b unsigned 1\necho never', model: 'x86-32' });
    engine.runToEnd();
    expect(engine.halted).toBe(true);
    expect(engine.position).toBe(2);
    expect(engine.last!.error).toBe('line 2: write: unknown pointer "b" (declare it with ptr b)');
    engine.back();
    expect(engine.halted).toBe(false);
    expect(engine.position).toBe(1);
  });

  it('refuses a step that is not an integer', () => {
    expect(() => new StepEngine({ script: COW, model: 'x86-32' }).runTo(1.5)).toThrow(RangeError);
  });

  it.each(['x86-32', 'sv32', 'x86-64', 'sv39'] as const)('%s: stepping back is exact across fork, kill and out of memory', (model) => {
    for (const [script, ramBytes] of [[COW, undefined], [OOM, 6 * 4096]] as const) {
      const engine = new StepEngine({ script, model, ramBytes });
      const n = engine.steps.length;
      fc.assert(
        fc.property(fc.array(fc.integer({ min: 0, max: n }), { minLength: 1, maxLength: 4 }), (targets) => {
          for (const t of targets) engine.runTo(t);
          const fresh = new StepEngine({ script, model, ramBytes });
          fresh.runTo(targets.at(-1)!);
          expect(state(engine)).toEqual(state(fresh));
        }),
        { numRuns: 6, seed: 14 },
      );
    }
  }, 60_000);

  it('the out-of-memory script really runs out of memory, and back undoes it', () => {
    const engine = new StepEngine({ script: OOM, model: 'x86-32', ramBytes: 6 * 4096 });
    engine.runToEnd();
    expect(engine.halted).toBe(false);
    const oom = engine.records.findIndex((r) => r.output.some((line) => /out of memory/i.test(line)));
    expect(oom).toBeGreaterThan(0);
    engine.runTo(oom);
    expect(engine.records.some((r) => r.output.some((line) => /out of memory/i.test(line)))).toBe(false);
  });

  it('runs a 10,000-step script to the end in well under a few seconds', () => {
    const engine = new StepEngine({ script: 'ptr x\nregister x\nrepeat 10000 i\nwrite x unsigned {i}\nend', model: 'x86-32' });
    const t0 = performance.now();
    engine.runToEnd();
    const ms = performance.now() - t0;
    expect(engine.position).toBe(10_002);
    // Under a second on a quiet machine; the bound leaves room for a shared CI box.
    expect(ms).toBeLessThan(5000);
  });
});
