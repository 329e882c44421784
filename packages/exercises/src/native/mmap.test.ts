// The mmap exercise: a sequence worked by hand (splits, a merge with both neighbours, MAP_FIXED over two
// regions, EINVAL, ENOMEM after a partial mprotect, brk's heap, a NULL-hint mapping), generated problems on
// every model, and grading of a maps listing.

import { describe, expect, it } from 'vitest';
import { ExerciseArgumentError } from '../errors.js';
import { answerKey, gradeAnswers, normalizeAnswer, renderExercise } from './exercise.js';
import { checkAnswers, generateExercise } from './generate.js';
import { formatMmCall, MMAP_EXERCISE_AREA, mmapSequenceExercise, type MmCall } from './mmap.js';

const A = MMAP_EXERCISE_AREA;
const P = 4096;
const R = 1;
const RW = 3;
const RX = 5;
const HEAP_BRK = 0x1000_2000;

const HAND: readonly MmCall[] = [
  { op: 'mmap', addr: A, length: 4 * P, prot: RW, fixed: true },
  { op: 'mprotect', addr: A + P, length: P, prot: R },
  { op: 'mmap', addr: A + 5 * P, length: 2 * P, prot: R, fixed: true },
  { op: 'mmap', addr: A + 3 * P, length: 3 * P, prot: RX, fixed: true },
  { op: 'mprotect', addr: A + P, length: P, prot: RW },
  { op: 'munmap', addr: A + 0x800, length: P },
  { op: 'mprotect', addr: A + 6 * P, length: 2 * P, prot: RW },
  { op: 'brk', addr: 0x1000_1800 },
  { op: 'mmap', addr: 0, length: 0x1800, prot: R, fixed: false },
  { op: 'mmap', addr: A + 9 * P, length: 0, prot: R, fixed: true },
];

describe('mmap: a sequence worked by hand', () => {
  it.each(['x86-32', 'sv32', 'x86-64', 'sv39'] as const)('%s', (hw) => {
    const e = mmapSequenceExercise(HAND, hw, 0, 'small');
    // 1. [A, A+4P) rw.  2. mprotect of page 1 splits it in three: rw | r | rw.  3. [A+5P, A+7P) r, a hole at A+4P.
    // 4. MAP_FIXED over [A+3P, A+6P) cuts the end of the rw part and the start of the r region: r-x in between.
    // 5. page 1 back to rw merges with both neighbours: [A, A+3P) rw.  6. misaligned: EINVAL, nothing changes.
    // 7. [A+6P, A+7P) becomes rw, then A+7P has no region: ENOMEM, the first part stays changed.
    // 8. the break moves to 0x10001800: the heap is [0x10000000, 0x10002000).  9. NULL hint, 0x1800 rounds to
    // two pages, the highest free range below 0x80000000: 0x7fffe000.  10. length 0: EINVAL.
    expect(e.questions.map((q) => q.answer)).toEqual([
      '0x40000000', '0', '0x40005000', '0x40003000', '0', 'einval', 'enomem', '0x10001800', '0x7fffe000', 'einval',
      '10000000-10002000 rw-p 00000000 00:00 0 [heap]',
      '40000000-40003000 rw-p 00000000 00:00 0',
      '40003000-40006000 r-xp 00000000 00:00 0',
      '40006000-40007000 rw-p 00000000 00:00 0',
      '7fffe000-80000000 r--p 00000000 00:00 0',
    ]);
  });

  it('prints the calls as C and asks one line per region', () => {
    const e = mmapSequenceExercise(HAND, 'x86-32', 0, 'small');
    expect(e.statement).toContain('   4. mmap(0x40003000, 0x3000, PROT_READ|PROT_EXEC, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)');
    expect(e.statement).toContain('   9. mmap(NULL, 0x1800, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)');
    expect(formatMmCall({ op: 'mprotect', addr: A, length: P, prot: 0 })).toBe('mprotect(0x40000000, 0x1000, PROT_NONE)');
    expect(formatMmCall({ op: 'munmap', addr: A, length: P })).toBe('munmap(0x40000000, 0x1000)');
    expect(formatMmCall({ op: 'brk', addr: 0x1000_0000 })).toBe('brk(0x10000000)');
    expect(e.questions.slice(10).map((q) => q.prompt)).toEqual([1, 2, 3, 4, 5].map((n) => `line ${n} of the final maps listing`));
  });

  it("an empty address space at the end is the answer 'none'", () => {
    const e = mmapSequenceExercise([{ op: 'mmap', addr: A, length: P, prot: RW, fixed: true }, { op: 'munmap', addr: A, length: P }], 'sv39', 0, 'small');
    expect(e.questions.map((q) => q.answer)).toEqual(['0x40000000', '0', 'none']);
  });

  it('a maps line copied from a real /proc/<pid>/maps, with its padding, grades right', () => {
    const e = mmapSequenceExercise(HAND, 'x86-64', 0, 'small');
    const file = [
      '0x40000000', '0', '0x40005000', '0x40003000', '0', '-1 EINVAL', 'ENOMEM', '0x10001800', '0x7fffe000', 'EINVAL',
      '10000000-10002000 rw-p 00000000 00:00 0                                  [heap]',
      '40000000-40003000 rw-p 00000000 00:00 0',
      '40003000-40006000 r-xp 00000000 00:00 0',
      '40006000-40007000 r--p 00000000 00:00 0',
      '7fffe000-80000000 r--p 00000000 00:00 0',
    ].join('\n');
    const grade = gradeAnswers(e, file);
    expect(grade.lines.filter((l) => !l.correct).map((l) => l.id)).toEqual([14]);
    expect(grade.lines[13]!.expected).toBe('40006000-40007000 rw-p 00000000 00:00 0');
    expect(normalizeAnswer('-1 ENOMEM')).toBe('enomem');
  });
});

