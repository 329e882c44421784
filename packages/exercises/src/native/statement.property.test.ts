// Property tests for the replacement and mmap exercises: for any seed and size (and policy, and model), the
// answer key equals what a small reference model computes from the printed statement alone, following only the
// rules the statement states. So the statement says everything a student needs, and @vmsim/replacement's
// policies and the kernel's mmap/munmap/mprotect/brk agree with those rules.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EXERCISE_SIZES, type Exercise } from './exercise.js';
import { generateExercise } from './generate.js';
import { REPLACEMENT_EXERCISE_POLICIES } from './replacement.js';

const MODELS = ['x86-32', 'sv32', 'x86-64', 'sv39'] as const;

/** Replays a replacement statement with lists: frames in ring order for FIFO and clock, times for the rest. */
function replacementReference(e: Exercise): string[] {
  const frames = Number(/with (\d+) frames$/.exec(e.title)![1]);
  const policy = /under (\w+) with/.exec(e.title)![1]!.toLowerCase();
  const refs = e.statement.find((l) => /^ {2}[rw]\d/.test(l))!.trim().split(' ').map((r) => ({ write: r[0] === 'w', page: Number(r.slice(1)) }));
  type Slot = { page: number; dirty: boolean; loaded: number; used: number; count: number; bit: boolean };
  const slots: Slot[] = [];
  let hand = 0;
  let faults = 0;
  let writebacks = 0;
  const out: string[] = [];
  refs.forEach(({ write, page }, t) => {
    const slot = slots.find((s) => s.page === page);
    if (slot !== undefined) {
      slot.used = t;
      slot.count++;
      slot.bit = true;
      slot.dirty ||= write;
      out.push('hit');
      return;
    }
    faults++;
    const fresh: Slot = { page, dirty: write, loaded: t, used: t, count: 1, bit: true };
    if (slots.length < frames) {
      slots.push(fresh);
      out.push('miss');
      return;
    }
    let victim: number;
    const oldest = (key: (s: Slot) => number): number => slots.reduce((best, s, i) => (key(s) < key(slots[best]!) ? i : best), 0);
    if (policy === 'fifo') victim = oldest((s) => s.loaded);
    else if (policy === 'lru') victim = oldest((s) => s.used);
    else if (policy === 'mru') victim = oldest((s) => -s.used);
    else if (policy === 'lfu') victim = oldest((s) => s.count * refs.length + s.used);
    else if (policy === 'opt') {
      const next = (s: Slot): number => {
        const n = refs.findIndex((r, i) => i > t && r.page === s.page);
        // Never again: infinitely far, the oldest last reference first.
        return n < 0 ? 2 * refs.length + (refs.length - s.used) : n;
      };
      victim = oldest((s) => -next(s));
    } else {
      expect(policy).toBe('clock');
      while (slots[hand]!.bit) {
        slots[hand]!.bit = false;
        hand = (hand + 1) % frames;
      }
      victim = hand;
      hand = (hand + 1) % frames;
    }
    const gone = slots[victim]!;
    if (gone.dirty) writebacks++;
    slots[victim] = fresh;
    out.push(`miss ${gone.page}`);
  });
  return [...out, String(faults), String(writebacks)];
}

const PAGE = 4096;
const HEAP = 0x1000_0000;
const TOP = 0x8000_0000;

