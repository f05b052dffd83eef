// netlink/ layer: a bounds-checked cursor over one datagram. Imports only ./errors.
// Every read names its byte order (ne = host, be = network); no DataView RangeError can escape,
// because every access is checked against the bounds first (house style §4.1-4.2).
import { DecodeError } from './errors.js';

/** Largest integer a `number` holds exactly (2^53 - 1). u64 values above it saturate. */
export const U64_SATURATED = Number.MAX_SAFE_INTEGER;

const LE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
/** True on little-endian hosts: netlink headers are in host order. */
export const HOST_IS_LE = LE;

/**
 * Throws what Reader.fixed throws for a payload of `len` bytes that should be `want` (attribute header at `off`).
 * Hot decoders test the size inline and call this only on failure (a call that never runs costs V8 nothing).
 */
export function badAttrSize(off: number, len: number, want: number): never {
  throw new DecodeError('BAD_ATTR_SIZE', off, '', want, len);
}

/** A read-only view of one datagram; offsets are absolute within `buf`. */
export class Reader {
  readonly view: DataView;
  /**
   * Per-datagram scratch state owned by one decoder (e.g. ct-decode's reusable attribute iterators),
   * so a datagram of a hundred messages allocates it once. The reader itself never touches it.
   */
  scratch: object | undefined = undefined;
  constructor(readonly buf: Uint8Array) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  private w32: Int32Array | undefined = undefined;
  /**
   * The datagram's whole 32-bit words from its first byte, in host order: word i is bytes [4i, 4i + 4). A view
   * when the datagram begins at a multiple of 4 in its buffer (the socket's are), else a copy (a capture's
   * records need not); made once per reader. The refresh digest (ct-digest.ts) hashes whole runs of them.
   */
  words(): Int32Array {
    if (this.w32) return this.w32;
    const b = this.buf;
    const n = b.byteLength >>> 2;
    if ((b.byteOffset & 3) === 0) return (this.w32 = new Int32Array(b.buffer, b.byteOffset, n));
    const copy = new Int32Array(n);
    new Uint8Array(copy.buffer).set(b.subarray(0, n * 4));
    return (this.w32 = copy);
  }

  get length(): number {
    return this.buf.byteLength;
  }

  /** Throws SHORT_HEADER unless `n` bytes are readable at `off` below `end`. */
  need(off: number, n: number, end: number = this.buf.byteLength, code: 'SHORT_HEADER' | 'BAD_ATTR_SIZE' = 'SHORT_HEADER'): void {
    if (off < 0 || off + n > end) throw new DecodeError(code, off, '', n, Math.max(0, end - off));
  }

  /** Throws BAD_ATTR_SIZE unless an attribute payload of `len` bytes is exactly `want` bytes. */
  fixed(off: number, len: number, want: number): void {
    if (len !== want) badAttrSize(off, len, want);
  }

  u8(off: number): number {
    this.need(off, 1);
    return this.buf[off];
  }
  u16ne(off: number): number {
    this.need(off, 2);
    return this.view.getUint16(off, LE);
  }
  u32ne(off: number): number {
    this.need(off, 4);
    return this.view.getUint32(off, LE);
  }
  s32ne(off: number): number {
    this.need(off, 4);
    return this.view.getInt32(off, LE);
  }
  u16be(off: number): number {
    this.need(off, 2);
    return this.view.getUint16(off, false);
  }
  u32be(off: number): number {
    this.need(off, 4);
    return this.view.getUint32(off, false);
  }
  /** A u64 as a number: exact up to 2^53 - 1; larger values return U64_SATURATED (callers flag it). */
  u64be(off: number): number {
    this.need(off, 8);
    const hi = this.view.getUint32(off, false);
    const lo = this.view.getUint32(off + 4, false);
    if (hi > 0x1fffff) return U64_SATURATED;
    return hi * 0x100000000 + lo;
  }
  /** A u64 exactly, as a bigint (timestamps in ns exceed 2^53). */
  u64beBig(off: number): bigint {
    this.need(off, 8);
    return this.view.getBigUint64(off, false);
  }
  // Unchecked reads for decoders' hot paths. The CALLER has checked bounds: they are only used on an
  // attribute payload that AttrIter placed inside the datagram and whose size `fixed()` confirmed.
  // Plain byte loads (no DataView, no need()); an out-of-bounds offset would read garbage, not throw.

  /** u16, host order, at `off`. Caller checked bounds. */
  u16neAt(off: number): number {
    const b = this.buf;
    return LE ? b[off] | (b[off + 1] << 8) : (b[off] << 8) | b[off + 1];
  }
  /** u32, host order, at `off`. Caller checked bounds. */
  u32neAt(off: number): number {
    const b = this.buf;
    return LE
      ? (b[off] | (b[off + 1] << 8) | (b[off + 2] << 16) | (b[off + 3] << 24)) >>> 0
      : ((b[off] << 24) | (b[off + 1] << 16) | (b[off + 2] << 8) | b[off + 3]) >>> 0;
  }
  /** u16, network order, at `off`. Caller checked bounds. */
  u16beAt(off: number): number {
    const b = this.buf;
    return (b[off] << 8) | b[off + 1];
  }
  /** u32, network order, at `off`. Caller checked bounds. */
  u32beAt(off: number): number {
    const b = this.buf;
    return ((b[off] << 24) | (b[off + 1] << 16) | (b[off + 2] << 8) | b[off + 3]) >>> 0;
  }
  /** u64, network order, at `off`, as u64be() returns it (U64_SATURATED above 2^53 - 1). Caller checked bounds. */
  u64beAt(off: number): number {
    const hi = this.u32beAt(off);
    if (hi > 0x1fffff) return U64_SATURATED;
    // hi 0 (every counter below 4 GiB): the low word as is, a small integer when it fits. `0 * 2^32 + lo`
    // is a float even for lo = 0, and one such value turns the counters' fields into boxed numbers (V8).
    return hi === 0 ? this.u32beAt(off + 4) : hi * 0x100000000 + this.u32beAt(off + 4);
  }

  /** A copy of `n` bytes at `off`. */
  bytes(off: number, n: number): Uint8Array {
    this.need(off, n);
    return this.buf.slice(off, off + n);
  }
  /** A NUL-terminated string occupying `len` bytes at `off` (the NUL is required; bytes after it are ignored). */
  cstring(off: number, len: number): string {
    this.need(off, len);
    const nul = this.buf.indexOf(0, off);
    if (nul < 0 || nul >= off + len) throw new DecodeError('BAD_STRING', off, '', len, len);
    return new TextDecoder().decode(this.buf.subarray(off, nul));
  }
}
