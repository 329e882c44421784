// `vmsim trace <file|->`: reads a memory trace as a stream (gzip too), turns it into page references, and replays
// them under the chosen policies and frame counts, in this thread or in worker threads; prints a table, CSV or
// JSON, a miss-ratio curve with --mrc, an SVG plot with --plot. A malformed trace line prints `file:line: message`.

import { createPolicy, ReplacementError } from '@vmsim/replacement';
import { readPageTraceAsync, TraceError, TraceFormatError, type ReadTraceResult } from '@vmsim/trace';
import { EXIT_OK, EXIT_USAGE, UsageError } from '@vmsim/sim-api/script';
import type { Io } from '../io.js';
import { nodeTraceHost, type TraceHost } from './trace-host.js';
import { parseTraceOptions, DEFAULT_FRAMES, TRACE_USAGE, type TraceOptions } from './trace-options.js';
import { CSV_HEADER, csvLine, jsonRecord, tableLines } from './trace-output.js';
import { jobFor, MACHINE_CSV_HEADER, machineCsvLine, machineJsonRecord, runAnyJob } from './trace-machine.js';
import { policySettings, stackCurve, type PageInput, type RunJob, type RunResult, type RunSettings } from './trace-runs.js';

/** Runs `vmsim trace` with the arguments after `trace`; resolves to the exit code. */
export async function runTrace(argv: readonly string[], io: Io, host: TraceHost = nodeTraceHost()): Promise<number> {
  let options: TraceOptions;
  try {
    options = parseTraceOptions(argv);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`vmsim trace: ${error.message}`);
      return EXIT_USAGE;
    }
    throw error;
  }
  if (options.help) {
    io.stdout(TRACE_USAGE);
    return EXIT_OK;
  }
  const name = options.file === '-' ? '<stdin>' : options.file;
  const progress = new Progress(host, io.env.NO_COLOR === undefined && host.stderrIsTTY);
  let trace: ReadTraceResult;
  try {
    const total = host.size(options.file);
    trace = await readPageTraceAsync(
      host.open(options.file),
      {
        format: options.format,
        lenient: options.lenient,
        pageSize: options.pageSize,
        kinds: options.kinds,
        dedupe: options.dedupe,
        // With worker threads the stream is made in shared memory, so they read it without a copy.
        shared: options.jobs > 1,
      },
      (bytes) => progress.show(total === undefined ? `reading ${human(bytes)}B` : `reading`, total === undefined ? -1 : Math.min(1, bytes / total)),
    );
  } catch (error) {
    progress.clear();
    if (TraceFormatError.isInstance(error)) {
      io.stderr(`${name}:${error.line}: ${error.message.replace(/^line \d+: /, '')}`);
      return EXIT_USAGE;
    }
    const code = (error as { code?: string }).code;
    if (typeof code === 'string' && /^E[A-Z]+$/.test(code) && code !== 'EINVAL') {
      io.stderr(`vmsim trace: cannot read ${name}: ${code === 'ENOENT' ? 'no such file' : (error as Error).message}`);
      return EXIT_USAGE;
    }
    if (code === 'Z_DATA_ERROR' || code === 'Z_BUF_ERROR' || code === 'ERR_STREAM_PREMATURE_CLOSE') {
      io.stderr(`vmsim trace: ${name}: bad gzip data (${(error as Error).message})`);
      return EXIT_USAGE;
    }
    if (TraceError.isInstance(error)) {
      io.stderr(`vmsim trace: ${name}: ${error.message}`);
      return EXIT_USAGE;
    }
    throw error;
  }
  progress.clear();
  for (const e of trace.errors) io.stderr(`${name}:${e.line}: skipped: ${e.reason}`);
  if (trace.skipped > trace.errors.length) io.stderr(`${name}: skipped ${trace.skipped} malformed lines in all`);
  if (trace.pages.length === 0) {
    io.stderr(`vmsim trace: ${name}: no references (${trace.lines} lines, ${trace.records} records kept)`);
    return EXIT_USAGE;
  }

  const input: PageInput = { pages: trace.pages, writes: trace.writes, pageCount: trace.pageCount };
  const settings: RunSettings = { seed: options.seed, bits: options.bits, period: options.period, tau: options.tau };
  let results: RunResult[];
  try {
    results = await runAll(options, input, settings, progress);
  } catch (error) {
    progress.clear();
    if (ReplacementError.isInstance(error)) {
      io.stderr(`vmsim trace: ${error.message}`);
      return EXIT_USAGE;
    }
    throw error;
  }
  progress.clear();

  if (options.output === 'json') {
    const record = options.machine === null ? jsonRecord : machineJsonRecord;
    for (const r of results) io.stdout(JSON.stringify(record(r)));
  } else if (options.output === 'csv') {
    io.stdout(options.machine === null ? CSV_HEADER : MACHINE_CSV_HEADER);
    const line = options.machine === null ? csvLine : machineCsvLine;
    for (const r of results) io.stdout(line(r));
  } else {
    io.stdout(
      `${name}: ${trace.format} trace, ${trace.lines} lines, ${trace.records} records, ${trace.pages.length} references to ` +
        `${trace.pageCount} pages of ${options.pageSize} bytes (${trace.crossings} crossing a page boundary)`,
    );
    if (options.machine !== null) {
      io.stdout(`machine mode: one process on ${options.machine.hw}, ${options.machine.backing === 'file' ? 'a shared file mapping' : 'anonymous memory with swap'}, reclaim at the frame count`);
    }
    for (const line of tableLines(results)) io.stdout(line);
  }
  if (options.plot !== undefined) {
    const { plotMissRatioSvg } = await import('./trace-plot.js');
    const svg = await plotMissRatioSvg(results, `${name}: miss ratio by frames (${options.pageSize}-byte pages)`);
    host.writeFile(options.plot, svg);
  }
  return EXIT_OK;
}

