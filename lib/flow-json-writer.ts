// lib/ layer: flowJson written as UTF-8 bytes straight into a growing buffer, for the server's snapshot chunks
// (100k flows a client). Imports ./flow and ./flow-json (portsOnly). The bytes are exactly
// Buffer.from(flowJson(f)) for every Flow (fuzz/flow-json-writer.prop.ts and test/lib/flow-json-writer.test.ts hold it to that); strings that need
// escaping, and numbers that are not small whole ones, go through the same code as flowJson.
import { portsOnly } from './flow-json.js';
import type { Flow, FlowTuple } from './flow.js';

const MAX_DIGITS_INT = 0xffffffff; // up to here, digits are written by hand; above, through String()

/** Bytes of room made before each flow: a kernel flow is about 450 bytes; longer strings make their own room. */
const FLOW_ROOM_BYTES = 2048;
/** Strings longer than this make room for themselves (6 bytes a character at worst, escaped). */
const SHORT_CHARS = 64;

/**
 * A byte buffer that JSON text is appended to: `buf[0, len)`. A fresh buffer per `take()`, so that the
 * bytes handed out are never overwritten (a socket may hold them for a while). Why the shape of flow():
 * one capacity check per flow, and pieces copied in loops over local variables, where a method call per
 * piece (about 40 a flow) made it slower than building strings.
 */
export class JsonBytes {
  buf: Buffer;
  len = 0;

  constructor(private readonly sizeBytes = 64 * 1024) {
    this.buf = Buffer.allocUnsafe(sizeBytes);
  }

  /** The bytes written so far (a view), and a fresh buffer for what follows. */
  take(): Buffer {
    const out = this.buf.subarray(0, this.len);
    this.buf = Buffer.allocUnsafe(this.sizeBytes);
    this.len = 0;
    return out;
  }

