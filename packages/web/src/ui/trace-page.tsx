// The trace page: drop or pick a memory-access trace (lackey, din, hex R/W or page numbers; gzip or plain), or
// load the bundled sample; choose policies, frame counts and page size; run in a worker with progress; then the
// table of each policy at each frame count and the miss-ratio curves.

import { useEffect, useRef, useState } from 'preact/hooks';
import { TRACE_FORMATS, type TraceFormat } from '@vmsim/trace';
import type { PolicyName } from '@vmsim/replacement';
import type { TraceOutcome } from '../trace/run-trace.js';
// Inlined as a data: URL (the gzip bytes as they are, in dev too: a server may gunzip a .gz on the way).
import sampleUrl from '../trace/sample.lackey.gz?url&inline';
import { startTraceRun, type TraceRun } from '../trace/trace-client.js';
import {
  checkRequest,
  curveTitle,
  PAGE_SIZES,
  parseFrames,
  progressText,
  rowCells,
  TRACE_COLUMNS,
  TRACE_POLICIES,
  type TraceProgress,
} from '../trace/trace-model.js';
import { MissRatioChart } from './miss-ratio-chart.js';

/** The bundled sample: the first 40,000 lines of valgrind lackey's trace of `true`. */
export const SAMPLE_NAME = 'sample.lackey.gz';

interface Loaded {
  readonly name: string;
  readonly bytes: Uint8Array;
}

interface Finished {
  readonly name: string;
  readonly pageSize: number;
  readonly outcome: TraceOutcome;
  /** True when the run went to a worker (false: the main thread, where no worker could start). */
  readonly inWorker: boolean;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function TracePage() {
  const [file, setFile] = useState<Loaded | null>(null);
  const [policies, setPolicies] = useState<readonly PolicyName[]>(['fifo', 'lru', 'opt']);
  const [framesText, setFramesText] = useState('2,4,8,16,32');
  const [pageSize, setPageSize] = useState(4096);
  const [format, setFormat] = useState<TraceFormat | 'auto'>('auto');
  const [progress, setProgress] = useState<TraceProgress | null>(null);
  const [result, setResult] = useState<Finished | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [dragging, setDragging] = useState(false);
  const running = useRef<TraceRun | null>(null);
  useEffect(() => () => running.current?.cancel(), []);

  const load = async (name: string, read: () => Promise<ArrayBuffer>) => {
    try {
      setFile({ name, bytes: new Uint8Array(await read()) });
      setError(null);
    } catch (e) {
      setError(`${name}: ${message(e)}`);
    }
  };
  const loadSample = () => load(SAMPLE_NAME, async () => (await fetch(sampleUrl)).arrayBuffer());
  const pick = (files: FileList | null | undefined) => {
    const f = files?.[0];
    if (f !== undefined) void load(f.name, () => f.arrayBuffer());
  };

  const run = () => {
    if (file === null || running.current !== null) return;
    let request;
    try {
      request = checkRequest({ policies, frames: parseFrames(framesText), pageSize, format, seed: 0 });
    } catch (e) {
      setError(message(e));
      return;
    }
    setError(null);
    setProgress({ phase: 'read', done: 0, total: file.bytes.length });
    const started = startTraceRun(file.bytes, request, setProgress);
    running.current = started;
    const name = file.name;
    started.outcome.then(
      (outcome) => setResult({ name, pageSize: request.pageSize, outcome, inWorker: started.inWorker }),
      (e: unknown) => setError(message(e)),
    ).finally(() => {
      running.current = null;
      setProgress(null);
    });
  };
  const busy = progress !== null;

  return (
    <div class="trace-page">
      <section
        class={`panel drop${dragging ? ' over' : ''}`}
        aria-label="trace file"
        onDragOver={(e) => { e.preventDefault(); setDragging(true); }}
        onDragLeave={() => setDragging(false)}
        onDrop={(e) => { e.preventDefault(); setDragging(false); pick(e.dataTransfer?.files); }}
      >
        <h2>Trace</h2>
        <p>
          Drop a trace file here (valgrind lackey, Dinero din, hex R/W or page numbers; gzip or plain), or{' '}
          <label class="pick">pick one <input type="file" aria-label="trace file picker" onChange={(e) => pick((e.currentTarget as HTMLInputElement).files)} /></label>
          {' '}or <button onClick={() => void loadSample()}>Load sample</button>
        </p>
        <p>file: <output aria-label="trace name">{file === null ? 'none' : `${file.name} (${file.bytes.length} bytes)`}</output></p>
      </section>

      <section class="panel" aria-label="trace options">
        <h2>Options</h2>
        <fieldset class="policies">
          <legend>policies</legend>
          {TRACE_POLICIES.map((p) => (
            <label key={p}>
              <input
                type="checkbox"
                checked={policies.includes(p)}
                onChange={(e) => {
                  const on = (e.currentTarget as HTMLInputElement).checked;
                  setPolicies(TRACE_POLICIES.filter((q) => (q === p ? on : policies.includes(q))));
                }}
              />{' '}
              {p}
            </label>
          ))}
        </fieldset>
        <label>frames <input aria-label="frame counts" value={framesText} onInput={(e) => setFramesText((e.currentTarget as HTMLInputElement).value)} /></label>{' '}
        <label>
          page size{' '}
          <select aria-label="trace page size" value={String(pageSize)} onChange={(e) => setPageSize(Number((e.currentTarget as HTMLSelectElement).value))}>
            {PAGE_SIZES.map((s) => <option key={s} value={String(s)}>{s >= 1024 ? `${s / 1024} KiB` : `${s} B`}</option>)}
          </select>
        </label>{' '}
        <label>
          format{' '}
          <select aria-label="trace format" value={format} onChange={(e) => setFormat((e.currentTarget as HTMLSelectElement).value as TraceFormat | 'auto')}>
            {['auto', ...TRACE_FORMATS].map((f) => <option key={f} value={f}>{f}</option>)}
          </select>
        </label>{' '}
        <button disabled={file === null || busy} onClick={run}>Run policies</button>
        {busy ? (
          <span class="progress">
            <progress aria-label="trace progress" max={progress.total || 1} value={progress.done} /> <output aria-label="trace progress text">{progressText(progress)}</output>{' '}
            <button onClick={() => running.current?.cancel()}>Cancel</button>
          </span>
        ) : null}
      </section>

      {error !== null ? <p class="error" role="alert">{error}</p> : null}

      {result !== null ? (
        <section class="panel" aria-label="trace results">
          <h2>Results</h2>
          <p class="muted" aria-label="trace summary">
            {result.outcome.format ?? 'unknown'} format, {result.outcome.lines} lines, {result.outcome.references} references to{' '}
            {result.outcome.pageCount} pages of {result.pageSize} bytes; ran {result.inWorker ? 'in a Web Worker' : 'on the main thread'}
          </p>
          <table class="trace-table" aria-label="trace table">
            <thead><tr>{TRACE_COLUMNS.map((c) => <th key={c}>{c}</th>)}</tr></thead>
            <tbody>
              {result.outcome.rows.map((r) => (
                <tr key={`${r.policy}/${r.frames}`}>{rowCells(r).map((c, i) => <td key={i}>{c}</td>)}</tr>
              ))}
            </tbody>
          </table>
          <MissRatioChart points={result.outcome.rows} title={curveTitle(result.name, result.pageSize)} />
        </section>
      ) : null}
    </div>
  );
}
