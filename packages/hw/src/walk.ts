// The reference page walker: a plain, readable statement of how every model translates an address, with no
// TLB and no tricks. The fast MMU (mmu.ts) must agree with it on every table and access; property tests
// check that. Rules, in order, at each level from the root:
//   1. the entry must lie in RAM (else BUS);  2. it must be valid (else NOT_PRESENT);
//   3. it must not be malformed (else RESERVED);  4. a pointer: remember its rights (x86 combines W and U
//      over every level), set its Accessed bit if the model does so for pointers, and descend;
//   5. a leaf: check the rights of the access (else PROTECTION), check the frame lies in RAM (else BUS),
//      then set Accessed, and Dirty on a write, in RAM.  Running out of levels without a leaf is RESERVED.
// Before all that, an address outside the model's space (non-canonical) is NON_CANONICAL at level -1.
// Accessed bits of pointers are set as the walk passes them, even when a later step faults; a leaf's A/D
// bits are set only when the access succeeds. Side effects are optional, for inspectors.

import type { PhysicalMemory } from './physical-memory.js';
import {
  ACCESS_WRITE, FAULT_BUS, FAULT_NON_CANONICAL, FAULT_NOT_PRESENT, FAULT_PROTECTION, FAULT_RESERVED, levelIndex,
  levelSpanShift, PTE_G, PTE_R, PTE_U, PTE_W, PTE_X, vaRange,
  type AccessKind, type FaultKind, type HardwareModel,
} from './model.js';

export type WalkResult =
  | {
      readonly ok: true;
      /** Physical address of the accessed byte. */
      readonly pa: number;
      /** Frame number of the base-size page holding it. */
      readonly pfn: number;
      /** Effective model-independent flags after the walk (rights combined over levels where the model does). */
      readonly flags: number;
      readonly global: boolean;
      /** Level of the leaf entry (below `levels - 1` for a huge page). */
      readonly level: number;
      /** Physical address of the leaf entry. */
      readonly entryPa: number;
    }
  | { readonly ok: false; readonly fault: FaultKind; readonly level: number };

export interface WalkRequest {
  readonly va: number;
  readonly access: AccessKind;
  readonly user: boolean;
  /** CTL_* bits in force. */
  readonly control: number;
  /** Set Accessed/Dirty bits in RAM as the hardware does (false for a side-effect-free translation). */
  readonly sideEffects: boolean;
}

const RIGHTS = PTE_R | PTE_W | PTE_X | PTE_U;

export function referenceWalk(ram: PhysicalMemory, model: HardwareModel, rootPfn: number, request: WalkRequest): WalkResult {
  const { va, access, user, control, sideEffects } = request;
  const pageSize = 2 ** model.pageShift;
  // 0. A sign-extended space (x86-64, Sv39) refuses a non-canonical address before reading any table.
  const range = vaRange(model);
  if (va < range.min || va >= range.end) return { ok: false, fault: FAULT_NON_CANONICAL, level: -1 };
  const vpn = Math.floor(va / pageSize);
  let table = rootPfn * pageSize;
  let rights = RIGHTS;
  let inheritedGlobal = false;

  for (let level = 0; level < model.levels; level++) {
    const entryPa = table + levelIndex(model, va, level) * model.entryBytes;
    if (!ram.contains(entryPa, model.entryBytes)) return { ok: false, fault: FAULT_BUS, level };
    const lo = ram.read32(entryPa);
    const hi = model.entryBytes === 8 ? ram.read32(entryPa + 4) : 0;

    if (!model.isValid(lo, hi, level)) return { ok: false, fault: FAULT_NOT_PRESENT, level };
    if (model.isMalformed(lo, hi, level)) return { ok: false, fault: FAULT_RESERVED, level };
    const flags = model.flags(lo, hi, level);

    if (!model.isLeaf(lo, hi, level)) {
      if (model.permissionsAtEveryLevel) rights &= flags;
      if (model.globalInherits && (flags & PTE_G) !== 0) inheritedGlobal = true;
      if (sideEffects && model.accessedOnNonLeaf && (lo & model.rawAccessed) === 0) {
        ram.write32(entryPa, lo | model.rawAccessed);
      }
      table = model.pfn(lo, hi, level) * pageSize;
      continue;
    }

    const effective = model.permissionsAtEveryLevel ? (flags & ~RIGHTS) | (flags & rights) : flags;
    if (!model.permits(effective, access, user, control)) return { ok: false, fault: FAULT_PROTECTION, level };

    // The base page inside a (possibly huge) leaf.
    const pagesInLeaf = 2 ** (levelSpanShift(model, level) - model.pageShift);
    const pfn = model.pfn(lo, hi, level) + (vpn - Math.floor(vpn / pagesInLeaf) * pagesInLeaf);
    if (!ram.contains(pfn * pageSize, pageSize)) return { ok: false, fault: FAULT_BUS, level };

    let newLo = lo;
    if (sideEffects) {
      newLo = (lo | model.rawAccessed | (access === ACCESS_WRITE ? model.rawDirty : 0)) >>> 0;
      if (newLo !== lo) ram.write32(entryPa, newLo);
    }
    const finalFlags = (model.flags(newLo, hi, level) & ~RIGHTS) | (effective & RIGHTS);
    return {
      ok: true,
      pa: pfn * pageSize + (va - vpn * pageSize),
      pfn,
      flags: finalFlags,
      global: inheritedGlobal || (finalFlags & PTE_G) !== 0,
      level,
      entryPa,
    };
  }
  return { ok: false, fault: FAULT_RESERVED, level: model.levels - 1 };
}
