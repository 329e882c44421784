// MRU: on a miss with every frame taken, evict the resident page referenced most recently (OSTEP's MRU: the
// list's most-recent end is popped, then the new page is appended there). Hits move the page to the recent end.

import { LruPolicy } from './lru.js';
import type { PolicyOptions } from './policy.js';

export class MruPolicy extends LruPolicy {
  override readonly name = 'mru' as const;

  constructor(options: PolicyOptions) {
    super(options);
    this.evictMostRecent = true;
  }

  // LRU's batch loop evicts the tail by construction: MRU runs reference by reference through `step`.

  protected override runChecked(pages: Int32Array, writes: Uint8Array | null, start: number, end: number): void {
    for (let i = start; i < end; i++) this.step(pages[i]!, writes === null ? 0 : writes[i]!);
  }
}
