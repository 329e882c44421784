// Miss-ratio curves in one pass (Mattson et al., 1970): LRU and OPT are stack algorithms, so one pass over the
// stream gives every reference's stack distance, and the misses with c frames are the references whose distance
// exceeds c (first references: infinite). LRU distances come from a Fenwick tree over reference times (the number
// of distinct pages used since the page's previous use); OPT's from Mattson's priority stack (next use).

import { ReplacementArgumentError } from './errors.js';
import { nextUses } from './opt.js';
import { checkCount } from './policy.js';

/**
 * misses[c] for c = 0..maxFrames: the misses of a run with c frames (misses[0] = references). Built from a
 * histogram of stack distances.
 */
function missesFromHistogram(histogram: Float64Array, references: number, maxFrames: number): Float64Array {
  const misses = new Float64Array(maxFrames + 1);
  let hits = 0;
  misses[0] = references;
  for (let c = 1; c <= maxFrames; c++) {
    hits += histogram[c]!;
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

/**
 * LRU's misses for every frame count 0..maxFrames (default: pageCount), in O(n log pages). Each page's latest
 * reference holds a mark at its time slot in a Fenwick tree; the stack distance of a reference is the number of
 * marks after its page's previous slot, plus one. Slots are renumbered (the live marks packed to the front, in
 * order) whenever they run out, so the tree stays a few times the number of pages, not the length of the stream.
 */
export function lruMissCurve(stream: Int32Array, pageCount: number, maxFrames = pageCount): Float64Array {
  checkStream(stream, pageCount);
  checkCount('maxFrames', maxFrames, 0);
  const n = stream.length;
  const capacity = Math.max(1024, 4 * pageCount);
  const tree = new Int32Array(capacity + 1);
  /** slot → page whose latest reference sits there, or -1. */
  const owner = new Int32Array(capacity).fill(-1);
  const slotOf = new Int32Array(pageCount).fill(-1);
  const histogram = new Float64Array(maxFrames + 1);
  let live = 0;
  let next = 0;
  for (let i = 0; i < n; i++) {
    if (next === capacity) {
      // Renumber: live marks to slots 0..live-1 in the same order, and rebuild the tree in linear time.
      let k = 0;
      for (let s = 0; s < capacity; s++) {
        const p = owner[s]!;
        if (p < 0) continue;
        owner[s] = -1;
        owner[k] = p;
        slotOf[p] = k;
        k++;
      }
      tree.fill(0);
      // Every node passes its sum up (nodes past the live marks too: they hold partial sums of ones below them).
      for (let j = 1; j <= capacity; j++) {
        if (j <= k) tree[j] = tree[j]! + 1;
        const up = j + (j & -j);
        if (up <= capacity) tree[up] = tree[up]! + tree[j]!;
      }
      next = k;
    }
    const p = stream[i]!;
    const prev = slotOf[p]!;
    if (prev >= 0) {
      let before = 0;
      for (let k = prev + 1; k > 0; k -= k & -k) before += tree[k]!;
      const distance = live - before + 1;
      if (distance <= maxFrames) histogram[distance] = histogram[distance]! + 1;
      for (let k = prev + 1; k <= capacity; k += k & -k) tree[k] = tree[k]! - 1;
      owner[prev] = -1;
      live--;
    }
    for (let k = next + 1; k <= capacity; k += k & -k) tree[k] = tree[k]! + 1;
    owner[next] = p;
    slotOf[p] = next;
    next++;
    live++;
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
