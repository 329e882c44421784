// Exercise (c), fork and copy-on-write: a process writes and reads a few anonymous pages, forks, children
// write, processes exit. How many zero-fill faults, COW copies and COW reuses happen, and what is the
// reference count of the frame behind each page at the end? The key is @vmsim/kernel run on the sequence.

import { Kernel } from '@vmsim/kernel';
import type { ModelName } from '@vmsim/hw';
import type { Draw } from './draw.js';
import type { Exercise, ExerciseSize, Question } from './exercise.js';

const SHAPE: Readonly<Record<ExerciseSize, { pages: number; steps: number; maxLive: number }>> = {
  small: { pages: 2, steps: 5, maxLive: 2 },
  medium: { pages: 3, steps: 9, maxLive: 3 },
  large: { pages: 4, steps: 14, maxLive: 4 },
};

const BASE = 0x00400000;

export function forkCowExercise(hw: ModelName, seed: number, size: ExerciseSize, draw: Draw): Exercise {
  const shape = SHAPE[size];
  const k = new Kernel({ model: hw, ramBytes: 256 * 4096 });
  const page = k.pageSize;
  const first = k.spawn();
  k.switchTo(first.pid);
  for (let i = 0; i < shape.pages; i++) k.register(BASE + i * page);
  const live: number[] = [first.pid];
  const steps: string[] = [];
  const before = k.stats().faults;
  let forked = false;
  let value = 1;
  for (let s = 0; s < shape.steps; s++) {
    const pid = draw.pick(live);
    const roll = draw.int(0, 99);
    const mustFork = !forked && s === Math.floor(shape.steps / 2);
    if (s > 0 && (mustFork || (roll < 25 && live.length < shape.maxLive))) {
      const child = k.fork(pid);
      live.push(child.pid);
      forked = true;
      steps.push(`P${pid} forks; the child is P${child.pid}`);
    } else if (s > 1 && roll < 37 && live.length > 1) {
      k.kill(pid);
      live.splice(live.indexOf(pid), 1);
      steps.push(`P${pid} exits`);
    } else {
      const n = draw.int(0, shape.pages - 1);
      k.switchTo(pid);
      const write = s === 0 || roll >= 52;
      if (write) k.store(BASE + n * page, 4, value++);
      else k.load(BASE + n * page, 4);
      steps.push(`P${pid} ${write ? 'writes to' : 'reads'} page ${n}`);
    }
  }
  const after = k.stats().faults;
  const questions: Question[] = [
    { id: 1, prompt: 'how many zero-fill faults (a fresh zeroed frame for a first write)?', answer: String(after.zeroFill - before.zeroFill) },
    { id: 2, prompt: 'how many COW copies (a write to a shared page copies it)?', answer: String(after.cowCopy - before.cowCopy) },
    { id: 3, prompt: 'how many COW reuses (a write to a COW page whose frame has no other user: no copy)?', answer: String(after.cowReuse - before.cowReuse) },
  ];
  for (const pid of [...live].sort((a, b) => a - b)) {
    const maps = k.mappings(pid);
    for (let n = 0; n < shape.pages; n++) {
      const m = maps.find((x) => x.va === BASE + n * page);
      // register() maps every page to the zero page at once, so each page has a mapping.
      const answer = m === undefined || m.zeroPage ? 'zero page' : String(m.refCount);
      questions.push({ id: questions.length + 1, prompt: `P${pid} page ${n}: the reference count of its frame`, answer });
    }
  }
  return {
    kind: 'fork-cow',
    hw,
    seed,
    size,
    title: 'Reference counts and copies after fork, writes and exits',
    statement: [
      `Hardware: ${k.model.name}, ${page}-byte pages. Process P${first.pid} has ${shape.pages} private anonymous pages`,
      `(page n at 0x${BASE.toString(16)} + n * 0x${page.toString(16)}), each mapped read-only to the shared zero page until`,
      'written. The kernel works like Linux:',
      '- a first write to a page replaces the zero page with a fresh zeroed frame (a zero-fill fault);',
      '- fork shares every frame with the child, write-protected (copy-on-write), and raises its reference count;',
      '- a write to a COW page copies the frame if others still use it (COW copy), else takes it over (COW reuse);',
      '- an exiting process drops its references; a frame is freed when its count reaches zero.',
      '',
      'The sequence:',
      ...steps.map((step, i) => `  ${String(i + 1).padStart(2)}. ${step}`),
      '',
      'Count the faults of each kind over the sequence, then give, for every process still alive, the',
      "reference count of the frame behind each page ('zero page' where it still maps the shared zero page).",
    ],
    answerFormat: "one line per question: a number, or 'zero page'",
    questions,
  };
}
