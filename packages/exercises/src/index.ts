// @vmsim/exercises: seeded, reproducible exercises with answer keys (OSTEP's VM homework, and problems on real
// hardware models). Browser-safe: no Node APIs.
export { PythonRandom } from '@vmsim/replacement';
