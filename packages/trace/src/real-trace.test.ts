// Real lackey traces: the committed /bin/true trace against counts an independent Python script made from it,
// and a trace valgrind makes during the test run (a second real program) read completely.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { KIND_LETTERS, readPageTrace, TraceReader } from './index.js';
import { TRUE_LACKEY_FACTS, TRUE_LACKEY_GZ } from './testing/index.js';

function hasValgrind(): boolean {
  try {
    execFileSync('valgrind', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('the /bin/true lackey trace', () => {
  const text = gunzipSync(readFileSync(TRUE_LACKEY_GZ));

  it('every line is read: the kinds and line counts match', () => {
    const kinds = [0, 0, 0, 0];
    const reader = new TraceReader({
      onBatch: (b) => {
        for (let i = 0; i < b.count; i++) kinds[b.kind[i]!]!++;
      },
    });
    for (let at = 0; at < text.length; at += 65536) reader.push(text.subarray(at, at + 65536));
    reader.end();
    expect(reader.format).toBe('lackey');
    expect(reader.lines).toBe(TRUE_LACKEY_FACTS.lines);
    expect(reader.skipped).toBe(0);
    const expected = TRUE_LACKEY_FACTS.kinds;
    expect(Object.fromEntries([...KIND_LETTERS].map((k, i) => [k, kinds[i]]))).toEqual(expected);
  });

  it('the page stream has the references, writes, pages and crossings the script counted', () => {
    const t = readPageTrace(text);
    expect(t.pages.length).toBe(TRUE_LACKEY_FACTS.references);
    expect(t.writes.reduce((a, w) => a + w, 0)).toBe(TRUE_LACKEY_FACTS.writes);
    expect(t.pageCount).toBe(TRUE_LACKEY_FACTS.distinctPages);
    expect(t.crossings).toBe(TRUE_LACKEY_FACTS.crossings);
  });
});

describe.runIf(hasValgrind())('a trace valgrind makes now', () => {
  it('of /bin/echo reads completely, strict, with every record line counted', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vmsim-lackey-'));
    try {
      const log = join(dir, 'echo.lackey');
      execFileSync('valgrind', ['--tool=lackey', '--trace-mem=yes', `--log-file=${log}`, '/bin/echo', 'hello'], {
        stdio: 'ignore',
      });
      const text = readFileSync(log);
      const lines = text.toString('latin1').split('\n');
      const recordLines = lines.filter((l) => /^(I | [LSM] )/.test(l)).length;
      const t = readPageTrace(text, { kinds: 'ILSM' });
      expect(t.records).toBe(recordLines);
      expect(t.records).toBeGreaterThan(10000);
      expect(t.pages.length).toBe(t.records + t.crossings);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60000);
});
