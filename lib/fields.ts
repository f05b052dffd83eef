// lib/ layer: the column registry shared by the text table and the TUI: id, title, width, alignment,
// default sort direction, comparison and formatting. Imports ./flow and ./format only.
import type { Enrichment } from './enrich/index.js';
import type { Flow, FlowTuple } from './flow.js';
import { formatBytes, formatCount } from './format.js';

/** One column. `width` is the preferred width in terminal columns; text is cut to it. */
export interface Field {
  id: string;
  title: string;
  width: number;
  align: 'left' | 'right';
  /** True when larger values sort first by default (counters, rates). */
  descending: boolean;
  /** The cell text; `e` is the flow's enrichment when enrichment runs. */
  format(f: Flow, e?: Enrichment): string;
  compare(a: Flow, b: Flow): number;
}

/** The L4 keys of a tuple as text: "443", "8/0 #99" for ICMP, "0x10" for GRE, "" when none. */
export function portText(t: FlowTuple, side: 'src' | 'dst'): string {
  if (side === 'src') {
    if (t.sport !== undefined) return String(t.sport);
    if (t.type !== undefined) return `${t.type}/${t.code ?? 0}`;
    if (t.srcKey !== undefined) return `0x${t.srcKey.toString(16)}`;
  } else {
    if (t.dport !== undefined) return String(t.dport);
    if (t.icmpId !== undefined) return `#${t.icmpId}`;
    if (t.dstKey !== undefined) return `0x${t.dstKey.toString(16)}`;
  }
  return '';
}

const num = (get: (f: Flow) => number) => (a: Flow, b: Flow) => get(a) - get(b);
const str = (get: (f: Flow) => string) => (a: Flow, b: Flow) => (get(a) < get(b) ? -1 : get(a) > get(b) ? 1 : 0);
const bytesOf = (f: Flow) => (f.counters ? f.counters.orig.bytes + f.counters.reply.bytes : 0);
const pktsOf = (f: Flow) => (f.counters ? f.counters.orig.packets + f.counters.reply.packets : 0);

/** Address sort key that orders numerically (10.0.0.2 before 10.0.0.10), IPv4 before IPv6. */
export function addrSortKey(a: string): string {
  if (!a.includes(':')) return `4${a.split('.').map((p) => p.padStart(3, '0')).join('.')}`;
  return `6${a}`;
}

/** Every column conntop can show, in default order. */
export const FIELDS: readonly Field[] = [
  { id: 'proto', title: 'PROTO', width: 7, align: 'left', descending: false, format: (f) => f.proto, compare: str((f) => f.proto) },
  { id: 'state', title: 'STATE', width: 11, align: 'left', descending: false, format: (f) => f.state ?? '', compare: str((f) => f.state ?? '') },
  { id: 'src', title: 'SOURCE', width: 39, align: 'left', descending: false, format: (f) => f.orig.src, compare: str((f) => addrSortKey(f.orig.src)) },
  { id: 'sport', title: 'SPORT', width: 7, align: 'right', descending: false, format: (f) => portText(f.orig, 'src'), compare: num((f) => f.orig.sport ?? f.orig.type ?? f.orig.srcKey ?? -1) },
  { id: 'dst', title: 'DESTINATION', width: 39, align: 'left', descending: false, format: (f) => f.orig.dst, compare: str((f) => addrSortKey(f.orig.dst)) },
  { id: 'dport', title: 'DPORT', width: 7, align: 'right', descending: false, format: (f) => portText(f.orig, 'dst'), compare: num((f) => f.orig.dport ?? f.orig.icmpId ?? f.orig.dstKey ?? -1) },
  { id: 'packets', title: 'PKTS', width: 6, align: 'right', descending: true, format: (f) => (f.counters ? formatCount(pktsOf(f)) : '-'), compare: num(pktsOf) },
  { id: 'bytes', title: 'BYTES', width: 6, align: 'right', descending: true, format: (f) => (f.counters ? formatBytes(bytesOf(f)) : '-'), compare: num(bytesOf) },
  { id: 'timeout', title: 'TIMEOUT', width: 7, align: 'right', descending: true, format: (f) => (f.timeoutSec === null ? '' : String(f.timeoutSec)), compare: num((f) => f.timeoutSec ?? -1) },
  { id: 'mark', title: 'MARK', width: 10, align: 'right', descending: true, format: (f) => (f.mark ? String(f.mark) : ''), compare: num((f) => f.mark) },
  { id: 'zone', title: 'ZONE', width: 5, align: 'right', descending: true, format: (f) => (f.zone ? String(f.zone) : ''), compare: num((f) => f.zone) },
  { id: 'flags', title: 'FLAGS', width: 10, align: 'left', descending: false, format: flagText, compare: str(flagText) },
];

const none = () => 0;

function processText(e?: Enrichment): string {
  const p = e?.process;
  if (!p) return '';
  if (p.kind === 'process') return `${p.name}(${p.pid})`;
  return p.kind === 'no-owner' ? '-' : p.kind === 'hidden' ? '?' : '';
}

/** Columns that need enrichment (services, direction, GeoIP, reverse DNS, processes). */
export const ENRICH_FIELDS: readonly Field[] = [
  { id: 'service', title: 'SERVICE', width: 12, align: 'left', descending: false, format: (_f, e) => e?.service?.name ?? '', compare: none },
  { id: 'dir', title: 'DIR', width: 4, align: 'left', descending: false, format: (_f, e) => (e ? DIR_SHORT[e.dir] + (e.nat === 'none' ? '' : e.nat === 'snat' ? 'S' : e.nat === 'dnat' ? 'D' : 'SD') : ''), compare: none },
  { id: 'country', title: 'CC', width: 2, align: 'left', descending: false, format: (_f, e) => e?.geo?.country ?? '', compare: none },
  { id: 'org', title: 'AS ORGANISATION', width: 28, align: 'left', descending: false, format: (_f, e) => (e?.geo?.asn ? `AS${e.geo.asn} ${e.geo.org ?? ''}`.trim() : ''), compare: none },
  { id: 'host', title: 'REMOTE HOST', width: 32, align: 'left', descending: false, format: (_f, e) => (e ? (e.remote === e.rdns.src && e.rdns.src) || e.rdns.dst || '' : ''), compare: none },
  { id: 'process', title: 'PROCESS', width: 20, align: 'left', descending: false, format: (_f, e) => processText(e), compare: none },
];

const DIR_SHORT = { outbound: 'out', inbound: 'in', forwarded: 'fwd', local: 'loc' } as const;

/** Short status letters: A assured, U unreplied, S source NAT, D destination NAT, O offloaded, E expected. */
export function flagText(f: Flow): string {
  const s = f.status;
  let out = '';
  if (s.includes('ASSURED')) out += 'A';
  if (!s.includes('SEEN_REPLY')) out += 'U';
  if (s.includes('SRC_NAT')) out += 'S';
  if (s.includes('DST_NAT')) out += 'D';
  if (s.includes('OFFLOAD') || s.includes('HW_OFFLOAD')) out += 'O';
  if (s.includes('EXPECTED')) out += 'E';
  return out;
}

/** The field with this id, or undefined. */
export function fieldById(id: string): Field | undefined {
  return FIELDS.find((f) => f.id === id) ?? ENRICH_FIELDS.find((f) => f.id === id);
}
