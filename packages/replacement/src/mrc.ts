// Miss-ratio curves in one pass (Mattson et al., 1970): LRU and OPT are stack algorithms, so one pass over the
// stream gives every reference's stack distance, and the misses with c frames are the references whose distance
// exceeds c (first references: infinite). LRU distances come from a bitmap of reference times with a Fenwick tree
// over its words (the number of distinct pages used since the page's previous use); OPT's from Mattson's priority
// stack (next use).

import { ReplacementArgumentError } from './errors.js';
import { nextUses } from './opt.js';
import { checkCount } from './policy.js';

/**
 * misses[c] for c = 0..maxFrames: the misses of a run with c frames (misses[0] = references). Built from a
 * histogram of stack distances (distances past its end: none).
 */
function missesFromHistogram(histogram: Float64Array, references: number, maxFrames: number): Float64Array {
  const misses = new Float64Array(maxFrames + 1);
  let hits = 0;
  misses[0] = references;
  for (let c = 1; c <= maxFrames; c++) {
    if (c < histogram.length) hits += histogram[c]!;
    misses[c] = references - hits;
  }
  return misses;
}

function checkStream(stream: Int32Array, pageCount: number): void {
  if (!(stream instanceof Int32Array)) throw new ReplacementArgumentError('stream', stream, 'an Int32Array');
  checkCount('pageCount', pageCount, 1);
  for (let i = 0; i < stream.length; i++) {
    const p = stream[i]!;
    if (p < 0 || p >= pageCount) throw new ReplacementArgumentError(`stream[${i}]`, p, `an integer in [0, ${pageCount - 1}]`);
  }
}

/** Set bits of a 32-bit word (SWAR, no table). */
function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

/**
 * LRU's misses for every frame count 0..maxFrames (default: pageCount), in one pass. Every reference takes the
 * next time slot, and each page's latest reference leaves a mark in its slot; the stack distance of a reference is
 * one plus the marks after its page's previous slot (the distinct pages used since). The marks are a bitmap, 32
 * slots a word, with a Fenwick tree over the words' counts:
 *
 *   slot s  →  word s >> 5, bit s & 31;   tree node w + 1 holds the marks of words w + 1 − lowbit(w + 1) … w
 *
 * Counting the marks between the previous slot and now takes a popcount of the two end words, and of the words
 * between: directly when they are few (a page used again soon, the common case), else by two prefix sums of the
 * tree. Moving a mark clears a bit and walks the tree up only as far as the current word; nodes are built when
 * their word is first used, from their children, so adding a mark at the current slot is one increment. A
 * reference to the page referenced last changes nothing (distance 1). When the slots run out, the live marks
 * (at most pageCount) are packed to the front in order and the bitmap and tree rebuilt, in O(slots / 32 + pages).
 * Typed arrays only, nothing allocated in the loop.
 */
