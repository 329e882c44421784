// The native exercises: answer keys checked against problems worked by hand (the working is in the
// comments), an independent walk of the printed dump for every x86-32 problem, grading, rendering,
// determinism and argument errors.

import { describe, expect, it } from 'vitest';
import { AnswersFormatError, ExerciseArgumentError } from '../errors.js';
import { answerKey, EXERCISE_KINDS, EXERCISE_SIZES, gradeAnswers, normalizeAnswer, renderExercise, renderGrade, type Exercise } from './exercise.js';
import { checkAnswers, generateExercise } from './generate.js';

const MODELS = ['x86-32', 'sv32', 'x86-64', 'sv39'] as const;

function answers(e: Exercise): string[] {
  return e.questions.map((q) => q.answer);
}

describe('translate: worked by hand', () => {
  it('x86-32 seed 3 small', () => {
    const e = generateExercise({ kind: 'translate', hw: 'x86-32', seed: 3, size: 'small' });
    const text = e.statement.join('\n');
    expect(text).toContain('frame 0xf4: PAGE DIRECTORY (level 0)\n  [557] 0x00044007');
    expect(text).toContain('frame 0x44: PAGE TABLE (level 1)\n  [263] 0x0010a007\n  [266] 0x001e2007\n  [268] 0x00281007\n  [276] 0x0028e007');
    // 0x8b50ca28: PDE index 0x8b50ca28 >> 22 = 557 → table 0x44; PTE index 0x8b50c & 0x3ff = 268 → frame 0x281.
    // 0x8b514b6d: PTE index 0x8b514 & 0x3ff = 276 → frame 0x28e, R/W set, so the write goes through.
    expect(e.questions.map((q) => q.prompt)).toEqual(['user read of 0x8b50ca28', 'user write to 0x8b50cabe', 'user read of 0x8b50cdd9', 'user write to 0x8b514b6d']);
    expect(answers(e)).toEqual(['0x281a28', '0x281abe', '0x281dd9', '0x28eb6d']);
  });

  it('x86-64 seed 2 small: faults at levels 0, 1 and 3', () => {
    const e = generateExercise({ kind: 'translate', hw: 'x86-64', seed: 2, size: 'small' });
    // 0x79d26939f71e: PML4 index (va >> 39) & 0x1ff = 243, but only entry 242 is present → level 0.
    // 0x7952693abaca: PT index (va >> 12) & 0x1ff = 427, not among 413/415/422/424 → level 3.
    // 0x7952693a6614: PT index 422 → 0x8000000000253007 → frame 0x253 (XD set does not stop a read).
    expect(e.questions.map((q) => q.prompt)).toEqual([
      'user read of 0x000079d26939f71e', 'user read of 0x00007952693a6614', 'user read of 0x00007952a939f3c7', 'user read of 0x00007952693abaca',
    ]);
    expect(answers(e)).toEqual(['fault not-present level 0', '0x253614', 'fault not-present level 1', 'fault not-present level 3']);
  });
});

/** Walks an x86-32 problem from its printed dump alone: the dump must be enough to answer every question. */
function walkDump(e: Exercise): string[] {
  const tables = new Map<number, Map<number, number>>();
  let current: Map<number, number> | undefined;
  let root = -1;
  for (const line of e.statement) {
    const rootLine = /^Root table: frame 0x([0-9a-f]+)\.$/.exec(line);
    if (rootLine !== null) root = parseInt(rootLine[1]!, 16);
    const frame = /^frame 0x([0-9a-f]+):/.exec(line);
    if (frame !== null) tables.set(parseInt(frame[1]!, 16), (current = new Map()));
    const entry = /^ {2}\[ *(\d+)\] 0x([0-9a-f]+)$/.exec(line);
    if (entry !== null) current!.set(Number(entry[1]), parseInt(entry[2]!, 16));
  }
  return e.questions.map((q) => {
    const [, kind, vaHex] = /^user (read of|write to) 0x([0-9a-f]+)$/.exec(q.prompt)!;
    const va = parseInt(vaHex!, 16);
    const pde = tables.get(root)!.get(va >>> 22) ?? 0;
    if ((pde & 1) === 0) return 'fault not-present level 0';
    const pte = tables.get(pde >>> 12)!.get((va >>> 12) & 0x3ff) ?? 0;
    if ((pte & 1) === 0) return 'fault not-present level 1';
    if (kind === 'write to' && ((pde & pte & 2) === 0)) return 'fault protection level 1';
    return `0x${(((pte & 0xfffff000) >>> 0) + (va & 0xfff)).toString(16)}`;
  });
}

