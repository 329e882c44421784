// Property tests: for any seed, size and model, the answer keys of the TLB, Accessed/Dirty and fork/COW
// exercises equal what a small reference model computes from the printed statement alone (so the statement says
// everything a student needs, and hw's TLB and walker and the kernel agree with the rules it states).

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EXERCISE_SIZES, type Exercise } from './exercise.js';
import { generateExercise } from './generate.js';

const MODELS = ['x86-32', 'sv32', 'x86-64', 'sv39'] as const;

/** Replays a TLB statement: sets × ways, LRU per set, ASID tags, global pages, CR3 flushes on x86-32. */
function tlbReference(e: Exercise): string[] {
  const text = e.statement.join('\n');
  const [, entries, sets, ways] = /The TLB has (\d+) entries: (\d+) sets of (\d+) ways\./.exec(text)!.map(Number) as number[];
  expect(entries).toBe(sets! * ways!);
  const flushOnSwitch = text.includes('flushes every entry not marked global');
  type Entry = { vpn: number; pid: number; global: boolean; used: number };
  const table: Entry[][] = Array.from({ length: sets! }, () => []);
  let pid = 1;
  let clock = 0;
  const out: string[] = [];
  for (const line of e.statement) {
    const sw = /^ +switch to P(\d+)$/.exec(line);
    if (sw !== null) {
      pid = Number(sw[1]);
      if (flushOnSwitch) for (let s = 0; s < sets!; s++) table[s] = table[s]!.filter((x) => x.global);
      continue;
    }
    const access = /^ +\d+\. P(\d+) accesses vpn 0x([0-9a-f]+)( \(kernel, global\))?$/.exec(line);
    if (access === null) continue;
    expect(Number(access[1])).toBe(pid);
    const vpn = parseInt(access[2]!, 16);
    const global = access[3] !== undefined;
    const set = table[vpn % sets!]!;
    const hit = set.find((x) => x.vpn === vpn && (x.global || x.pid === pid));
    clock++;
    if (hit !== undefined) {
      hit.used = clock;
      out.push('hit');
      continue;
    }
    if (set.length === ways!) set.splice(set.indexOf(set.reduce((a, b) => (a.used <= b.used ? a : b))), 1);
    set.push({ vpn, pid, global, used: clock });
    out.push('miss');
  }
  return out;
}

/** Replays an Accessed/Dirty statement: a successful access sets A, a successful write also D. */
function accessedDirtyReference(e: Exercise): string[] {
  const pageSize = Number(/(\d+)-byte pages/.exec(e.statement.join('\n'))![1]);
  const pages = e.questions.map((q) => {
    const [, va, mode] = /^the page at 0x([0-9a-f]+) \((read-write|read-only)\)$/.exec(q.prompt)!;
    return { base: BigInt(`0x${va}`), writable: mode === 'read-write', a: false, d: false };
  });
  for (const line of e.statement) {
    const m = /^ +\d+\. (read |write) 0x([0-9a-f]+)$/.exec(line);
    if (m === null) continue;
    const va = BigInt(`0x${m[2]}`);
    const page = pages.find((p) => va >= p.base && va < p.base + BigInt(pageSize))!;
    const write = m[1] === 'write';
    if (write && !page.writable) continue;
    page.a = true;
    if (write) page.d = true;
  }
  return pages.map((p) => (p.d ? 'ad' : p.a ? 'a' : 'none'));
}

/**
 * Replays a fork/COW statement: per process, page → frame (0 = the zero page) and a COW mark; per frame a
 * reference count. Counts zero-fills, COW copies and COW reuses as the statement's rules define them.
 */
function forkCowReference(e: Exercise): string[] {
  const pages = Number(/has (\d+) private anonymous pages/.exec(e.statement.join('\n'))![1]);
  const first = Number(/Process P(\d+) has/.exec(e.statement.join('\n'))![1]);
  const procs = new Map<number, { frame: number[]; cow: boolean[] }>();
  procs.set(first, { frame: Array(pages).fill(0), cow: Array(pages).fill(false) });
  const rc = new Map<number, number>();
  let nextFrame = 1;
  let zeroFill = 0;
  let cowCopy = 0;
  let cowReuse = 0;
  for (const line of e.statement) {
    const fork = /^ +\d+\. P(\d+) forks; the child is P(\d+)$/.exec(line);
    const exit = /^ +\d+\. P(\d+) exits$/.exec(line);
    const access = /^ +\d+\. P(\d+) (writes to|reads) page (\d+)$/.exec(line);
    if (fork !== null) {
      const parent = procs.get(Number(fork[1]))!;
      for (let n = 0; n < pages; n++) {
        const f = parent.frame[n]!;
        if (f !== 0) {
          rc.set(f, rc.get(f)! + 1);
          parent.cow[n] = true;
        }
      }
      procs.set(Number(fork[2]), { frame: [...parent.frame], cow: [...parent.cow] });
    } else if (exit !== null) {
      const p = procs.get(Number(exit[1]))!;
      for (const f of p.frame) if (f !== 0) rc.set(f, rc.get(f)! - 1);
      procs.delete(Number(exit[1]));
    } else if (access !== null && access[2] === 'writes to') {
      const p = procs.get(Number(access[1]))!;
      const n = Number(access[3]);
      const f = p.frame[n]!;
      if (f === 0) {
        zeroFill++;
        p.frame[n] = nextFrame;
        rc.set(nextFrame++, 1);
      } else if (p.cow[n]) {
        if (rc.get(f)! > 1) {
          cowCopy++;
          rc.set(f, rc.get(f)! - 1);
          p.frame[n] = nextFrame;
          rc.set(nextFrame++, 1);
        } else {
          cowReuse++;
        }
        p.cow[n] = false;
      }
    }
  }
  const out = [String(zeroFill), String(cowCopy), String(cowReuse)];
  for (const pid of [...procs.keys()].sort((a, b) => a - b)) {
    for (const f of procs.get(pid)!.frame) out.push(f === 0 ? 'zero page' : String(rc.get(f)));
  }
  return out;
}

