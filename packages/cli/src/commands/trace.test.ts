// `vmsim trace` in-process: the /bin/true lackey trace replayed (numbers an independent Python script computed),
// the three outputs, --mrc against separate runs, --jobs against one thread, --plot, standard input, gzip,
// progress only on a terminal, and every mistake as one line with exit code 2.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { TRUE_LACKEY_FACTS, TRUE_LACKEY_GZ } from '@vmsim/trace/testing';
import { main } from '../main.js';
import { fakeIo } from '../testing/fake-io.js';
import { maybeGunzip, nodeTraceHost, type TraceHost } from './trace-host.js';
import { parseFrames } from './trace-options.js';
import { runTrace } from './trace.js';

const FIXTURE = fileURLToPath(TRUE_LACKEY_GZ);
const dir = mkdtempSync(join(tmpdir(), 'vmsim-trace-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function vmsim(args: readonly string[], host?: TraceHost, env: Record<string, string> = {}) {
  const io = { ...fakeIo(), env };
  const code = host === undefined ? await main(['trace', ...args], io) : await runTrace(args, io, host);
  return { code, out: io.out, err: io.err };
}

function json(out: readonly string[]): Record<string, unknown>[] {
  return out.map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** A host serving `bytes` as standard input, recording progress lines. */
function stdinHost(bytes: Uint8Array, tty = false): TraceHost & { readonly shown: string[]; readonly files: Map<string, string> } {
  const shown: string[] = [];
  const files = new Map<string, string>();
  const real = nodeTraceHost();
  return {
    shown,
    files,
    open: (path) =>
      path === '-'
        ? maybeGunzip(
            (async function* () {
              for (let at = 0; at < bytes.length; at += 7777) yield bytes.subarray(at, at + 7777);
            })(),
          )
        : real.open(path),
    size: (path) => (path === '-' ? undefined : real.size(path)),
    stderrIsTTY: tty,
    progress: (text) => shown.push(text),
    writeFile: (path, text) => files.set(path, text),
  };
}

describe('vmsim trace on a real lackey trace', () => {
  it('gives the misses and writebacks the Python script computed, with exactly the required JSON fields first', async () => {
    const { code, out, err } = await vmsim([FIXTURE, '--policy', 'fifo,lru', '--frames', '8,16,32', '--json']);
    expect(err).toEqual([]);
    expect(code).toBe(0);
    const rows = json(out);
    expect(rows).toHaveLength(6);
    for (const row of rows) {
      expect(Object.keys(row).slice(0, 6)).toEqual(['policy', 'frames', 'references', 'hits', 'misses', 'writebacks']);
      const facts = TRUE_LACKEY_FACTS[row.policy as 'fifo' | 'lru'][row.frames as 8 | 16 | 32];
      expect([row.misses, row.writebacks]).toEqual(facts);
      expect(row.references).toBe(TRUE_LACKEY_FACTS.references);
      expect(row.hits).toBe(TRUE_LACKEY_FACTS.references - facts[0]);
    }
  });

  it('prints a table with the summary line and one row per run', async () => {
    const { code, out } = await vmsim([FIXTURE, '--policy', 'lru,clock', '--frames', '16-17']);
    expect(code).toBe(0);
    expect(out[0]).toContain('lackey trace, 170099 lines, 170074 records, 170207 references to 139 pages');
    expect(out[1]).toMatch(/^policy\s+frames\s+references\s+hits\s+misses\s+miss%\s+writebacks\s+refs\/s$/);
    expect(out.slice(2).map((l) => l.split(/\s+/).slice(0, 2).join(' '))).toEqual(['lru 16', 'lru 17', 'clock 16', 'clock 17']);
    expect(out[2]).toMatch(/^lru\s+16\s+170207\s+168101\s+2106\s+1\.24\s+296\s+\S+$/);
  });

  it('--csv has a header and one line per run', async () => {
    const { out } = await vmsim([FIXTURE, '--policy', 'fifo', '--frames', '8', '--csv', '--kinds', 'LSM']);
    expect(out[0]).toBe('policy,frames,references,hits,misses,writebacks,missRatio,evictions,method,refsPerSecond');
    expect(out).toHaveLength(2);
    expect(out[1]!.split(',').slice(0, 3)).toEqual(['fifo', '8', String(28315 + 10266 + 1504 + 133 - countICrossings())]);
  });

  it('--mrc: the one-pass LRU and OPT curves equal separate runs', async () => {
    const frames = '1-139/9';
    const curve = json((await vmsim([FIXTURE, '--policy', 'lru,opt', '--frames', frames, '--mrc', '--json'])).out);
    const runs = json((await vmsim([FIXTURE, '--policy', 'lru,opt', '--frames', frames, '--json'])).out);
    expect(curve.map((r) => r.method)).toEqual(runs.map(() => 'stack'));
    expect(curve.map((r) => [r.policy, r.frames, r.misses])).toEqual(runs.map((r) => [r.policy, r.frames, r.misses]));
  });

  it('--mrc without --frames covers every frame count up to the pages touched; other policies by sweep', async () => {
    const rows = json((await vmsim([FIXTURE, '--policy', 'lru,fifo', '--mrc', '--json'])).out);
    expect(rows.filter((r) => r.policy === 'lru')).toHaveLength(139);
    const fifo = rows.filter((r) => r.policy === 'fifo');
    expect(fifo.map((r) => r.frames)).toEqual(Array.from({ length: 139 }, (_, i) => i + 1));
    expect(fifo.every((r) => r.method === 'run')).toBe(true);
    expect(rows.find((r) => r.policy === 'lru' && r.frames === 139)!.misses).toBe(139);
  });

  it('--jobs 2 gives the same results as one thread', async () => {
    const args = [FIXTURE, '--policy', 'all', '--frames', '4,32', '--json'];
    const one = json((await vmsim(args)).out);
    const two = await vmsim([...args, '--jobs', '2']);
    expect(two.err).toEqual([]);
    const strip = (rows: Record<string, unknown>[]) => rows.map(({ refsPerSecond: _, ...rest }) => rest);
    expect(strip(json(two.out))).toEqual(strip(one));
  }, 60000);

  it('--plot writes an SVG of the curves', async () => {
    const host = stdinHost(new Uint8Array(0));
    const { code } = await vmsim([FIXTURE, '--policy', 'lru,fifo', '--frames', '1-40', '--plot', 'out.svg'], host);
    expect(code).toBe(0);
    const svg = host.files.get('out.svg')!;
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('miss ratio');
    expect(svg).toContain('fifo');
    expect(svg).toContain('lru');
    const file = join(dir, 'real.svg');
    expect((await vmsim([FIXTURE, '--policy', 'opt', '--mrc', '--plot', file, '--json'])).code).toBe(0);
    expect(readFileSync(file, 'utf8')).toMatch(/^<svg[^>]*>/);
  });
});

function countICrossings(): number {
  // Of the 133 crossing records, the ones that are instruction fetches (counted from the trace here).
  const text = new TextDecoder().decode(gunzip());
  let n = 0;
  for (const line of text.split('\n')) {
    const m = /^I\s+([0-9a-f]+),(\d+)/.exec(line);
    if (m === null) continue;
    const a = parseInt(m[1]!, 16);
    if (Math.floor(a / 4096) !== Math.floor((a + Number(m[2]) - 1) / 4096)) n++;
  }
  return n;
}

function gunzip(): Uint8Array {
  return new Uint8Array(gunzipSync(readFileSync(FIXTURE)));
}

describe('inputs', () => {
  it('reads standard input, plain or gzipped, in any chunks', async () => {
    const text = new TextEncoder().encode('1\n2\n3\n1\n2\n4\n1\n2\n3\n4\n');
    for (const bytes of [text, new Uint8Array(gzipSync(text))]) {
      const { code, out } = await vmsim(['-', '--policy', 'fifo,lru', '--frames', '3', '--json'], stdinHost(bytes));
      expect(code).toBe(0);
      expect(json(out).map((r) => [r.policy, r.misses])).toEqual([
        // worked by hand: fifo misses 1 2 3 4 1 2 3 4, lru 1 2 3 4 3 4
        ['fifo', 8],
        ['lru', 6],
      ]);
    }
  });

  it('reads a plain file, with --format forced', async () => {
    const file = join(dir, 'rw.txt');
    writeFileSync(file, '0041f7a0 R\n0041f7a4 W\n13f5e2c0 R\n0041f000 R\n');
    const { out } = await vmsim([file, '--format', 'hex-rw', '--frames', '1', '--policy', 'lru', '--json']);
    expect(json(out)[0]).toMatchObject({ references: 4, misses: 3, writebacks: 1 });
  });

  it('shows progress only when standard error is a terminal and NO_COLOR is unset', async () => {
    const bytes = new TextEncoder().encode('1\n2\n3\n');
    const quiet = stdinHost(bytes, false);
    await vmsim(['-', '--frames', '1'], quiet);
    expect(quiet.shown).toEqual([]);
    const tty = stdinHost(bytes, true);
    await vmsim(['-', '--frames', '1'], tty);
    expect(tty.shown.length).toBeGreaterThan(0);
    expect(tty.shown.at(-1)).toBe('');
    const noColor = stdinHost(bytes, true);
    await vmsim(['-', '--frames', '1'], noColor, { NO_COLOR: '1' });
    expect(noColor.shown).toEqual([]);
  });
});

describe('mistakes', () => {
  it('a malformed trace line is file:line: message, exit 2, no stack trace; --lenient skips and reports it', async () => {
    const file = join(dir, 'bad.lackey');
    writeFileSync(file, 'I  10,4\n L 20,4\n L zz,4\n S 30,4\n');
    const strict = await vmsim([file]);
    expect(strict.code).toBe(2);
    expect(strict.err).toEqual([`${file}:3: lackey: expected a hex address: " L zz,4"`]);
    expect(strict.out).toEqual([]);
    const lenient = await vmsim([file, '--lenient', '--frames', '2', '--policy', 'fifo', '--json']);
    expect(lenient.code).toBe(0);
    expect(lenient.err).toEqual([`${file}:3: skipped: lackey: expected a hex address`]);
    expect(json(lenient.out)[0]).toMatchObject({ references: 3 });
  });

  it.each([
    [[], /^vmsim trace: missing trace file/],
    [['a', 'b'], /^vmsim trace: expected one trace file/],
    [['x', '--bogus'], /^vmsim trace: unknown option --bogus/],
    [['x', '--policy', 'lru,nope'], /^vmsim trace: --policy: unknown policy "nope"/],
    [['x', '--frames', '0'], /^vmsim trace: --frames: 0 is outside 1\.\./],
    [['x', '--frames', '9-3'], /ends before it starts/],
    [['x', '--frames', 'abc'], /--frames: bad item "abc"/],
    [['x', '--page-size', '3000'], /--page-size: 3000 is not a power of two/],
    [['x', '--kinds', 'ILX'], /--kinds: expected letters from ILSM/],
    [['x', '--format', 'csv'], /--format: unknown format "csv"/],
    [['x', '--json', '--csv'], /--json and --csv: choose one/],
    [['x', '--jobs', '0'], /--jobs: 0 is outside 1\.\.256/],
  ])('%j', async (args, message) => {
    const { code, err, out } = await vmsim(args);
    expect(code).toBe(2);
    expect(err).toHaveLength(1);
    expect(err[0]).toMatch(message);
    expect(out).toEqual([]);
  });

  it('a missing file, bad gzip, an empty trace and a bad policy setting are one-line errors', async () => {
    const missing = await vmsim([join(dir, 'nope.gz')]);
    expect(missing).toMatchObject({ code: 2, err: [`vmsim trace: cannot read ${join(dir, 'nope.gz')}: no such file`] });
    const bad = join(dir, 'bad.gz');
    writeFileSync(bad, Buffer.from([0x1f, 0x8b, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]));
    const gz = await vmsim([bad]);
    expect(gz.code).toBe(2);
    expect(gz.err[0]).toMatch(/bad gzip data/);
    const empty = join(dir, 'empty.txt');
    writeFileSync(empty, '\n\n');
    expect((await vmsim([empty])).err[0]).toMatch(/no references/);
    const aging = await vmsim([FIXTURE, '--policy', 'aging', '--bits', '0']);
    expect(aging.code).toBe(2);
    expect(aging.err[0]).toMatch(/^vmsim trace: bits must be an integer in \[1, 32\]/);
  });

  it('--help prints the usage', async () => {
    const { code, out } = await vmsim(['--help']);
    expect(code).toBe(0);
    expect(out[0]).toMatch(/^Usage: vmsim trace/);
  });

  it('parseFrames: lists, ranges and steps, sorted without repeats', () => {
    expect(parseFrames('8,16, 4-6,32-40/4')).toEqual([4, 5, 6, 8, 16, 32, 36, 40]);
    expect(parseFrames('3,3,1')).toEqual([1, 3]);
  });
});