describe('translate: the dump is enough to answer', () => {
  it('an independent walk of the printed x86-32 tables agrees with the key for 60 problems', () => {
    let faults = 0;
    for (let seed = 0; seed < 20; seed++) {
      for (const size of EXERCISE_SIZES) {
        const e = generateExercise({ kind: 'translate', hw: 'x86-32', seed, size });
        expect(walkDump(e), `seed ${seed} ${size}`).toEqual(answers(e));
        faults += answers(e).filter((a) => a.startsWith('fault')).length;
      }
    }
    expect(faults).toBeGreaterThan(10);
  });

  it('asks about every outcome a user access can have: a frame, not-present at each level, protection', () => {
    for (const hw of MODELS) {
      const levels = { 'x86-32': 2, sv32: 2, 'x86-64': 4, sv39: 3 }[hw];
      const all = new Set(Array.from({ length: 40 }, (_, seed) => answers(generateExercise({ kind: 'translate', hw, seed, size: 'medium' }))).flat().map((a) => (a.startsWith('0x') ? 'pa' : a)));
      expect(all.has('pa')).toBe(true);
      for (let level = 0; level < levels; level++) expect(all, `${hw} level ${level}`).toContain(`fault not-present level ${level}`);
      expect(all).toContain(`fault protection level ${levels - 1}`);
    }
  });

  it('64-bit models sometimes ask about a non-canonical address', () => {
    const all = Array.from({ length: 20 }, (_, seed) => answers(generateExercise({ kind: 'translate', hw: 'sv39', seed, size: 'large' }))).flat();
    expect(all).toContain('fault non-canonical');
    expect(all.some((a) => a.startsWith('0x'))).toBe(true);
  });
});

describe('accessed-dirty: worked by hand', () => {
  it('x86-32 seed 2 small', () => {
    const e = generateExercise({ kind: 'accessed-dirty', hw: 'x86-32', seed: 2, size: 'small' });
    expect(e.statement.join('\n')).toContain('   1. read  0xf2a1b64b\n   2. read  0xf2a1af30\n   3. write 0xf2a1b44a\n   4. write 0xf2a11770');
    // 0xf2a11000 is read-only: the write (4) faults and sets nothing; 0xf2a1a000 is only read (2): A;
    // 0xf2a1b000 is read (1) then written (3): A and D.
    expect(e.questions.map((q) => q.prompt)).toEqual([
      'the page at 0xf2a11000 (read-only)', 'the page at 0xf2a1a000 (read-write)', 'the page at 0xf2a1b000 (read-write)',
    ]);
    expect(answers(e)).toEqual(['none', 'a', 'ad']);
  });

  it('never reports D without A, and gives every model some of each answer', () => {
    for (const hw of MODELS) {
      const all = Array.from({ length: 10 }, (_, seed) => answers(generateExercise({ kind: 'accessed-dirty', hw, seed, size: 'medium' }))).flat();
      expect(new Set(all)).toEqual(new Set(['none', 'a', 'ad']));
    }
  });
});

describe('fork-cow: worked by hand', () => {
  it('x86-32 seed 5 medium', () => {
    const e = generateExercise({ kind: 'fork-cow', hw: 'x86-32', seed: 5, size: 'medium' });
    const steps = e.statement.filter((l) => /^ +\d+\. /.test(l)).map((l) => l.trim());
    expect(steps).toEqual([
      '1. P0 writes to page 2', '2. P0 writes to page 2', '3. P0 reads page 2', '4. P0 writes to page 0', '5. P0 forks; the child is P1',
      '6. P1 writes to page 0', '7. P0 exits', '8. P1 writes to page 0', '9. P1 forks; the child is P2',
    ]);
    // Zero-fills at 1 (page 2 → frame A) and 4 (page 0 → frame B); the fork shares A and B (count 2 each);
    // 6 copies B for P1 (frame C); P0's exit frees B and leaves A with 1; 8 writes P1's own C; the fork at 9
    // shares A and C with P2 (count 2 each). Page 1 was never written: the zero page.
    expect(answers(e)).toEqual(['2', '1', '0', '2', 'zero page', '2', '2', 'zero page', '2']);
  });

  it('x86-32 seed 1 small: the exit of the parent leaves the child sole owner', () => {
    const e = generateExercise({ kind: 'fork-cow', hw: 'x86-32', seed: 1, size: 'small' });
    const steps = e.statement.filter((l) => /^ +\d+\. /.test(l)).map((l) => l.trim());
    expect(steps).toEqual(['1. P0 writes to page 1', '2. P0 reads page 0', '3. P0 forks; the child is P1', '4. P0 exits', '5. P1 reads page 1']);
    expect(answers(e)).toEqual(['1', '0', '0', 'zero page', '1']);
  });

  it('COW reuse shows up: a write after the other sharer exited takes the frame over', () => {
    const reuses = Array.from({ length: 40 }, (_, seed) => Number(generateExercise({ kind: 'fork-cow', hw: 'sv32', seed, size: 'large' }).questions[2]!.answer));
    expect(reuses.some((n) => n > 0)).toBe(true);
  });
});

