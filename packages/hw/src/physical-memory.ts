// Physical RAM: byte-addressable, little-endian, up to 4 GiB (the whole 32-bit physical address space).
// RAM is committed on demand: nothing is allocated when RAM is made; the first write or `commitFrame`
// allocates a small backing ArrayBuffer, which doubles (up to `size`) when a write or commit reaches past it.
// Bytes never committed read as zero and cost nothing, so a machine's start-up and garbage-collection load do
// not depend on its RAM size. Growth replaces `bytes` and `view`;
// whoever caches them registers a RamGrowthListener (the MMU does) or re-reads them after a call that can grow.

import { checkInteger, HwArgumentError, PhysicalAddressError } from './errors.js';

/** The largest RAM a 32-bit physical address space holds: 4 GiB. */
export const MAX_RAM_BYTES = 2 ** 32;

/** Bytes the first commit allocates at least (or the whole RAM, or one frame, whichever is the right bound). */
export const INITIAL_COMMIT_BYTES = 64 * 1024;

/**
 * The views of RAM before its first commit, shared by every PhysicalMemory: empty, never written. Allocating
 * an ArrayBuffer costs ~4 µs whatever its size, so RAM that is made and not yet used costs nothing.
 */
const UNCOMMITTED_BYTES = new Uint8Array(0);
const UNCOMMITTED_VIEW = new DataView(UNCOMMITTED_BYTES.buffer);

export interface PhysicalMemoryOptions {
  /** Size of one frame in bytes, a power of two (default 4096). Frame helpers work in these units. */
  readonly frameSize?: number;
}

/** Told after RAM grew, before the call that grew it returns: `ram.bytes` and `ram.view` are new views. */
export interface RamGrowthListener {
  ramGrew(ram: PhysicalMemory): void;
}

/** What `grow` assigns: the views, writable only there. */
interface Views {
  bytes: Uint8Array;
  view: DataView;
}

export class PhysicalMemory {
  // Fields set in the constructor are `declare`d: a plain declaration would first define them as undefined,
  // which makes V8 track them as "any value" and re-check every typed array on the hot path (2x slower).
  /** RAM size in bytes: the configured capacity, whatever is committed. */
  declare readonly size: number;
  /** Bytes per frame (default 4096). */
  declare readonly frameSize: number;
  /** Number of whole frames in RAM. */
  declare readonly frameCount: number;
  /**
   * The committed bytes [0, committedBytes): the fast path of the MMU reads and writes these views directly.
   * They are replaced when RAM grows: never keep them across a call that may commit memory (a write, a frame
   * allocation, a translation) unless registered with `addGrowthListener`.
   */
  declare readonly bytes: Uint8Array;
  declare readonly view: DataView;
  declare private readonly listeners: RamGrowthListener[];
  /** Staging for a read that straddles the end of the committed bytes. */
  declare private readonly edgeBytes: Uint8Array;
  declare private readonly edgeView: DataView;

  constructor(size: number, options: PhysicalMemoryOptions = {}) {
    const frameSize = options.frameSize ?? 4096;
    checkInteger('frameSize', frameSize, 1, MAX_RAM_BYTES);
    if ((frameSize & (frameSize - 1)) !== 0) throw new HwArgumentError('frameSize', frameSize, 'expected a power of two');
    checkInteger('RAM size', size, frameSize, MAX_RAM_BYTES);
    if (size % frameSize !== 0) throw new HwArgumentError('RAM size', size, `expected a multiple of the frame size ${frameSize}`);
    this.size = size;
    this.frameSize = frameSize;
    this.frameCount = size / frameSize;
    this.bytes = UNCOMMITTED_BYTES;
    this.view = UNCOMMITTED_VIEW;
    this.listeners = [];
    this.edgeBytes = new Uint8Array(8);
    this.edgeView = new DataView(this.edgeBytes.buffer);
  }

  /** Bytes backed by memory now: always a whole number of frames, at most `size`. Never shrinks. */
  get committedBytes(): number {
    return this.bytes.length;
  }

