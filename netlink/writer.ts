// netlink/ layer: a growable byte writer for requests, with nested attributes.
// Imports only ./errors. Lengths are computed, padding is zeroed, nests always carry NLA_F_NESTED,
// and attributes over 65535 bytes are rejected (house style §4.5, §4.10).
import { HOST_IS_LE } from './reader.js';

export const NLA_F_NESTED = 0x8000;
export const NLA_F_NET_BYTEORDER = 0x4000;
export const NLA_TYPE_MASK = 0x3fff;

/**
 * Rounds up to the 4-byte netlink alignment. Exact for every non-negative integer up to 2^53:
 * `(n + 3) & ~3` would wrap to a negative number from 2^31 (e.g. an echoed nlmsg_len of 0x80000000).
 */
export function align4(n: number): number {
  return n + ((4 - (n % 4)) % 4);
}

/** Thrown when a request cannot be encoded (an attribute too large for its u16 length). */
export class EncodeError extends Error {
  override readonly name = 'EncodeError';
  constructor(readonly code: 'ATTR_TOO_LARGE' | 'BAD_VALUE', message: string) {
    super(message);
  }
}

/** Appends bytes; `finish()` returns exactly the bytes written. */
export class Writer {
  private buf: Uint8Array;
  private view: DataView;
  private off = 0;
  constructor(initial = 256) {
    this.buf = new Uint8Array(initial);
    this.view = new DataView(this.buf.buffer);
  }

  get offset(): number {
    return this.off;
  }

  private grow(n: number): void {
    if (this.off + n <= this.buf.byteLength) return;
    let size = Math.max(16, this.buf.byteLength * 2);
    while (size < this.off + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.off));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  u8(v: number): this {
    this.grow(1);
    this.view.setUint8(this.off, v);
    this.off += 1;
    return this;
  }
  u16ne(v: number): this {
    this.grow(2);
    this.view.setUint16(this.off, v, HOST_IS_LE);
    this.off += 2;
    return this;
  }
  u32ne(v: number): this {
    this.grow(4);
    this.view.setUint32(this.off, v >>> 0, HOST_IS_LE);
    this.off += 4;
    return this;
  }
  s32ne(v: number): this {
    this.grow(4);
    this.view.setInt32(this.off, v, HOST_IS_LE);
    this.off += 4;
    return this;
  }
  u16be(v: number): this {
    this.grow(2);
    this.view.setUint16(this.off, v, false);
    this.off += 2;
    return this;
  }
  u32be(v: number): this {
    this.grow(4);
    this.view.setUint32(this.off, v >>> 0, false);
    this.off += 4;
    return this;
  }
  u64be(v: number | bigint): this {
    this.grow(8);
    this.view.setBigUint64(this.off, BigInt(v), false);
    this.off += 8;
    return this;
  }
  bytes(b: Uint8Array): this {
    this.grow(b.byteLength);
    this.buf.set(b, this.off);
    this.off += b.byteLength;
    return this;
  }
  /** Zero bytes up to the next 4-byte boundary. */
  pad(): this {
    const n = align4(this.off) - this.off;
    this.grow(n);
    this.buf.fill(0, this.off, this.off + n);
    this.off += n;
    return this;
  }
  /** Overwrites a host-order u32 at an earlier offset (lengths known only at the end). */
  patchU32ne(at: number, v: number): void {
    this.view.setUint32(at, v >>> 0, HOST_IS_LE);
  }
  patchU16ne(at: number, v: number): void {
    this.view.setUint16(at, v, HOST_IS_LE);
  }

  /** Writes one attribute whose payload `body` writes; the length is patched afterwards. */
  attr(type: number, body: (w: this) => void): this {
    const start = this.off;
    this.u16ne(0).u16ne(type);
    body(this);
    const len = this.off - start;
    if (len > 0xffff) throw new EncodeError('ATTR_TOO_LARGE', `attribute ${type & NLA_TYPE_MASK} is ${len} bytes (max 65535)`);
    this.patchU16ne(start, len);
    return this.pad();
  }
  /** A nest: always flagged NLA_F_NESTED so Wireshark descends into it. */
  nest(type: number, body: (w: this) => void): this {
    return this.attr(type | NLA_F_NESTED, body);
  }
  attrU8(type: number, v: number): this {
    return this.attr(type, (w) => w.u8(v));
  }
  attrU16be(type: number, v: number): this {
    return this.attr(type, (w) => w.u16be(v));
  }
  attrU32be(type: number, v: number): this {
    return this.attr(type, (w) => w.u32be(v));
  }
  attrU32ne(type: number, v: number): this {
    return this.attr(type, (w) => w.u32ne(v));
  }
  attrU64be(type: number, v: number | bigint): this {
    return this.attr(type, (w) => w.u64be(v));
  }
  attrBytes(type: number, b: Uint8Array): this {
    return this.attr(type, (w) => w.bytes(b));
  }
  /** A NUL-terminated string attribute. */
  attrString(type: number, s: string): this {
    return this.attr(type, (w) => w.bytes(new TextEncoder().encode(s)).u8(0));
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.off);
  }
}
