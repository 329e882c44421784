// Exercise (d), TLB hits and misses: a sets × ways TLB (set = vpn mod sets, LRU within a set), entries tagged
// with an ASID unless global, under a sequence of accesses by several processes with context switches. On
// x86-32 (no ASIDs) a switch reloads CR3 and flushes every non-global entry; the other models keep each
// process's entries under its ASID (x86-64 with PCIDs on). The key is hw's Tlb run on the sequence.

import { modelByName, Tlb, TLB_VALID, type ModelName } from '@vmsim/hw';
import type { Draw } from './draw.js';
import type { Exercise, ExerciseSize, Question } from './exercise.js';

const SHAPE: Readonly<Record<ExerciseSize, { entries: number; ways: number; procs: number; steps: number; userPages: number }>> = {
  small: { entries: 4, ways: 2, procs: 2, steps: 8, userPages: 4 },
  medium: { entries: 8, ways: 2, procs: 2, steps: 14, userPages: 6 },
  large: { entries: 16, ways: 4, procs: 3, steps: 22, userPages: 10 },
};

const USER_VPN = 0x10;
const KERNEL_VPN = 0xc0000;

export function tlbExercise(hw: ModelName, seed: number, size: ExerciseSize, draw: Draw): Exercise {
  const shape = SHAPE[size];
  const model = hw === 'x86-64' ? modelByName('x86-64', { pcid: true }) : modelByName(hw);
  const asids = model.asidBits > 0;
  const tlb = new Tlb({ entries: shape.entries, ways: shape.ways });
  const sets = shape.entries / shape.ways;
  const kernelPages = [KERNEL_VPN, KERNEL_VPN + 1];
  let current = 1;
  const sequence: string[] = [];
  const recent: number[] = [];
  const questions: Question[] = [];
  for (let s = 0; s < shape.steps; s++) {
    if (s > 0 && draw.chance(0.2)) {
      let next = draw.int(1, shape.procs);
      if (next === current) next = (next % shape.procs) + 1;
      current = next;
      if (!asids) tlb.flushNonGlobal();
      sequence.push(`        switch to P${current}`);
      continue;
    }
    const global = draw.chance(0.25);
    // Programs have locality: often the page one of the last three accesses used.
    const vpn = global ? draw.pick(kernelPages) : recent.length > 0 && draw.chance(0.35) ? draw.pick(recent) : USER_VPN + draw.int(0, shape.userPages - 1);
    if (!global) {
      recent.push(vpn);
      if (recent.length > 3) recent.shift();
    }
    const asid = asids ? current : 0;
    const hit = tlb.lookup(vpn, asid) >= 0;
    if (!hit) tlb.insert(vpn, asid, (current << 8) | (vpn & 0xff), TLB_VALID | 0x3f, global);
    const id = questions.length + 1;
    const what = `P${current} accesses vpn 0x${vpn.toString(16)}${global ? ' (kernel, global)' : ''}`;
    sequence.push(`  ${String(id).padStart(3)}. ${what}`);
    questions.push({ id, prompt: what, answer: hit ? 'hit' : 'miss' });
  }
  return {
    kind: 'tlb',
    hw,
    seed,
    size,
    title: 'TLB hits and misses with ASIDs and global pages',
    statement: [
      `Hardware: ${model.name}${hw === 'x86-64' ? ' with PCIDs' : ''}. The TLB has ${shape.entries} entries: ${sets} sets of ${shape.ways} ways.`,
      `A page's set is its vpn mod ${sets}; a full set evicts its least recently used entry; a hit makes an entry most recently used.`,
      asids
        ? `Entries are tagged with the ASID of process Pn (ASID n); a context switch flushes nothing.`
        : 'x86-32 has no ASIDs: a context switch reloads CR3, which flushes every entry not marked global.',
      'Kernel pages (vpn 0xc0000 and 0xc0001) are global: their entries match in every process.',
      'The TLB starts empty and P1 runs first. The sequence:',
      '',
      ...sequence,
      '',
      'For each numbered access: is it a TLB hit or a miss?',
    ],
    answerFormat: "one line per access: 'hit' or 'miss' (h and m accepted)",
    questions,
  };
}