describe('tlb: worked by hand', () => {
  it('sv32 seed 4 small: two sets of two ways, LRU', () => {
    const e = generateExercise({ kind: 'tlb', hw: 'sv32', seed: 4, size: 'small' });
    // Sets: 0xc0000 → 0; 0x13 and 0xc0001 → 1 (two ways hold both). Only first touches miss.
    expect(e.questions.map((q) => q.prompt.replace('P1 accesses vpn ', ''))).toEqual([
      '0xc0000 (kernel, global)', '0xc0000 (kernel, global)', '0x13', '0xc0001 (kernel, global)', '0xc0000 (kernel, global)', '0x13', '0xc0000 (kernel, global)', '0x13',
    ]);
    expect(answers(e)).toEqual(['miss', 'hit', 'miss', 'miss', 'hit', 'hit', 'hit', 'hit']);
  });

  it('seed 7 small: after switching away and back, x86-32 lost P1\'s entry (CR3 flush), sv39 kept it (ASID)', () => {
    const x86 = generateExercise({ kind: 'tlb', hw: 'x86-32', seed: 7, size: 'small' });
    const sv39 = generateExercise({ kind: 'tlb', hw: 'sv39', seed: 7, size: 'small' });
    const seq = x86.statement.filter((l) => /^ +(\d+\.|switch)/.test(l)).map((l) => l.trim());
    expect(seq.slice(0, 6)).toEqual([
      '1. P1 accesses vpn 0x10', '2. P1 accesses vpn 0xc0001 (kernel, global)', '3. P1 accesses vpn 0xc0001 (kernel, global)',
      'switch to P2', 'switch to P1', '4. P1 accesses vpn 0x10',
    ]);
    // 0x10 is set 0, 0xc0001 and 0x11 set 1. The global 0xc0001 survives the flush on x86-32 (access 6 hits).
    expect(answers(x86)).toEqual(['miss', 'miss', 'hit', 'miss', 'miss', 'hit']);
    expect(answers(sv39)).toEqual(['miss', 'miss', 'hit', 'hit', 'miss', 'hit']);
  });
});

describe('every kind on every model', () => {
  it('generates deterministic problems with keys for every size', () => {
    for (const kind of EXERCISE_KINDS) {
      for (const hw of MODELS) {
        for (const size of EXERCISE_SIZES) {
          const a = generateExercise({ kind, hw, seed: 11, size });
          const b = generateExercise({ kind, hw, seed: 11, size });
          expect(renderExercise(a, 'json', true)).toBe(renderExercise(b, 'json', true));
          expect(a.questions.length).toBeGreaterThan(0);
          expect(a.questions.every((q, i) => q.id === i + 1 && q.answer === normalizeAnswer(q.answer))).toBe(true);
          expect(gradeAnswers(a, answerKey(a)).correct).toBe(a.questions.length);
        }
      }
    }
  });

  it('bigger sizes ask more', () => {
    for (const kind of EXERCISE_KINDS) {
      const n = EXERCISE_SIZES.map((size) => generateExercise({ kind, hw: 'x86-64', seed: 3, size }).questions.length);
      expect(n[0]!).toBeLessThan(n[2]!);
    }
  });

  it('different seeds give different problems', () => {
    const a = renderExercise(generateExercise({ kind: 'translate', seed: 1 }), 'text', true);
    const b = renderExercise(generateExercise({ kind: 'translate', seed: 2 }), 'text', true);
    expect(a).not.toBe(b);
  });
});

