// `vmsim exercise`: problems printed with and without their key, in each format, and `check` grading an
// answers file (from a file or standard input) with its exit code.

import { answerKey, generateExercise, renderExercise } from '@vmsim/exercises';
import { describe, expect, it } from 'vitest';
import { runMain } from '../testing/fake-io.js';
import { EXIT_WRONG_ANSWERS } from './exercise.js';

describe('vmsim exercise', () => {
  it('prints the problem without answers, and with --answers the key', async () => {
    const plain = await runMain(['exercise', 'translate', '--hw', 'x86-64', '--seed', '2']);
    expect(plain.code).toBe(0);
    expect(plain.err).toEqual([]);
    expect(plain.out.join('\n')).toBe(renderExercise(generateExercise({ kind: 'translate', hw: 'x86-64', seed: 2 }), 'text', false));
    expect(plain.out.join('\n')).not.toContain('answer:');
    const keyed = await runMain(['exercise', 'translate', '--hw', 'x86-64', '--seed', '2', '--answers']);
    expect(keyed.out.join('\n')).toContain('       answer: 0x253614');
  });

  it('prints Markdown and JSON', async () => {
    const md = await runMain(['exercise', 'tlb', '--hw', 'sv32', '--seed', '4', '--format', 'md', '--size', 'medium']);
    expect(md.out.join('\n')).toMatch(/^# TLB hits and misses with ASIDs and global pages \(sv32, seed 4, medium\)/);
    const json = await runMain(['exercise', 'fork-cow', '--seed', '5', '--size', 'medium', '--format', 'json', '--answers']);
    const parsed = JSON.parse(json.out.join('\n')) as { kind: string; questions: { answer: string }[] };
    expect(parsed.kind).toBe('fork-cow');
    expect(parsed.questions.map((q) => q.answer)).toEqual(['2', '1', '0', '2', 'zero page', '2', '2', 'zero page', '2']);
  });

  it('check: a right answers file scores full marks and exits 0', async () => {
    const key = answerKey(generateExercise({ kind: 'tlb', hw: 'sv32', seed: 4 }));
    const { code, out, err } = await runMain(['exercise', 'check', 'tlb', '--hw', 'sv32', '--seed', '4', 'mine.txt'], { files: { 'mine.txt': key } });
    expect(err).toEqual([]);
    expect(code).toBe(0);
    expect(out.join('\n')).toMatch(/score 8\/8$/);
  });

  it(`check: wrong answers are marked and the exit code is ${EXIT_WRONG_ANSWERS}`, async () => {
    const { code, out } = await runMain(['exercise', 'check', 'tlb', '--hw', 'sv32', '--seed', '4', '-'], { stdin: ['miss', 'miss'] });
    expect(code).toBe(EXIT_WRONG_ANSWERS);
    expect(out.join('\n')).toContain('  2  WRONG  expected hit, got miss');
    expect(out.join('\n')).toMatch(/score 1\/8$/);
  });

  it('usage errors are one line and exit 2', async () => {
    const cases: [string[], RegExp][] = [
      [['exercise'], /^vmsim: exercise: missing kind/],
      [['exercise', 'paging'], /^vmsim: exercise: unknown exercise kind "paging"/],
      [['exercise', 'tlb', '--hw', 'arm'], /^vmsim: exercise: unknown --hw "arm"/],
      [['exercise', 'tlb', '--seed=-3'], /^vmsim: exercise: --seed must be a non-negative integer/],
      [['exercise', 'tlb', '--format', 'html'], /^vmsim: exercise: unknown --format "html"/],
      [['exercise', 'tlb', '--bogus'], /^vmsim: exercise: unknown option --bogus \(try vmsim exercise --help\)$/],
      [['exercise', 'check', 'tlb'], /^vmsim: exercise check: missing answers file/],
      [['exercise', 'check', 'tlb', 'nope.txt'], /^vmsim: exercise check: cannot read nope.txt: no such file$/],
      [['exercise', 'replacement', '--policy', 'belady'], /^vmsim: exercise: unknown --policy "belady" \(expected fifo, lru, opt, clock, mru, lfu\)$/],
      [['exercise', 'mmap', '--policy', 'lru'], /^vmsim: exercise: --policy applies to the replacement exercise only$/],
    ];
    for (const [argv, message] of cases) {
      const { code, out, err } = await runMain(argv);
      expect(code, argv.join(' ')).toBe(2);
      expect(out).toEqual([]);
      expect(err).toHaveLength(1);
      expect(err[0]).toMatch(message);
    }
    const extra = await runMain(['exercise', 'check', 'tlb', 'a.txt'], { files: { 'a.txt': 'hit\n'.repeat(9) } });
    expect(extra.err).toEqual(['vmsim: exercise check: a.txt: line 9: more answers than the 8 questions']);
  });

  it('--help lists the kinds and options', async () => {
    const { code, out } = await runMain(['exercise', '--help']);
    expect(code).toBe(0);
    for (const word of ['translate', 'accessed-dirty', 'fork-cow', 'tlb', 'replacement', 'mmap', '--policy', 'lfu', '--answers', '--format', 'vmsim exercise check']) {
      expect(out.join('\n')).toContain(word);
    }
  });

  it('replacement: --policy picks the policy, and check grades victims', async () => {
    const lru = await runMain(['exercise', 'replacement', '--seed', '1', '--policy', 'lru', '--answers']);
    expect(lru.code).toBe(0);
    expect(lru.out.join('\n')).toBe(renderExercise(generateExercise({ kind: 'replacement', seed: 1, policy: 'lru' }), 'text', true));
    expect(lru.out.join('\n')).toMatch(/^Page faults and write-backs under LRU with 3 frames \(x86-32, seed 1, small\)/);
    // Seed 1 draws FIFO on r4 r4 w3 r3 r0 r1 w0 r4 w0 r4 (3 frames): 6 evicts 4, 8 evicts 3; 5 faults, 1 write-back.
    const file = 'm\nh\nm\nh\nm\nm 4\nh\nm 3\nh\nh\n5\n1\n';
    const right = await runMain(['exercise', 'check', 'replacement', '--seed', '1', 'a.txt'], { files: { 'a.txt': file } });
    expect(right.code).toBe(0);
    expect(right.out.join('\n')).toMatch(/score 12\/12$/);
    const wrong = await runMain(['exercise', 'check', 'replacement', '--seed', '1', 'a.txt'], { files: { 'a.txt': file.replace('m 4', 'm 3') } });
    expect(wrong.code).toBe(EXIT_WRONG_ANSWERS);
    expect(wrong.out.join('\n')).toContain('  6  WRONG  expected miss 4, got miss 3');
  });

  it('mmap: prints the calls and grades a maps listing', async () => {
    const options = { kind: 'mmap', hw: 'x86-64', seed: 3, size: 'medium' } as const;
    const shown = await runMain(['exercise', 'mmap', '--hw', 'x86-64', '--seed', '3', '--size', 'medium', '--format', 'json', '--answers']);
    const parsed = JSON.parse(shown.out.join('\n')) as { kind: string; questions: { answer: string }[] };
    expect(parsed.kind).toBe('mmap');
    expect(parsed.questions.map((q) => q.answer)).toEqual(generateExercise(options).questions.map((q) => q.answer));
    const key = answerKey(generateExercise(options));
    const graded = await runMain(['exercise', 'check', 'mmap', '--hw', 'x86-64', '--seed', '3', '--size', 'medium', '-'], { stdin: key.split('\n') });
    expect(graded.code).toBe(0);
  });
});
