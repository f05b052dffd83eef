// lib/ layer: the byte-writing steps shared by the JSON lines conntop writes as UTF-8 straight into a reused
// buffer instead of building strings (lib/kernel/entry-json.ts for --once --json, lib/change-line.ts for
// --events). Pure: no I/O, no imports.

/** The bytes of ASCII text (the fixed pieces of a line). */
export const ascii = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));

/** One JSON line being written: bytes [0, len) of `buf`, which grows as needed and is reused line after line. */
export class JsonBytes {
  buf = new Uint8Array(2048);
  len = 0;
  private readonly encoder = new TextEncoder();

  /** Room for `n` more bytes. */
  protected room(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const bigger = new Uint8Array(Math.max(this.buf.length * 2, this.len + n));
    bigger.set(this.buf.subarray(0, this.len));
    this.buf = bigger;
  }

  protected byte(b: number): void {
    this.room(1);
    this.buf[this.len++] = b;
  }

  protected put(piece: Uint8Array): void {
    const n = piece.length;
    this.room(n);
    // A loop: pieces are a few bytes, where TypedArray.prototype.set costs more than the copy.
    const b = this.buf;
    let at = this.len;
    for (let i = 0; i < n; i++) b[at++] = piece[i];
    this.len = at;
  }

  /** ASCII text that needs no escaping (addresses, names from conntop's tables). */
  protected text(s: string): void {
    this.room(s.length);
    const b = this.buf;
    let n = this.len;
    for (let i = 0; i < s.length; i++) b[n++] = s.charCodeAt(i);
    this.len = n;
  }

  /** Any string as a JSON string (JSON.stringify's text, as UTF-8). */
  protected jsonString(s: string): void {
    this.encode(JSON.stringify(s));
  }

  /** Any text as UTF-8. */
  protected encode(s: string): void {
    this.room(s.length * 3);
    this.len += this.encoder.encodeInto(s, this.buf.subarray(this.len)).written;
  }

  /** The decimal digits of a non-negative integer below 2^53. */
  protected uint(v: number): void {
    this.room(16);
    const b = this.buf;
    if (v < 10) {
      b[this.len++] = 48 + v;
      return;
    }
    let digits = 1;
    for (let p = 10; p <= v && digits < 16; p *= 10) digits++;
    const start = this.len;
    let n = start + digits;
    this.len = n;
    if (v <= 0x7fffffff) {
      // Small-integer arithmetic: ids, ports, marks, timeouts and most counters.
      for (let x = v | 0; n > start; x = (x / 10) | 0) b[--n] = 48 + (x % 10);
    } else {
      for (let x = v; n > start; x = Math.floor(x / 10)) b[--n] = 48 + (x % 10);
    }
  }
}
