// The codes of the fault handler and of the user access path, named after what happened. A resolved fault
// gives a positive code named after its counter (PGZERO-like: vmsim's own, since Linux's VM_FAULT_* are
// failure/status bits); an unresolved one gives a negative code, like the signal a real kernel would send.

/** A write to a page with no entry (or mapped to the zero page): a zeroed frame of its own (PGZERO). */
export const PG_ZERO_FILL = 1;
/** A write to a shared frame of a private mapping: the page was copied (PGCOPY). */
export const PG_COW_COPY = 2;
/** A write to a copy-on-write page of which this was the last sharer: made writable in place (PGREUSE). */
export const PG_COW_REUSE = 3;
/** A read of a page with no entry: mapped to the shared zero page, nothing allocated. */
export const PG_ZERO_MAP = 4;
/** The tables already allowed the access (a stale TLB entry); the entry was flushed. */
export const PG_SPURIOUS = 5;
/** A write to a read-only entry of a shared mapping: made writable in place, no copy. */
export const PG_SHARED_WRITE = 6;
/** A fault in a file region mapped the page cache's frame of the page (read in first if not cached). */
export const PG_FILE_MAP = 7;
/** A write fault in a private file region: a frame of its own holding a copy of the file's page. */
export const PG_FILE_COPY = 8;

/** A fault on a shared page another mapper already brought in (a shared anonymous object's frame): mapped, nothing allocated. */
export const PG_SHARED_MAP = 7;
/** No region covers the address (SIGSEGV, SEGV_MAPERR); also an address that is not a number at all. */
/** A swap entry: the page read back from its slot or taken from the swap cache (a major fault). */
export const PG_SWAP_IN = 9;

export const SEGV_MAPERR = -1;
/** The region's protection does not allow the access (SIGSEGV, SEGV_ACCERR). */
export const SEGV_ACCERR = -2;
/** No free frame: nothing changed. */
export const VM_FAULT_OOM = -3;
/** The hardware reported something the kernel cannot fix (a malformed entry, a bad frame): SIGBUS. */
export const VM_FAULT_SIGBUS = -4;
/** No process is running. */
export const ERR_NO_PROCESS = -5;
/**
 * Reclaim could not free a frame for the fault and the OOM killer killed the faulting process itself
 * (mm/reclaim.ts): the access did not happen, and the process is gone (no process runs any more).
 */
export const ERR_OOM_KILLED = -6;

/** The kernel retries an access at most this many times, resolving one fault each time. */
export const MAX_FAULT_RETRIES = 8;

export const ACCESS_LABELS = ['read', 'write', 'execute'] as const;