export function lruMissCurve(stream: Int32Array, pageCount: number, maxFrames = pageCount): Float64Array {
  checkStream(stream, pageCount);
  checkCount('maxFrames', maxFrames, 0);
  const n = stream.length;
  // 16 slots a page: a renumbering (O(words + pages)) comes at most once every 15 × pageCount references.
  const words = Math.max(32, Math.ceil(pageCount / 2));
  const capacity = words * 32;
  // One word more, always 0: bits[wp + 1] below may read it.
  const bits = new Int32Array(words + 1);
  const tree = new Int32Array(words + 1);
  /** Marks in the words before each word (renumbering only). */
  const before = new Int32Array(words);
  const slotOf = new Int32Array(pageCount).fill(-1);
  /** histogram[d]: references at stack distance d (at most pageCount). */
  const histogram = new Float64Array(pageCount + 2);
  let next = 0;
  for (let i = 0; i < n; i++) {
    const p = stream[i]!;
    let prev = slotOf[p]!;
    if (prev === next - 1 && prev >= 0) {
      // The page of the last reference: it is on top of the stack already.
      histogram[1] = histogram[1]! + 1;
      continue;
    }
    if (next === capacity) {
      // Renumber: a live mark's new slot is its rank among the marks, so their order stays.
      let k = 0;
      for (let w = 0; w < words; w++) {
        before[w] = k;
        k += popcount(bits[w]!);
      }
      for (let q = 0; q < pageCount; q++) {
        const s = slotOf[q]!;
        if (s >= 0) slotOf[q] = before[s >> 5]! + popcount(bits[s >> 5]! & ((1 << (s & 31)) - 1));
      }
      const full = k >> 5;
      bits.fill(0);
      bits.fill(-1, 0, full);
      if ((k & 31) !== 0) bits[full] = (1 << (k & 31)) - 1;
      const built = (k & 31) !== 0 ? full + 1 : full;
      for (let j = 1; j <= built; j++) {
        let sum = popcount(bits[j - 1]!);
        for (let step = 1; (j & step) === 0; step <<= 1) sum += tree[j - step]!;
        tree[j] = sum;
      }
      next = k;
      prev = slotOf[p]!;
    }
    const wn = next >> 5;
    if ((next & 31) === 0) {
      // The current word is new: build its node from its children (its own word is still empty).
      const j = wn + 1;
      let sum = 0;
      for (let step = 1; (j & step) === 0; step <<= 1) sum += tree[j - step]!;
      tree[j] = sum;
    }
    if (prev >= 0) {
      const wp = prev >> 5;
      const bp = prev & 31;
      const wordP = bits[wp]!;
      // Marks after bit bp of the previous word (`>>> bp >>> 1`: a shift by 32 would be a shift by 0); the current
      // word's unless it is the same word; the word after the previous one if it is before the current one. The
      // masks ((a − b) >> 31 is all ones when a < b) keep a reuse within two words free of branches.
      let d =
        popcount(wordP >>> bp >>> 1) +
        popcount(bits[wn]! & ((wp - wn) >> 31)) +
        popcount(bits[wp + 1]! & ((wp + 1 - wn) >> 31));
      if (wn - wp > 2) {
        // Words wp + 2 … wn − 1.
        if (wn - wp <= 8) {
          for (let w = wp + 2; w < wn; w++) d += popcount(bits[w]!);
        } else {
          for (let k = wn; k > 0; k -= k & -k) d += tree[k]!;
          for (let k = wp + 2; k > 0; k -= k & -k) d -= tree[k]!;
        }
      }
      histogram[d + 1] = histogram[d + 1]! + 1;
      bits[wp] = wordP & ~(1 << bp);
      for (let k = wp + 1; k <= wn + 1; k += k & -k) tree[k] = tree[k]! - 1;
    }
    bits[wn] = bits[wn]! | (1 << (next & 31));
    tree[wn + 1] = tree[wn + 1]! + 1;
    slotOf[p] = next;
    next++;
  }
  return missesFromHistogram(histogram, n, maxFrames);
}

/** OPT's misses for every frame count 0..maxFrames (default: pageCount), in O(n · distinct pages). */
export function optMissCurve(stream: Int32Array, pageCount: number, maxFrames = pageCount): Float64Array {
  checkStream(stream, pageCount);
  checkCount('maxFrames', maxFrames, 0);
  const n = stream.length;
  const next = nextUses(stream, pageCount);
  // The priority stack: stack[0] is the top. A page's priority is its next use (sooner = higher); never again
  // is lowest, and among those the most recently used ranks higher (OptPolicy evicts the oldest first).
  const stack = new Int32Array(pageCount);
  const nextOf = new Float64Array(pageCount);
  const depth = new Int32Array(pageCount).fill(-1);
  let size = 0;
  const histogram = new Float64Array(maxFrames + 1);
  const far = 2 * n;
  for (let i = 0; i < n; i++) {
    const x = stream[i]!;
    const d = depth[x]!;
    if (d >= 0 && d + 1 <= maxFrames) histogram[d + 1] = histogram[d + 1]! + 1;
    const nx = next[i]!;
    nextOf[x] = nx >= 0 ? nx : far - i;
    const end = d >= 0 ? d : size;
    if (d < 0) size++;
    // x goes on top; the old top is carried down, at each level the page to evict sooner keeps going down.
    let carry = stack[0]!;
    const hadTop = end > 0;
    stack[0] = x;
    depth[x] = 0;
    if (hadTop) {
      for (let j = 1; j < end; j++) {
        const y = stack[j]!;
        if (nextOf[y]! > nextOf[carry]!) {
          stack[j] = carry;
          depth[carry] = j;
          carry = y;
        }
      }
      stack[end] = carry;
      depth[carry] = end;
    }
  }
  return missesFromHistogram(histogram, n, maxFrames);
}
