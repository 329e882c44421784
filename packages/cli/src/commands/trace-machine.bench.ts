// Machine mode as `vmsim trace --machine` runs it: the /bin/true lackey trace's page stream (170,207 references
// to 139 pages) replayed as real loads and stores on x86-32 and sv39, the kernel's reclaim at 32 frames, for
// fifo, lru and clock; records per second of the replay loop (the machine's set-up excluded, as the CLI's
// refs/s column excludes it). Run: `pnpm bench trace`.

import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { printTable, type BenchRow } from '@vmsim/dev-util/bench';
import { MachineReplay, replayMachine, type ModelName } from '@vmsim/sim-api';
import { readPageTrace } from '@vmsim/trace';
import { TRUE_LACKEY_GZ } from '@vmsim/trace/testing';

export async function run(): Promise<void> {
  const trace = readPageTrace(gunzipSync(readFileSync(TRUE_LACKEY_GZ)));
  const rows: BenchRow[] = [];
  // Warm-up: every configuration a few times first, so the JIT has seen every path before the first row.
  for (let rep = 0; rep < 3; rep++) {
    for (const hw of ['x86-32', 'sv39'] as const) {
      for (const policy of ['fifo', 'lru', 'clock'] as const) replayMachine(trace, { policy, frames: 32, hw });
    }
  }
  for (const hw of ['x86-32', 'sv39'] as readonly ModelName[]) {
    for (const policy of ['fifo', 'lru', 'clock'] as const) {
      const rates: number[] = [];
      for (let rep = 0; rep < 11; rep++) {
        const replay = new MachineReplay(trace, { policy, frames: 32, hw });
        replay.run();
        const r = replay.result();
        replay.exit();
        if (rep >= 2) rates.push(r.references / r.seconds);
      }
      rates.sort((a, b) => a - b);
      const rate = rates[rates.length >> 1]!;
      rows.push({ name: `machine mode ${hw} ${policy} (32 frames, file)`, opsPerSec: rate, nsPerOp: 1e9 / rate });
    }
  }
  console.log(`machine mode, ${trace.pages.length} references to ${trace.pageCount} pages (ops = records replayed)`);
  printTable(rows);
}