/** Replays an mmap statement page by page: a map from page number to protection, and the break. */
function mmapReference(e: Exercise): string[] {
  const pages = new Map<number, number>();
  let brk = HEAP;
  const up = (n: number): number => Math.ceil(n / PAGE);
  const prot = (text: string): number => (text.includes('READ') ? 1 : 0) | (text.includes('WRITE') ? 2 : 0) | (text.includes('EXEC') ? 4 : 0);
  const out: string[] = [];
  for (const line of e.statement) {
    let m = /^ +\d+\. mmap\((NULL|0x[0-9a-f]+), 0x([0-9a-f]+), ([A-Z_|]+), [A-Z_|]+, -1, 0\)$/.exec(line);
    if (m !== null) {
      const n = up(parseInt(m[2]!, 16));
      if (n === 0) {
        out.push('einval');
        continue;
      }
      let first: number;
      if (m[1] === 'NULL') {
        first = TOP / PAGE - n;
        while ([...Array(n).keys()].some((i) => pages.has(first + i))) first--;
      } else first = parseInt(m[1]!, 16) / PAGE;
      for (let i = 0; i < n; i++) pages.set(first + i, prot(m[3]!));
      out.push(`0x${(first * PAGE).toString(16)}`);
      continue;
    }
    m = /^ +\d+\. (munmap|mprotect)\(0x([0-9a-f]+), 0x([0-9a-f]+)(?:, ([A-Z_|]+))?\)$/.exec(line);
    if (m !== null) {
      const addr = parseInt(m[2]!, 16);
      if (addr % PAGE !== 0) {
        out.push('einval');
        continue;
      }
      const first = addr / PAGE;
      const n = up(parseInt(m[3]!, 16));
      let answer = '0';
      for (let i = 0; i < n; i++) {
        if (m[1] === 'munmap') pages.delete(first + i);
        else if (!pages.has(first + i)) {
          answer = 'enomem';
          break;
        } else pages.set(first + i, prot(m[4]!));
      }
      out.push(answer);
      continue;
    }
    m = /^ +\d+\. brk\(0x([0-9a-f]+)\)$/.exec(line);
    if (m !== null) {
      const addr = parseInt(m[1]!, 16);
      const [oldEnd, newEnd] = [up(brk), up(addr)];
      if (addr < HEAP) out.push(`0x${brk.toString(16)}`);
      else {
        for (let p = newEnd; p < oldEnd; p++) pages.delete(p);
        // Growing needs the new heap pages and one page above them free; the calls here never collide.
        for (let p = oldEnd; p <= newEnd; p++) expect(pages.has(p)).toBe(false);
        for (let p = oldEnd; p < newEnd; p++) pages.set(p, 3);
        brk = addr;
        out.push(`0x${addr.toString(16)}`);
      }
    }
  }
  const sorted = [...pages.keys()].sort((a, b) => a - b);
  const lines: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1 && pages.get(sorted[j + 1]!) === pages.get(sorted[i]!)) j++;
    const [start, end, p] = [sorted[i]! * PAGE, (sorted[j]! + 1) * PAGE, pages.get(sorted[i]!)!];
    const perms = `${p & 1 ? 'r' : '-'}${p & 2 ? 'w' : '-'}${p & 4 ? 'x' : '-'}p`;
    const heap = start <= brk && end >= HEAP;
    lines.push(`${start.toString(16).padStart(8, '0')}-${end.toString(16).padStart(8, '0')} ${perms} 00000000 00:00 0${heap ? ' [heap]' : ''}`);
    i = j + 1;
  }
  return [...out, ...(lines.length > 0 ? lines : ['none'])];
}

describe('statement replays', () => {
  it('replacement: a list model of each policy as the statement defines it gives the key', () => {
    fc.assert(
      fc.property(fc.nat(100_000), fc.constantFrom(...EXERCISE_SIZES), fc.constantFrom(...REPLACEMENT_EXERCISE_POLICIES), (seed, size, policy) => {
        const e = generateExercise({ kind: 'replacement', seed, size, policy });
        expect(replacementReference(e)).toEqual(e.questions.map((q) => q.answer));
      }),
      { numRuns: 300 },
    );
  });

  it('mmap: a page-by-page model with the statement\'s rules gives the key on every model', () => {
    fc.assert(
      fc.property(fc.nat(100_000), fc.constantFrom(...EXERCISE_SIZES), fc.constantFrom(...MODELS), (seed, size, hw) => {
        const e = generateExercise({ kind: 'mmap', hw, seed, size });
        expect(mmapReference(e)).toEqual(e.questions.map((q) => q.answer));
      }),
      { numRuns: 200 },
    );
  });
});
