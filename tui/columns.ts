// tui/ layer: the view's columns, a thin adapter over lib/fields.ts (the column registry) keyed on lib's Row.
// Imports lib/ only. Adds what the screen needs on top of the registry: a minimum width, a priority for
// dropping columns on narrow terminals, a sort key (decorate once, then sort) and a magnitude colour.
// TODO(#8): replace with the registry's own Row-keyed columns once lib/fields.ts grows them.
import { flagText, portText } from '../lib/fields.js';
import { formatBytes, formatCount, formatDuration } from '../lib/format.js';
import type { Row } from '../lib/row.js';
import type { Role } from './theme.js';
import { magnitudeRole } from './theme.js';

/** Display toggles every formatter sees (the n, N, b, t and s keys). */
export interface FormatOpts {
  /** Host names instead of addresses (n). */
  names: boolean;
  /** Service names instead of port numbers (N). */
  services: boolean;
  /** Bits per second instead of bytes (b). */
  bits: boolean;
  /** Totals (bytes) instead of rates (t). */
  totals: boolean;
  /** Which tuple counts as the source: 'orig' (as the kernel says) or 'reply' (flowtop's -s). */
  side: 'orig' | 'reply';
}

/** One column of the flow list. Widths are terminal columns. */
export interface Column {
  id: string;
  title: string;
  width: number;
  /** Narrowest useful width (addresses shrink before columns are dropped). */
  minWidth: number;
  /** Lower stays longer: columns drop from the highest priority number first on narrow screens. */
  priority: number;
  align: 'left' | 'right';
  /** True when larger values sort first by default. */
  descending: boolean;
  /** True when the column shows enrichment (sorting by it enriches every row in the background). */
  enriched: boolean;
  /** IPv6 addresses are cut in the middle. */
  cutMiddle?: boolean;
  format(r: Row, o: FormatOpts): string;
  /** A key that orders rows like this column; numbers or strings, never both for one column. */
  sortKey(r: Row, o: FormatOpts): number | string;
  /** A colour role for this cell (magnitude, address class), undefined for plain text. */
  role?(r: Row, o: FormatOpts): Role | undefined;
}

const tuple = (r: Row, o: FormatOpts) => (o.side === 'orig' ? r.flow.orig : r.flow.reply);
const bytes = (r: Row) => (r.flow.counters ? r.flow.counters.orig.bytes + r.flow.counters.reply.bytes : 0);
const packets = (r: Row) => (r.flow.counters ? r.flow.counters.orig.packets + r.flow.counters.reply.packets : 0);
const rateOf = (r: Row, dir: 'orig' | 'reply' | 'both') => {
  const x = r.live?.rates;
  if (!x) return 0;
  return dir === 'both' ? x.orig.bytesPerSec + x.reply.bytesPerSec : x[dir].bytesPerSec;
};

/**
 * An address as a string that orders numerically, IPv4 before IPv6: a family character, then one character
 * per byte (5 characters for IPv4, 17 for IPv6), so the list's prefix sort settles IPv4 exactly.
 */
export function addrKey(a: string): string {
  if (a.indexOf(':') < 0) {
    // A hand-rolled parse: split + map per address was most of a 100k-row sort by address.
    let b0 = 0, b1 = 0, b2 = 0, v = 0, part = 0;
    for (let i = 0; i < a.length; i++) {
      const c = a.charCodeAt(i);
      if (c === 46) {
        if (part === 0) b0 = v; else if (part === 1) b1 = v; else b2 = v;
        part++;
        v = 0;
      } else v = v * 10 + c - 48;
    }
    return String.fromCharCode(4, b0 & 255, b1 & 255, b2 & 255, v & 255);
  }
  const [head, tail] = a.includes('::') ? a.split('::') : [a, undefined];
  const h = head ? head.split(':') : [];
  const t = tail === undefined ? [] : tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...new Array<string>(Math.max(0, 8 - h.length - t.length)).fill('0'), ...t];
  const bytes: number[] = [];
  for (const g of groups.slice(0, 8)) {
    if (g.includes('.')) { for (const x of g.split('.')) bytes.push(Number(x) & 255); continue; } // ::ffff:1.2.3.4
    const v = parseInt(g, 16) || 0;
    bytes.push(v >> 8, v & 255);
  }
  return String.fromCharCode(6, ...bytes.slice(0, 16));
}

