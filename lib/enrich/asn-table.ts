// lib/ layer (enrich): an IP-range to ASN table loaded from ip-location-db style CSV text
// (`start,end,asn,"org"`, inclusive ranges, sorted), the embedded ASN/organisation default.
// Imports ./addr-class.ts only. Input lines come from an injected async source, so loading streams
// in chunks and never blocks the event loop for long; memory is typed arrays plus one string per org.
import { parseIPv4, parseIPv6 } from './addr-class.js';

/** Most rows kept per family (the @ip-location-db/asn data of 2026 has 412k IPv4 and 103k IPv6 rows). */
export const MAX_ASN_ROWS = 2_000_000;

/** The answer for one address. */
export interface AsnInfo {
  asn: number;
  org: string;
}

/** Growable columns of u32 words; `width` words per key. */
class Column {
  data: Uint32Array;
  constructor(public readonly width: number) {
    this.data = new Uint32Array(width * 1024);
  }
  ensure(rows: number): void {
    if (rows * this.width <= this.data.length) return;
    const next = new Uint32Array(Math.max(rows * this.width, this.data.length * 2));
    next.set(this.data);
    this.data = next;
  }
}

/** Compares the `width`-word key at row `i` with `key` (big-endian words). */
function cmp(col: Column, i: number, key: ArrayLike<number>): number {
  const base = i * col.width;
  for (let w = 0; w < col.width; w++) {
    const d = col.data[base + w] - key[w];
    if (d !== 0) return d;
  }
  return 0;
}

/** One family's sorted, non-overlapping ranges. */
class RangeSet {
  rows = 0;
  readonly starts: Column;
  readonly ends: Column;
  asn = new Uint32Array(1024);
  org = new Uint32Array(1024);
  constructor(width: number) {
    this.starts = new Column(width);
    this.ends = new Column(width);
  }

  /** Appends a range; returns false when it is out of order or the table is full. */
  push(start: ArrayLike<number>, end: ArrayLike<number>, asn: number, org: number): boolean {
    if (this.rows >= MAX_ASN_ROWS) return false;
    if (this.rows > 0 && cmp(this.ends, this.rows - 1, start) >= 0) return false;
    const n = this.rows + 1;
    this.starts.ensure(n);
    this.ends.ensure(n);
    if (n > this.asn.length) {
      const a = new Uint32Array(this.asn.length * 2); a.set(this.asn); this.asn = a;
      const o = new Uint32Array(this.org.length * 2); o.set(this.org); this.org = o;
    }
    const w = this.starts.width;
    for (let i = 0; i < w; i++) {
      this.starts.data[this.rows * w + i] = start[i];
      this.ends.data[this.rows * w + i] = end[i];
    }
    this.asn[this.rows] = asn;
    this.org[this.rows] = org;
    this.rows = n;
    return true;
  }

  /** Drops capacity beyond `rows`. */
  trim(): void {
    for (const c of [this.starts, this.ends]) c.data = c.data.slice(0, this.rows * c.width);
    this.asn = this.asn.slice(0, this.rows);
    this.org = this.org.slice(0, this.rows);
  }

  /** Row index of the range containing `key`, or -1. */
  find(key: ArrayLike<number>): number {
    let lo = 0, hi = this.rows - 1, at = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (cmp(this.starts, mid, key) <= 0) { at = mid; lo = mid + 1; } else hi = mid - 1;
    }
    return at >= 0 && cmp(this.ends, at, key) >= 0 ? at : -1;
  }
}

/** IPv6 text as four big-endian u32 words, or null. */
function v6Words(s: string): number[] | null {
  const g = parseIPv6(s);
  return g === null ? null : [g[0] * 65536 + g[1], g[2] * 65536 + g[3], g[4] * 65536 + g[5], g[6] * 65536 + g[7]];
}

