// @vmsim/kernel: a virtual-memory kernel over @vmsim/hw.

export {
  AlreadyMappedError, FrameStateError, InvalidAddressError, InvalidArgumentError, InvalidOptionError, KernelInvariantError,
  NoSuchProcessError, NotAlignedError, NotMappedError, OomKilledError, OutOfMemoryError, PermissionDeniedError, showValue, type Errno,
  AddressSpaceError, InvalidSizeError, MapCountError, NotPermittedError, OvercommitError,
  RegionNotFoundError,
} from './errors.js';
export {
  FRAME_DATA, FRAME_FREE, FRAME_KIND_NAMES, FRAME_RESERVED, FRAME_TABLE, FRAME_ZERO, FrameAllocator,
  type FrameAllocatorOptions, type FrameKind,
} from './mm/frame-allocator.js';
export {
  MAP_ANONYMOUS, MAP_FIXED, MAP_FIXED_NOREPLACE, MAP_GROWSDOWN, MAP_NORESERVE, MAP_POPULATE, MAP_PRIVATE, MAP_SHARED,
  MAP_SHARED_VALIDATE, PROT_EXEC, PROT_MASK, PROT_NONE, PROT_READ, PROT_WRITE, SharedAnon, VM_PFNMAP, VmaList,
  type Vma,
} from './mm/vma.js';
export {
  DEFAULT_MAX_MAP_COUNT, HEAP_START, MMAP_BASE, MMAP_MIN_ADDR, STACK_GUARD_GAP_PAGES, STACK_LIMIT, THP_ALIGN,
} from './mm/layout.js';
export { formatMapsLine, type MapsEntry, type RegionType } from './mm/maps.js';
export { AddressSpace, type Leaf } from './mm/address-space.js';
export { Process, type ProcessState } from './proc/process.js';
export type { SigInfo } from './proc/signal.js';
export type { FaultResolution, KernelEvent, KernelListener } from './events.js';
export {
  ERR_NO_PROCESS, ERR_OOM_KILLED, PG_COW_COPY, PG_COW_REUSE, PG_FILE_COPY, PG_FILE_MAP, PG_SHARED_MAP, PG_SHARED_WRITE, PG_SPURIOUS, PG_ZERO_FILL, PG_ZERO_MAP,
  SEGV_ACCERR,
  SEGV_MAPERR, VM_FAULT_OOM, VM_FAULT_SIGBUS,
} from './codes.js';
export { PTE_COW } from './fault/wp-page.js';
export type { KernelStats, ProcessStats } from './stats.js';
export type { KernelSnapshot } from './snapshot.js';
export {
  BadFileDescriptorError, BeyondEndOfFileError, FileAccessError, FileExistsError, NoSuchFileError, TooManyOpenFilesError,
  UnmappedRangeError,
} from './fs/errors.js';
export { MAX_OPEN_FILES, O_ACCMODE, O_CREAT, O_EXCL, O_RDONLY, O_RDWR, O_TRUNC, O_WRONLY, type FileStoreSnapshot } from './fs/file-store.js';
export type { FileRef } from './fs/mem-file.js';
export { DEFAULT_RAM_BYTES, Kernel, type KernelOptions, type Mapping } from './kernel.js';
export { PageTable, type PageTableMapping, type UnmapListener } from './pt/page-table.js';
export { PageTableManager, type PageTableManagerOptions, type TlbCounters } from './pt/page-table-manager.js';
export {
  areaContains, areaSize, formatArea, FrameInUseError, MemoryMapAlignmentError, MemoryMapOverlapError,
  MemoryMapSizeMismatchError, NOT_ALIGNED_MESSAGE, type MemoryArea, type VirtualMemoryMap,
} from './vmm/memory-map.js';
export { VirtualMemoryManager } from './vmm/virtual-memory-manager.js';
export { ReverseMap, type RmapEntry } from './mm/rmap.js';
export { SwapArea, SwapCache } from './mm/swap.js';
export { SwapSlotError } from './mm/swap-errors.js';
export { ReplacementPagePolicy, type NamedPolicyOptions, type PagePolicy } from './mm/page-policy.js';
export type { ReclaimOptions } from './mm/reclaim.js';