/** A rate in at most 9 columns: "1.2M/s", or "9.8Mb/s" in bits mode. */
export function rateText(bytesPerSec: number, bits: boolean): string {
  if (!(bytesPerSec > 0)) return '0';
  if (!bits) return `${formatBytes(bytesPerSec)}/s`;
  return `${formatCount(bytesPerSec * 8)}b/s`;
}

function addrText(r: Row, o: FormatOpts, end: 'src' | 'dst'): string {
  const t = tuple(r, o);
  if (o.names && r.enrich) {
    // rdns is keyed on the original tuple; on the reply side the ends swap.
    const key = o.side === 'orig' ? end : end === 'src' ? 'dst' : 'src';
    const name = r.enrich.rdns[key];
    if (name) return name;
  }
  return t[end];
}

function portCell(r: Row, o: FormatOpts, end: 'src' | 'dst'): string {
  const t = tuple(r, o);
  const svc = r.enrich?.service;
  // The service names orig.dport ('server') or orig.sport ('client'); on the reply side the ends swap.
  const svcEnd = svc?.side === 'server' ? 'dst' : 'src';
  if (o.services && svc && svc.name && (o.side === 'orig' ? svcEnd === end : svcEnd !== end)) return svc.name;
  return portText(t, end);
}

function addrRole(r: Row, o: FormatOpts, end: 'src' | 'dst'): Role | undefined {
  const cls = r.enrich?.classes;
  if (!cls) return undefined;
  const c = cls[o.side === 'orig' ? end : end === 'src' ? 'dst' : 'src'];
  if (c === 'public') return undefined;
  if (c === 'private' || c === 'shared' || c === 'unique-local') return 'addrPrivate';
  if (c === 'this-host' || c === 'loopback') return 'addrLocal';
  return 'addrSpecial';
}

const volume = (r: Row, o: FormatOpts, dir: 'orig' | 'reply' | 'both'): number => {
  if (!o.totals) return rateOf(r, dir);
  const c = r.flow.counters;
  if (!c) return 0;
  return dir === 'both' ? c.orig.bytes + c.reply.bytes : c[dir].bytes;
};
const volumeText = (r: Row, o: FormatOpts, dir: 'orig' | 'reply' | 'both') =>
  (o.totals ? (r.flow.counters ? formatBytes(volume(r, o, dir) * (o.bits ? 8 : 1)).replace(/B$/, o.bits ? 'b' : 'B') : '-') : rateText(volume(r, o, dir), o.bits));
const volumeRole = (r: Row, o: FormatOpts, dir: 'orig' | 'reply' | 'both'): Role => magnitudeRole(volume(r, o, dir), o.totals ? 1 << 20 : 1024);
const portKey = (t: Row['flow']['orig'], end: 'src' | 'dst') => (end === 'src' ? t.sport ?? t.type ?? t.srcKey ?? -1 : t.dport ?? t.icmpId ?? t.dstKey ?? -1);