  /** Room for `n` more bytes. */
  private room(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.len + n));
    this.buf.copy(bigger, 0, 0, this.len);
    this.buf = bigger;
  }

  /** Text known to be ASCII with nothing to escape (the caller's own keys and punctuation). */
  ascii(s: string): void {
    this.room(s.length);
    this.len = put(this.buf, this.len, s);
  }

  /** Any text as UTF-8, unchanged (JSON text made elsewhere). */
  utf8(s: string): void {
    this.len = this.utf8At(this.len, s);
  }

  /** A number as a template literal writes it (`${v}`). */
  num(v: number | null): void {
    this.room(32);
    this.len = num(this.buf, this.len, v);
  }

  /** Appends flowJson(f). */
  flow(f: Flow): void {
    this.room(FLOW_ROOM_BYTES);
    let at = put(this.buf, this.len, '{"id":');
    at = num(this.buf, at, f.id);
    at = put(this.buf, at, ',"family":"');
    at = this.raw(at, f.family);
    at = put(this.buf, at, '","proto":');
    at = this.str(at, f.proto);
    at = put(this.buf, at, ',"protoNum":');
    at = num(this.buf, at, f.protoNum);
    at = put(this.buf, at, ',"orig":');
    at = this.tuple(at, f.orig);
    at = put(this.buf, at, ',"reply":');
    at = this.tuple(at, f.reply);
    at = put(this.buf, at, ',"state":');
    at = f.state === null ? put(this.buf, at, 'null') : this.str(at, f.state);
    at = put(this.buf, at, ',"status":[');
    const st = f.status;
    for (let i = 0; i < st.length; i++) {
      at = this.roomAt(at, 256); // any number of names
      if (i > 0) this.buf[at++] = 0x2c;
      at = this.str(at, st[i]);
    }
    at = put(this.buf, at, '],"timeoutSec":');
    at = num(this.buf, at, f.timeoutSec);
    at = put(this.buf, at, ',"mark":');
    at = num(this.buf, at, f.mark);
    at = put(this.buf, at, ',"zone":');
    at = num(this.buf, at, f.zone);
    at = put(this.buf, at, ',"use":');
    at = num(this.buf, at, f.use);
    at = put(this.buf, at, ',"labels":[');
    const lb = f.labels;
    for (let i = 0; i < lb.length; i++) {
      at = this.roomAt(at, 256);
      if (i > 0) this.buf[at++] = 0x2c;
      at = num(this.buf, at, lb[i]);
    }
    at = put(this.buf, at, '],"helper":');
    at = f.helper === null ? put(this.buf, at, 'null') : this.str(at, f.helper);
    const c = f.counters;
    if (c) {
      at = put(this.buf, at, ',"counters":{"orig":{"packets":');
      at = num(this.buf, at, c.orig.packets);
      at = put(this.buf, at, ',"bytes":');
      at = num(this.buf, at, c.orig.bytes);
      at = put(this.buf, at, '},"reply":{"packets":');
      at = num(this.buf, at, c.reply.packets);
      at = put(this.buf, at, ',"bytes":');
      at = num(this.buf, at, c.reply.bytes);
      at = put(this.buf, at, c.saturated ? '},"saturated":true}' : '}}');
    }
    if (f.startNs !== undefined) {
      at = put(this.buf, at, ',"startNs":"');
      at = this.raw(at, f.startNs);
      this.buf[at++] = 0x22;
    }
    if (f.stopNs !== undefined) {
      at = put(this.buf, at, ',"stopNs":"');
      at = this.raw(at, f.stopNs);
      this.buf[at++] = 0x22;
    }
    if (f.master) {
      at = put(this.buf, at, ',"master":');
      at = this.tuple(at, f.master);
    }
    if (f.secctx !== undefined) {
      at = put(this.buf, at, ',"secctx":');
      at = this.str(at, f.secctx);
    }
    if (f.host !== undefined) {
      at = put(this.buf, at, ',"host":');
      at = this.str(at, f.host);
    }
    this.buf[at++] = 0x7d;
    this.len = at;
  }

  private tuple(at: number, t: FlowTuple): number {
    at = put(this.buf, at, '{"src":');
    at = this.str(at, t.src);
    at = put(this.buf, at, ',"dst":');
    at = this.str(at, t.dst);
    // flowJson's common shape (ports and nothing else) writes sport before dport whatever the key order.
    if (portsOnly(t)) {
      at = put(this.buf, at, ',"sport":');
      at = num(this.buf, at, t.sport);
      at = put(this.buf, at, ',"dport":');
      at = num(this.buf, at, t.dport);
      this.buf[at++] = 0x7d;
      return at;
    }
    for (const k in t) {
      if (k === 'src' || k === 'dst') continue;
      const v = t[k as keyof FlowTuple];
      if (v === undefined) continue;
      at = this.roomAt(at, 256); // any number of keys
      this.buf[at++] = 0x2c;
      this.buf[at++] = 0x22;
      at = this.raw(at, k);
      this.buf[at++] = 0x22;
      this.buf[at++] = 0x3a;
      at = typeof v === 'number' ? num(this.buf, at, v) : this.raw(at, `${v}`);
    }
    this.buf[at++] = 0x7d;
    return at;
  }

  /** A string as JSON.stringify writes it at `at`: printable ASCII directly, anything else through JSON.stringify. */
  private str(at: number, s: string): number {
    const n = s.length;
    if (n > SHORT_CHARS) at = this.roomAt(at, n * 6 + 2);
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c < 0x20 || c > 0x7e || c === 0x22 || c === 0x5c) return this.utf8At(at, JSON.stringify(s));
    }
    const b = this.buf;
    b[at++] = 0x22;
    for (let i = 0; i < n; i++) b[at++] = s.charCodeAt(i);
    b[at++] = 0x22;
    return at;
  }

  /** Text as it is (UTF-8), unescaped, as flowJson writes family, keys and timestamps. */
  private raw(at: number, s: string): number {
    const n = s.length;
    if (n > SHORT_CHARS) at = this.roomAt(at, n * 3);
    for (let i = 0; i < n; i++) if (s.charCodeAt(i) > 0x7f) return this.utf8At(at, s);
    return put(this.buf, at, s);
  }

  private utf8At(at: number, s: string): number {
    at = this.roomAt(at, s.length * 3);
    return at + this.buf.write(s, at, 'utf8');
  }

  /** Room for `n` more bytes after `at` (and the rest of a flow), keeping what is written up to `at`. */
  private roomAt(at: number, n: number): number {
    this.len = at;
    this.room(n + FLOW_ROOM_BYTES);
    return at;
  }
}

/** Copies the characters of ASCII text `s` into `b` at `at`; returns the end. */
function put(b: Buffer, at: number, s: string): number {
  const n = s.length;
  for (let i = 0; i < n; i++) b[at++] = s.charCodeAt(i);
  return at;
}

/** Writes `v` as `${v}` does at `at` (whole numbers up to 2^32 - 1 digit by digit); returns the end. */
function num(b: Buffer, at: number, v: number | null): number {
  if (v === null) return put(b, at, 'null');
  if (!(v >= 0 && v <= MAX_DIGITS_INT && v === Math.floor(v))) return put(b, at, String(v));
  let digits = 1;
  for (let x = v; x >= 10; x = Math.floor(x / 10)) digits++;
  let end = at + digits;
  const out = end;
  let x = v;
  do {
    const q = Math.floor(x / 10);
    b[--end] = 48 + x - q * 10;
    x = q;
  } while (x > 0);
  return out;
}
