// The README's example runs, and prints what the README shows.

import { readFileSync } from 'node:fs';
import { runReadmeExample } from '@vmsim/dev-util/readme';
import { expect, it } from 'vitest';
import * as replacement from './index.js';

it('the README example prints what the README shows', async () => {
  const path = new URL('../README.md', import.meta.url);
  const lines = await runReadmeExample(path.pathname, { '@vmsim/replacement': replacement });
  const shown = /prints\n\n```\n([\s\S]*?)```/.exec(readFileSync(path, 'utf8'))![1]!;
  expect(lines.join('\n') + '\n').toBe(shown);
});
