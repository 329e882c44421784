// Test support (@vmsim/hw/testing): catching what a call throws and checking an HwArgumentError,
// shared by the package's tests and by the layers above.

import { expect } from 'vitest';
import { HwArgumentError } from '../errors.js';

/** What `fn` throws; fails the test if it returns instead. */
export function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to throw');
}

/** `fn` throws an HwArgumentError about `argument` (and, when given, with that `value`); returns the error. */
export function expectArgumentError(fn: () => unknown, argument: string, ...value: [value?: unknown]): HwArgumentError {
  const error = thrown(fn);
  expect(HwArgumentError.isInstance(error)).toBe(true);
  const e = error as HwArgumentError;
  expect(e.argument).toBe(argument);
  if (value.length > 0) expect(e.value).toBe(value[0]);
  return e;
}
