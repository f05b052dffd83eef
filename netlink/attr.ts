// netlink/ layer: the TLV walk over a run of attributes. Imports ./reader and ./errors.
// Rules (house style §4.4-4.6): nla_len >= 4, never past the parent, step by align4 clamped
// to the parent, zero-length payloads (64-bit PAD attributes) are reported so callers skip them,
// nests are accepted with or without NLA_F_NESTED (kernels before 5.2 may omit it).
import { DecodeError } from './errors.js';
import { HOST_IS_LE, type Reader } from './reader.js';

/** Bit 15 of nla_type: the payload is a nest. */
export const NLA_F_NESTED = 0x8000;
/** Bit 14 of nla_type: payload in network order (ctnetlink never sets it, ctnetlink.md §1.6). */
export const NLA_F_NET_BYTEORDER = 0x4000;
/** The attribute type without its NLA_F_NESTED / NLA_F_NET_BYTEORDER flag bits. */
export const NLA_TYPE_MASK = 0x3fff;
/** Module-local copy of HOST_IS_LE (a local constant folds in V8's optimiser; an import binding may not). */
const LE = HOST_IS_LE;

/**
 * A cursor over the attributes in [start, end). Allocation-free per attribute:
 * `while (it.next()) switch (it.type) { ... it.off, it.len ... }`.
 * `off`/`len` are the payload's absolute offset and length (header excluded, padding excluded).
 */
export class AttrIter {
  /** Attribute type without the NESTED/NET_BYTEORDER flags. */
  type = 0;
  /** True when NLA_F_NESTED was set (informational: decoders accept nests either way). */
  nestedFlag = false;
  /** Absolute offset of the payload. */
  off = 0;
  /** Payload length in bytes (nla_len - 4). */
  len = 0;
  /** Absolute offset of the attribute header (for error reports). */
  hdr = 0;
  private pos: number;
  private end: number;
  private readonly buf: Uint8Array;

  constructor(
    private readonly r: Reader,
    start: number,
    end: number,
  ) {
    this.buf = r.buf;
    this.pos = start;
    this.end = end;
  }

  /** Restarts the cursor over [start, end) of the same datagram (decoders reuse one iterator per nesting depth). */
  reset(start: number, end: number): this {
    this.pos = start;
    this.end = end;
    this.type = 0;
    this.nestedFlag = false;
    this.off = 0;
    this.len = 0;
    this.hdr = 0;
    return this;
  }

  /**
   * Advances to the next attribute; false at the end of the run. Throws BAD_ATTR_LEN / ATTR_PAST_END / BAD_NEST,
   * or SHORT_HEADER when the run extends past the datagram. On true, [off, off + len) lies inside the datagram,
   * so decoders may use the reader's unchecked `*At` reads on it once the size is checked.
   */
  next(): boolean {
    const at = this.pos;
    const end = this.end;
    if (at >= end) return false;
    const b = this.buf;
    // Hot path kept small (so V8 inlines it into every decoder): one test covers every rule below,
    // and failures are sorted out by fail(), which always throws.
    if (at + 4 > end || at < 0 || at + 4 > b.length) this.fail(at);
    const nlaLen = LE ? b[at] | (b[at + 1] << 8) : (b[at] << 8) | b[at + 1];
    if (nlaLen < 4 || at + nlaLen > end || at + nlaLen > b.length) this.fail(at);
    const rawType = LE ? b[at + 2] | (b[at + 3] << 8) : (b[at + 2] << 8) | b[at + 3];
    this.hdr = at;
    this.type = rawType & NLA_TYPE_MASK;
    this.nestedFlag = (rawType & NLA_F_NESTED) !== 0;
    this.off = at + 4;
    this.len = nlaLen - 4;
    // Step by the aligned length, clamped: the last attribute's padding may be cut off.
    const step = at + ((nlaLen + 3) & ~3);
    this.pos = step < end ? step : end;
    return true;
  }

  /** Throws the error for a bad attribute header at `at` (next() found one of these rules broken). */
  private fail(at: number): never {
    const remaining = this.end - at;
    // 1-3 bytes left cannot be padding (the aligned step already skips every attribute's pad, and
    // a nest's nla_len excludes its own): they are garbage inside the nest or message (kernel nla_parse
    // warns "bytes leftover"). Reported, never read as an attribute.
    if (remaining < 4) throw new DecodeError('BAD_NEST', at, '', 4, remaining);
    // The header lies past the datagram (a run whose end does): what Reader.u16ne reports.
    this.r.need(at, 2);
    this.r.need(at + 2, 2);
    const nlaLen = this.r.u16ne(at);
    if (nlaLen < 4) throw new DecodeError('BAD_ATTR_LEN', at, '', 4, nlaLen);
    if (nlaLen > remaining) throw new DecodeError('ATTR_PAST_END', at, '', nlaLen, remaining);
    // The payload lies past the datagram: reported as a short read of it.
    this.r.need(at + 4, nlaLen - 4);
    throw new DecodeError('BAD_NEST', at, '', nlaLen, remaining); // unreachable: next() saw a broken rule
  }
}

/** Counts attributes a decoder did not recognise, per type, with the raw bytes of the first few for debug output. */
export class UnknownAttrs {
  /** `CTA_?(31)`-style name → count. */
  readonly counts = new Map<string, number>();
  /** Up to `keep` raw samples (header offset, name, payload bytes). */
  readonly samples: { name: string; offset: number; bytes: Uint8Array }[] = [];
  constructor(private readonly keep = 16) {}

  /** Attributes counted so far (kept as a sum: the pipeline reads it after every datagram). */
  private sum = 0;

  add(name: string, r: Reader, it: AttrIter): void {
    this.counts.set(name, (this.counts.get(name) ?? 0) + 1);
    this.sum++;
    if (this.samples.length < this.keep) this.samples.push({ name, offset: it.hdr, bytes: r.bytes(it.off, it.len) });
  }

  get total(): number {
    return this.sum;
  }
}
