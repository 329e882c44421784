// Exercise (b), Accessed and Dirty bits: freshly mapped pages (A and D clear) and a sequence of user reads
// and writes; which bits does each page's leaf entry end up with? A write to a read-only page faults and sets
// neither. The key comes from running hw's reference walker, with its side effects on, over the sequence.

import {
  ACCESS_READ, ACCESS_WRITE, CTL_WP, findEntry, PTE_A, PTE_D, readEntry, referenceWalk, type ModelName,
} from '@vmsim/hw';
import type { Draw } from './draw.js';
import type { Exercise, ExerciseSize, Question } from './exercise.js';
import { TableMachine } from './page-tables.js';

const SHAPE: Readonly<Record<ExerciseSize, { pages: number; accesses: number }>> = {
  small: { pages: 3, accesses: 4 },
  medium: { pages: 5, accesses: 8 },
  large: { pages: 8, accesses: 14 },
};

export function accessedDirtyExercise(hw: ModelName, seed: number, size: ExerciseSize, draw: Draw): Exercise {
  const shape = SHAPE[size];
  const m = new TableMachine(hw, draw);
  m.mapRandom(shape.pages, 1, 0.3);
  const model = m.model;
  const sequence: string[] = [];
  for (let i = 0; i < shape.accesses; i++) {
    const page = draw.pick(m.pages);
    const va = page.vpn * m.pageSize + draw.int(0, m.pageSize - 1);
    const write = draw.chance(0.45);
    referenceWalk(m.ram, model, m.rootPfn, { va, access: write ? ACCESS_WRITE : ACCESS_READ, user: true, control: CTL_WP, sideEffects: true });
    sequence.push(`  ${String(i + 1).padStart(2)}. ${write ? 'write' : 'read '} ${m.formatVa(va)}`);
  }
  const pages = [...m.pages].sort((a, b) => a.vpn - b.vpn);
  const questions: Question[] = pages.map((page, i) => {
    const va = page.vpn * m.pageSize;
    const { lo, hi } = readEntry(m.ram, model, findEntry(m.ram, model, m.rootPfn, va));
    const flags = model.flags(lo, hi, model.levels - 1);
    const a = (flags & PTE_A) !== 0;
    const d = (flags & PTE_D) !== 0;
    return { id: i + 1, prompt: `the page at ${m.formatVa(va)} (${page.writable ? 'read-write' : 'read-only'})`, answer: a ? (d ? 'ad' : 'a') : 'none' };
  });
  return {
    kind: 'accessed-dirty',
    hw,
    seed,
    size,
    title: 'Which Accessed and Dirty bits does a sequence of accesses set?',
    statement: [
      ...m.describe(),
      `Every page below starts with A and D clear. A user-mode program runs these accesses, in order:`,
      '',
      ...sequence,
      '',
      'A write to a read-only page faults (and the program goes on with the next access).',
      "After the sequence, which of the bits A and D are set in each page's leaf entry?",
    ],
    answerFormat: "one line per page: 'none', 'a' or 'ad'",
    questions,
  };
}
