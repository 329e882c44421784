// @vmsim/sim-api: the friendly API of rust-vmem (Simulator, Pointer, ValueType, DataType) on @vmsim/kernel.

export { MODEL_NAMES, Simulator, type ModelName, type ProcessInfo, type SimulatorOptions, type SimulatorReclaimOptions } from './simulator.js';
export { ADDRESS_LIMIT, KERNBASE, Pointer, POINTER_LIMIT } from './pointer.js';
export { I64_MAX, I64_MIN, SIZE_OF_VALUE_TYPE, U64_MAX, ValueType, type ValueKind } from './value-type.js';
export { DataType, type DataKind } from './data-type.js';
export { dumpLines, dumpProcess, levelNames, type LevelName } from './dump.js';
export * as messages from './messages.js';
export type { LineWriter, OutputSink } from './messages.js';
export { BufferedWriter } from './buffered-writer.js';
export * as pageTables from './page-tables.js';
export {
  MemoryManager, MmapFlags, ProtectionFlags, type MemoryStats, type VmError, type VmErrorKind, type VmResult,
} from './memory-manager.js';
export {
  InvalidArgumentError, InvalidOptionError, InvalidPointerError, InvalidValueError, TraceReplayError, VmsimError, type ErrnoName,
} from './errors.js';
// The kernel's statistics and event types, as `Simulator.stats()` and `sim.kernel.on` hand them out, so that
// a consumer of this package (the CLI) needs no other.
export type { FaultResolution, KernelEvent, KernelListener, KernelStats, MapsEntry, ProcessStats, RegionType, SigInfo } from '@vmsim/kernel';
// The file store (files.ts) and the kernel's file errors.
export { Files, OpenFlags, type OpenMode } from './files.js';
export {
  BadFileDescriptorError, BeyondEndOfFileError, FileAccessError, FileExistsError, NoSuchFileError, TooManyOpenFilesError,
  UnmappedRangeError,
} from '@vmsim/kernel';
// Machine-mode trace replay: a page stream as real loads and stores under the kernel's reclaim.
export {
  MachineReplay, REPLAY_BACKINGS, replayMachine, type MachineReplayOptions, type MachineReplayResult, type ReplayBacking, type ReplayTrace,
} from './trace-replay.js';
