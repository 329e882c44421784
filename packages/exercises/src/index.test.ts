import { describe, expect, it } from 'vitest';
import { PythonRandom } from './index.js';

describe('@vmsim/exercises', () => {
  it('re-exports the CPython generator its OSTEP generators draw from', () => {
    // python3 -c "import random; random.seed(0); print(repr(random.random()))"
    expect(new PythonRandom(0).random()).toBe(0.8444218515250481);
  });
});
