// @vmsim/kernel/testing: fixtures for the tests of the kernel and of the layers above it: the model list
// (from @vmsim/hw/testing) with page-table counts, the reference model of user memory for property tests,
// and assertion helpers. Needs vitest (an optional peer dependency); the main entry never imports this one.

export { caught, expectSameSnapshot } from './assertions.js';
export {
  ASID_MODELS, lastTableSpan, levelSpan, MODELS, newTablesFor, tablesFor, userEnd, withAsidBits, type TestModel,
} from './models.js';
export { ReferenceModel } from './reference-model.js';