/** Every column the view can show, in the default order; `DEFAULT_COLUMNS` says which are on. */
export const COLUMNS: readonly Column[] = [
  { id: 'proto', title: 'PROTO', width: 7, minWidth: 4, priority: 1, align: 'left', descending: false, enriched: false, format: (r) => r.flow.proto, sortKey: (r) => r.flow.proto },
  { id: 'state', title: 'STATE', width: 11, minWidth: 5, priority: 3, align: 'left', descending: false, enriched: false, format: (r) => r.flow.state ?? '', sortKey: (r) => r.flow.state ?? '' },
  { id: 'src', title: 'SOURCE', width: 22, minWidth: 15, priority: 0, align: 'left', descending: false, enriched: false, cutMiddle: true, format: (r, o) => addrText(r, o, 'src'), sortKey: (r, o) => (o.names ? addrText(r, o, 'src') : addrKey(tuple(r, o).src)), role: (r, o) => addrRole(r, o, 'src') },
  { id: 'sport', title: 'SPORT', width: 6, minWidth: 5, priority: 4, align: 'right', descending: false, enriched: false, format: (r, o) => portCell(r, o, 'src'), sortKey: (r, o) => portKey(tuple(r, o), 'src') },
  { id: 'dst', title: 'DESTINATION', width: 22, minWidth: 15, priority: 0, align: 'left', descending: false, enriched: false, cutMiddle: true, format: (r, o) => addrText(r, o, 'dst'), sortKey: (r, o) => (o.names ? addrText(r, o, 'dst') : addrKey(tuple(r, o).dst)), role: (r, o) => addrRole(r, o, 'dst') },
  { id: 'dport', title: 'DPORT', width: 6, minWidth: 5, priority: 2, align: 'right', descending: false, enriched: false, format: (r, o) => portCell(r, o, 'dst'), sortKey: (r, o) => portKey(tuple(r, o), 'dst') },
  { id: 'tx', title: 'TX', width: 8, minWidth: 6, priority: 5, align: 'right', descending: true, enriched: false, format: (r, o) => volumeText(r, o, o.side), sortKey: (r, o) => volume(r, o, o.side), role: (r, o) => volumeRole(r, o, o.side) },
  { id: 'rx', title: 'RX', width: 8, minWidth: 6, priority: 5, align: 'right', descending: true, enriched: false, format: (r, o) => volumeText(r, o, o.side === 'orig' ? 'reply' : 'orig'), sortKey: (r, o) => volume(r, o, o.side === 'orig' ? 'reply' : 'orig'), role: (r, o) => volumeRole(r, o, o.side === 'orig' ? 'reply' : 'orig') },
  { id: 'total', title: 'TOTAL', width: 8, minWidth: 6, priority: 2, align: 'right', descending: true, enriched: false, format: (r, o) => volumeText(r, o, 'both'), sortKey: (r, o) => volume(r, o, 'both'), role: (r, o) => volumeRole(r, o, 'both') },
  { id: 'packets', title: 'PKTS', width: 6, minWidth: 5, priority: 7, align: 'right', descending: true, enriched: false, format: (r) => (r.flow.counters ? formatCount(packets(r)) : '-'), sortKey: packets },
  { id: 'bytes', title: 'BYTES', width: 6, minWidth: 5, priority: 7, align: 'right', descending: true, enriched: false, format: (r) => (r.flow.counters ? formatBytes(bytes(r)) : '-'), sortKey: bytes },
  { id: 'age', title: 'AGE', width: 7, minWidth: 5, priority: 6, align: 'right', descending: true, enriched: false, format: (r) => (r.live ? formatDuration(r.live.ageMs / 1000) : ''), sortKey: (r) => r.live?.ageMs ?? 0 },
  { id: 'idle', title: 'IDLE', width: 7, minWidth: 5, priority: 8, align: 'right', descending: true, enriched: false, format: (r) => (r.live ? formatDuration(r.live.idleMs / 1000) : ''), sortKey: (r) => r.live?.idleMs ?? 0 },
  { id: 'timeout', title: 'TIMEOUT', width: 7, minWidth: 5, priority: 9, align: 'right', descending: true, enriched: false, format: (r) => (r.flow.timeoutSec === null ? '' : formatDuration(r.flow.timeoutSec)), sortKey: (r) => r.flow.timeoutSec ?? -1 },
  { id: 'flags', title: 'FLAGS', width: 5, minWidth: 3, priority: 9, align: 'left', descending: false, enriched: false, format: (r) => flagText(r.flow), sortKey: (r) => flagText(r.flow) },
  { id: 'mark', title: 'MARK', width: 8, minWidth: 4, priority: 9, align: 'right', descending: true, enriched: false, format: (r) => (r.flow.mark ? String(r.flow.mark) : ''), sortKey: (r) => r.flow.mark },
  { id: 'zone', title: 'ZONE', width: 5, minWidth: 4, priority: 9, align: 'right', descending: true, enriched: false, format: (r) => (r.flow.zone ? String(r.flow.zone) : ''), sortKey: (r) => r.flow.zone },
  { id: 'id', title: 'ID', width: 10, minWidth: 6, priority: 9, align: 'right', descending: false, enriched: false, format: (r) => String(r.flow.id), sortKey: (r) => r.flow.id },
  { id: 'country', title: 'CC', width: 2, minWidth: 2, priority: 6, align: 'left', descending: false, enriched: true, format: (r) => r.enrich?.geo?.country ?? '', sortKey: (r) => r.enrich?.geo?.country ?? '' },
  { id: 'org', title: 'AS ORGANISATION', width: 20, minWidth: 8, priority: 8, align: 'left', descending: false, enriched: true, format: (r) => (r.enrich?.geo?.asn ? `AS${r.enrich.geo.asn} ${r.enrich.geo.org ?? ''}`.trim() : ''), sortKey: (r) => r.enrich?.geo?.asn ?? 0 },
  { id: 'process', title: 'PROCESS', width: 16, minWidth: 8, priority: 5, align: 'left', descending: false, enriched: true, format: (r) => processText(r), sortKey: (r) => processText(r) },
  { id: 'dir', title: 'DIR', width: 3, minWidth: 3, priority: 8, align: 'left', descending: false, enriched: true, format: (r) => (r.enrich ? DIR_SHORT[r.enrich.dir] : ''), sortKey: (r) => (r.enrich ? DIR_SHORT[r.enrich.dir] : '') },
];

