// One file of the in-memory file store (an inode): its bytes as stored "on disk", its size, and its page
// cache (page index → the frame holding that page while it is mapped). The disk bytes change only through
// write(2)-style writes, truncation and write-back; a cached frame may be newer (written through a mapping).

/** What a file-backed region refers to (Vma.file): the file itself, which outlives its name (unlink). */
export type FileRef = MemFile;

export class MemFile {
  /** The bytes on disk; only the first `size` mean anything, the rest stays zero. */
  private data: Uint8Array;
  size = 0;
  /** Cached pages: page index → pfn. Each holds one reference on its frame (the page cache's). */
  readonly cache = new Map<number, number>();
  /** Still reachable by name (false after unlink). */
  linked = true;
  /** Open file descriptions referring to it. */
  opens = 0;

  constructor(
    /** Inode number: distinct for every file the store ever made. */
    readonly ino: number,
    public name: string,
  ) {
    this.data = new Uint8Array(0);
  }

  /** Pages the file covers: an access past the last one is SIGBUS (a partial last page counts whole). */
  pageCount(pageSize: number): number {
    return Math.ceil(this.size / pageSize);
  }

  /** Copies disk bytes [offset, offset + out.length) into `out` (bytes past the end of the file read 0). */
  readDisk(offset: number, out: Uint8Array): void {
    const end = Math.min(this.size, offset + out.length);
    if (end > offset) out.set(this.data.subarray(offset, end));
    if (end - offset < out.length) out.fill(0, Math.max(0, end - offset));
  }

  /** Writes `bytes` to disk at `offset`, growing the file when they reach past its end. */
  writeDisk(offset: number, bytes: Uint8Array): void {
    const end = offset + bytes.length;
    if (end > this.size) this.resize(end);
    this.data.set(bytes, offset);
  }

  /** Sets the size: bytes past a smaller size are dropped (and read as zero if the file grows again). */
  resize(size: number): void {
    if (size > this.data.length) {
      const grown = new Uint8Array(Math.max(size, this.data.length * 2, 64));
      grown.set(this.data.subarray(0, this.size));
      this.data = grown;
    } else if (size < this.size) {
      this.data.fill(0, size, this.size);
    }
    this.size = size;
  }

  /** How a region's `file` shows in JSON (a listing, a log): the inode and name, not the bytes. */
  toJSON(): { ino: number; name: string; size: number } {
    return { ino: this.ino, name: this.name, size: this.size };
  }

  /** The file's bytes on disk (a copy), for snapshots and tests. */
  diskBytes(): Uint8Array {
    return this.data.slice(0, this.size);
  }
}
