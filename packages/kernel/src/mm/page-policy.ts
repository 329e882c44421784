// The replacement policy as the kernel's reclaim sees it (mm/reclaim.ts): a set of reclaimable frames, by pfn,
// that learns when a frame is loaded, referenced (only if it asks for references) and freed, and names the next
// victim on demand. `ReplacementPagePolicy` wraps a @vmsim/replacement policy by name (page ids = pfns).

import { createPolicy, type CreatePolicyOptions, type PolicyName, type ReplacementPolicy } from '@vmsim/replacement';
import { InvalidOptionError, KernelInvariantError } from '../errors.js';

/**
 * What reclaim needs from a policy. The pfns are those of reclaimable frames only (private anonymous data
 * frames, copy-on-write shared included, and page-cache frames).
 */
export interface PagePolicy {
  /** Whether the kernel calls `touched` on every user access (lru, mru, lfu, arc, opt need it). */
  readonly wantsReferences: boolean;
  /** A fault mapped frame `pfn`, new to the policy (zero-fill, COW copy, swap-in, a file page read in); `write`: a write fault. */
  loaded(pfn: number, write: boolean): void;
  /** A user access (TLB hit or not) to a frame the policy holds; called only when `wantsReferences`. */
  touched(pfn: number, write: boolean): void;
  /** Chooses a frame to evict and forgets it; -1 if the policy holds none. */
  victim(): number;
  /** A frame the policy holds was freed (munmap, exit, a COW break) or evicted through another policy. */
  removed(pfn: number): void;
}

/** Policies that order pages by their references and so need `touched`; the rest see loads only. */
const REFERENCE_POLICIES: ReadonlySet<PolicyName> = new Set<PolicyName>(['lru', 'mru', 'lfu', 'arc', 'opt', 'ostep-clock']);

/**
 * The options of a named policy: @vmsim/replacement's createPolicy options without OPT's stream. Here the page
 * ids are pfns in [0, pageCount) (the RAM's frame count), `frames` the resident frames the policy holds at most,
 * and `accessed` the page tables' Accessed bits (clock, nru, aging, wsclock).
 */
export type NamedPolicyOptions = Omit<CreatePolicyOptions, 'stream'>;

/**
 * A @vmsim/replacement policy as a PagePolicy: `loaded` and `touched` are `access(pfn, write)` (a miss and a
 * hit), `victim` is `victim()`, `removed` is `remove(pfn)`. The clock family (clock, nru, aging, wsclock) reads
 * the hardware Accessed bits through `accessed` instead of seeing references; fifo and random see loads only.
 * OPT needs the future reference stream, which a kernel does not know by pfn: a caller that has it (a trace
 * replay) wraps its own OptPolicy keyed by its page ids in a PagePolicy of its own.
 */
export class ReplacementPagePolicy implements PagePolicy {
  readonly wantsReferences: boolean;
  readonly policy: ReplacementPolicy;

  constructor(name: PolicyName, options: NamedPolicyOptions) {
    if (name === 'opt') {
      throw new InvalidOptionError('reclaim.policy', name, 'opt needs the future reference stream: pass a PagePolicy of your own (an OptPolicy keyed by your page ids)');
    }
    this.policy = createPolicy(name, { ...options });
    this.wantsReferences = REFERENCE_POLICIES.has(name);
  }

  loaded(pfn: number, write: boolean): void {
    const policy = this.policy;
    if (policy.residentCount() >= policy.frames) {
      throw new KernelInvariantError([`reclaim: frame ${pfn} loaded into a full ${policy.name} policy (${policy.frames} frames)`]);
    }
    policy.access(pfn, write);
  }

  touched(pfn: number, write: boolean): void {
    this.policy.access(pfn, write);
  }

  victim(): number {
    return this.policy.victim();
  }

  removed(pfn: number): void {
    this.policy.remove(pfn);
  }
}
