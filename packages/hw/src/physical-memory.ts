// Physical RAM: one byte-addressable, little-endian ArrayBuffer of up to 4 GiB (the whole 32-bit physical
// address space). The buffer is zero-filled and committed lazily by the host, so untouched RAM costs nothing.

import { checkInteger, HwArgumentError, PhysicalAddressError } from './errors.js';

/** The largest RAM a 32-bit physical address space holds: 4 GiB. */
export const MAX_RAM_BYTES = 2 ** 32;

export interface PhysicalMemoryOptions {
  /** Size of one frame in bytes, a power of two (default 4096). Frame helpers work in these units. */
  readonly frameSize?: number;
}

export class PhysicalMemory {
  // Fields set in the constructor are `declare`d: a plain declaration would first define them as undefined,
  // which makes V8 track them as "any value" and re-check every typed array on the hot path (2x slower).
  /** RAM size in bytes. */
  declare readonly size: number;
  /** Bytes per frame (default 4096). */
  declare readonly frameSize: number;
  /** Number of whole frames in RAM. */
  declare readonly frameCount: number;
  /** The raw bytes; the fast path of the MMU reads and writes these views directly. */
  declare readonly bytes: Uint8Array;
  declare readonly view: DataView;

  constructor(size: number, options: PhysicalMemoryOptions = {}) {
    const frameSize = options.frameSize ?? 4096;
    checkInteger('frameSize', frameSize, 1, MAX_RAM_BYTES);
    if ((frameSize & (frameSize - 1)) !== 0) throw new HwArgumentError('frameSize', frameSize, 'expected a power of two');
    checkInteger('RAM size', size, frameSize, MAX_RAM_BYTES);
    if (size % frameSize !== 0) throw new HwArgumentError('RAM size', size, `expected a multiple of the frame size ${frameSize}`);
    this.size = size;
    this.frameSize = frameSize;
    this.frameCount = size / frameSize;
    const buffer = new ArrayBuffer(size);
    this.bytes = new Uint8Array(buffer);
    this.view = new DataView(buffer);
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
    return this.bytes[pa]!;
  }
  read16(pa: number): number {
    this.check(pa, 2);
    return this.view.getUint16(pa, true);
  }
  read32(pa: number): number {
    this.check(pa, 4);
    return this.view.getUint32(pa, true);
  }
  read64(pa: number): bigint {
    this.check(pa, 8);
    return this.view.getBigUint64(pa, true);
  }
  readF32(pa: number): number {
    this.check(pa, 4);
    return this.view.getFloat32(pa, true);
  }
  readF64(pa: number): number {
    this.check(pa, 8);
    return this.view.getFloat64(pa, true);
  }
  /** A copy of `length` bytes starting at `pa`. */
  readBytes(pa: number, length: number): Uint8Array {
    this.check(pa, length);
    return this.bytes.slice(pa, pa + length);
  }

  write8(pa: number, value: number): void {
    this.check(pa, 1);
    this.bytes[pa] = value;
  }
  write16(pa: number, value: number): void {
    this.check(pa, 2);
    this.view.setUint16(pa, value, true);
  }
  write32(pa: number, value: number): void {
    this.check(pa, 4);
    this.view.setUint32(pa, value >>> 0, true);
  }
  /** Stores the low 64 bits of `value` (two's complement for negatives). */
  write64(pa: number, value: bigint): void {
    this.check(pa, 8);
    this.view.setBigUint64(pa, BigInt.asUintN(64, value), true);
  }
  writeF32(pa: number, value: number): void {
    this.check(pa, 4);
    this.view.setFloat32(pa, value, true);
  }
  writeF64(pa: number, value: number): void {
    this.check(pa, 8);
    this.view.setFloat64(pa, value, true);
  }
  writeBytes(pa: number, data: Uint8Array): void {
    this.check(pa, data.length);
    this.bytes.set(data, pa);
  }

  /** Byte address of the first byte of frame `pfn`. */
  frameAddress(pfn: number): number {
    this.checkPfn(pfn);
    return pfn * this.frameSize;
  }
  zeroFrame(pfn: number): void {
    const pa = this.frameAddress(pfn);
    this.bytes.fill(0, pa, pa + this.frameSize);
  }
  copyFrame(dstPfn: number, srcPfn: number): void {
    const dst = this.frameAddress(dstPfn);
    const src = this.frameAddress(srcPfn);
    this.bytes.copyWithin(dst, src, src + this.frameSize);
  }
  fillFrame(pfn: number, byte: number): void {
    const pa = this.frameAddress(pfn);
    this.bytes.fill(byte, pa, pa + this.frameSize);
  }
  /** True when every byte of frame `pfn` is zero. */
  isFrameZero(pfn: number): boolean {
    const pa = this.frameAddress(pfn);
    const end = pa + this.frameSize;
    for (let i = pa; i < end; i++) if (this.bytes[i] !== 0) return false;
    return true;
  }

  private checkPfn(pfn: number): void {
    // A fractional pfn has no frame at all; reporting pfn * frameSize as an out-of-RAM address would be false.
    if (!Number.isInteger(pfn)) throw new HwArgumentError('pfn', pfn, 'expected an integer frame number');
    if (pfn < 0 || pfn >= this.frameCount) throw new PhysicalAddressError(pfn * this.frameSize, this.frameSize, this.size);
  }
}
