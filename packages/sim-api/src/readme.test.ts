import { readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import { fencedBlock, runExample } from './testing/readme-example.js';

// The README's example goes through the simulator's default sink, console.log, as its own lines do; so the
// example runs as written with the global console.log captured, which keeps both in one ordered stream.
describe('README', () => {
  it('runs the example and prints the output the README shows', async () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const code = fencedBlock(readme, '```ts');
    const shown = /It prints:\n\n```\n([\s\S]*?)```/.exec(readme)![1]!.trimEnd().split('\n');
    const lines: string[] = [];
    const log = vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
      lines.push(args.map(String).join(' '));
    });
    try {
      await runExample(code);
    } finally {
      log.mockRestore();
    }
    expect(lines).toEqual(shown);
  });
});
