// The scenario language's entry (@vmsim/sim-api/script): what it exports, and that it stays browser-safe,
// since the web app runs it in the page.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as script from './index.js';

describe('@vmsim/sim-api/script', () => {
  it('exports the reader, the session and its helpers', () => {
    for (const name of ['ScriptReader', 'Session', 'ScriptError', 'UsageError', 'COMMAND_HELP', 'TYPES', 'formatStats', 'parseRange', 'parseSize', 'quote', 'shorten', 'stripComment', 'words', 'compileExpression', 'evaluateExpression']) {
      expect(script, name).toHaveProperty(name);
    }
  });

  it('runs a script on a session, as the cli and the web app do', () => {
    const lines: string[] = [];
    const session = new script.Session({ model: 'sv39', ramBytes: undefined, verbose: false, printer: { json: false, line: (t) => lines.push(t), record: () => {} } });
    const reader = new script.ScriptReader((text) => session.execute(text));
    for (const [i, text] of ['ptr a', 'register a', 'repeat 3', 'write a unsigned {i + 40}', 'end', 'read a unsigned a is'].entries()) reader.feed({ line: i + 1, text });
    reader.finish();
    expect(lines).toEqual(['a is: 42']);
  });

  it('uses no Node API outside tests, and opens every file with a line on what it models', () => {
    const dir = new URL('./', import.meta.url);
    const sources = readdirSync(dir).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));
    expect(sources.length).toBeGreaterThanOrEqual(6);
    for (const file of sources) {
      const text = readFileSync(new URL(file, dir), 'utf8');
      expect(text, file).toMatch(/^\/\/ \S/);
      expect(text, file).not.toMatch(/from '(node:|fs|path|url|util|os|process)/);
      expect(text, file).not.toMatch(/\bprocess\.(argv|env|exit|std|cwd|platform|version)|\bBuffer\.|\brequire\(/);
    }
  });
});
