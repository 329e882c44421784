// Exercise (a), translate by hand: a process's page tables in simulated RAM, dumped as raw entries, and user
// reads and writes to translate. The answer is the physical address, or the fault with its kind and the level
// where the walk stopped; the key is hw's reference page walker run on the same RAM.

import { ACCESS_READ, ACCESS_WRITE, FAULT_NAMES, FAULT_NON_CANONICAL, CTL_WP, levelSpanShift, referenceWalk, type ModelName } from '@vmsim/hw';
import type { Draw } from './draw.js';
import type { Exercise, ExerciseSize, Question } from './exercise.js';
import { TableMachine } from './page-tables.js';

const SHAPE: Readonly<Record<ExerciseSize, { pages: number; clusters: number; questions: number }>> = {
  small: { pages: 4, clusters: 1, questions: 4 },
  medium: { pages: 8, clusters: 2, questions: 8 },
  large: { pages: 16, clusters: 3, questions: 12 },
};

/** The walk's outcome in the answers file's words: '0x1a2b3c' or 'fault not-present level 1'. */
export function walkAnswer(result: ReturnType<typeof referenceWalk>): string {
  if (result.ok) return `0x${result.pa.toString(16)}`;
  if (result.fault === FAULT_NON_CANONICAL) return 'fault non-canonical';
  return `fault ${FAULT_NAMES[result.fault]} level ${result.level}`;
}

export function translateExercise(hw: ModelName, seed: number, size: ExerciseSize, draw: Draw): Exercise {
  const shape = SHAPE[size];
  const m = new TableMachine(hw, draw);
  m.mapRandom(shape.pages, shape.clusters, 0.25);
  const model = m.model;
  const questions: Question[] = [];
  for (let id = 1; id <= shape.questions; id++) {
    const page = draw.pick(m.pages);
    let va = page.vpn * m.pageSize + draw.int(0, m.pageSize - 1);
    const twist = draw.int(0, 9);
    if (twist <= 2) {
      // Move the address a few entries over at one level: the walk may run into an empty entry there.
      const level = draw.int(0, model.levels - 1);
      va += draw.int(1, 3) * 2 ** levelSpanShift(model, level);
      va %= m.vpnLimit * m.pageSize;
    } else if (twist === 3 && model.signExtendedVa === true) {
      va += 2 ** (model.vaBits - 1);
    }
    const write = draw.chance(0.4);
    const result = referenceWalk(m.ram, model, m.rootPfn, {
      va, access: write ? ACCESS_WRITE : ACCESS_READ, user: true, control: CTL_WP, sideEffects: false,
    });
    questions.push({ id, prompt: `user ${write ? 'write to' : 'read of'} ${m.formatVa(va)}`, answer: walkAnswer(result) });
  }
  return {
    kind: 'translate',
    hw,
    seed,
    size,
    title: 'Translate virtual addresses by walking the page tables',
    statement: [
      ...m.describe(),
      'Levels are numbered from the root (level 0). Entries not shown are 0. The tables in RAM:',
      '',
      ...m.dumpTables(),
      '',
      'For each access by a user-mode program, give the physical address, or the fault: its kind',
      '(not-present, protection, reserved, bus, non-canonical) and the level where the walk stopped.',
    ],
    answerFormat: "one line per question: the physical address in hex (0x…), or 'fault <kind> level <n>' ('fault non-canonical' needs no level)",
    questions,
  };
}