const DIR_SHORT = { outbound: 'out', inbound: 'in', forwarded: 'fwd', local: 'loc' } as const;

function processText(r: Row): string {
  const p = r.enrich?.process;
  if (!p) return '';
  if (p.kind === 'process') return `${p.name}(${p.pid})`;
  return p.kind === 'no-owner' ? '-' : p.kind === 'hidden' ? '?' : '';
}

/** The columns shown by default, in order. */
export const DEFAULT_COLUMNS: readonly string[] = ['proto', 'state', 'src', 'sport', 'dst', 'dport', 'tx', 'rx', 'total', 'age', 'process'];

/** The column with this id, or undefined. */
export function columnById(id: string): Column | undefined {
  return COLUMNS.find((c) => c.id === id);
}

/** The longest IPv6 address text. */
const MAX_ADDR_WIDTH = 39;

/** A laid-out column: where it starts and how wide it is drawn. */
export interface Placed {
  col: Column;
  x: number;
  width: number;
}

/**
 * Lays out `ids` in `width` terminal columns with one blank between columns: addresses shrink to their
 * minimum first, then columns drop from the highest priority number (the last of equals first), and
 * the last column takes any spare room if it is an address or text.
 */
export function layoutColumns(ids: readonly string[], width: number, widths: Readonly<Record<string, number>> = {}): Placed[] {
  let cols = ids.map(columnById).filter((c): c is Column => c !== undefined);
  const w = new Map(cols.map((c) => [c.id, Math.max(c.minWidth, widths[c.id] ?? c.width)]));
  const total = () => cols.reduce((s, c) => s + w.get(c.id)! + 1, -1);
  for (const c of cols) if (total() > width && c.cutMiddle) w.set(c.id, c.minWidth);
  while (cols.length > 1 && total() > width) {
    let drop = cols[cols.length - 1];
    for (const c of cols) if (c.priority >= drop.priority) drop = c;
    cols = cols.filter((c) => c !== drop);
  }
  // Spare room widens the addresses, up to a full IPv6 address (39 columns) each.
  const spare = width - total();
  const grow = cols.filter((c) => c.cutMiddle);
  grow.forEach((c, i) => w.set(c.id, Math.min(Math.max(w.get(c.id)!, MAX_ADDR_WIDTH), w.get(c.id)! + Math.floor(spare / grow.length) + (i < spare % grow.length ? 1 : 0))));
  const out: Placed[] = [];
  let x = 0;
  for (const c of cols) {
    const cw = Math.min(w.get(c.id)!, Math.max(0, width - x));
    out.push({ col: c, x, width: cw });
    x += cw + 1;
  }
  return out;
}
