// @vmsim/replacement: page-replacement policies as a library, and the seeded random generator they share.
export { AgingPolicy, type AgingOptions } from './aging.js';
export { ArcPolicy } from './arc.js';
export { ClockPolicy, type ClockOptions } from './clock.js';
export { createPolicy, isPolicyName, simulate, type CreatePolicyOptions } from './create.js';
export { ReplacementArgumentError, ReplacementError } from './errors.js';
export { FifoPolicy } from './fifo.js';
export { LfuPolicy } from './lfu.js';
export { LruPolicy } from './lru.js';
export { lruMissCurve, optMissCurve } from './mrc.js';
export { MruPolicy } from './mru.js';
export { NruPolicy, type NruOptions } from './nru.js';
export { OptPolicy, nextUses, type OptOptions } from './opt.js';
export { missRatioSpec, pointMissRatio, type MissRatioPoint, type MissRatioSpec } from './plot-spec.js';
export { OstepClockPolicy, type OstepClockOptions } from './ostep-clock.js';
export {
  POLICY_NAMES,
  ReplacementPolicy,
  type AccessedBits,
  type PolicyCounts,
  type PolicyName,
  type PolicyOptions,
} from './policy.js';
export { PythonRandom } from './python-random.js';
export { RandomPolicy, type RandomOptions } from './random.js';
export { WsclockPolicy, type WsclockOptions } from './wsclock.js';
