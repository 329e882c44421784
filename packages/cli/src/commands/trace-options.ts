// The command line of `vmsim trace`: parsing and checking every option into a TraceOptions, so the command
// itself only runs. Every mistake is a UsageError with the option's name.

import { isPolicyName, POLICY_NAMES, type PolicyName } from '@vmsim/replacement';
import { parseKinds, TRACE_FORMATS, type TraceFormat } from '@vmsim/trace';
import { parseSize, quote, shorten, UsageError } from '@vmsim/sim-api/script';
import { parseCommandLine } from '../args.js';
import { parseMachineOptions, type MachineSettings } from './trace-machine.js';

export const TRACE_USAGE = `Usage: vmsim trace <file|-> [options]

Replays a memory trace (valgrind lackey, Dinero din, "hex R|W" lines or one page number per line; gzip is read
too) under page-replacement policies and prints one row per policy and frame count.

Options:
  --format <f>        auto (default), ${TRACE_FORMATS.join(', ')}
  --policy <list>     comma-separated policies, or all (default fifo,lru,clock,opt):
                      ${POLICY_NAMES.join(', ')}
  --frames <list>     frame counts: 8,16,32 or ranges 1-64 or 8-256/8 (default 8,16,32,64)
  --page-size <size>  bytes per page, a power of two (default 4K)
  --kinds <ILSM>      record kinds replayed: I fetch, L load, S store, M modify (default ILSM)
  --dedupe            drop a reference to the same page as the one before it
  --lenient           skip malformed lines (counted) instead of stopping at the first
  --seed <n>          seed of random and ostep-clock (default 0)
  --bits <n>          ostep-clock's counter ceiling (default 2) and aging's width (default 8)
  --period <n>        nru and aging: references between reference-bit sweeps (default 16)
  --tau <n>           wsclock's working-set window in references (default 4 × frames)
  --mrc               the miss-ratio curve over every frame count from 1 to the pages touched
                      (LRU and OPT in one pass each, the others by a run per frame count)
  --plot <file.svg>   draw the miss-ratio curves of the chosen policies
  --jobs <n>          runs in n worker threads (default 1)
  --machine           machine mode: every reference a real load or store of one simulated process through
                      the MMU and TLB, the kernel's reclaim holding it to the frame count with the policy
  --hw <model>        machine mode's hardware: x86-32 (default), sv32, x86-64, sv39
  --backing <b>       machine mode's memory: file (default; a shared file mapping, written pages written
                      back: page mode's counts) or anon (private anonymous memory with swap)
  --json              one JSON object per run
  --csv               comma-separated values with a header
  -h, --help          this help

Exit codes: 0 success, 2 a usage error or a malformed trace line (file:line: message on stderr), 1 an internal error.`;

export interface TraceOptions {
  readonly file: string;
  readonly format: TraceFormat | 'auto';
  readonly policies: readonly PolicyName[];
  /** Explicit frame counts, or null (the default list, or every count with --mrc). */
  readonly frames: readonly number[] | null;
  readonly pageSize: number;
  readonly kinds: string;
  readonly dedupe: boolean;
  readonly lenient: boolean;
  readonly seed: number;
  readonly bits: number | undefined;
  readonly period: number | undefined;
  readonly tau: number | undefined;
  readonly mrc: boolean;
  readonly plot: string | undefined;
  readonly jobs: number;
  /** --machine: the hardware and backing of machine mode; null for page mode. */
  readonly machine: MachineSettings | null;
  readonly output: 'table' | 'json' | 'csv';
  readonly help: boolean;
}

export const DEFAULT_POLICIES: readonly PolicyName[] = ['fifo', 'lru', 'clock', 'opt'];
export const DEFAULT_FRAMES: readonly number[] = [8, 16, 32, 64];
/** The most frame counts one command may ask for. */
export const MAX_FRAME_COUNTS = 100000;

function integer(option: string, word: string, min: number, max: number): number {
  if (!/^\d+$/.test(word.trim())) throw new UsageError(`--${option}: expected an integer, got ${quote(word)}`);
  const n = Number(word.trim());
  if (n < min || n > max) throw new UsageError(`--${option}: ${shorten(word)} is outside ${min}..${max}`);
  return n;
}

