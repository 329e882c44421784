// The replacement exercise: keys checked against the textbook reference string worked by hand (Silberschatz's
// 7,0,1,2,0,3,0,4,2,3,0,3,2,1,2,0,1,7,0,1 with 3 frames), write-backs, generated problems, policy choice, grading.

import { describe, expect, it } from 'vitest';
import { ExerciseArgumentError } from '../errors.js';
import { answerKey, gradeAnswers, normalizeAnswer, renderExercise } from './exercise.js';
import { checkAnswers, generateExercise } from './generate.js';
import { REPLACEMENT_EXERCISE_POLICIES, replacementProblemExercise, type ReplacementExercisePolicy } from './replacement.js';

const TEXTBOOK = [7, 0, 1, 2, 0, 3, 0, 4, 2, 3, 0, 3, 2, 1, 2, 0, 1, 7, 0, 1];
/** Writes at references 2 (page 0), 4 (page 2) and 13 (page 2); the rest are reads. */
const WRITES = TEXTBOOK.map((_, i) => i === 1 || i === 3 || i === 12);

function textbook(policy: ReplacementExercisePolicy): string[] {
  return replacementProblemExercise({ policy, frames: 3, pages: TEXTBOOK, writes: WRITES }, 'x86-32', 0, 'small').questions.map((q) => q.answer);
}

describe('replacement: the textbook string with 3 frames, worked by hand', () => {
  it('FIFO: 15 faults; write-backs of 0 (loaded by a write, evicted at 6), 2 (at 7) and 2 again (written at 13, evicted at 14)', () => {
    // Frames after each miss: [7] [7 0] [7 0 1] → 2 evicts 7 [0 1 2]; 0 hit; 3 evicts 0; 0 evicts 1; 4 evicts 2;
    // 2 evicts 3; 3 evicts 0; 0 evicts 4; 3, 2 hit; 1 evicts 2; 2 evicts 3; 0, 1 hit; 7 evicts 0; 0 evicts 1; 1 evicts 2.
    expect(textbook('fifo')).toEqual([
      'miss', 'miss', 'miss', 'miss 7', 'hit', 'miss 0', 'miss 1', 'miss 2', 'miss 3', 'miss 0',
      'miss 4', 'hit', 'hit', 'miss 2', 'miss 3', 'hit', 'hit', 'miss 0', 'miss 1', 'miss 2', '15', '3',
    ]);
  });

  it('LRU: 12 faults, 3 write-backs', () => {
    // 2 evicts 7 (last used at 1); 3 evicts 1 (used at 3, the oldest of 0@5, 1@3, 2@4); 4 evicts 2; 2 evicts 3;
    // 3 evicts 0; 0 evicts 4; 1 evicts 0 (0@11, 3@12, 2@13); 0 evicts 3; 7 evicts 2. Dirty victims: 2 at ref 8
    // (written at 4), 0 at ref 10 (written at 2), 2 at ref 18 (written at 13).
    expect(textbook('lru')).toEqual([
      'miss', 'miss', 'miss', 'miss 7', 'hit', 'miss 1', 'hit', 'miss 2', 'miss 3', 'miss 0',
      'miss 4', 'hit', 'hit', 'miss 0', 'hit', 'miss 3', 'hit', 'miss 2', 'hit', 'hit', '12', '3',
    ]);
  });

  it('OPT: 9 faults, 2 write-backs', () => {
    // 2 evicts 7 (next use at 18, the farthest); 3 evicts 1 (next at 14); 4 evicts 0 (next at 11, after 2@9, 3@10);
    // 0 evicts 4 (never again); 1 evicts 3 (never again); 7 evicts 2 (never again). Dirty victims: 0 at ref 8
    // (written at 2) and 2 at ref 18 (resident since its write at 4, written again at 13): one write-back.
    expect(textbook('opt')).toEqual([
      'miss', 'miss', 'miss', 'miss 7', 'hit', 'miss 1', 'hit', 'miss 0', 'hit', 'hit',
      'miss 4', 'hit', 'hit', 'miss 3', 'hit', 'hit', 'hit', 'miss 2', 'hit', 'hit', '9', '2',
    ]);
  });

  it('clock: 14 faults, as the replacement package documents; the first eviction sweeps the whole ring', () => {
    const key = textbook('clock');
    // At 2 all three bits are set: the hand clears 7, 0, 1 and comes back to 7, which goes.
    expect(key.slice(0, 4)).toEqual(['miss', 'miss', 'miss', 'miss 7']);
    expect(key.slice(-2, -1)).toEqual(['14']);
  });

  it('the statement gives the string with reads and writes, and the policy', () => {
    const e = replacementProblemExercise({ policy: 'lru', frames: 3, pages: TEXTBOOK, writes: WRITES }, 'x86-32', 0, 'small');
    expect(e.title).toBe('Page faults and write-backs under LRU with 3 frames');
    expect(e.statement).toContain('  r7 w0 r1 w2 r0 r3 r0 r4 r2 r3 r0 r3 w2 r1 r2 r0 r1 r7 r0 r1');
    expect(e.questions[3]!.prompt).toBe('reference 4: write page 2');
  });
});

