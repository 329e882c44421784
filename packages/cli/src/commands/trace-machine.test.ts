// `vmsim trace --machine` in-process: on the committed /bin/true trace machine mode prints the counts page mode
// prints (and the independent script's), with `mode` and the kernel's figures added to JSON and CSV; worker
// threads give the same rows; a bad --hw, --backing or a page-mode-only option is a usage error, exit code 2.

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { STRIDE_LACKEY_GZ, TRUE_LACKEY_FACTS, TRUE_LACKEY_GZ } from '@vmsim/trace/testing';
import { main } from '../main.js';
import { fakeIo } from '../testing/fake-io.js';
import { MACHINE_CSV_HEADER } from './trace-machine.js';

const FIXTURE = fileURLToPath(TRUE_LACKEY_GZ);

async function vmsim(args: readonly string[]) {
  const io = { ...fakeIo(), env: {} };
  const code = await main(['trace', ...args], io);
  return { code, out: io.out, err: io.err };
}

function json(out: readonly string[]): Record<string, unknown>[] {
  return out.map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** The fields both modes must agree on. */
function counts(row: Record<string, unknown>) {
  return { policy: row.policy, frames: row.frames, references: row.references, hits: row.hits, misses: row.misses, writebacks: row.writebacks };
}

describe('vmsim trace --machine on a real lackey trace', () => {
  it('gives the script’s misses and writebacks, page mode’s fields first, then mode and the kernel figures', async () => {
    const { code, out, err } = await vmsim([FIXTURE, '--machine', '--policy', 'fifo,lru', '--frames', '8,16,32', '--json']);
    expect(err).toEqual([]);
    expect(code).toBe(0);
    const rows = json(out);
    expect(rows).toHaveLength(6);
    for (const row of rows) {
      expect(Object.keys(row).slice(0, 6)).toEqual(['policy', 'frames', 'references', 'hits', 'misses', 'writebacks']);
      const facts = TRUE_LACKEY_FACTS[row.policy as 'fifo' | 'lru'][row.frames as 8 | 16 | 32];
      expect([row.misses, row.writebacks]).toEqual(facts);
      expect(row.references).toBe(TRUE_LACKEY_FACTS.references);
      expect([row.mode, row.hw, row.backing]).toEqual(['machine', 'x86-32', 'file']);
      expect(row.majorFaults).toBe(row.misses);
      for (const field of ['minorFaults', 'tlbHits', 'tlbMisses', 'walks', 'pswpin', 'pswpout']) expect(typeof row[field]).toBe('number');
      expect((row.tlbHits as number) + (row.tlbMisses as number)).toBeGreaterThanOrEqual(TRUE_LACKEY_FACTS.references);
    }
  }, 60_000);

  it('opt and clock on sv39 agree with page mode row for row (CSV)', async () => {
    const args = [FIXTURE, '--policy', 'opt,clock', '--frames', '4,12,40', '--csv'];
    const page = await vmsim(args);
    const machine = await vmsim([...args, '--machine', '--hw', 'sv39']);
    expect(machine.code).toBe(0);
    expect(machine.out[0]).toBe(MACHINE_CSV_HEADER);
    const fields = (line: string) => line.split(',').slice(0, 6);
    expect(machine.out.slice(1).map(fields)).toEqual(page.out.slice(1).map(fields));
    expect(machine.out.slice(1).every((line) => line.includes(',machine,sv39,file,'))).toBe(true);
  }, 60_000);

  it('the table says which machine ran', async () => {
    const { code, out } = await vmsim([FIXTURE, '--machine', '--hw', 'x86-64', '--backing', 'anon', '--policy', 'lru', '--frames', '16']);
    expect(code).toBe(0);
    expect(out[1]).toBe('machine mode: one process on x86-64, anonymous memory with swap, reclaim at the frame count');
    expect(out[2]).toMatch(/^policy\s+frames\s+references/);
    expect(out[3]).toMatch(/^lru\s+16\s+170207\s/);
  });

  it('--jobs 2 gives the rows one thread gives', async () => {
    const args = [FIXTURE, '--machine', '--policy', 'fifo,clock', '--frames', '8,24', '--json'];
    const one = await vmsim(args);
    const two = await vmsim([...args, '--jobs', '2']);
    expect(two.code).toBe(0);
    const strip = (rows: Record<string, unknown>[]) => rows.map(({ refsPerSecond: _, ...rest }) => rest);
    expect(strip(json(two.out))).toEqual(strip(json(one.out)));
    expect(json(two.out).map(counts)).toHaveLength(4);
  }, 60_000);
});

describe('vmsim trace --machine usage errors', () => {
  it.each([
    [['--machine', '--hw', 'arm'], 'vmsim trace: --hw: unknown hardware model "arm" (expected x86-32, sv32, x86-64, sv39)'],
    [['--hw', 'sv39'], 'vmsim trace: --hw: needs --machine (page mode has no hardware)'],
    [['--backing', 'anon'], 'vmsim trace: --backing: needs --machine'],
    [['--machine', '--backing', 'disk'], 'vmsim trace: --backing: unknown backing "disk" (expected file or anon)'],
    [['--machine', '--page-size', '8K'], "vmsim trace: --page-size: --machine replays on x86-32's pages of 4096 bytes, not 8192"],
    [['--machine', '--mrc'], 'vmsim trace: --mrc: the one-pass curves are page mode only; with --machine give --frames (a range) instead'],
  ])('%j: one line, no file:line, exit code 2', async (args, message) => {
    const { code, out, err } = await vmsim([FIXTURE, ...args]);
    expect(code).toBe(2);
    expect(out).toEqual([]);
    expect(err).toEqual([message]);
  });

  it('--help lists the machine options', async () => {
    const { code, out } = await vmsim(['--help']);
    expect(code).toBe(0);
    for (const option of ['--machine', '--hw <model>', '--backing <b>']) expect(out.join('\n')).toContain(option);
  });
});

describe('the README', () => {
  it('shows what the machine-mode command prints (but the refs/s column)', async () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const section = readme.slice(readme.indexOf('## Trace replay in machine mode'));
    const command = /```sh\nvmsim trace (\S+) (.*)\n```/.exec(section)!;
    const shown = /```text\n([\s\S]*?)```/.exec(section)![1]!.trimEnd().split('\n');
    expect(command[1]).toBe('packages/trace/fixtures/stride.lackey.gz');
    const { code, out } = await vmsim([fileURLToPath(STRIDE_LACKEY_GZ), ...command[2]!.split(' ')]);
    expect(code).toBe(0);
    const cut = (line: string) => line.replace(/\S+:/, 'FILE:').replace(/\s+\S+$/, '');
    expect(out.slice(1).map(cut)).toEqual(shown.slice(1).map(cut));
    expect(cut(out[0]!)).toBe(cut(shown[0]!));
  }, 60_000);
});