/** `8,16,32`, `1-64`, `8-256/8`: sorted, without repeats. */
export function parseFrames(word: string): number[] {
  const out = new Set<number>();
  for (const item of word.split(',')) {
    const m = /^\s*(\d+)\s*(?:-\s*(\d+)\s*(?:\/\s*(\d+)\s*)?)?$/.exec(item);
    if (m === null) throw new UsageError(`--frames: bad item ${quote(item)} (expected N, A-B or A-B/STEP)`);
    const a = integer('frames', m[1]!, 1, 0x3fffffff);
    const b = m[2] === undefined ? a : integer('frames', m[2], 1, 0x3fffffff);
    const step = m[3] === undefined ? 1 : integer('frames', m[3], 1, 0x3fffffff);
    if (b < a) throw new UsageError(`--frames: range ${quote(item)} ends before it starts`);
    if ((b - a) / step + out.size >= MAX_FRAME_COUNTS) throw new UsageError(`--frames: more than ${MAX_FRAME_COUNTS} frame counts`);
    for (let f = a; f <= b; f += step) out.add(f);
  }
  return [...out].sort((x, y) => x - y);
}

export function parsePolicies(word: string): PolicyName[] {
  if (word.trim() === 'all') return [...POLICY_NAMES];
  const out: PolicyName[] = [];
  for (const raw of word.split(',')) {
    const name = raw.trim().toLowerCase();
    if (!isPolicyName(name)) throw new UsageError(`--policy: unknown policy ${quote(raw)} (expected all or ${POLICY_NAMES.join(', ')})`);
    if (!out.includes(name)) out.push(name);
  }
  return out;
}

export function parseTraceOptions(argv: readonly string[]): TraceOptions {
  const parsed = parseCommandLine(argv, {
      format: { type: 'string' },
      policy: { type: 'string' },
      frames: { type: 'string' },
      'page-size': { type: 'string' },
      kinds: { type: 'string' },
      dedupe: { type: 'boolean' },
      lenient: { type: 'boolean' },
      seed: { type: 'string' },
      bits: { type: 'string' },
      period: { type: 'string' },
      tau: { type: 'string' },
      mrc: { type: 'boolean' },
      plot: { type: 'string' },
      jobs: { type: 'string' },
      machine: { type: 'boolean' },
      hw: { type: 'string' },
      backing: { type: 'string' },
      json: { type: 'boolean' },
      csv: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
  }, 'vmsim trace');
  const { values, positionals } = parsed;
  const help = values.help === true;
  if (!help && positionals.length !== 1) {
    throw new UsageError(positionals.length === 0 ? 'missing trace file (or - for standard input; try vmsim trace --help)' : 'expected one trace file');
  }
  const format = values.format ?? 'auto';
  if (format !== 'auto' && !(TRACE_FORMATS as readonly string[]).includes(format)) {
    throw new UsageError(`--format: unknown format ${quote(format)} (expected auto, ${TRACE_FORMATS.join(', ')})`);
  }
  const pageSize = values['page-size'] === undefined ? 4096 : parseSize(values['page-size']);
  if (pageSize < 1 || pageSize > 2 ** 30 || (pageSize & (pageSize - 1)) !== 0) {
    throw new UsageError(`--page-size: ${shorten(values['page-size'] ?? '')} is not a power of two from 1 to 1G`);
  }
  const kinds = values.kinds ?? 'ILSM';
  try {
    parseKinds(kinds);
  } catch {
    throw new UsageError(`--kinds: expected letters from ILSM, got ${quote(kinds)}`);
  }
  if (values.json === true && values.csv === true) throw new UsageError('--json and --csv: choose one');
  const machine = parseMachineOptions(values, pageSize, values.mrc === true);
  return {
    file: positionals[0] ?? '-',
    format: format as TraceFormat | 'auto',
    policies: values.policy === undefined ? DEFAULT_POLICIES : parsePolicies(values.policy),
    frames: values.frames === undefined ? null : parseFrames(values.frames),
    pageSize,
    kinds,
    dedupe: values.dedupe === true,
    lenient: values.lenient === true,
    seed: values.seed === undefined ? 0 : integer('seed', values.seed, 0, Number.MAX_SAFE_INTEGER),
    bits: values.bits === undefined ? undefined : integer('bits', values.bits, 0, 32),
    period: values.period === undefined ? undefined : integer('period', values.period, 1, 0x3fffffff),
    tau: values.tau === undefined ? undefined : integer('tau', values.tau, 0, 0x3fffffff),
    mrc: values.mrc === true,
    plot: values.plot,
    jobs: values.jobs === undefined ? 1 : integer('jobs', values.jobs, 1, 256),
    machine,
    output: values.json === true ? 'json' : values.csv === true ? 'csv' : 'table',
    help,
  };
}
