// lib/ layer: THE column registry, keyed on a Row (flow, live figures, enrichment), shared by the text
// table, the TUI and the filter language: id, title, widths, drop priority, alignment, cut style, default
// direction, formatter, comparator, sort key and magnitude. Imports lib/ only (format, addr-order, values).
// Cells: PENDING_MARK "…" = not known yet (enrichment pending); blank = known to be none; "-" = not
// measured (no counters, or no live figures in --once). Comparators allocate nothing per call.
import { addrKey, addrSortKey, compareAddr } from './addr-order.js';
import {
  DEFAULT_DISPLAY, PENDING, compareLabels, counter, counterSum, endAddr, flagBits, flagText, isDnat, isSnat, labelsKey, natText, portNum, portText,
  rate, rateSum, rdnsOf, swapped, type DisplayOptions, type NumValue, type TextValue,
} from './field-values.js';
import { formatBytes, formatCount, formatDuration, formatRate, magnitude } from './format.js';
import type { Row } from './row.js';

export { DEFAULT_DISPLAY, PENDING, flagText, natText, portText, type DisplayOptions } from './field-values.js';
export { addrKey, addrSortKey, compareAddr } from './addr-order.js';

/** What a cell shows while its value is still being looked up (a lone "…"; a cut cell always keeps text). */
export const PENDING_MARK = '…';
/** What a cell shows when the value is not measured: no counters (nf_conntrack_acct off), no live figures. */
export const NO_DATA_MARK = '-';

/** One column. Widths are terminal columns; cells are never cut silently (a cut shows "…"). */
export interface Field {
  /** Stable identifier (settings files, the filter language, --columns). */
  readonly id: string;
  /** Header text; at most `width` columns. */
  readonly title: string;
  /** Header while opts.totals is on, for rate columns that show totals then. */
  readonly totalsTitle?: string;
  /** One line for help screens: what the column shows. */
  readonly description: string;
  /** Preferred width: the widest cell normally seen (longer cells are cut). */
  readonly width: number;
  /** Narrowest useful width; equal to `width` for numbers (never cut). */
  readonly minWidth: number;
  /** When the terminal is narrow, lower priorities are dropped first (0..100). */
  readonly priority: number;
  readonly align: 'left' | 'right';
  /** Where a cut goes: 'end' keeps the start, 'middle' keeps both ends (addresses). */
  readonly cut: 'end' | 'middle';
  /** True when larger values sort first by default (counters, rates, durations). */
  readonly descending: boolean;
  /** Read from enrichment: "…" until the row is enriched. */
  readonly enrich: boolean;
  /** Read from the live table (rates, age, idle): "-" for one-shot rows. */
  readonly live: boolean;
  /** Blank for most flows by nature (mark, zone, labels, helper, NAT): a table may leave it out when all are. */
  readonly sparse: boolean;
  /** The cell text (uncut; may exceed `width`). */
  format(row: Row, opts: DisplayOptions): string;
  /** A total preorder on rows (0 for equal values, so a stable sort keeps ties in place); allocates nothing. */
  compare(a: Row, b: Row, opts: DisplayOptions): number;
  /** A key whose order under compareKeys (numbers numerically, before strings by code unit) is compare's. */
  sortKey(row: Row, opts: DisplayOptions): number | string;
  /**
   * Text columns sorted by their value: the value sortKey is made of (sortKey = textSortKey(textValue)), so a
   * sort of many rows can map the few distinct values to keys once instead of building a key string per row.
   */
  readonly textValue?: (row: Row, opts: DisplayOptions) => TextValue;
  /** Order of magnitude 0..4 of a byte, packet or rate value (the TUI colours by it); absent for others. */
  magnitude?(row: Row, opts: DisplayOptions): number;
}

