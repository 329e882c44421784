import { readFileSync } from 'node:fs';
import { transformSync } from 'esbuild';
import { describe, expect, it, vi } from 'vitest';
import * as api from './index.js';

// The README's example goes through the simulator's default sink, console.log, as its own lines do; so the
// example runs as written with the global console.log captured, which keeps both in one ordered stream.
describe('README', () => {
  it('runs the example and prints the output the README shows', async () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const code = /```ts\n([\s\S]*?)```/.exec(readme)![1]!;
    const shown = /It prints:\n\n```\n([\s\S]*?)```/.exec(readme)![1]!.trimEnd().split('\n');
    const source = code.replace(/^import \{([^}]*)\} from '@vmsim\/sim-api';$/m, 'const {$1} = __api;');
    expect(source).not.toBe(code);
    const js = transformSync(source, { loader: 'ts' }).code;
    const lines: string[] = [];
    const log = vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
      lines.push(args.map(String).join(' '));
    });
    try {
      const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor as new (...args: string[]) => (api: unknown) => Promise<void>;
      await new AsyncFunction('__api', js)(api);
    } finally {
      log.mockRestore();
    }
    expect(lines).toEqual(shown);
  });
});
