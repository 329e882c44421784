// `--jobs N`: N worker threads share the page stream (copied once into shared memory) and take jobs one at a time
// from a queue, so a long OPT run does not hold up the rest.

import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { WorkerData, WorkerReply } from './trace-worker.js';
import type { PageInput, RunJob, RunResult, RunSettings } from './trace-runs.js';

/**
 * The worker's entry: the built trace-worker.js beside this file, or, when running from source (tests, `pnpm
 * vmsim`), a bootstrap that registers tsx in the worker and imports trace-worker.ts with the @vmsim/source condition.
 */
function workerEntry(): { entry: string | URL; eval: boolean; execArgv: string[] | undefined } {
  if (!import.meta.url.endsWith('.ts')) return { entry: new URL('./trace-worker.js', import.meta.url), eval: false, execArgv: undefined };
  // tsx's ESM entry (the require condition names its .cjs twin, which cannot register from a worker).
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs')).href;
  const worker = new URL('./trace-worker.ts', import.meta.url).href;
  const code = `import(${JSON.stringify(tsx)}).then(({ register }) => { register(); return import(${JSON.stringify(worker)}); });`;
  return { entry: code, eval: true, execArgv: ['--conditions=@vmsim/source'] };
}

export async function runInWorkers(
  jobs: readonly { index: number; job: RunJob }[],
  input: PageInput,
  settings: RunSettings,
  threads: number,
  onResult: (index: number, result: RunResult) => void,
): Promise<void> {
  const length = input.pages.length;
  const pages = new SharedArrayBuffer(Math.max(4, length * 4));
  const writes = new SharedArrayBuffer(Math.max(1, length));
  new Int32Array(pages, 0, length).set(input.pages);
  new Uint8Array(writes, 0, length).set(input.writes);
  const data: WorkerData = { kind: 'vmsim-trace-worker', pages, writes, length, pageCount: input.pageCount, settings };
  const { entry, eval: isCode, execArgv } = workerEntry();
  let next = 0;
  const count = Math.min(threads, jobs.length);
  const workers: Worker[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      let running = count;
      for (let w = 0; w < count; w++) {
        const worker = new Worker(entry, { workerData: data, eval: isCode, ...(execArgv === undefined ? {} : { execArgv }) });
        workers.push(worker);
        const feed = (): void => {
          if (next < jobs.length) {
            worker.postMessage(jobs[next++]);
          } else if (--running === 0) {
            resolve();
          }
        };
        worker.on('message', (reply: WorkerReply) => {
          if (!reply.ok) {
            // The options were checked before the jobs went out: a failure here is a bug.
            reject(new Error(`worker: ${reply.message}`));
            return;
          }
          onResult(reply.index, reply.result);
          feed();
        });
        worker.on('error', reject);
        worker.on('online', feed);
      }
    });
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