  /** Commits RAM through the end of frame `pfn` (a no-op when it already is). */
  commitFrame(pfn: number): void {
    this.checkPfn(pfn);
    const end = (pfn + 1) * this.frameSize;
    if (end > this.bytes.length) this.grow(end);
  }

  /** Calls `listener.ramGrew(this)` after each growth, until removed. */
  addGrowthListener(listener: RamGrowthListener): void {
    if (typeof listener !== 'object' || listener === null || typeof listener.ramGrew !== 'function') {
      throw new HwArgumentError('growth listener', String(listener), 'expected an object with a ramGrew(ram) method');
    }
    if (!this.listeners.includes(listener)) this.listeners.push(listener);
  }

  removeGrowthListener(listener: RamGrowthListener): void {
    const i = this.listeners.indexOf(listener);
    if (i >= 0) this.listeners.splice(i, 1);
  }

  /** Throws PhysicalAddressError unless [pa, pa + length) lies inside RAM. */
  check(pa: number, length: number): void {
    if (!Number.isInteger(pa) || pa < 0 || !Number.isInteger(length) || length < 0 || pa + length > this.size) {
      throw new PhysicalAddressError(pa, length, this.size);
    }
  }

  /** True when [pa, pa + length) lies inside RAM. */
  contains(pa: number, length: number): boolean {
    return pa >= 0 && length >= 0 && pa + length <= this.size;
  }

  read8(pa: number): number {
    this.check(pa, 1);
    return pa < this.bytes.length ? this.bytes[pa]! : 0;
  }
  read16(pa: number): number {
    this.check(pa, 2);
    return pa + 2 <= this.bytes.length ? this.view.getUint16(pa, true) : this.edge(pa, 2).getUint16(0, true);
  }
  read32(pa: number): number {
    this.check(pa, 4);
    return pa + 4 <= this.bytes.length ? this.view.getUint32(pa, true) : this.edge(pa, 4).getUint32(0, true);
  }
  read64(pa: number): bigint {
    this.check(pa, 8);
    return pa + 8 <= this.bytes.length ? this.view.getBigUint64(pa, true) : this.edge(pa, 8).getBigUint64(0, true);
  }
  readF32(pa: number): number {
    this.check(pa, 4);
    return pa + 4 <= this.bytes.length ? this.view.getFloat32(pa, true) : this.edge(pa, 4).getFloat32(0, true);
  }
  readF64(pa: number): number {
    this.check(pa, 8);
    return pa + 8 <= this.bytes.length ? this.view.getFloat64(pa, true) : this.edge(pa, 8).getFloat64(0, true);
  }
  /** A copy of `length` bytes starting at `pa`. */
  readBytes(pa: number, length: number): Uint8Array {
    this.check(pa, length);
    const committed = this.bytes.length;
    if (pa + length <= committed) return this.bytes.slice(pa, pa + length);
    const out = new Uint8Array(length);
    if (pa < committed) out.set(this.bytes.subarray(pa, committed));
    return out;
  }

  write8(pa: number, value: number): void {
    this.check(pa, 1);
    this.ensure(pa + 1);
    this.bytes[pa] = value;
  }
  write16(pa: number, value: number): void {
    this.check(pa, 2);
    this.ensure(pa + 2);
    this.view.setUint16(pa, value, true);
  }
  write32(pa: number, value: number): void {
    this.check(pa, 4);
    this.ensure(pa + 4);
    this.view.setUint32(pa, value >>> 0, true);
  }
  /** Stores the low 64 bits of `value` (two's complement for negatives). */
  write64(pa: number, value: bigint): void {
    this.check(pa, 8);
    this.ensure(pa + 8);
    this.view.setBigUint64(pa, BigInt.asUintN(64, value), true);
  }
  writeF32(pa: number, value: number): void {
    this.check(pa, 4);
    this.ensure(pa + 4);
    this.view.setFloat32(pa, value, true);
  }
  writeF64(pa: number, value: number): void {
    this.check(pa, 8);
    this.ensure(pa + 8);
    this.view.setFloat64(pa, value, true);
  }
  writeBytes(pa: number, data: Uint8Array): void {
    this.check(pa, data.length);
    this.ensure(pa + data.length);
    this.bytes.set(data, pa);
  }