describe('rendering', () => {
  const e = generateExercise({ kind: 'tlb', hw: 'sv32', seed: 4 });
  it('text and Markdown show answers only when asked', () => {
    expect(renderExercise(e, 'text', false)).not.toContain('answer:');
    expect(renderExercise(e, 'text', true)).toContain('       answer: miss');
    expect(renderExercise(e, 'md', false)).toMatch(/^# TLB hits and misses/);
    expect(renderExercise(e, 'md', false)).not.toContain('**Answer:**');
    expect(renderExercise(e, 'md', true)).toContain('**Answer:** `hit`');
  });
  it('JSON carries the options and, with answers, the key', () => {
    const plain = JSON.parse(renderExercise(e, 'json', false)) as { kind: string; seed: number; questions: { answer?: string }[] };
    expect(plain.kind).toBe('tlb');
    expect(plain.seed).toBe(4);
    expect(plain.questions.every((q) => q.answer === undefined)).toBe(true);
    const keyed = JSON.parse(renderExercise(e, 'json', true)) as { questions: { answer: string }[] };
    expect(keyed.questions.map((q) => q.answer)).toEqual(answers(e));
  });
});

describe('check', () => {
  const options = { kind: 'tlb', hw: 'sv32', seed: 4 } as const;
  it('grades a right answers file right, in any accepted spelling', () => {
    const file = '# my answers\nm\n2: HIT\nmiss\n\n4. Miss\nh\nhit\nhit\nhit\n';
    const grade = checkAnswers(options, file);
    expect(grade.correct).toBe(8);
    expect(grade.total).toBe(8);
    expect(renderGrade(grade, 'text')).toMatch(/score 8\/8$/);
  });
  it('marks wrong and missing lines wrong', () => {
    const grade = checkAnswers(options, 'miss\nmiss\nmiss\n');
    expect(grade.lines.map((l) => l.correct)).toEqual([true, false, true, false, false, false, false, false]);
    expect(grade.lines[1]).toEqual({ id: 2, given: 'miss', expected: 'hit', correct: false });
    expect(grade.lines[3]!.given).toBeNull();
    expect(renderGrade(grade, 'text')).toContain('  2  WRONG  expected hit, got miss');
    expect(renderGrade(grade, 'md')).toContain('- 4: **WRONG** expected miss, got (nothing)');
  });
  it('compares hex addresses by value', () => {
    const e = generateExercise({ kind: 'translate', hw: 'x86-32', seed: 3 });
    expect(gradeAnswers(e, '0x00281A28\n0x281abe\n0X281DD9\n0x0028eb6d').correct).toBe(4);
    expect(gradeAnswers(e, 'fault not-present level 1\n').correct).toBe(0);
  });
  it('refuses a file with more answers than questions, or answers numbered out of place', () => {
    expect(() => checkAnswers(options, 'hit\n'.repeat(9))).toThrow(AnswersFormatError);
    expect(() => checkAnswers(options, 'hit\n'.repeat(9))).toThrow(/^line 9: more answers than the 8 questions$/);
    expect(() => checkAnswers(options, '1: miss\n3: miss')).toThrow(/^line 2: answers question 3, but question 2 comes here$/);
  });
});

describe('argument errors', () => {
  it.each([
    [{ kind: 'paging' }, 'unknown exercise kind "paging" (expected translate, accessed-dirty, fork-cow, tlb, replacement, mmap)'],
    [{ kind: 'tlb', hw: 'arm64' }, 'unknown --hw "arm64" (expected x86-32, sv32, x86-64, sv39)'],
    [{ kind: 'tlb', seed: -1 }, '--seed must be a non-negative integer, got -1'],
    [{ kind: 'tlb', seed: 1.5 }, '--seed must be a non-negative integer, got 1.5'],
    [{ kind: 'tlb', size: 'huge' }, 'unknown --size "huge" (expected small, medium, large)'],
    [{ kind: 'replacement', policy: 'second-chance' }, 'unknown --policy "second-chance" (expected fifo, lru, opt, clock, mru, lfu)'],
    [{ kind: 'tlb', policy: 'lru' }, '--policy applies to the replacement exercise only'],
  ])('%j', (options, message) => {
    expect(() => generateExercise(options as never)).toThrow(ExerciseArgumentError);
    expect(() => generateExercise(options as never)).toThrow(message);
  });
});
