// The default user address-space layout, the same on every model (seed 003's drawing; Linux's names):
//   0 … MMAP_MIN_ADDR          never mapped (the NULL page and the rest of vm.mmap_min_addr)
//   HEAP_START (0x1000_0000)   the heap: brk starts here and grows up
//   … MMAP_BASE (0x8000_0000)  the mmap area: mappings without a hint go top-down below MMAP_BASE
//   MMAP_BASE …                rust-vmem's register area (sim-api's Pointer counter starts there)
//   … top of user space        the stack region, growing down (x86-32, Sv32: 4 GiB; Sv39: 2^38; x86-64: 2^47)

/** The lowest address a mapping may take: max(vm.mmap_min_addr, CONFIG_LSM_MMAP_MIN_ADDR) = 64 KiB as measured. */
export const MMAP_MIN_ADDR = 0x10000;
/** Where the program break starts (the page after a program's data in a real process). */
export const HEAP_START = 0x1000_0000;
/** The top of the mmap area: top-down placement searches below it (Linux's mm->mmap_base). */
export const MMAP_BASE = 0x8000_0000;
/** vm.max_map_count's default: USHRT_MAX − 5. */
export const DEFAULT_MAX_MAP_COUNT = 65530;
/** RLIMIT_STACK's default soft limit: 8 MiB. */
export const STACK_LIMIT = 8 * 1024 * 1024;
/** Linux's stack_guard_gap: 256 pages kept free below a stack region. */
export const STACK_GUARD_GAP_PAGES = 256;
/** The alignment of NULL-hint private anonymous mappings whose length is a multiple of it (THP; 64-bit models). */
export const THP_ALIGN = 2 * 1024 * 1024;