/** Splits `start,end,asn,org` where org may be double-quoted with `""` escapes; null when malformed. */
export function parseAsnCsvLine(line: string): [string, string, number, string] | null {
  const a = line.indexOf(','), b = line.indexOf(',', a + 1), c = line.indexOf(',', b + 1);
  if (a < 0 || b < 0 || c < 0) return null;
  const asn = Number(line.slice(b + 1, c));
  if (!Number.isInteger(asn) || asn < 0 || asn > 0xffffffff) return null;
  let org = line.slice(c + 1).replace(/\r$/, '');
  if (org.startsWith('"') && org.endsWith('"') && org.length >= 2) org = org.slice(1, -1).replaceAll('""', '"');
  return [line.slice(0, a), line.slice(a + 1, b), asn, org];
}

/** An immutable-after-load ASN table; lookups are a binary search (about 19 steps for 412k rows). */
export class AsnTable {
  readonly #v4 = new RangeSet(1);
  readonly #v6 = new RangeSet(4);
  readonly #orgs: string[] = [];
  #orgIndex: Map<string, number> | null = new Map();
  /** Lines skipped as malformed, out of order or over MAX_ASN_ROWS. */
  skipped = 0;

  get rows(): number {
    return this.#v4.rows + this.#v6.rows;
  }

  /** Adds one CSV line (IPv4 or IPv6 range); returns false when it was skipped. */
  addLine(line: string): boolean {
    const p = parseAsnCsvLine(line);
    if (p === null || this.#orgIndex === null) return this.#skip();
    const [s, e, asn, org] = p;
    let id = this.#orgIndex.get(org);
    if (id === undefined) {
      id = this.#orgs.length;
      this.#orgs.push(Buffer.from(org, 'utf8').toString('utf8')); // a copy: a slice would pin the whole chunk
      this.#orgIndex.set(org, id);
    }
    const s4 = parseIPv4(s);
    if (s4 !== null) {
      const e4 = parseIPv4(e);
      return (e4 !== null && e4 >= s4 && this.#v4.push([s4], [e4], asn, id)) || this.#skip();
    }
    const s6 = v6Words(s), e6 = v6Words(e);
    return (s6 !== null && e6 !== null && this.#v6.push(s6, e6, asn, id)) || this.#skip();
  }

  /** Ends loading: drops the org de-duplication map and the spare capacity of the columns. */
  seal(): void {
    this.#orgIndex = null;
    this.#v4.trim();
    this.#v6.trim();
  }

  /** The ASN and organisation for an address (IPv4 or IPv6 text, not mapped), or null. */
  lookup(addr: string): AsnInfo | null {
    const v4 = parseIPv4(addr);
    const set = v4 !== null ? this.#v4 : this.#v6;
    const key = v4 !== null ? [v4] : v6Words(addr);
    if (key === null) return null;
    const i = set.find(key);
    return i < 0 ? null : { asn: set.asn[i], org: this.#orgs[set.org[i]] };
  }

  #skip(): false {
    this.skipped++;
    return false;
  }
}

/** Decoded text chunks of one file, e.g. `fs.createReadStream(path, { encoding: 'utf8' })` (UTF-8 safe at chunk edges). */
export type ChunkSource = (path: string) => AsyncIterable<string>;

/**
 * Streams the CSV files at `paths` into a sealed AsnTable. `cancelled()` is polled per chunk so that
 * close() stops a load in progress; a cancelled load rejects with an Error whose code is 'CANCELLED'.
 */
export async function loadAsnCsv(open: ChunkSource, paths: readonly string[], cancelled: () => boolean = () => false): Promise<AsnTable> {
  const table = new AsnTable();
  for (const path of paths) {
    let rest = '';
    for await (const chunk of open(path)) {
      if (cancelled()) throw Object.assign(new Error('ASN table load cancelled'), { code: 'CANCELLED' });
      const lines = (rest + chunk).split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) if (line !== '') table.addLine(line);
    }
    if (rest !== '') table.addLine(rest);
  }
  table.seal();
  return table;
}
