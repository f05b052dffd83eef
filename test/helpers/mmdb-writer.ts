// test helper: a minimal MaxMind DB (format 2.0) writer, so tests build their own GeoIP databases.
// Imports lib/enrich/addr-class.ts only. Writes an IPv6 tree (IPv4 under ::/96) with 32-bit records;
// values may be strings, unsigned integers (< 2^32), booleans, maps and arrays. Cross-checked with mmdblookup.
import { parseIPv4, parseIPv6 } from '../../lib/enrich/addr-class.js';

export type MmdbValue = string | number | boolean | MmdbValue[] | { [k: string]: MmdbValue };

/** One network (CIDR text such as "198.51.100.0/24" or "2001:db8::/32") and its record. */
export interface MmdbEntry {
  network: string;
  data: MmdbValue;
}

function ctrl(type: number, size: number): number[] {
  const head = (t: number, s: number) => (type <= 7 ? [(t << 5) | s] : [s, type - 7]);
  if (size < 29) return head(type, size);
  if (size < 285) return [...head(type, 29), size - 29];
  if (size < 65821) return [...head(type, 30), (size - 285) >> 8, (size - 285) & 255];
  const v = size - 65821;
  return [...head(type, 31), (v >> 16) & 255, (v >> 8) & 255, v & 255];
}

function encode(v: MmdbValue): number[] {
  if (typeof v === 'string') {
    const b = [...Buffer.from(v, 'utf8')];
    return [...ctrl(2, b.length), ...b];
  }
  if (typeof v === 'number') {
    if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new RangeError(`unsupported number ${v}`);
    const bytes: number[] = [];
    for (let x = v; x > 0; x = Math.floor(x / 256)) bytes.unshift(x % 256);
    return [...ctrl(6, bytes.length), ...bytes];
  }
  if (typeof v === 'boolean') return ctrl(14, v ? 1 : 0);
  if (Array.isArray(v)) return [...ctrl(11, v.length), ...v.flatMap(encode)];
  const keys = Object.keys(v);
  return [...ctrl(7, keys.length), ...keys.flatMap((k) => [...encode(k), ...encode(v[k])])];
}

/** 128 network bits of a CIDR (IPv4 mapped into ::/96) and its prefix length over 128 bits. */
function networkBits(cidr: string): { bits: number[]; len: number } {
  const [addr, lenText] = cidr.split('/');
  const v4 = parseIPv4(addr);
  const groups = v4 !== null ? new Uint16Array([0, 0, 0, 0, 0, 0, v4 >>> 16, v4 & 0xffff]) : parseIPv6(addr);
  if (groups === null) throw new Error(`bad network ${cidr}`);
  const len = Number(lenText) + (v4 !== null ? 96 : 0);
  const bits: number[] = [];
  for (let i = 0; i < 128; i++) bits.push((groups[i >> 4] >> (15 - (i & 15))) & 1);
  return { bits, len };
}

type Rec = { node: number } | { data: number } | null;

/** Builds a database; more specific networks override less specific ones regardless of order. */
export function writeMmdb(entries: MmdbEntry[], meta: { databaseType: string; buildEpoch?: number }): Buffer {
  const data: number[] = [];
  const offsets = new Map<string, number>();
  const dataOffset = (v: MmdbValue) => {
    const k = JSON.stringify(v);
    let off = offsets.get(k);
    if (off === undefined) { off = data.length; offsets.set(k, off); data.push(...encode(v)); }
    return off;
  };
  const nodes: Array<[Rec, Rec]> = [[null, null]];
  const sorted = entries.map((e) => ({ ...networkBits(e.network), off: dataOffset(e.data) })).sort((a, b) => a.len - b.len);
  for (const { bits, len, off } of sorted) {
    if (len === 0) throw new Error('a /0 network is not supported');
    let n = 0;
    for (let i = 0; i < len - 1; i++) {
      const r = nodes[n][bits[i]];
      if (r !== null && 'node' in r) { n = r.node; continue; }
      nodes.push([r, r]); // split a shorter prefix's record into both halves
      nodes[n][bits[i]] = { node: nodes.length - 1 };
      n = nodes.length - 1;
    }
    nodes[n][bits[len - 1]] = { data: off };
  }
  const count = nodes.length;
  const tree = Buffer.alloc(count * 8);
  nodes.forEach(([l, r], i) => {
    const val = (x: Rec) => (x === null ? count : 'node' in x ? x.node : count + 16 + x.data);
    tree.writeUInt32BE(val(l), i * 8);
    tree.writeUInt32BE(val(r), i * 8 + 4);
  });
  const uint = (v: number, type: number) => {
    const bytes: number[] = [];
    for (let x = v; x > 0; x = Math.floor(x / 256)) bytes.unshift(x % 256);
    return [...ctrl(type, bytes.length), ...bytes];
  };
  const metaMap: Array<[string, number[]]> = [
    ['node_count', uint(count, 6)], ['record_size', uint(32, 5)], ['ip_version', uint(6, 5)],
    ['database_type', encode(meta.databaseType)], ['languages', encode(['en'])],
    ['binary_format_major_version', uint(2, 5)], ['binary_format_minor_version', uint(0, 5)],
    ['build_epoch', uint(meta.buildEpoch ?? 1_700_000_000, 9)], ['description', encode({ en: `conntop test ${meta.databaseType}` })],
  ];
  const metaBytes = [...ctrl(7, metaMap.length), ...metaMap.flatMap(([k, v]) => [...encode(k), ...v])];
  const marker = Buffer.from([0xab, 0xcd, 0xef, ...Buffer.from('MaxMind.com')]);
  return Buffer.concat([tree, Buffer.alloc(16), Buffer.from(data), marker, Buffer.from(metaBytes)]);
}
