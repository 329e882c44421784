// @vmsim/hw: physical RAM, paging hardware models, the MMU page walker and the TLB.

export {
  checkInteger, HwArgumentError, PhysicalAddressError, UnknownModelError, VmsimError, type ErrnoName,
} from './errors.js';
export { INITIAL_COMMIT_BYTES, MAX_RAM_BYTES, PhysicalMemory, type PhysicalMemoryOptions, type RamGrowthListener } from './physical-memory.js';
export {
  ACCESS_EXEC, ACCESS_NAMES, ACCESS_READ, ACCESS_WRITE, CTL_MXR, CTL_SUM, CTL_WP, FAULT_BUS, FAULT_NAMES,
  FAULT_NON_CANONICAL, FAULT_NONE, FAULT_NOT_PRESENT, FAULT_PROTECTION, FAULT_RESERVED, levelIndex, levelSpanShift,
  PTE_A, PTE_CD, PTE_D, PTE_G, PTE_PAT, PTE_R, PTE_SW0, PTE_SW1, PTE_SW2, PTE_SW_SHIFT, PTE_U, PTE_V, PTE_W, PTE_WT,
  PTE_X, checkModelOptions, toVa, validateModel, vaRange, vaToBigInt,
  type AccessKind, type FaultKind, type HardwareModel,
} from './model.js';
export {
  X86_A, X86_AVL_MASK, X86_AVL_SHIFT, X86_D, X86_G, X86_P, X86_PCD, X86_PDE_LARGE_PAT, X86_PDE_PS, X86_PTE_PAT, X86_PWT,
  X86_RW, X86_US,
} from './x86-common.js';
export { x86_32, X86_FRAME_MASK, X86_PDE_LARGE_RESERVED, type X86_32Options } from './x86-32.js';
export {
  riscvPermits, SV32_A, SV32_D, SV32_G, SV32_R, SV32_RSW_MASK, SV32_RSW_SHIFT, SV32_U, SV32_V, SV32_W, SV32_X,
} from './riscv-common.js';
export { sv32, SV32_PPN_SHIFT, SV32_SATP_MODE } from './sv32.js';
export {
  x86_64, X64_A, X64_AVL_SHIFT, X64_D, X64_G, X64_HI_PKEY_MASK, X64_HI_XD, X64_LARGE_PAT, X64_P, X64_PCD, X64_PS,
  X64_PTE_PAT, X64_PWT, X64_RW, X64_US, type X86_64Options,
} from './x86-64.js';
export {
  genericLevelNames, LEVEL_PAGE_DIRECTORY, LEVEL_PAGE_MIDDLE_DIRECTORY, LEVEL_PAGE_TABLE, LEVEL_PDPT, LEVEL_PML4, LEVEL_PML5,
  levelNames, type LevelName,
} from './level-names.js';
export { isModelName, MODEL_NAMES, modelByName, type ModelName, type ModelOptionsByName } from './registry.js';
export { sv39, SV39_HI_PPN_MASK, SV39_HI_RESERVED, SV39_PPN_SHIFT, SV39_SATP_MODE } from './sv39.js';
export { permBit, Tlb, TLB_VALID, type TlbConfig, type TlbEntry, type TlbGeometry } from './tlb.js';
export { referenceWalk, type WalkRequest, type WalkResult } from './walk.js';
export { Mmu, type MmuOptions } from './mmu.js';
export {
  entryPaIn, findEntry, mapPage, missingTables, POINTER_FLAGS, readEntry, writeEntry, type RawEntry,
} from './page-table.js';
export { levelSpans, visitPageTables, type PageTableVisitor } from './page-table-visitor.js';
export {
  checkPageTableFlags, formatPageTableFlags, PAGE_TABLE_FLAG_NAMES, packPageTableFlags, pageTableFlagsToPte, PageTableFlags,
  parsePageTableFlags, PT_ACCESSED, PT_ALL, PT_DIRTY, PT_GLOBAL, PT_HUGE, PT_NO_CACHE, PT_NO_EXECUTE, PT_PRESENT,
  PT_USER_ACCESSIBLE, PT_WRITABLE, PT_WRITE_THROUGH, unpackPageTableFlags, UnsupportedFlagError, type PageTableFlagName,
} from './pte-flags.js';
export {
  isSwapEntry, maxSwapSlots, notPresentSoftwareBits, supportsSwapEntries, swapEntryHi, swapEntryLo, swapEntrySlot,
  SWP_HI_SLOT_BITS, SWP_LO_SLOT_BITS, SWP_MARKER, SWP_SLOT_SHIFT, type NotPresentBits,
} from './swap-entry.js';
