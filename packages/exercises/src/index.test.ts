import { describe, expect, it } from 'vitest';
import { PythonRandom } from './index.js';

describe('@vmsim/exercises', () => {
  it('re-exports the CPython generator its OSTEP generators draw from', () => {
    // python3 -c "import random; random.seed(0); print(repr(random.random()))"
    expect(new PythonRandom(0).random()).toBe(0.8444218515250481);
  });
});

describe('browser safety', () => {
  it('no source file outside the tests imports a Node built-in', async () => {
    const { readdirSync, readFileSync } = await import('node:fs');
    const root = new URL('./', import.meta.url);
    const files = readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));
    expect(files.length).toBeGreaterThan(10);
    for (const file of files) {
      const text = readFileSync(new URL(file, root), 'utf8');
      expect(text, file).not.toMatch(/from '(node:|fs|path|crypto|os|util)/);
      expect(text, file).not.toMatch(/\bprocess\.(env|argv|exit|stdout|stderr|cwd)\b/);
    }
  });
});
