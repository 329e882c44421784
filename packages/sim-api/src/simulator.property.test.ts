import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DataType } from './data-type.js';
import { alreadyRegistered, badSwitch, hex, invalidAddress, noProcess, pgcopy, pgzero } from './messages.js';
import { KERNBASE, Pointer } from './pointer.js';
import { MODEL_NAMES, Simulator, type ModelName } from './simulator.js';
import { ValueType } from './value-type.js';

/*
 * A reference model of the rules in the README, written independently of the kernel: processes in a list,
 * each with its own registered pages (page -> frame id, 0 = the zero page) and its own values; frames shared
 * after a fork are counted by how many live processes map them.
 */
interface ModelProcess {
  pid: number;
  parent: number;
  pages: Map<number, number>;
  values: Map<number, bigint>;
}

class Model {
  readonly lines: string[] = [];
  procs: ModelProcess[] = [{ pid: 0, parent: -1, pages: new Map(), values: new Map() }];
  cur: ModelProcess | null = this.procs[0]!;
  private nextPid = 1;
  private nextFrame = 1;

  register(va: number): void {
    const p = this.cur;
    if (p === null) return void this.lines.push(noProcess(`register ${hex(va)}`));
    const page = va - (va % 4096);
    if (p.pages.has(page)) return void this.lines.push(alreadyRegistered(va));
    p.pages.set(page, 0);
  }

  write(va: number, value: bigint): void {
    const p = this.cur;
    if (p === null) return void this.lines.push(noProcess(`write to ${hex(va)}`));
    const page = va - (va % 4096);
    const frame = p.pages.get(page);
    if (frame === undefined) return void this.lines.push(invalidAddress(page));
    if (frame === 0) {
      this.lines.push(pgzero(page - KERNBASE));
      p.pages.set(page, this.nextFrame++);
    } else if (this.procs.filter((q) => q.pages.get(page) === frame).length > 1) {
      this.lines.push(pgcopy(page - KERNBASE));
      p.pages.set(page, this.nextFrame++);
    }
    p.values.set(va, value);
  }

  read(va: number): bigint | undefined {
    const p = this.cur;
    if (p === null) return void this.lines.push(noProcess(`read of ${hex(va)}`));
    const page = va - (va % 4096);
    if (!p.pages.has(page)) return void this.lines.push(invalidAddress(page));
    return p.values.get(va) ?? 0n;
  }

  fork(): void {
    const p = this.cur;
    if (p === null) return void this.lines.push(noProcess('fork'));
    const child = { pid: this.nextPid++, parent: p.pid, pages: new Map(p.pages), values: new Map(p.values) };
    this.procs.push(child);
    this.cur = child;
  }

  switch(n: number): void {
    if (!Number.isInteger(n) || n < 0 || n >= this.procs.length) return void this.lines.push(badSwitch(n, this.procs.length));
    this.cur = this.procs[n]!;
  }

  kill(): void {
    const p = this.cur;
    if (p === null) return void this.lines.push(noProcess('kill'));
    const index = this.procs.indexOf(p);
    this.procs.splice(index, 1);
    this.cur = this.procs.find((q) => q.pid === p.parent) ?? this.procs[index > 0 ? index - 1 : 0] ?? null;
  }
}

type Command =
  | { op: 'register'; page: number; slot: number }
  | { op: 'write'; page: number; slot: number; value: bigint }
  | { op: 'read'; page: number; slot: number }
  | { op: 'fork' }
  | { op: 'switch'; n: number }
  | { op: 'kill' };

const page = fc.integer({ min: 0, max: 3 });
const slot = fc.integer({ min: 0, max: 3 });
const command: fc.Arbitrary<Command> = fc.oneof(
  { arbitrary: fc.record({ op: fc.constant('register' as const), page, slot }), weight: 3 },
  { arbitrary: fc.record({ op: fc.constant('write' as const), page, slot, value: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }) }), weight: 5 },
  { arbitrary: fc.record({ op: fc.constant('read' as const), page, slot }), weight: 4 },
  { arbitrary: fc.record({ op: fc.constant('fork' as const) }), weight: 2 },
  { arbitrary: fc.record({ op: fc.constant('switch' as const), n: fc.integer({ min: -1, max: 6 }) }), weight: 3 },
  { arbitrary: fc.record({ op: fc.constant('kill' as const) }), weight: 1 },
);

/** Every model at the pointer counter's addresses; the 64-bit models also above 2^32. */
const CASES: { name: string; model: ModelName; base: number; runs: number }[] = [
  ...MODEL_NAMES.map((model) => ({ name: model, model, base: KERNBASE, runs: 300 })),
  { name: 'x86-64 above 2^32', model: 'x86-64', base: 0x7f0000000000, runs: 100 },
  { name: 'sv39 above 2^32', model: 'sv39', base: 0x3f00000000, runs: 100 },
];

describe.each(CASES)('Simulator against a reference model on $name', ({ model: modelName, base, runs }) => {
  it('prints the same messages, reads the same values and keeps the same processes', () => {
    fc.assert(
      fc.property(fc.array(command, { minLength: 5, maxLength: 80, size: 'max' }), (commands) => {
        const lines: string[] = [];
        const sim = Simulator.begin(true, { frames: 1024, model: modelName, output: (line) => lines.push(line) });
        const levels = sim.stats().levels;
        const model = new Model();
        for (const c of commands) {
          const va = c.op === 'register' || c.op === 'write' || c.op === 'read' ? base + c.page * 4096 + c.slot * 8 : 0;
          switch (c.op) {
            case 'register':
              sim.register(Pointer.at(va));
              model.register(va);
              break;
            case 'write':
              sim.write(Pointer.at(va), ValueType.UnsignedInt(c.value));
              model.write(va, c.value);
              break;
            case 'read':
              expect(sim.read(Pointer.at(va), DataType.UnsignedInt)?.getValue()).toBe(model.read(va));
              break;
            case 'fork':
              sim.fork();
              model.fork();
              break;
            case 'switch':
              sim.switch(c.n);
              model.switch(c.n);
              break;
            case 'kill':
              sim.kill();
              model.kill();
              break;
          }
          expect(lines).toEqual(model.lines);
          expect(sim.processes().map((p) => [p.pid, p.parentPid, p.current])).toEqual(
            model.procs.map((p) => [p.pid, p.parent, p === model.cur]),
          );
        }
        sim.kernel.checkInvariants();
        // Frames: the zero page, each live process's root and, once it has a page, one table per level below
        // (its four pages share every table), and one per distinct data frame.
        const frames = new Set(model.procs.flatMap((p) => [...p.pages.values()].filter((f) => f !== 0)));
        const tables = model.procs.reduce((n, p) => n + 1 + (p.pages.size > 0 ? levels - 1 : 0), 0);
        expect(sim.stats().frames.used).toBe(1 + tables + frames.size);
      }),
      { numRuns: runs },
    );
  }, 60_000);
});
