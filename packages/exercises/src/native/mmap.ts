// Exercise (f), the memory-map calls: a sequence of mmap/munmap/mprotect/brk on a process that starts with no
// regions. Per call, the return value or the errno; then the final /proc/<pid>/maps listing (splits, merges,
// MAP_FIXED replacing what was there). The key is @vmsim/kernel's system calls run on the sequence.

import { VmsimError, type ModelName } from '@vmsim/hw';
import {
  formatMapsLine, HEAP_START, Kernel, MAP_ANONYMOUS, MAP_FIXED, MAP_PRIVATE, MMAP_BASE, PROT_EXEC, PROT_NONE, PROT_READ, PROT_WRITE,
} from '@vmsim/kernel';
import { ExerciseArgumentError } from '../errors.js';
import type { Draw } from './draw.js';
import { checkExerciseMeta, normalizeAnswer, type Exercise, type ExerciseSize, type Question } from './exercise.js';

/** One call of the sequence; lengths and addresses in bytes, as a program passes them. */
export type MmCall =
  | { readonly op: 'mmap'; readonly addr: number; readonly length: number; readonly prot: number; readonly fixed: boolean }
  | { readonly op: 'munmap'; readonly addr: number; readonly length: number }
  | { readonly op: 'mprotect'; readonly addr: number; readonly length: number; readonly prot: number }
  | { readonly op: 'brk'; readonly addr: number };

const PAGE = 4096;
/** The window the fixed mappings, munmaps and mprotects fall in. */
export const MMAP_EXERCISE_AREA = 0x4000_0000;

const SHAPE: Readonly<Record<ExerciseSize, { window: number; steps: number; brk: boolean }>> = {
  small: { window: 8, steps: 5, brk: false },
  medium: { window: 12, steps: 8, brk: true },
  large: { window: 16, steps: 12, brk: true },
};

const PROTS = [PROT_READ | PROT_WRITE, PROT_READ, PROT_NONE, PROT_READ | PROT_EXEC, PROT_READ | PROT_WRITE];

export function mmapExercise(hw: ModelName, seed: number, size: ExerciseSize, draw: Draw): Exercise {
  const shape = SHAPE[size];
  const at = (page: number): number => MMAP_EXERCISE_AREA + page * PAGE;
  const range = (): [number, number] => {
    const start = draw.int(0, shape.window - 2);
    return [start, draw.int(1, Math.min(4, shape.window - start))];
  };
  // The calls run on a probe kernel as they are drawn, so most munmaps and mprotects can aim inside a region
  // (splits and merges) rather than at holes; the key is made afterwards on a fresh kernel.
  const probe = newProcess(hw);
  const rangeInRegion = (): [number, number] => {
    const inWindow = probe.maps().filter((m) => m.start >= MMAP_EXERCISE_AREA && m.start < at(shape.window));
    if (inWindow.length === 0 || draw.chance(0.3)) return range();
    const region = draw.pick(inWindow);
    const pages = (Math.min(region.end, at(shape.window)) - region.start) / PAGE;
    const start = draw.int(0, pages - 1);
    return [(region.start - MMAP_EXERCISE_AREA) / PAGE + start, draw.int(1, Math.min(3, pages - start))];
  };
  const calls: MmCall[] = [];
  const add = (call: MmCall): void => {
    calls.push(call);
    runCall(probe, call);
  };
  add({ op: 'mmap', addr: at(draw.int(0, 2)), length: draw.int(3, 5) * PAGE, prot: PROT_READ | PROT_WRITE, fixed: true });
  while (calls.length < shape.steps) {
    const roll = draw.int(0, 99);
    if (roll < 30) {
      const [start, n] = range();
      add({ op: 'mmap', addr: at(start), length: n * PAGE, prot: draw.pick(PROTS), fixed: true });
    } else if (roll < 40) {
      add({ op: 'mmap', addr: 0, length: draw.int(1, 3) * PAGE - (draw.chance(0.3) ? 0x100 : 0), prot: draw.pick(PROTS), fixed: false });
    } else if (roll < 58) {
      const [start, n] = rangeInRegion();
      add({ op: 'munmap', addr: at(start) + (draw.chance(0.15) ? 0x800 : 0), length: n * PAGE });
    } else if (roll < 86 || (roll < 94 && !shape.brk)) {
      const [start, n] = rangeInRegion();
      add({ op: 'mprotect', addr: at(start) + (draw.chance(0.1) ? 0x800 : 0), length: n * PAGE, prot: draw.pick(PROTS) });
    } else if (roll < 94) {
      add({ op: 'brk', addr: HEAP_START + draw.int(0, 4) * PAGE + draw.pick([0, 0x10, 0x800]) });
    } else {
      const [start] = range();
      add({ op: 'mmap', addr: at(start), length: 0, prot: PROT_READ, fixed: true });
    }
  }
  return mmapSequenceExercise(calls, hw, seed, size);
}

/** A kernel on `hw` with one process, which starts with no regions. */
function newProcess(hw: ModelName): Kernel {
  const k = new Kernel({ model: hw, ramBytes: 256 * PAGE });
  k.spawn();
  return k;
}

const hex = (n: number): string => `0x${n.toString(16)}`;

function protName(prot: number): string {
  if (prot === PROT_NONE) return 'PROT_NONE';
  const names: string[] = [];
  if ((prot & PROT_READ) !== 0) names.push('PROT_READ');
  if ((prot & PROT_WRITE) !== 0) names.push('PROT_WRITE');
  if ((prot & PROT_EXEC) !== 0) names.push('PROT_EXEC');
  return names.join('|');
}