/**
 * Walks a translate statement's dump on its own: the entry layout of each model as the statement states it
 * (x86: P bit 0, R/W bit 1, frame from bit 12; RISC-V: V bit 0, R/W/X bits 1-3, PPN from bit 10, a leaf when
 * R, W or X is set), the index split it prints, and the canonical-address rule of the 64-bit models.
 */
function translateReference(e: Exercise): string[] {
  const text = e.statement.join('\n');
  const split = /splits into: (.*) \| offset (\d+) bits\./.exec(text)!;
  const indexBits = [...split[1]!.matchAll(/index (\d+) bits/g)].map((m) => Number(m[1]));
  const offsetBits = BigInt(split[2]!);
  const vaBits = Number(/(\d+)-bit virtual addresses/.exec(text)![1]);
  const riscv = e.hw.startsWith('sv');
  const tables = new Map<bigint, Map<number, bigint>>();
  let current: Map<number, bigint> | undefined;
  let root = 0n;
  for (const line of e.statement) {
    const r = /^Root table: frame 0x([0-9a-f]+)\.$/.exec(line);
    if (r !== null) root = BigInt(`0x${r[1]}`);
    const f = /^frame 0x([0-9a-f]+):/.exec(line);
    if (f !== null) tables.set(BigInt(`0x${f[1]}`), (current = new Map()));
    const entry = /^ {2}\[ *(\d+)\] 0x([0-9a-f]+)$/.exec(line);
    if (entry !== null) current!.set(Number(entry[1]), BigInt(`0x${entry[2]}`));
  }
  return e.questions.map((q) => {
    const [, kind, hex] = /^user (read of|write to) 0x([0-9a-f]+)$/.exec(q.prompt)!;
    const va = BigInt(`0x${hex}`);
    const write = kind === 'write to';
    if (vaBits > 32) {
      // Canonical: bits 63 down to vaBits - 1 all equal.
      const top = va >> BigInt(vaBits - 1);
      if (top !== 0n && top !== (1n << BigInt(65 - vaBits)) - 1n) return 'fault non-canonical';
    }
    let table = root;
    let shift = offsetBits + BigInt(indexBits.reduce((a, b) => a + b, 0));
    let writable = true;
    for (let level = 0; level < indexBits.length; level++) {
      shift -= BigInt(indexBits[level]!);
      const index = Number((va >> shift) & ((1n << BigInt(indexBits[level]!)) - 1n));
      const pte = tables.get(table)!.get(index) ?? 0n;
      if ((pte & 1n) === 0n) return `fault not-present level ${level}`;
      const leaf = riscv ? (pte & 0xen) !== 0n : level === indexBits.length - 1;
      const frame = riscv ? (pte >> 10n) & ((1n << 44n) - 1n) : (pte >> 12n) & ((1n << 40n) - 1n);
      if (!riscv) writable &&= (pte & 2n) !== 0n;
      if (!leaf) {
        table = frame;
        continue;
      }
      if (riscv) writable = (pte & 4n) !== 0n;
      if (write && !writable) return `fault protection level ${level}`;
      return `0x${((frame << offsetBits) | (va & ((1n << offsetBits) - 1n))).toString(16)}`;
    }
    return 'unreachable';
  });
}

const options = fc.record({
  hw: fc.constantFrom(...MODELS),
  seed: fc.integer({ min: 0, max: 2 ** 31 }),
  size: fc.constantFrom(...EXERCISE_SIZES),
});

describe('answer keys against reference models', () => {
  it('TLB: hw Tlb agrees with sets × ways LRU, ASIDs, global pages and CR3 flushes', () => {
    fc.assert(
      fc.property(options, ({ hw, seed, size }) => {
        const e = generateExercise({ kind: 'tlb', hw, seed, size });
        expect(e.questions.map((q) => q.answer)).toEqual(tlbReference(e));
      }),
      { numRuns: 150 },
    );
  });

  it('Accessed/Dirty: the walker sets A on every successful access and D on every successful write', () => {
    fc.assert(
      fc.property(options, ({ hw, seed, size }) => {
        const e = generateExercise({ kind: 'accessed-dirty', hw, seed, size });
        expect(e.questions.map((q) => q.answer)).toEqual(accessedDirtyReference(e));
      }),
      { numRuns: 100 },
    );
  });

  it('translate: the reference walker agrees with a walk of the printed dump on every model', () => {
    fc.assert(
      fc.property(options, ({ hw, seed, size }) => {
        const e = generateExercise({ kind: 'translate', hw, seed, size });
        expect(e.questions.map((q) => q.answer)).toEqual(translateReference(e));
      }),
      { numRuns: 150 },
    );
  });

  it('fork/COW: the kernel agrees with the zero-fill, COW copy/reuse and reference-count rules', () => {
    fc.assert(
      fc.property(options, ({ hw, seed, size }) => {
        const e = generateExercise({ kind: 'fork-cow', hw, seed, size });
        expect(e.questions.map((q) => q.answer)).toEqual(forkCowReference(e));
      }),
      { numRuns: 150 },
    );
  });
});
