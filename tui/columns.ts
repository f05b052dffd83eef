// tui/ layer: the view's use of the column registry (lib/fields.ts, keyed on lib's Row): which columns are
// on by default, how they are laid out in the terminal's width (drop by priority, addresses shrink first),
// and the colour role of a cell (magnitude for numbers, address class for addresses). Imports lib/ and tui/ only.
import { addrSortKey, fieldById, FIELDS, type DisplayOptions, type Field } from '../lib/fields.js';
import { formatRate } from '../lib/format.js';
import type { Row } from '../lib/row.js';
import type { Role } from './theme.js';

/** Display toggles every formatter sees (the n, N, b, t and s keys): the registry's DisplayOptions. */
export type FormatOpts = DisplayOptions;

/** A column of the flow list: a registry field. */
export type Column = Field;

/** Every column the view can show, in the registry's order. */
export const COLUMNS: readonly Column[] = FIELDS;

/** The columns shown by default, in order. */
export const DEFAULT_COLUMNS: readonly string[] = ['proto', 'state', 'src', 'sport', 'dst', 'dport', 'rateTx', 'rateRx', 'rate', 'age', 'process'];

/** The column with this id, or undefined. */
export function columnById(id: string): Column | undefined {
  return fieldById(id);
}

/** A rate in at most 9 columns: "1.2 MB/s", or "9.8 Mb/s" in bits mode. */
export function rateText(bytesPerSec: number, bits: boolean): string {
  return formatRate(bytesPerSec, bits);
}

const MAG_ROLES: readonly Role[] = ['mag0', 'mag1', 'mag2', 'mag3', 'mag4'];

/** The colour role of a cell: its magnitude for numbers, its address class for addresses, else undefined. */
export function cellRole(c: Column, r: Row, o: FormatOpts): Role | undefined {
  if (c.magnitude) return MAG_ROLES[Math.max(0, Math.min(4, c.magnitude(r, o)))];
  if (c.id !== 'src' && c.id !== 'dst') return undefined;
  const cls = r.enrich?.classes;
  if (!cls) return undefined;
  // With the local end as source, an inbound flow's ends are swapped.
  const swap = o.source === 'local' && r.enrich?.dir === 'inbound';
  const k = (c.id === 'src') !== swap ? cls.src : cls.dst;
  if (k === 'public') return undefined;
  if (k === 'private' || k === 'shared' || k === 'unique-local') return 'addrPrivate';
  if (k === 'this-host' || k === 'loopback') return 'addrLocal';
  return 'addrSpecial';
}

/** Fast address keys at or above this are approximate (IPv6 by its first 5 bytes, or unparsable text). */
export const APPROXIMATE_ADDR_KEY = 2 ** 32;

/**
 * A numeric sort key for an address, in the registry's order (IPv4 before IPv6, numerically): IPv4 exactly
 * (its value), IPv6 approximately (2^32 + its first 5 bytes), unparsable text last (2^41). The registry's
 * string keys cost a hex string per row; with this the 100k-row sort by address is a radix sort of numbers.
 */
export function addrNumKey(a: string): number {
  if (a.indexOf(':') < 0) {
    let v = 0, octet = -1, dots = 0;
    for (let i = 0; i < a.length; i++) {
      const c = a.charCodeAt(i);
      if (c === 46) {
        if (octet < 0) return 2 ** 41;
        v = v * 256 + octet;
        octet = -1;
        dots++;
      } else if (c >= 48 && c <= 57) octet = octet < 0 ? c - 48 : octet * 10 + c - 48;
      else return 2 ** 41;
    }
    return dots === 3 && octet >= 0 && octet < 256 ? v * 256 + octet : 2 ** 41;
  }
  const k = addrSortKey(a); // "6" + eight 16-bit groups as code units, or "7" + text when unparsable
  if (k.charCodeAt(0) !== 0x36) return 2 ** 41;
  return APPROXIMATE_ADDR_KEY + (k.charCodeAt(1) * 65536 + k.charCodeAt(2)) * 256 + (k.charCodeAt(3) >>> 8);
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
 * Lays out `ids` in `width` terminal columns with one blank between columns: columns cut in the middle
 * (addresses) shrink to their minimum first, then columns drop from the lowest priority (the registry's
 * rule), and spare room widens the addresses up to a full IPv6 address.
 */
export function layoutColumns(ids: readonly string[], width: number, widths: Readonly<Record<string, number>> = {}): Placed[] {
  let cols = ids.map(columnById).filter((c): c is Column => c !== undefined);
  const w = new Map(cols.map((c) => [c.id, Math.max(c.minWidth, widths[c.id] ?? Math.min(c.width, c.cut === 'middle' ? 22 : c.width))]));
  const total = () => cols.reduce((s, c) => s + w.get(c.id)! + 1, -1);
  for (const c of cols) if (total() > width && c.cut === 'middle') w.set(c.id, c.minWidth);
  while (cols.length > 1 && total() > width) {
    let drop = cols[cols.length - 1];
    for (const c of cols) if (c.priority <= drop.priority) drop = c;
    cols = cols.filter((c) => c !== drop);
  }
  const spare = width - total();
  const grow = cols.filter((c) => c.cut === 'middle' && widths[c.id] === undefined);
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
