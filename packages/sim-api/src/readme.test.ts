import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fencedBlock, runExampleLogged } from './testing/readme-example.js';

// The README's example goes through the simulator's default sink, console.log, as its own lines do; so the
// example runs as written with the global console.log captured, which keeps both in one ordered stream.
describe('README', () => {
  it('runs the example and prints the output the README shows', async () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const code = fencedBlock(readme, '```ts');
    const shown = /It prints:\n\n```\n([\s\S]*?)```/.exec(readme)![1]!.trimEnd().split('\n');
    expect(await runExampleLogged(code)).toEqual(shown);
  });
});
