// @vmsim/replacement: page-replacement policies as a library, and the seeded random generator they share.
export { ReplacementArgumentError, ReplacementError } from './errors.js';
export { PythonRandom } from './python-random.js';