  /** Byte address of the first byte of frame `pfn`. */
  frameAddress(pfn: number): number {
    this.checkPfn(pfn);
    return pfn * this.frameSize;
  }
  /** Clears frame `pfn`; a frame never committed is zero already and stays uncommitted. */
  zeroFrame(pfn: number): void {
    const pa = this.frameAddress(pfn);
    if (pa < this.bytes.length) this.bytes.fill(0, pa, pa + this.frameSize);
  }
  /** Copies frame `srcPfn` over frame `dstPfn` (a never-committed source copies as zeros). */
  copyFrame(dstPfn: number, srcPfn: number): void {
    const dst = this.frameAddress(dstPfn);
    const src = this.frameAddress(srcPfn);
    if (src >= this.bytes.length) {
      this.zeroFrame(dstPfn);
      return;
    }
    this.ensure(dst + this.frameSize);
    this.bytes.copyWithin(dst, src, src + this.frameSize);
  }
  /** Sets every byte of frame `pfn` to `byte` (taken modulo 256, as a Uint8Array stores it). */
  fillFrame(pfn: number, byte: number): void {
    const pa = this.frameAddress(pfn);
    if ((byte & 0xff) === 0) {
      this.zeroFrame(pfn);
      return;
    }
    this.ensure(pa + this.frameSize);
    this.bytes.fill(byte, pa, pa + this.frameSize);
  }
  /** True when every byte of frame `pfn` is zero. */
  isFrameZero(pfn: number): boolean {
    const pa = this.frameAddress(pfn);
    if (pa >= this.bytes.length) return true;
    const end = pa + this.frameSize;
    for (let i = pa; i < end; i++) if (this.bytes[i] !== 0) return false;
    return true;
  }

  private checkPfn(pfn: number): void {
    // A fractional pfn has no frame at all; reporting pfn * frameSize as an out-of-RAM address would be false.
    if (!Number.isInteger(pfn)) throw new HwArgumentError('pfn', pfn, 'expected an integer frame number');
    if (pfn < 0 || pfn >= this.frameCount) throw new PhysicalAddressError(pfn * this.frameSize, this.frameSize, this.size);
  }

  /** Commits [0, end) (end within RAM, already checked). */
  private ensure(end: number): void {
    if (end > this.bytes.length) this.grow(end);
  }

  /**
   * Doubles the committed bytes until they reach `end` (at most `size`): a new buffer, the old bytes copied,
   * the views swapped, the listeners told. The old buffer is dropped, not detached: detaching any buffer would
   * make V8 add a detached check to every typed-array access in the process.
   */
  private grow(end: number): void {
    const old = this.bytes;
    // The first commit: a power of two at least one frame long, so every later doubling stays a whole
    // number of frames.
    let length = old.length > 0 ? old.length : Math.max(INITIAL_COMMIT_BYTES, this.frameSize);
    while (length < end) length *= 2;
    if (length > this.size) length = this.size;
    const buffer = new ArrayBuffer(length);
    const bytes = new Uint8Array(buffer);
    bytes.set(old);
    const views = this as unknown as Views;
    views.bytes = bytes;
    views.view = new DataView(buffer);
    for (const listener of this.listeners) listener.ramGrew(this);
  }

  /** The bytes [pa, pa + length) that straddle or lie past the committed end, zeros past it, in `edgeView`. */
  private edge(pa: number, length: number): DataView {
    const committed = this.bytes.length;
    for (let i = 0; i < length; i++) this.edgeBytes[i] = pa + i < committed ? this.bytes[pa + i]! : 0;
    return this.edgeView;
  }
}
