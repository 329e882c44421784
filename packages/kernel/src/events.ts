// The kernel's event stream: what happened, in order, for loggers and visualisers. Events are built only
// when someone listens, so an unobserved kernel pays one length check per event site.

/**
 * How a fault ended: resolved ('zero-fill', 'zero-map', 'cow-copy', 'cow-reuse', 'shared-write',
 * 'spurious', 'shared-map', 'file-map', 'file-copy', one per PG_* code) or not ('segv', 'sigbus', 'oom').
 */
export type FaultResolution =
  | 'swap-in'
  | 'zero-fill' | 'zero-map' | 'cow-copy' | 'cow-reuse' | 'shared-write' | 'spurious' | 'shared-map' | 'segv' | 'sigbus' | 'oom'
  | 'file-map' | 'file-copy';

export type KernelEvent =
  | {
    readonly type: 'fault'; readonly pid: number;
    /** The faulting address; NaN when the access path was given something that is not a number. */
    readonly va: number;
    readonly access: 'read' | 'write' | 'execute'; readonly resolution: FaultResolution;
  }
  | { readonly type: 'alloc'; readonly pfn: number; readonly kind: 'data' | 'table' | 'zero' }
  | { readonly type: 'free'; readonly pfn: number }
  | { readonly type: 'fork'; readonly parent: number; readonly child: number }
  | { readonly type: 'kill'; readonly pid: number }
  | { readonly type: 'switch'; readonly from: number; readonly to: number }
  | { readonly type: 'map'; readonly pid: number; readonly va: number; readonly pfn: number; readonly writable: boolean }
  | { readonly type: 'unmap'; readonly pid: number; readonly va: number; readonly pfn: number }
  /** Reclaim swapped frame `pfn` out to `slot` (after an unmap per entry); `written`: false for a clean page dropped. */
  | { readonly type: 'swap-out'; readonly pfn: number; readonly slot: number; readonly written: boolean; readonly mappings: number }
  /** A swap entry of `pid` at `va` now maps `pfn` again; `fromCache`: the page was in the swap cache, nothing read. */
  | { readonly type: 'swap-in'; readonly pid: number; readonly va: number; readonly pfn: number; readonly slot: number; readonly fromCache: boolean }
  /**
   * Reclaim (mm/reclaim.ts) evicted frame `pfn`, chosen by its policy: to swap (an anonymous page) or back to its
   * file (a page-cache page); `dirty`: it was written (to the swap slot or the file), else dropped unwritten.
   */
  | { readonly type: 'evict'; readonly pfn: number; readonly dirty: boolean; readonly to: 'swap' | 'file' }
  /** The OOM killer chose `pid` (its resident pages and swap entries); a `kill` event follows. */
  | { readonly type: 'oom-kill'; readonly pid: number; readonly rss: number; readonly swap: number };

export type KernelListener = (event: KernelEvent) => void;
