// The three workloads of the performance issue, run exactly as defined there and set beside the rust-vmem
// figures measured on this machine kind (Rust 1.95 --release, in-process, per repetition): (a) the docs'
// round-robin of four processes, (b) 7,424 values over 29 pages, (c) one page forked 8 times in a chain.
// Each repetition checks its own results, so a fast wrong answer cannot pass.

import { openSync, writeSync } from 'node:fs';
import { Console } from 'node:console';
import { Writable } from 'node:stream';
import { medianOf } from '@vmsim/dev-util/bench';
import { DataType } from './data-type.js';
import { BufferedWriter } from './buffered-writer.js';
import type { LineWriter } from './messages.js';
import { Pointer } from './pointer.js';
import { Simulator } from './simulator.js';
import { ValueType } from './value-type.js';

/** rust-vmem's per-repetition times on this machine kind, in µs (from the issue). */
const RUST_US = { a: 655, b: 693, c: 65 } as const;

function check(ok: boolean, what: string): void {
  if (!ok) throw new Error(`wrong result: ${what}`);
}

/** (a) begin(true), register x, three chained forks, 1,024 × (read, write, read, switch): 2,053 lines. */
export function workloadA(out: LineWriter): number {
  const t0 = performance.now();
  const sim = Simulator.begin(true, { output: out });
  const x = Pointer.new(ValueType.Zero);
  sim.register(x);
  const initial = sim.read(x, DataType.UnsignedInt);
  if (initial !== undefined) out.writeLine(`Value of x: ${initial.getValue()}`);
  sim.fork();
  sim.fork();
  sim.fork();
  sim.switch(0);
  for (let i = 0; i < 1024; i++) {
    const before = sim.read(x, DataType.UnsignedInt);
    if (before !== undefined) out.writeLine(`Value of x before write for pid ${i % 4}: ${before.getValue()}`);
    sim.write(x, ValueType.UnsignedInt(i));
    const after = sim.read(x, DataType.UnsignedInt);
    if (after !== undefined) out.writeLine(`Value of x after write for pid ${i % 4}: ${after.getValue()}`);
    sim.switch((i + 1) % 4);
  }
  return performance.now() - t0;
}

const B_VALUES = 7424;
const valueB = (i: number): bigint => BigInt((Math.imul(i, 2654435761) >>> 0));
const B_EXPECTED = Array.from({ length: B_VALUES }, (_, i) => valueB(i));

/** (b) 7,424 pointers, one register per page (29 pages), write all, read all back; `begin` not timed. */
export function workloadB(out: LineWriter): number {
  const sim = Simulator.begin(false, { output: out });
  const t0 = performance.now();
  const ptrs: Pointer[] = new Array<Pointer>(B_VALUES);
  for (let i = 0; i < B_VALUES; i++) ptrs[i] = Pointer.new(ValueType.Zero);
  for (let i = 0; i < B_VALUES; i += 256) sim.register(ptrs[i]!);
  for (let i = 0; i < B_VALUES; i++) sim.write(ptrs[i]!, ValueType.UnsignedInt(B_EXPECTED[i]!));
  let wrong = -1;
  for (let i = 0; i < B_VALUES; i++) {
    const v = sim.read(ptrs[i]!, DataType.UnsignedInt);
    if (v === undefined || v.getValue() !== B_EXPECTED[i]) wrong = i;
  }
  const t = performance.now() - t0;
  check(wrong < 0, `(b) value ${wrong}`);
  return t;
}

/** (c) one written page, forked 8 times in a chain, each child rewriting it; timed from `begin` to the last write. */
export function workloadC(out: LineWriter): number {
  const t0 = performance.now();
  const sim = Simulator.begin(false, { output: out });
  const p = Pointer.new(ValueType.Zero);
  sim.register(p);
  sim.write(p, ValueType.UnsignedInt(0));
  for (let f = 1; f <= 8; f++) {
    sim.fork();
    sim.write(p, ValueType.UnsignedInt(f * 1_000_000));
  }
  const t = performance.now() - t0;
  for (let f = 0; f <= 8; f++) {
    sim.switch(f);
    const v = sim.read(p, DataType.UnsignedInt);
    check(v !== undefined && v.getValue() === BigInt(f * 1_000_000), `(c) process ${f}`);
  }
  return t;
}

/** Lines go nowhere: the cost of the simulation alone. */
const discard: LineWriter = { writeLine: () => undefined };

/** console.log into /dev/null, written synchronously as Node writes to a file: what `> /dev/null` costs. */
function devNullConsole(fd: number): LineWriter {
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      writeSync(fd, chunk);
      callback();
    },
  });
  const toFile = new Console({ stdout: stream, stderr: stream });
  return { writeLine: (line) => toFile.log(line) };
}

/** sim-api's BufferedWriter into /dev/null: the cli's way of writing. Flushed at the end of each repetition. */
function devNullBuffered(fd: number): BufferedWriter {
  return new BufferedWriter((chunk) => void writeSync(fd, chunk));
}

/** Counts lines, to check workload (a) prints exactly its 2,053. */
function countLines(): { sink: LineWriter; count: () => number } {
  let n = 0;
  return { sink: { writeLine: () => void n++ }, count: () => n };
}

/**
 * The median of `reps` timed repetitions after a time-based warm-up of about `warmMs` (and at least 20
 * repetitions): workload (c) is so short that a count-based warm-up leaves it cold (~2,000 repetitions, ~1 s,
 * are needed before the JIT has optimised the fork and fault paths).
 */
function warmMedian(rep: () => number, reps: number, warmMs = 1000): number {
  const until = performance.now() + warmMs;
  for (let i = 0; i < 20 || performance.now() < until; i++) rep();
  return medianOf(rep, reps, 0);
}

const us = (ms: number): string => `${(ms * 1000).toFixed(0).padStart(6)} µs`;

function row(name: string, rustUs: number, medianMs: number): void {
  const ratio = (medianMs * 1000) / rustUs;
  console.log(`${name.padEnd(58)} ${us(medianMs)}   rust-vmem ${String(rustUs).padStart(4)} µs   ×${ratio.toFixed(2)}`);
}

export async function run(): Promise<void> {
  const lines = countLines();
  workloadA(lines.sink);
  check(lines.count() === 2053, `(a) printed ${lines.count()} lines, expected 2,053`);

  const reps = Number(process.env.SEED_REPS ?? 400);
  console.log(`median per repetition, ${reps} repetitions each (after a ~1 s warm-up per row); ratio = vmsim / rust-vmem`);
  row('(a) round-robin, 2,053 lines, output discarded', RUST_US.a, warmMedian(() => workloadA(discard), reps));
  const fd = openSync('/dev/null', 'w');
  const buffered = devNullBuffered(fd);
  row('(a) round-robin, 2,053 lines, BufferedWriter to /dev/null', RUST_US.a, warmMedian(() => {
    const t0 = performance.now();
    workloadA(buffered);
    buffered.flush();
    return performance.now() - t0;
  }, reps));
  const consoleWriter = devNullConsole(fd);
  row('(a) round-robin, 2,053 lines, console.log to /dev/null', RUST_US.a, warmMedian(() => workloadA(consoleWriter), Math.min(reps, 100)));
  row('(b) 7,424 values over 29 pages', RUST_US.b, warmMedian(() => workloadB(discard), reps));
  row('(c) one page, 8 chained forks', RUST_US.c, warmMedian(() => workloadC(discard), reps));
}
