// @vmsim/hw: physical RAM, paging hardware models, the MMU page walker and the TLB.

export { checkInteger, HwArgumentError, PhysicalAddressError, VmsimError } from './errors.js';
export { MAX_RAM_BYTES, PhysicalMemory, type PhysicalMemoryOptions } from './physical-memory.js';
export {
  ACCESS_EXEC, ACCESS_NAMES, ACCESS_READ, ACCESS_WRITE, CTL_MXR, CTL_SUM, CTL_WP, FAULT_BUS, FAULT_NAMES, FAULT_NONE,
  FAULT_NOT_PRESENT, FAULT_PROTECTION, FAULT_RESERVED, levelIndex, levelSpanShift, PTE_A, PTE_CD, PTE_D, PTE_G,
  PTE_PAT, PTE_R, PTE_SW0, PTE_SW1, PTE_SW2, PTE_SW_SHIFT, PTE_U, PTE_V, PTE_W, PTE_WT, PTE_X, validateModel,
  type AccessKind, type FaultKind, type HardwareModel,
} from './model.js';
export {
  x86_32, X86_A, X86_AVL_MASK, X86_AVL_SHIFT, X86_D, X86_FRAME_MASK, X86_G, X86_P, X86_PCD, X86_PDE_LARGE_PAT,
  X86_PDE_LARGE_RESERVED, X86_PDE_PS, X86_PTE_PAT, X86_PWT, X86_RW, X86_US, type X86_32Options,
} from './x86-32.js';
export {
  sv32, SV32_A, SV32_D, SV32_G, SV32_PPN_SHIFT, SV32_R, SV32_RSW_MASK, SV32_RSW_SHIFT, SV32_SATP_MODE, SV32_U, SV32_V,
  SV32_W, SV32_X,
} from './sv32.js';
export { permBit, Tlb, TLB_VALID, type TlbConfig, type TlbEntry } from './tlb.js';
export { referenceWalk, type WalkRequest, type WalkResult } from './walk.js';
export { Mmu, type MmuOptions } from './mmu.js';
export {
  entryPaIn, findEntry, mapPage, missingTables, POINTER_FLAGS, readEntry, writeEntry, type RawEntry,
} from './page-table.js';