describe('mmap: generated problems', () => {
  it('every model answers the same sequence alike (the layout does not depend on the model here)', () => {
    for (let seed = 0; seed < 10; seed++) {
      const keys = (['x86-32', 'sv32', 'x86-64', 'sv39'] as const).map((hw) => answerKey(generateExercise({ kind: 'mmap', hw, seed, size: 'large' })));
      expect(new Set(keys).size, `seed ${seed}`).toBe(1);
    }
  });

  it('over many seeds every outcome shows up: an address, 0, EINVAL, ENOMEM, a heap, a NULL-hint mapping', () => {
    const all = Array.from({ length: 40 }, (_, seed) => generateExercise({ kind: 'mmap', seed, size: 'large' }).questions.map((q) => q.answer)).flat();
    for (const answer of ['0', 'einval', 'enomem']) expect(all).toContain(answer);
    expect(all.some((a) => a.startsWith('0x4000'))).toBe(true);
    expect(all.some((a) => a.startsWith('0x7fff'))).toBe(true);
    expect(all.some((a) => a.endsWith(' [heap]'))).toBe(true);
    expect(all.some((a) => a.startsWith('0x1000'))).toBe(true);
  });

  it('small problems make no brk call; the first call always maps something', () => {
    for (let seed = 0; seed < 20; seed++) {
      const e = generateExercise({ kind: 'mmap', seed });
      expect(e.questions).toHaveLength(5 + e.questions.filter((q) => q.prompt.startsWith('line ')).length);
      expect(e.questions.some((q) => q.prompt.startsWith('brk('))).toBe(false);
      expect(e.questions[0]!.answer).toMatch(/^0x4000[0-2]000$/);
    }
  });

  it('check grades the key right and a changed line wrong', () => {
    const options = { kind: 'mmap', hw: 'sv32', seed: 3, size: 'medium' } as const;
    const key = answerKey(generateExercise(options));
    expect(checkAnswers(options, key).correct).toBe(key.split('\n').length);
    const wrong = key.replace('r--p', 'rw-p');
    expect(wrong).not.toBe(key);
    expect(checkAnswers(options, wrong).correct).toBe(key.split('\n').length - 1);
    expect(renderExercise(generateExercise(options), 'md', true)).toContain('**Answer:** `0x40000000`');
  });
});

describe('mmap: argument errors', () => {
  it.each([
    [[], 'calls must be a non-empty array'],
    [[{ op: 'mremap', addr: A, length: P }], 'calls[0]: unknown op "mremap"'],
    [[{ op: 'munmap', addr: -1, length: P }], 'calls[0]: addr must be an integer in [0, 2^32)'],
    [[{ op: 'brk', addr: HEAP_BRK }, { op: 'mprotect', addr: A, length: 1.5, prot: 1 }], 'calls[1]: length must be an integer'],
    [[{ op: 'mprotect', addr: A, length: P, prot: 8 }], 'calls[0]: prot must be PROT_ bits'],
    [[{ op: 'mmap', addr: A, length: P, prot: 1 }], 'calls[0]: fixed must be a boolean'],
  ])('%j', (calls, message) => {
    expect(() => mmapSequenceExercise(calls as never, 'x86-32', 0, 'small')).toThrow(ExerciseArgumentError);
    expect(() => mmapSequenceExercise(calls as never, 'x86-32', 0, 'small')).toThrow(message);
  });
  it('checks hw, seed and size too', () => {
    expect(() => mmapSequenceExercise(HAND, 'arm' as never, 0, 'small')).toThrow('unknown hw "arm"');
    expect(() => mmapSequenceExercise(HAND, 'sv39', 0.5, 'small')).toThrow('seed must be a non-negative integer, got 0.5');
  });
});
