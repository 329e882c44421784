// --json: one JSON object per stdout line for every message and result, with stable field names. Every line
// is parsed back with JSON.parse and compared as a whole record, so a renamed or extra field fails here.

import { describe, expect, it } from 'vitest';
import { REPL_HELP } from './commands/repl.js';
import { runMain, runRepl, runText, SCRIPT } from './testing/fake-io.js';

type JsonRecord = Record<string, unknown> & { type: string };

/** Parses every stdout line; fails the test on a line that is not a JSON object. */
function parse(lines: readonly string[]): JsonRecord[] {
  return lines.map((line) => {
    const value: unknown = JSON.parse(line);
    expect(typeof value === 'object' && value !== null && !Array.isArray(value)).toBe(true);
    expect(typeof (value as JsonRecord).type).toBe('string');
    return value as JsonRecord;
  });
}

async function json(script: readonly string[], options: readonly string[] = []): Promise<{ code: number; records: JsonRecord[]; err: string[] }> {
  const { code, out, err } = await runText(script, ['--json', ...options]);
  return { code, records: parse(out), err };
}

describe('--json', () => {
  it('message records: the simulator messages, text exactly as sim-api prints it', async () => {
    const { code, records, err } = await json(['ptr x', 'register x', 'register x', 'write x 1', 'fork', 'write x 2', 'write 0x90000000 u8 1', 'switch 7'], ['--verbose']);
    expect(err).toEqual([]);
    expect(code).toBe(0);
    expect(records).toEqual([
      { type: 'message', text: 'Mapping already registered for 0x80000000.' },
      { type: 'message', text: 'PGZERO: 0x0' },
      { type: 'message', text: 'PGCOPY: 0x0' },
      { type: 'message', text: 'Invalid address 0x90000000' },
      { type: 'message', text: 'Cannot switch to process 7: expected an index from 0 to 1; nothing changed' },
    ]);
  });

  it('read records: target, address, dataType, label and the value as a decimal string', async () => {
    const { records } = await json([
      'ptr x', 'ptr y signed', 'register x',
      'write x 18446744073709551615', 'read x',
      'write y -9223372036854775808', 'read y signed Value of y',
      'read 0x80000000 u64',
      'write x f64 0.5', 'read x f64 half',
      'write x u8 7', 'read 2147483648 u8',
    ]);
    expect(records).toEqual([
      { type: 'read', target: 'x', address: '0x80000000', dataType: 'unsigned', label: 'x', value: '18446744073709551615' },
      { type: 'read', target: 'y', address: '0x80000010', dataType: 'signed', label: 'Value of y', value: '-9223372036854775808' },
      { type: 'read', target: '0x80000000', address: '0x80000000', dataType: 'unsigned', label: '0x80000000', value: '18446744073709551615' },
      { type: 'read', target: 'x', address: '0x80000000', dataType: 'f64', label: 'half', value: '0.5' },
      { type: 'read', target: '2147483648', address: '0x80000000', dataType: 'u8', label: '2147483648', value: '7' },
    ]);
  });

  it('read records of addresses above 2^32 (--hw x86-64) carry the full address; stats records the levels', async () => {
    const { code, records, err } = await json(['register 0x7f0000000010', 'write 0x7f0000000010 u16 513', 'read 0x7f0000000010 u16 high', 'stats'], ['--hw', 'x86-64']);
    expect(err).toEqual([]);
    expect(code).toBe(0);
    expect(records[0]).toEqual({ type: 'read', target: '0x7f0000000010', address: '0x7f0000000010', dataType: 'u16', label: 'high', value: '513' });
    expect(records[1]).toMatchObject({ type: 'stats', stats: { model: 'x86-64', levels: 4, frames: { pageTables: 4 } } });
  });

  it('a failed read: the message, then a read record with value null', async () => {
    const { records } = await json(['ptr x', 'read x'], []);
    expect(records).toEqual([
      { type: 'message', text: 'Invalid address 0x80000000' },
      { type: 'read', target: 'x', address: '0x80000000', dataType: 'unsigned', label: 'x', value: null },
    ]);
  });

  it('the value of a read inside a repeat block has its {expressions} evaluated', async () => {
    const { records } = await json(['ptr x', 'register x', 'repeat 2', '  write x {i + 1}', '  read x unsigned x{i}', 'end']);
    expect(records.map((r) => [r.label, r.value])).toEqual([['x0', '1'], ['x1', '2']]);
  });

  it('stats records: {type, stats} with the kernel statistics', async () => {
    const { records } = await json(['ptr x', 'register x', 'write x 1', 'fork', 'stats']);
    expect(records).toHaveLength(1);
    const [record] = records;
    expect(Object.keys(record!).sort()).toEqual(['stats', 'type']);
    expect(record!.type).toBe('stats');
    const stats = record!.stats as Record<string, unknown>;
    expect(stats).toMatchObject({
      model: 'x86-32',
      levels: 2,
      pageSize: 4096,
      frames: { total: 262144, used: 6, free: 262138, pageTables: 4, data: 1, zero: 1 },
      faults: { zeroFill: 1, cowCopy: 0, cowReuse: 0, zeroMap: 0, segfault: 0, oom: 0 },
      tlb: { entries: 64 },
      processes: [
        { pid: 0, parentPid: -1, state: 'sleeping', resident: 1, shared: 1, zeroMapped: 0, pageTables: 2 },
        { pid: 1, parentPid: 0, state: 'running', resident: 1, shared: 1, zeroMapped: 0, pageTables: 2 },
      ],
    });
    for (const key of ['hits', 'misses', 'flushes']) expect(typeof (stats.tlb as Record<string, unknown>)[key]).toBe('number');
  });

  it('--stats adds a stats record at the end', async () => {
    const { records } = await json(['echo hi'], ['--stats']);
    expect(records.map((r) => r.type)).toEqual(['echo', 'stats']);
  });

  it('dump records: {type, lines}, the same lines as the text dump', async () => {
    const script = ['ptr x', 'register x', 'write x 5', 'dump'];
    const { records } = await json(script);
    const text = await runText(script);
    expect(records).toEqual([{ type: 'dump', lines: text.out }]);
    expect(text.out).toContain('Word #0: 0x5');
  });

  it('echo records: {type, text}', async () => {
    const { records } = await json(['echo hello "world" {x}', 'echo']);
    expect(records).toEqual([{ type: 'echo', text: 'hello "world" {x}' }, { type: 'echo', text: '' }]);
  });

  it('error records: {type, file, line, message} on stdout, the usual line on stderr, exit code 2', async () => {
    const { code, records, err } = await json(['echo before', 'ptr x', 'write x u8 999', 'echo after']);
    expect(code).toBe(2);
    expect(err).toEqual([`${SCRIPT}:3: write: u8 value 999 is out of range (0 to 255)`]);
    expect(records).toEqual([
      { type: 'echo', text: 'before' },
      { type: 'error', file: SCRIPT, line: 3, message: 'write: u8 value 999 is out of range (0 to 255)' },
    ]);
  });

  it('records come in the order things happened', async () => {
    const { records } = await json(['echo 1', 'ptr x', 'register x', 'register x', 'read x', 'echo 2'], []);
    expect(records.map((r) => r.type)).toEqual(['echo', 'message', 'read', 'echo']);
  });

  it('usage errors are not records: stderr only', async () => {
    const { code, out, err } = await runMain(['--json', 'run', 'missing.vmsim']);
    expect(code).toBe(2);
    expect(out).toEqual([]);
    expect(err).toEqual(['vmsim: cannot read missing.vmsim: no such file']);
  });

  it('the seed README example as JSON', async () => {
    const { records } = await json(['ptr x', 'ptr y', 'register x', 'write x 5', 'read x unsigned Value of x', 'register y', 'write y 6', 'read y unsigned Value of y']);
    expect(records).toEqual([
      { type: 'read', target: 'x', address: '0x80000000', dataType: 'unsigned', label: 'Value of x', value: '5' },
      { type: 'message', text: 'Mapping already registered for 0x80000010.' },
      { type: 'read', target: 'y', address: '0x80000010', dataType: 'unsigned', label: 'Value of y', value: '6' },
    ]);
  });
});

describe('--json in the REPL', () => {
  it('every stdout line is a record: help, history, results and errors', async () => {
    const { code, out, err } = await runRepl(['help', 'ptr x', 'register x', 'read x', 'nope', 'history', 'exit'], ['--json']);
    expect(code).toBe(0);
    expect(err).toEqual(['<repl>:5: unknown command "nope" (try help)']);
    expect(parse(out)).toEqual([
      { type: 'help', lines: [...REPL_HELP] },
      { type: 'read', target: 'x', address: '0x80000000', dataType: 'unsigned', label: 'x', value: '0' },
      { type: 'error', file: '<repl>', line: 5, message: 'unknown command "nope" (try help)' },
      { type: 'history', commands: ['ptr x', 'register x', 'read x', 'nope'] },
    ]);
  });

  it('no banner on a terminal, so stdout stays JSON', async () => {
    const { out } = await runRepl(['echo hi'], ['--json'], true);
    expect(parse(out)).toEqual([{ type: 'echo', text: 'hi' }]);
  });
});
