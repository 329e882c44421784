// @vmsim/kernel: a virtual-memory kernel over @vmsim/hw.

export {
  AlreadyMappedError, FrameStateError, InvalidAddressError, InvalidArgumentError, InvalidOptionError, KernelInvariantError,
  NoSuchProcessError, NotAlignedError, NotMappedError, OutOfMemoryError, PermissionDeniedError, showValue, type Errno,
} from './errors.js';
export {
  FRAME_DATA, FRAME_FREE, FRAME_KIND_NAMES, FRAME_RESERVED, FRAME_TABLE, FRAME_ZERO, FrameAllocator,
  type FrameAllocatorOptions, type FrameKind,
} from './mm/frame-allocator.js';
export {
  MAP_ANONYMOUS, MAP_PRIVATE, MAP_SHARED, PROT_EXEC, PROT_NONE, PROT_READ, PROT_WRITE, VM_PFNMAP, VmaList, type Vma,
} from './mm/vma.js';
export { AddressSpace, type Leaf } from './mm/address-space.js';
export { Process, type ProcessState } from './proc/process.js';
export type { FaultResolution, KernelEvent, KernelListener } from './events.js';
export {
  ERR_NO_PROCESS, PG_COW_COPY, PG_COW_REUSE, PG_SHARED_WRITE, PG_SPURIOUS, PG_ZERO_FILL, PG_ZERO_MAP, SEGV_ACCERR,
  SEGV_MAPERR, VM_FAULT_OOM, VM_FAULT_SIGBUS,
} from './codes.js';
export { PTE_COW } from './fault/wp-page.js';
export type { KernelStats, ProcessStats } from './stats.js';
export type { KernelSnapshot } from './snapshot.js';
export { DEFAULT_RAM_BYTES, Kernel, type KernelOptions, type Mapping } from './kernel.js';
export { PageTable, type PageTableMapping, type UnmapListener } from './pt/page-table.js';
export { PageTableManager, type PageTableManagerOptions, type TlbCounters } from './pt/page-table-manager.js';
export {
  areaContains, areaSize, formatArea, FrameInUseError, MemoryMapAlignmentError, MemoryMapOverlapError,
  MemoryMapSizeMismatchError, NOT_ALIGNED_MESSAGE, type MemoryArea, type VirtualMemoryMap,
} from './vmm/memory-map.js';
export { VirtualMemoryManager } from './vmm/virtual-memory-manager.js';