/** Every (policy, frames) job in output order; with --mrc LRU and OPT by their one-pass curves. */
async function runAll(options: TraceOptions, input: PageInput, settings: RunSettings, progress: Progress): Promise<RunResult[]> {
  const every = Array.from({ length: Math.max(1, input.pageCount) }, (_, i) => i + 1);
  const frames = options.frames ?? (options.mrc || options.plot !== undefined ? every : DEFAULT_FRAMES);
  const slots: (RunResult | RunResult[] | null)[] = [];
  const jobs: { index: number; job: RunJob }[] = [];
  for (const policy of options.policies) {
    if (options.mrc && (policy === 'lru' || policy === 'opt')) {
      slots.push(stackCurve(policy, frames, input));
      continue;
    }
    for (const f of frames) {
      jobs.push({ index: slots.length, job: jobFor(policy, f, options.machine) });
      slots.push(null);
    }
  }
  // Every policy is made once here with these settings, so a bad setting is a usage error before any run.
  for (const policy of options.policies) {
    createPolicy(policy, { frames: 1, pageCount: 1, stream: new Int32Array(0), ...policySettings(policy, settings, 1) });
  }
  let done = 0;
  const tick = (): void => progress.show(`running ${done}/${jobs.length}`, jobs.length === 0 ? 1 : done / jobs.length);
  if (options.jobs > 1 && jobs.length > 1) {
    const { runInWorkers } = await import('./trace-pool.js');
    await runInWorkers(jobs, input, settings, options.jobs, (index, result) => {
      slots[index] = result;
      done++;
      tick();
    });
  } else {
    for (const { index, job } of jobs) {
      slots[index] = runAnyJob(job, input, settings);
      done++;
      tick();
    }
  }
  return slots.flatMap((s) => (s === null ? [] : Array.isArray(s) ? s : [s]));
}

function human(n: number): string {
  if (n >= 1 << 30) return `${(n / (1 << 30)).toFixed(1)}G`;
  if (n >= 1 << 20) return `${(n / (1 << 20)).toFixed(1)}M`;
  if (n >= 1 << 10) return `${(n / (1 << 10)).toFixed(1)}K`;
  return String(n);
}

/** A progress bar on standard error, only when it is a terminal and NO_COLOR is unset; at most ten updates a second. */
class Progress {
  private last = 0;
  private shown = false;
  constructor(
    private readonly host: TraceHost,
    private readonly enabled: boolean,
  ) {}

  show(label: string, fraction: number): void {
    if (!this.enabled) return;
    const now = Date.now();
    if (now - this.last < 100 && fraction < 1) return;
    this.last = now;
    const width = 30;
    const bar = fraction < 0 ? '' : ` [${'#'.repeat(Math.round(fraction * width)).padEnd(width, '.')}] ${Math.round(fraction * 100)}%`;
    this.host.progress(`${label}${bar}`);
    this.shown = true;
  }

  clear(): void {
    if (this.shown) this.host.progress('');
    this.shown = false;
  }
}
