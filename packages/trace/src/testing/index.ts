// Test fixtures of @vmsim/trace for this package's and other packages' tests (the ./testing subpath, not published).
// true.lackey.gz: `valgrind --tool=lackey --trace-mem=yes --log-file=… /bin/true` (valgrind 3.19, x86-64 Linux),
// gzipped: the dynamic loader and libc start-up of a real program, 170,099 lines.

/** Where the fixture is (a file: URL, so the module itself stays browser-safe). */
export const TRUE_LACKEY_GZ = new URL('../../fixtures/true.lackey.gz', import.meta.url);

/** What an independent Python script (reading the uncompressed trace) counted in it, with 4 KiB pages. */
export const TRUE_LACKEY_FACTS = {
  lines: 170099,
  kinds: { I: 129989, L: 28315, S: 10266, M: 1504 },
  references: 170207,
  writes: 11770,
  distinctPages: 139,
  crossings: 133,
  /** [misses, writebacks] */
  fifo: { 8: [5119, 1123], 16: [2840, 595], 32: [768, 140] },
  lru: { 8: [4039, 616], 16: [2106, 296], 32: [469, 50] },
} as const;

/**
 * stride.lackey.gz: a static C program (fixtures/stride.c) that stores to, loads from and read-modify-writes 48
 * pages of an array, traced by lackey (fixtures/README.md says how): writes spread over many pages.
 */
export const STRIDE_LACKEY_GZ = new URL('../../fixtures/stride.lackey.gz', import.meta.url);
