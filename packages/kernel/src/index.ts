// @vmsim/kernel: a virtual-memory kernel over @vmsim/hw.

export {
  AlreadyMappedError, FrameStateError, InvalidAddressError, InvalidArgumentError, KernelInvariantError,
  NoSuchProcessError, NotAlignedError, NotMappedError, OutOfMemoryError, PermissionDeniedError,
} from './errors.js';
export {
  FRAME_DATA, FRAME_FREE, FRAME_KIND_NAMES, FRAME_TABLE, FRAME_ZERO, FrameAllocator,
  type FrameAllocatorOptions, type FrameKind,
} from './frame-allocator.js';
export { MAP_ANONYMOUS, MAP_PRIVATE, MAP_SHARED, PROT_EXEC, PROT_NONE, PROT_READ, PROT_WRITE, VmaList, type Vma } from './vma.js';
export { AddressSpace, type Leaf } from './address-space.js';
export { Process, type ProcessState } from './process.js';
export type { FaultResolution, KernelEvent, KernelListener } from './events.js';
export {
  DEFAULT_RAM_BYTES, ERR_NO_PROCESS, Kernel, PTE_COW, SEGV_ACCERR, SEGV_MAPERR, VM_FAULT_COW_COPY, VM_FAULT_COW_REUSE,
  VM_FAULT_DEMAND_ZERO, VM_FAULT_OOM, VM_FAULT_SIGBUS, VM_FAULT_SPURIOUS, VM_FAULT_ZERO_FILL,
  type KernelOptions, type KernelSnapshot, type KernelStats, type Mapping, type ProcessStats,
} from './kernel.js';
