// A generated exercise: a statement (the problem as text lines, e.g. a dump of page tables), numbered
// questions each with its answer key, and the options that made it. Rendered as text, Markdown or JSON, with
// the answers only when asked; `gradeAnswers` marks a student's answers file line by line.

import { isModelName } from '@vmsim/hw';
import { AnswersFormatError, ExerciseArgumentError } from '../errors.js';

export const EXERCISE_KINDS = Object.freeze(['translate', 'accessed-dirty', 'fork-cow', 'tlb', 'replacement', 'mmap'] as const);
export type ExerciseKind = (typeof EXERCISE_KINDS)[number];

export const EXERCISE_SIZES = Object.freeze(['small', 'medium', 'large'] as const);
export type ExerciseSize = (typeof EXERCISE_SIZES)[number];

export const EXERCISE_FORMATS = Object.freeze(['text', 'md', 'json'] as const);
export type ExerciseFormat = (typeof EXERCISE_FORMATS)[number];

export interface Question {
  /** 1, 2, 3 … : the line of the answers file that answers it. */
  readonly id: number;
  readonly prompt: string;
  /** The answer key, in the canonical spelling `normalizeAnswer` produces. */
  readonly answer: string;
}

export interface Exercise {
  readonly kind: ExerciseKind;
  readonly hw: string;
  readonly seed: number;
  readonly size: ExerciseSize;
  readonly title: string;
  /** What the student is told, line by line (rules, then the machine state: dumps, sequences). */
  readonly statement: readonly string[];
  /** How to write the answers file. */
  readonly answerFormat: string;
  readonly questions: readonly Question[];
}

/** Checks the options an exercise records, for callers that build a problem of their own (hw, seed, size). */
export function checkExerciseMeta(hw: unknown, seed: unknown, size: unknown): void {
  if (!isModelName(hw)) throw new ExerciseArgumentError('exercise', 'hw', hw, `unknown hw ${JSON.stringify(hw)}`);
  if (!Number.isSafeInteger(seed) || (seed as number) < 0) throw new ExerciseArgumentError('exercise', 'seed', seed, `seed must be a non-negative integer, got ${String(seed)}`);
  if (!(EXERCISE_SIZES as readonly unknown[]).includes(size)) throw new ExerciseArgumentError('exercise', 'size', size, `unknown size ${JSON.stringify(size)}`);
}

/** Renders an exercise; the answer key only with `answers`. */
export function renderExercise(exercise: Exercise, format: ExerciseFormat, answers: boolean): string {
  if (format === 'json') {
    const { questions, ...rest } = exercise;
    const shown = answers ? questions : questions.map(({ id, prompt }) => ({ id, prompt }));
    return JSON.stringify({ ...rest, questions: shown }, null, 2);
  }
  const md = format === 'md';
  const lines: string[] = [];
  const head = `${exercise.title} (${exercise.hw}, seed ${exercise.seed}, ${exercise.size})`;
  if (md) lines.push(`# ${head}`, '');
  else lines.push(head, '='.repeat(head.length), '');
  if (md) lines.push('```', ...exercise.statement, '```');
  else lines.push(...exercise.statement);
  lines.push('', md ? '## Questions' : 'Questions', '');
  for (const q of exercise.questions) {
    lines.push(md ? `${q.id}. ${q.prompt}` : `${String(q.id).padStart(3)}. ${q.prompt}`);
    if (answers) lines.push(md ? `   **Answer:** \`${q.answer}\`` : `       answer: ${q.answer}`);
  }
  lines.push('', `${md ? '**Answers file:** ' : 'Answers file: '}${exercise.answerFormat}`);
  return lines.join('\n');
}

/** Just the answer key, one line per question: a correct answers file. */
export function answerKey(exercise: Exercise): string {
  return exercise.questions.map((q) => q.answer).join('\n');
}

/**
 * An answer in canonical form: lowercase, single spaces, every hex number as 0x without leading zeros,
 * the words hit/miss/none written out (h, m, '-' are accepted; 'm 7' is 'miss 7'), and an errno name
 * without a leading '-1'.
 */
export function normalizeAnswer(text: string): string {
  let t = text.trim().toLowerCase().replace(/\s+/g, ' ');
  t = t.replace(/0x([0-9a-f_]+)/g, (_, digits: string) => `0x${BigInt(`0x${digits.replaceAll('_', '')}`).toString(16)}`);
  if (t === 'h') return 'hit';
  if (t === 'm') return 'miss';
  const evicted = /^(?:m|miss),? (?:evict(?:s|ed)? )?(\d+)$/.exec(t);
  if (evicted !== null) return `miss ${Number(evicted[1])}`;
  const errno = /^-1 (e[a-z]+)$/.exec(t);
  if (errno !== null) return errno[1]!;
  if (t === '-' || t === 'none') return 'none';
  if (/^[ad ]+$/.test(t)) {
    const letters = t.replaceAll(' ', '');
    return letters.includes('d') ? (letters.includes('a') ? 'ad' : 'd') : 'a';
  }
  return t;
}

export interface GradedLine {
  readonly id: number;
  readonly given: string | null;
  readonly expected: string;
  readonly correct: boolean;
}

export interface Grade {
  readonly lines: readonly GradedLine[];
  readonly correct: number;
  readonly total: number;
}

/**
 * Grades an answers file: blank lines and lines starting with '#' are skipped; the n-th remaining line
 * answers question n, optionally prefixed "n:" or "n." (which must then be n). A missing line is wrong.
 */
export function gradeAnswers(exercise: Exercise, answersText: string): Grade {
  if (typeof answersText !== 'string') throw new ExerciseArgumentError('check', 'answers', answersText, 'the answers must be a string');
  const given: { line: number; text: string }[] = [];
  answersText.split(/\r?\n/).forEach((raw, i) => {
    const text = raw.trim();
    if (text === '' || text.startsWith('#')) return;
    given.push({ line: i + 1, text });
  });
  if (given.length > exercise.questions.length) {
    const extra = given[exercise.questions.length]!;
    throw new AnswersFormatError(extra.line, extra.text, `more answers than the ${exercise.questions.length} questions`);
  }
  const lines = exercise.questions.map((q, i): GradedLine => {
    const entry = given[i];
    if (entry === undefined) return { id: q.id, given: null, expected: q.answer, correct: false };
    let text = entry.text;
    const numbered = /^(\d+)\s*[:.]\s*(.*)$/.exec(text);
    if (numbered !== null && !/^\d+$/.test(text)) {
      if (Number(numbered[1]) !== q.id) throw new AnswersFormatError(entry.line, entry.text, `answers question ${numbered[1]}, but question ${q.id} comes here`);
      text = numbered[2]!;
    }
    const answer = normalizeAnswer(text);
    return { id: q.id, given: answer, expected: q.answer, correct: answer === q.answer };
  });
  return { lines, correct: lines.filter((l) => l.correct).length, total: lines.length };
}

/** A grade as text: one line per question, then the score. */
export function renderGrade(grade: Grade, format: ExerciseFormat): string {
  if (format === 'json') return JSON.stringify(grade, null, 2);
  const md = format === 'md';
  const out = grade.lines.map((l) => {
    const mark = l.correct ? 'ok' : 'WRONG';
    const detail = l.correct ? l.expected : `expected ${l.expected}, got ${l.given ?? '(nothing)'}`;
    return md ? `- ${l.id}: **${mark}** ${detail}` : `${String(l.id).padStart(3)}  ${mark.padEnd(5)}  ${detail}`;
  });
  out.push('', `${md ? '**Score:** ' : 'score '}${grade.correct}/${grade.total}`);
  return out.join('\n');
}
