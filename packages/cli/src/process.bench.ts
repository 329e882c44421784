// The `vmsim` command as a user starts it: whole processes of the built binary (bin/vmsim.js → dist/bin.js),
// stdout to /dev/null, wall time from spawn to exit and peak resident memory, beside `node -e 0` started the
// same way (the floor: what Node itself costs on this machine right now). Commands run in turn, round after
// round, so a change of load on the host touches them all alike. The binary is built first (turbo: a no-op when
// it is up to date), so the figures are those of the sources as they are. Run: `pnpm bench process`.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROUNDS = 11;
const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const bin = join(root, 'packages/cli/bin/vmsim.js');
/** GNU time, for the peak resident set of a child (Node cannot read a child's rusage); absent: memory not shown. */
const GNU_TIME = '/usr/bin/time';

interface Command {
  readonly name: string;
  readonly args: readonly string[];
}

const COMMANDS: readonly Command[] = [
  { name: 'node -e 0 (floor)', args: ['-e', '0'] },
  { name: 'vmsim --version', args: [bin, '--version'] },
  { name: 'vmsim run examples/processes.vmsim', args: [bin, 'run', 'examples/processes.vmsim'] },
  { name: 'vmsim run examples/cow-tour.vmsim', args: [bin, 'run', 'examples/cow-tour.vmsim'] },
];

function build(): void {
  const turbo = join(root, 'node_modules/.bin/turbo');
  const r = spawnSync(turbo, ['run', 'build', '--filter=@vmsim/cli...', '--output-logs=errors-only'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  if (r.status !== 0 || !existsSync(join(root, 'packages/cli/dist/bin.js'))) throw new Error(`building the CLI failed (turbo exit ${String(r.status)})`);
}

/** One run: wall milliseconds; throws when the command fails (a fast failure is not a figure). */
function wall(c: Command): number {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, c.args, { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${c.name} exited ${String(r.status)}: ${r.stderr.toString().slice(0, 400)}`);
  return ms;
}

/** Peak resident set in KiB, through GNU time. */
function peakKiB(c: Command, dir: string): number {
  const out = join(dir, 'time.out');
  const r = spawnSync(GNU_TIME, ['-o', out, '-f', '%M', process.execPath, ...c.args], { cwd: root, stdio: 'ignore' });
  if (r.status !== 0) throw new Error(`${c.name} under ${GNU_TIME} exited ${String(r.status)}`);
  return Number(readFileSync(out, 'utf8').trim().split('\n').at(-1));
}

const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

export async function run(): Promise<void> {
  build();
  const times = COMMANDS.map((): number[] => []);
  for (const c of COMMANDS) wall(c); // warm the file cache
  for (let r = 0; r < ROUNDS; r++) COMMANDS.forEach((c, i) => times[i]!.push(wall(c)));
  let peaks: (number | undefined)[] = COMMANDS.map(() => undefined);
  if (existsSync(GNU_TIME)) {
    const dir = mkdtempSync(join(tmpdir(), 'vmsim-bench-'));
    try {
      peaks = COMMANDS.map((c) => median([0, 1, 2].map(() => peakKiB(c, dir))));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const floor = median(times[0]!);
  console.log(`whole processes, ${ROUNDS} rounds in turn; wall ms (min / median), beyond node -e 0's median, peak RSS (median of 3)`);
  console.log(`${'command'.padEnd(36)} ${'min'.padStart(7)} ${'median'.padStart(7)} ${'+node'.padStart(7)} ${'peak MB'.padStart(8)}`);
  COMMANDS.forEach((c, i) => {
    const t = times[i]!;
    const peak = peaks[i];
    const mb = peak === undefined ? '-' : (peak / 1024).toFixed(1);
    const beyond = i === 0 ? '' : (median(t) - floor).toFixed(1);
    console.log(`${c.name.padEnd(36)} ${Math.min(...t).toFixed(1).padStart(7)} ${median(t).toFixed(1).padStart(7)} ${beyond.padStart(7)} ${mb.padStart(8)}`);
  });
}