/** A call as a C program writes it. */
export function formatMmCall(call: MmCall): string {
  switch (call.op) {
    case 'mmap':
      return `mmap(${call.addr === 0 ? 'NULL' : hex(call.addr)}, ${hex(call.length)}, ${protName(call.prot)}, MAP_PRIVATE|MAP_ANONYMOUS${call.fixed ? '|MAP_FIXED' : ''}, -1, 0)`;
    case 'munmap':
      return `munmap(${hex(call.addr)}, ${hex(call.length)})`;
    case 'mprotect':
      return `mprotect(${hex(call.addr)}, ${hex(call.length)}, ${protName(call.prot)})`;
    case 'brk':
      return `brk(${hex(call.addr)})`;
  }
}

/** Runs one call on the kernel: its return value, or the errno name of the typed error it throws. */
function runCall(k: Kernel, call: MmCall): string {
  try {
    switch (call.op) {
      case 'mmap':
        return hex(k.mmap(call.addr, call.length, call.prot, MAP_PRIVATE | MAP_ANONYMOUS | (call.fixed ? MAP_FIXED : 0)));
      case 'munmap':
        k.munmap(call.addr, call.length);
        return '0';
      case 'mprotect':
        k.mprotect(call.addr, call.length, call.prot);
        return '0';
      case 'brk':
        return hex(k.brk(call.addr));
    }
  } catch (e) {
    if (VmsimError.isInstance(e) && e.errno !== undefined) return e.errno.toLowerCase();
    throw e;
  }
}

/** The exercise for a given sequence, its key from running the kernel's system calls on it. */
export function mmapSequenceExercise(calls: readonly MmCall[], hw: ModelName, seed: number, size: ExerciseSize): Exercise {
  checkCalls(calls);
  checkExerciseMeta(hw, seed, size);
  const k = newProcess(hw);
  const questions: Question[] = [];
  const shown: string[] = [];
  calls.forEach((call, i) => {
    const text = formatMmCall(call);
    shown.push(`  ${String(i + 1).padStart(2)}. ${text}`);
    questions.push({ id: i + 1, prompt: `${text} returns?`, answer: runCall(k, call) });
  });
  const pointerBytes = k.model.vaBits > 32 ? 8 : 4;
  const lines = k.maps().map((entry) => normalizeAnswer(formatMapsLine(entry, pointerBytes)));
  if (lines.length === 0) lines.push('none');
  lines.forEach((line, i) => questions.push({ id: questions.length + 1, prompt: `line ${i + 1} of the final maps listing`, answer: line }));
  return {
    kind: 'mmap',
    hw,
    seed,
    size,
    title: 'mmap, munmap, mprotect and brk: return values and the final maps',
    statement: [
      `Hardware: ${k.model.name}, ${k.pageSize}-byte pages. A process starts with no regions and its program break at`,
      `${hex(HEAP_START)}. It makes these calls in order; the kernel works like Linux:`,
      '- lengths are rounded up to whole pages; mmap of length 0 is EINVAL; munmap and mprotect need a',
      '  page-aligned address (else EINVAL); munmap of a range with nothing mapped succeeds (returns 0);',
      `- mmap with a NULL hint takes the highest free range that fits below ${hex(MMAP_BASE)};`,
      '- MAP_FIXED maps exactly at the address, replacing whatever was mapped in the range;',
      '- mprotect goes region by region from the address; a page no region covers ends it with ENOMEM, after',
      '  the regions before that page have changed;',
      '- brk(addr) moves the break and returns the new one; the heap is the region from the start of the break',
      '  up to the break rounded up to a page; a refused brk returns the old break;',
      '- a region split by munmap, mprotect or MAP_FIXED keeps its parts; neighbouring regions with the same',
      '  protection and flags merge into one.',
      '',
      ...shown,
      '',
      'Give each call\'s return value (an address in hex, 0, or the break), or its errno (einval, enomem);',
      'then the final /proc/<pid>/maps listing, one region per line in address order, in the form',
      "'40000000-40003000 rw-p 00000000 00:00 0', the heap ending with ' [heap]' ('none' if nothing is mapped).",
    ],
    answerFormat: "one line per call: a hex address, 0, or an errno name; then one line per maps line",
    questions,
  };
}

const U32 = 2 ** 32;

function isU32(n: unknown): boolean {
  return Number.isInteger(n) && (n as number) >= 0 && (n as number) < U32;
}

/** Every call must be one of the four shapes with 32-bit unsigned addresses and lengths and known PROT_ bits. */
function checkCalls(calls: readonly MmCall[]): void {
  if (!Array.isArray(calls) || calls.length === 0 || calls.length > 256) {
    throw new ExerciseArgumentError('mmap', 'calls', calls, 'calls must be a non-empty array of at most 256 calls');
  }
  calls.forEach((call: MmCall, i) => {
    const fail = (what: string): never => {
      throw new ExerciseArgumentError('mmap', `calls[${i}]`, call, `calls[${i}]: ${what}`);
    };
    if (typeof call !== 'object' || call === null) fail('not a call object');
    if (!isU32(call.addr)) fail('addr must be an integer in [0, 2^32)');
    if (call.op === 'brk') return;
    if (call.op !== 'mmap' && call.op !== 'munmap' && call.op !== 'mprotect') fail(`unknown op ${JSON.stringify((call as { op: unknown }).op)}`);
    if (!isU32(call.length)) fail('length must be an integer in [0, 2^32)');
    if (call.op === 'munmap') return;
    if (!Number.isInteger(call.prot) || (call.prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC)) !== 0) fail('prot must be PROT_ bits');
    if (call.op === 'mmap' && typeof call.fixed !== 'boolean') fail('fixed must be a boolean');
  });
}