/** Orders two sort keys of one field as compare orders their rows: numbers numerically, before strings. */
export function compareKeys(a: number | string, b: number | string): number {
  if (typeof a === 'number') return typeof b === 'number' ? a - b : -1;
  if (typeof b === 'number') return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The header a field shows under `opts`. */
export function titleOf(f: Field, opts: DisplayOptions): string {
  return opts.totals && f.totalsTitle ? f.totalsTitle : f.title;
}

type Spec = Pick<Field, 'id' | 'title' | 'description' | 'width' | 'priority'> & Partial<Pick<Field, 'minWidth' | 'align' | 'cut' | 'descending' | 'enrich' | 'live' | 'sparse' | 'totalsTitle'>>;

function base(s: Spec): Omit<Field, 'format' | 'compare' | 'sortKey'> {
  return {
    align: 'left', cut: 'end', descending: false, enrich: false, live: false, sparse: false, ...s,
    // Never narrower than the title: headers are not cut.
    minWidth: Math.min(s.width, Math.max(s.minWidth ?? 4, s.title.length, s.totalsTitle?.length ?? 0)),
  };
}

// Number cells: not available (null) sorts below every value, pending just above it.
const numRank = (v: NumValue): number => (v === PENDING ? -0.5 : v === null ? -1 : v);

/** A numeric column: `show` formats a value; null shows `none` ("-" or blank), PENDING shows "…". */
function num(s: Spec, get: (r: Row, o: DisplayOptions) => NumValue, show: (v: number, o: DisplayOptions) => string, none = NO_DATA_MARK, mag = false): Field {
  const f: Field = {
    ...base({ align: 'right', descending: true, minWidth: s.width, ...s }),
    format: (r, o) => {
      const v = get(r, o);
      return v === PENDING ? PENDING_MARK : v === null ? none : show(v, o);
    },
    compare: (a, b, o) => numRank(get(a, o)) - numRank(get(b, o)),
    sortKey: (r, o) => numRank(get(r, o)),
  };
  if (mag) f.magnitude = (r, o) => { const v = get(r, o); return typeof v === 'number' ? magnitude(v) : 0; };
  return f;
}

/** `a` + `b` as a flat string (join), not a ConsString: sorts compare keys ~1.7M times at 100k rows. */
const flat = (a: string, b: string): string => [a, b].join('');

// Text cells sort values first (by code unit), then pending, then blanks.
const textRank = (v: TextValue): number => (typeof v === 'string' ? 0 : v === PENDING ? 1 : 2);
function compareText(x: TextValue, y: TextValue): number {
  const d = textRank(x) - textRank(y);
  if (d !== 0 || typeof x !== 'string' || typeof y !== 'string') return d;
  return x < y ? -1 : x > y ? 1 : 0;
}

/** The sort key of a text value: values first (by code unit), then pending, then blanks. */
export function textSortKey(v: TextValue): string {
  return typeof v === 'string' ? flat('0', v) : v === PENDING ? '1' : '2';
}

/** A text column sorted by `get`; `show` (default: the value) may decorate it for display. */
function text(s: Spec, get: (r: Row, o: DisplayOptions) => TextValue, show?: (r: Row, o: DisplayOptions) => string): Field {
  return {
    textValue: get,
    ...base(s),
    format: (r, o) => {
      const v = get(r, o);
      return v === PENDING ? PENDING_MARK : v === null ? '' : show ? show(r, o) : v;
    },
    compare: (a, b, o) => compareText(get(a, o), get(b, o)),
    sortKey: (r, o) => textSortKey(get(r, o)),
  };
}

/** Source or destination: the address (numeric order), or with opts.names its name when known (names first). */
function endpoint(s: Spec, dst: boolean): Field {
  const name = (r: Row, o: DisplayOptions): string | null => {
    const n = rdnsOf(r, dst !== swapped(r, o));
    return typeof n === 'string' ? n : null;
  };
  return {
    ...base({ cut: 'middle', minWidth: 15, ...s }),
    format: (r, o) => (o.names ? name(r, o) ?? endAddr(r, o, dst) : endAddr(r, o, dst)),
    compare: (a, b, o) => {
      if (o.names) {
        const x = name(a, o), y = name(b, o);
        if (x !== null || y !== null) return x === null ? 1 : y === null ? -1 : x < y ? -1 : x > y ? 1 : 0;
      }
      return compareAddr(endAddr(a, o, dst), endAddr(b, o, dst));
    },
    sortKey: (r, o) => {
      if (!o.names) return addrKey(endAddr(r, o, dst));
      const n = name(r, o);
      return n !== null ? flat('0', n) : flat('1', addrSortKey(endAddr(r, o, dst)));
    },
  };
}

/** A port column (numeric order); with opts.services the service name when enrichment named this port. */
function port(s: Spec, dst: boolean): Field {
  const side = (r: Row, o: DisplayOptions): 'src' | 'dst' => (dst !== swapped(r, o) ? 'dst' : 'src');
  return {
    ...num({ align: 'right', descending: false, minWidth: 5, ...s }, (r, o) => portNum(r.flow.orig, side(r, o)), () => ''),
    format: (r, o) => {
      const sd = side(r, o);
      const svc = r.enrich?.service;
      if (o.services && svc?.name && svc.port === portNum(r.flow.orig, sd) && (svc.side === 'server') === (sd === 'dst')) return svc.name;
      return portText(r.flow.orig, sd);
    },
  };
}

/** An enrichment text value: PENDING until enriched, then `get` of the enrichment. */
const enriched = (get: (e: NonNullable<Row['enrich']>) => TextValue) => (r: Row): TextValue => (r.enrich ? get(r.enrich) : PENDING);
/** A GeoIP value: PENDING while the database that could answer is loading, null when unknown. */
const geo = <K extends 'country' | 'city' | 'org'>(k: K) => enriched((e) => e.geo === null ? null : e.geo[k] ?? (e.geo.pending ? PENDING : null));

/** The process label of a row: PENDING while looked up; undefined process (no socket protocol) is none. */
function processOf(r: Row): NonNullable<NonNullable<Row['enrich']>['process']> | null | typeof PENDING {
  if (!r.enrich) return PENDING;
  const p = r.enrich.process;
  return p === undefined ? null : p === null ? PENDING : p;
}

const DIR_SHORT = { outbound: 'out', inbound: 'in', forwarded: 'fwd', local: 'loc' } as const;
const DIR_RANK = { outbound: 0, inbound: 1, forwarded: 2, local: 3 } as const;
const NAT_SUFFIX = { none: '', snat: 'S', dnat: 'D', both: 'SD' } as const;
const NAT_RANK = { none: 0, snat: 1, dnat: 2, both: 3 } as const;

const bytesOrRate = (v: number, o: DisplayOptions, isRate: boolean): string => (isRate ? formatRate(v, o.bits) : formatBytes(v, o.bits));

/** A rate column (bytes or packets per second); with opts.totals it shows that direction's totals. */
function rateField(s: Spec, what: 'bytes' | 'packets', reply: boolean | null): Field {
  return num({ live: true, ...s }, (r, o) => (o.totals
    ? reply === null ? counterSum(r, what) : counter(r, o, reply, what)
    : reply === null ? rateSum(r, what) : rate(r, o, reply, what)),
  (v, o) => (what === 'bytes' ? bytesOrRate(v, o, !o.totals) : `${formatCount(v)}${o.totals ? '' : '/s'}`), NO_DATA_MARK, true);
}

const pidOf = (r: Row): NumValue => { const p = processOf(r); return p === PENDING ? PENDING : p?.kind === 'process' ? p.pid : null; };
const secs = (v: number): string => formatDuration(v / 1000);

/** Every column conntop can show, in default order. */
export const FIELDS: readonly Field[] = [
  text({ id: 'proto', title: 'PROTO', description: 'protocol (tcp, udp, icmp, gre, or its number)', width: 7, minWidth: 7, priority: 100 }, (r) => r.flow.proto),
  text({ id: 'family', title: 'FAM', description: 'address family (ipv4, ipv6)', width: 4, priority: 20 }, (r) => r.flow.family),
  text({ id: 'state', title: 'STATE', description: 'protocol state (TCP, SCTP, DCCP)', width: 11, minWidth: 11, priority: 90 }, (r) => r.flow.state),
  endpoint({ id: 'src', title: 'SOURCE', description: 'source address (or host name)', width: 39, priority: 97 }, false),
  port({ id: 'sport', title: 'SPORT', description: 'source port (or service); ICMP type/code; GRE key', width: 7, priority: 85 }, false),
  endpoint({ id: 'dst', title: 'DESTINATION', description: 'destination address (or host name)', width: 39, priority: 97 }, true),
  port({ id: 'dport', title: 'DPORT', description: 'destination port (or service); ICMP #id; GRE key', width: 7, priority: 96 }, true),
  {
    ...text({ id: 'nat', title: 'NAT', description: 'translated ends from the reply tuple: S source after SNAT, D destination after DNAT', width: 24, minWidth: 12, priority: 79, cut: 'middle', sparse: true },
      (r) => (natRank(r) === 0 ? '' : null),
      (r) => natText(r.flow)),
    // Sorted by the translated addresses (reply tuple), untranslated flows last.
    textValue: undefined, // sorted by its own key
    compare: (a, b) => natRank(a) - natRank(b) || compareAddr(a.flow.reply.dst, b.flow.reply.dst) || compareAddr(a.flow.reply.src, b.flow.reply.src),
    // NUL separators: a key that is a prefix of another (unparsable text) still sorts first, as compareAddr does.
    sortKey: (r) => [natRank(r), addrSortKey(r.flow.reply.dst), addrSortKey(r.flow.reply.src)].join('\0'),
  },
  {
    ...text({ id: 'dir', title: 'DIR', description: 'direction: out, in, fwd (forwarded), loc (local); NAT suffix S, D, SD', width: 5, minWidth: 5, priority: 88, enrich: true },
      enriched((e) => DIR_SHORT[e.dir]), (r) => DIR_SHORT[r.enrich!.dir] + NAT_SUFFIX[r.enrich!.nat]),
    textValue: undefined,
    compare: (a, b) => dirRank(a) - dirRank(b),
    sortKey: dirRank,
  },
  text({ id: 'service', title: 'SERVICE', description: "the service's name (server port)", width: 12, minWidth: 8, priority: 78, enrich: true }, enriched((e) => e.service?.name ?? null)),
  text({ id: 'country', title: 'CC', description: "remote end's country (ISO code)", width: 2, minWidth: 2, priority: 70, enrich: true }, geo('country')),
  text({ id: 'city', title: 'CITY', description: "remote end's city", width: 16, minWidth: 6, priority: 34, enrich: true }, geo('city')),
  num({ id: 'asn', title: 'ASN', description: "remote end's autonomous system number", width: 8, priority: 35, enrich: true, descending: false, align: 'left' },
    (r) => (!r.enrich ? PENDING : r.enrich.geo === null ? null : r.enrich.geo.asn ?? (r.enrich.geo.pending ? PENDING : null)), (v) => `AS${v}`, ''),
  text({ id: 'org', title: 'ORGANISATION', description: "remote end's network (AS organisation)", width: 24, minWidth: 8, priority: 55, enrich: true }, geo('org')),
  text({ id: 'host', title: 'REMOTE HOST', description: "remote end's reverse-DNS name", width: 32, minWidth: 8, priority: 66, enrich: true, cut: 'middle' },
    (r) => rdnsOf(r, r.enrich?.dir !== 'inbound')),
  text({ id: 'process', title: 'PROCESS', description: "the local end's process; - no process (TIME_WAIT), ? not visible", width: 16, minWidth: 6, priority: 75, enrich: true },
    (r) => { const p = processOf(r); return p === PENDING || p === null ? p : p.kind === 'process' ? p.name : p.kind === 'no-owner' ? '-' : p.kind === 'hidden' ? '?' : null; }),
  num({ id: 'pid', title: 'PID', description: "the local end's process id", width: 7, priority: 30, enrich: true, descending: false }, pidOf, String, ''),
  text({ id: 'user', title: 'USER', description: 'owner of the local socket', width: 10, minWidth: 4, priority: 31, enrich: true },
    (r) => { const p = processOf(r); return p === PENDING || p === null ? p : 'user' in p ? p.user : null; }),
  num({ id: 'packets', title: 'PKTS', description: 'packets, both directions', width: 4, priority: 62 }, (r) => counterSum(r, 'packets'), formatCount, NO_DATA_MARK, true),
  num({ id: 'pktsTx', title: 'TXPKTS', description: 'packets sent by the source', width: 6, priority: 15 }, (r, o) => counter(r, o, false, 'packets'), formatCount, NO_DATA_MARK, true),
  num({ id: 'pktsRx', title: 'RXPKTS', description: 'packets sent by the destination', width: 6, priority: 15 }, (r, o) => counter(r, o, true, 'packets'), formatCount, NO_DATA_MARK, true),
  num({ id: 'bytes', title: 'BYTES', description: 'bytes, both directions (IP headers included)', width: 6, priority: 80 }, (r) => counterSum(r, 'bytes'), (v, o) => formatBytes(v, o.bits), NO_DATA_MARK, true),
  num({ id: 'bytesTx', title: 'TXBYTES', description: 'bytes sent by the source', width: 7, priority: 18 }, (r, o) => counter(r, o, false, 'bytes'), (v, o) => formatBytes(v, o.bits), NO_DATA_MARK, true),
  num({ id: 'bytesRx', title: 'RXBYTES', description: 'bytes sent by the destination', width: 7, priority: 18 }, (r, o) => counter(r, o, true, 'bytes'), (v, o) => formatBytes(v, o.bits), NO_DATA_MARK, true),
  rateField({ id: 'rate', title: 'RATE', totalsTitle: 'TOTAL', description: 'bytes per second, both directions', width: 8, priority: 82 }, 'bytes', null),
  rateField({ id: 'rateTx', title: 'TX/s', totalsTitle: 'TX', description: 'bytes per second sent by the source', width: 8, priority: 20 }, 'bytes', false),
  rateField({ id: 'rateRx', title: 'RX/s', totalsTitle: 'RX', description: 'bytes per second sent by the destination', width: 8, priority: 20 }, 'bytes', true),
  rateField({ id: 'pktRate', title: 'PKTS/s', totalsTitle: 'PKTS', description: 'packets per second, both directions', width: 6, priority: 15 }, 'packets', null),
  num({ id: 'age', title: 'AGE', description: 'time since the flow started', width: 7, priority: 45, live: true }, (r) => r.live?.ageMs ?? null, secs),
  num({ id: 'idle', title: 'IDLE', description: 'time since the last change', width: 7, priority: 44, live: true }, (r) => r.live?.idleMs ?? null, secs),
  num({ id: 'timeout', title: 'TIMEOUT', description: 'time left before the kernel expires the entry', width: 7, priority: 40 }, (r) => r.flow.timeoutSec, formatDuration, ''),
  num({ id: 'mark', title: 'MARK', description: 'connection mark (blank when 0)', width: 10, priority: 52, sparse: true }, (r) => r.flow.mark || null, String, ''),
  num({ id: 'zone', title: 'ZONE', description: 'conntrack zone (blank when 0)', width: 5, priority: 51, sparse: true }, (r) => r.flow.zone || null, String, ''),
  {
    ...text({ id: 'flags', title: 'FLAGS', description: 'A assured, U unreplied, S source NAT, D destination NAT, O offloaded, E expected', width: 6, minWidth: 6, priority: 60 }, (r) => flagText(r.flow)),
    textValue: undefined,
    compare: (a, b) => flagBits(a.flow) - flagBits(b.flow),
    sortKey: (r) => flagBits(r.flow),
  },
  num({ id: 'id', title: 'ID', description: 'kernel conntrack id', width: 10, priority: 10, descending: false }, (r) => r.flow.id, String),
  text({ id: 'helper', title: 'HELPER', description: 'conntrack helper (ftp, sip, ...)', width: 8, minWidth: 8, priority: 25, sparse: true }, (r) => r.flow.helper),
  {
    ...text({ id: 'labels', title: 'LABELS', description: 'connection label bits', width: 12, minWidth: 6, priority: 50, sparse: true }, (r) => (r.flow.labels.length ? '' : null), (r) => r.flow.labels.join(',')),
    textValue: undefined,
    compare: (a, b) => compareLabels(a.flow.labels, b.flow.labels),
    sortKey: (r) => labelsKey(r.flow.labels),
  },
  // Last, so that the setup screen's list of other columns keeps its order.
  text({ id: 'server', title: 'SERVER', description: 'the server a flow came from (several -c/--connect)', width: 12, minWidth: 6, priority: 95, sparse: true }, (r) => r.flow.host ?? null),
];

/** 0 for a NATed flow, 1 for one whose reply tuple mirrors its original tuple. */
function natRank(r: Row): number {
  return isSnat(r.flow) || isDnat(r.flow) ? 0 : 1;
}

function dirRank(r: Row): number {
  return r.enrich ? DIR_RANK[r.enrich.dir] * 4 + NAT_RANK[r.enrich.nat] : 16;
}

const BY_ID = new Map(FIELDS.map((f) => [f.id, f]));

/** The field with this id, or undefined. */
export function fieldById(id: string): Field | undefined {
  return BY_ID.get(id);
}