describe('replacement: generated problems', () => {
  it('--policy picks the policy; without it the seed draws one of fifo, lru, opt, clock', () => {
    for (const policy of REPLACEMENT_EXERCISE_POLICIES) {
      const e = generateExercise({ kind: 'replacement', seed: 9, policy });
      expect(e.title).toMatch(new RegExp(`under ${policy === 'clock' ? 'Clock' : policy.toUpperCase()} with 3 frames$`));
    }
    // Seed 1 draws FIFO; --policy lru keeps its reference string.
    const string = (e: { statement: readonly string[] }): string => e.statement.find((l) => /^ {2}[rw]\d/.test(l))!;
    expect(string(generateExercise({ kind: 'replacement', seed: 1, policy: 'lru' }))).toBe(string(generateExercise({ kind: 'replacement', seed: 1 })));
    const drawn = new Set(Array.from({ length: 30 }, (_, seed) => /under (\w+)/.exec(generateExercise({ kind: 'replacement', seed }).title)![1]));
    expect(drawn).toEqual(new Set(['FIFO', 'LRU', 'OPT', 'Clock']));
  });

  it('the same string under two policies: the hits differ where the policies do, and the totals add up', () => {
    for (let seed = 0; seed < 20; seed++) {
      for (const policy of REPLACEMENT_EXERCISE_POLICIES) {
        const e = generateExercise({ kind: 'replacement', seed, size: 'large', policy });
        const answers = e.questions.map((q) => q.answer);
        const refs = answers.slice(0, -2);
        expect(refs).toHaveLength(24);
        expect(Number(answers.at(-2))).toBe(refs.filter((a) => a.startsWith('miss')).length);
        // 4 frames: the first four misses fill free frames, every later miss names its victim.
        const misses = refs.filter((a) => a !== 'hit');
        expect(misses.slice(0, 4).every((a) => a === 'miss')).toBe(true);
        expect(misses.slice(4).every((a) => /^miss \d$/.test(a))).toBe(true);
        expect(Number(answers.at(-1))).toBeLessThanOrEqual(misses.length - 4);
      }
    }
    const a = generateExercise({ kind: 'replacement', seed: 4, size: 'medium', policy: 'fifo' }).statement.join('\n');
    const b = generateExercise({ kind: 'replacement', seed: 4, size: 'medium', policy: 'opt' }).statement;
    expect(b).toContain(a.split('\n').find((l) => /^ {2}[rw]\d/.test(l))!);
    const opt = (seed: number): number => Number(generateExercise({ kind: 'replacement', seed, size: 'medium', policy: 'opt' }).questions.at(-2)!.answer);
    const fifo = (seed: number): number => Number(generateExercise({ kind: 'replacement', seed, size: 'medium', policy: 'fifo' }).questions.at(-2)!.answer);
    for (let seed = 0; seed < 20; seed++) expect(opt(seed)).toBeLessThanOrEqual(fifo(seed));
  });

  it('some problems have write-backs', () => {
    const wbs = Array.from({ length: 20 }, (_, seed) => Number(generateExercise({ kind: 'replacement', seed, size: 'medium' }).questions.at(-1)!.answer));
    expect(wbs.some((n) => n > 0)).toBe(true);
  });
});

describe('replacement: answers and grading', () => {
  it("accepts 'm 7', 'miss, evict 7' and 'miss evicts 7' for 'miss 7'", () => {
    for (const text of ['m 7', 'MISS 7', 'miss, evict 7', 'miss evicts 7', 'm evicted 07']) expect(normalizeAnswer(text)).toBe('miss 7');
  });

  it('grades a right file right and a wrong victim wrong', () => {
    const options = { kind: 'replacement', seed: 1 } as const;
    const e = generateExercise(options);
    expect(checkAnswers(options, answerKey(e)).correct).toBe(12);
    // Seed 1 is FIFO on r4 r4 w3 r3 r0 r1 w0 r4 w0 r4: reference 6 evicts 4, reference 8 evicts 3.
    expect(renderExercise(e, 'text', false)).toContain('  r4 r4 w3 r3 r0 r1 w0 r4 w0 r4');
    const file = 'm\nh\nm\nh\nm\nm 3\nh\nmiss 4\nh\nh\n5\n1\n';
    const grade = gradeAnswers(e, file);
    expect(grade.lines.filter((l) => !l.correct).map((l) => l.id)).toEqual([6, 8]);
    expect(grade.lines[5]).toEqual({ id: 6, given: 'miss 3', expected: 'miss 4', correct: false });
  });
});

describe('replacement: argument errors', () => {
  const ok = { policy: 'fifo', frames: 3, pages: [1, 2], writes: [false, true] } as const;
  it.each([
    [{ ...ok, policy: 'belady' }, 'unknown policy "belady"'],
    [{ ...ok, frames: 0 }, 'frames must be an integer in [1, 64], got 0'],
    [{ ...ok, pages: [] }, 'pages must be a non-empty array'],
    [{ ...ok, pages: [1, -2] }, 'pages[1] must be an integer in [0, 4095], got -2'],
    [{ ...ok, writes: [false] }, 'writes must be an array of 2 booleans'],
    [null, 'the problem must be an object'],
  ])('%j', (problem, message) => {
    expect(() => replacementProblemExercise(problem as never, 'x86-32', 0, 'small')).toThrow(ExerciseArgumentError);
    expect(() => replacementProblemExercise(problem as never, 'x86-32', 0, 'small')).toThrow(message);
  });
  it('checks hw, seed and size too', () => {
    expect(() => replacementProblemExercise(ok, 'm68k' as never, 0, 'small')).toThrow('unknown hw "m68k"');
    expect(() => replacementProblemExercise(ok, 'x86-32', -1, 'small')).toThrow('seed must be a non-negative integer, got -1');
    expect(() => replacementProblemExercise(ok, 'x86-32', 0, 'tiny' as never)).toThrow('unknown size "tiny"');
  });
});
