// MRU: on a miss with every frame taken, evict the resident page referenced most recently (OSTEP's MRU: the
// list's most-recent end is popped, then the new page is appended there). Hits move the page to the recent end.

import { LruPolicy } from './lru.js';

export class MruPolicy extends LruPolicy {
  override readonly name = 'mru' as const;

  protected override step(page: number, write: number): boolean {
    this.references++;
    this.lastVictim = -1;
    if (write !== 0) this.dirty[page] = 1;
    if (this.inList[page] !== 0) {
      this.hits++;
      this.moveToHead(page);
      return true;
    }
    this.misses++;
    if (this.used === this.frames) {
      const victim = this.head;
      this.unlink(victim);
      this.inList[victim] = 0;
      this.evict(victim);
    } else {
      this.used++;
    }
    this.pushHead(page);
    this.inList[page] = 1;
    return false;
  }

  protected override runChecked(pages: Int32Array, writes: Uint8Array | null, start: number, end: number): void {
    for (let i = start; i < end; i++) this.step(pages[i]!, writes === null ? 0 : writes[i]!);
  }
}
