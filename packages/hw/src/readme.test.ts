import { describe, expect, it } from 'vitest';
import { runReadmeExample } from '@vmsim/dev-util/readme';
import * as hw from './index.js';

describe('README', () => {
  it('runs the example and prints what its comments say', async () => {
    const lines = await runReadmeExample(new URL('../README.md', import.meta.url).pathname, { '@vmsim/hw': hw });
    expect(lines).toEqual(['cafe', 'cafe', '-1', '80001000 1']);
  });
});
