// @vmsim/hw/testing: fixtures for the tests of hw and of the layers above it: the canonical model list,
// the walker harness that checks referenceWalk (the reference model of the MMU) against Mmu, and assertion
// helpers. Needs vitest (an optional peer dependency); the main entry never imports this one.

export { expectArgumentError, thrown } from './argument-errors.js';
export { ASID_MODELS, levelSpan, MODELS, userEnd, withAsidBits, type TestModel } from './models.js';
export {
  access, ENGINES, entryAt, expectPa, firstDifference, MIB, refWalk, ROOT, walkHarness,
  type Engine, type WalkHarnessOptions, type World,
} from './walk-harness.js';
