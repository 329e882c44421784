// The file commands through main(['run', file]) with a fake Io: file create|write|read|truncate|list, open,
// close, msync; refusals printed as answers (`open → ENOENT (…)`) while the script goes on; mistakes in a
// command are script errors (exit code 2).

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { showBytes } from '@vmsim/sim-api/script';
import { runText } from './testing/fake-io.js';

async function ok(script: readonly string[], options: readonly string[] = []): Promise<string[]> {
  const { code, out, err } = await runText(script, options);
  expect(err).toEqual([]);
  expect(code).toBe(0);
  return out;
}

describe('file commands', () => {
  it('create, write, read, truncate and list files by name', async () => {
    expect(await ok([
      'file create notes hello world',
      'file read notes 0 100',
      'file write notes 6 there, "you"',
      'file read notes 0 100',
      'file truncate notes 5',
      'file read notes 0 100',
      'file create empty',
      'file list',
    ])).toEqual([
      'notes[0..11]: "hello world"',
      'notes[0..18]: "hello there, \\"you\\""',
      'notes[0..5]: "hello"',
      'empty: 0 bytes, 0 cached pages, 0 open',
      'notes: 5 bytes, 0 cached pages, 0 open',
    ]);
  });

  it('open prints the descriptor; descriptors read and write; close frees the number', async () => {
    expect(await ok([
      'file create f abc',
      'open f r',
      'open f rw',
      'file write 1 3 def',
      'file read 0 0 10',
      'close 0',
      'open f w',
      'open g rw create',
      'file list',
    ])).toEqual([
      'open f → fd 0',
      'open f → fd 1',
      '0[0..6]: "abcdef"',
      'open f → fd 0',
      'open g → fd 2',
      'f: 6 bytes, 0 cached pages, 2 open',
      'g: 0 bytes, 0 cached pages, 1 open',
    ]);
  });

  it('refusals are answers with their errno, and the script goes on', async () => {
    const out = await ok([
      'open missing r',
      'file create f',
      'file create f',
      'close 5',
      'open f r',
      'file write 0 0 x',
      'open f rw excl create',
      'msync 0x1000 4096',
      'msync 0x1001 1',
      'file read nope 0 1',
      'echo still running',
    ]);
    expect(out).toEqual([
      'open → ENOENT (no such file: "missing")',
      'file create → EEXIST (file exists: "f")',
      'close → EBADF (process 0: bad file descriptor 5: not an open descriptor)',
      'open f → fd 0',
      'file write → EBADF (process 0: bad file descriptor 0: not open for writing)',
      'open → EEXIST (file exists: "f")',
      'msync → ENOMEM (msync: process 0: address 0x1000 is not mapped)',
      'msync → EINVAL (address 0x1001 is not aligned to 4096 bytes)',
      'file read → ENOENT (no such file: "nope")',
      'still running',
    ]);
  });

  it('msync of a registered (anonymous) page succeeds and prints nothing', async () => {
    expect(await ok(['ptr x', 'register x', 'write x 5', 'msync 0x80000000 4096', 'read x'])).toEqual(['x: 5']);
  });

  it('mistakes in the command are script errors', async () => {
    for (const [line, message] of [
      ['open f', 'open: missing argument (expected open <name> <r|w|rw> [create|excl|trunc]...)'],
      ['open f x', 'open: expected r, w or rw, not "x"'],
      ['open f r often', 'open: expected create, excl or trunc, not "often"'],
      ['file', 'file: expected create, write, read, truncate or list'],
      ['file erase f', 'file: expected create, write, read, truncate or list, not "erase"'],
      ['file read f 0', 'file read: missing argument (expected file read <name|fd> <off> <len>)'],
      ['file read f -1 3', 'file read offset -1 is out of range (0 to 1073741824)'],
      ['close', 'close: missing argument (expected close <fd>)'],
      ['msync 0x1000', 'msync: missing argument (expected msync <addr> <len>)'],
    ] as const) {
      const { code, err } = await runText([line]);
      expect(code).toBe(2);
      expect(err).toEqual([`test.vmsim:1: ${message}`]);
    }
  });

  it('--json: one record per answer', async () => {
    const out = await ok(['file create f hi', 'open f r', 'file read 0 0 2', 'close 9', 'file list'], ['--json']);
    expect(out.map((line) => JSON.parse(line))).toEqual([
      { type: 'call', command: 'open', ok: true, name: 'f', fd: 0 },
      { type: 'file-read', target: '0', offset: 0, length: 2, bytes: [104, 105] },
      { type: 'call', command: 'close', ok: false, errno: 'EBADF', message: 'process 0: bad file descriptor 9: not an open descriptor' },
      { type: 'files', files: [{ name: 'f', size: 2, cachedPages: 0, opens: 1 }] },
    ]);
  });

  it('showBytes escapes quotes, backslashes and unprintable bytes', () => {
    expect(showBytes(new Uint8Array([0x41, 0x22, 0x5c, 0x00, 0x0a, 0x7f, 0xff]))).toBe('"A\\"\\\\\\x00\\x0a\\x7f\\xff"');
  });
});

describe('examples/files.vmsim', () => {
  it('prints what its comments say', async () => {
    const script = readFileSync(fileURLToPath(new URL('../../../examples/files.vmsim', import.meta.url)), 'utf8').split('\n');
    expect(await ok(script)).toEqual([
      'open notes → fd 0',
      '0[0..12]: "hello, world"',
      'notes[0..12]: "hello, there"',
      '0[0..5]: "hello"',
      'file read → EBADF (process 1: bad file descriptor 0: not an open descriptor)',
      '0[0..5]: "hello"',
      'open → ENOENT (no such file: "missing")',
      'notes: 5 bytes, 0 cached pages, 1 open',
    ]);
  });
});
