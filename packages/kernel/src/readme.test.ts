import * as hw from '@vmsim/hw';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runReadmeExample } from '@vmsim/dev-util/readme';
import * as kernel from './index.js';

describe('README', () => {
  it('runs the example and prints the output the README shows', async () => {
    const readme = new URL('../README.md', import.meta.url).pathname;
    const lines = await runReadmeExample(readme, { '@vmsim/kernel': kernel, '@vmsim/hw': hw });
    const shown = /It prints:\n\n```\n([\s\S]*?)```/.exec(readFileSync(readme, 'utf8'))![1]!.trimEnd().split('\n');
    expect(lines).toEqual(shown);
  });
});
