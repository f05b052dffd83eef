// lib/ layer: grouping of rows for the interactive view (F5 or `g`): by remote host, service port, process, country,
// ASN or TCP/protocol state, with flow counts, counters and rates per direction, member keys, and a filter that
// selects the group live. Imports lib/ types, ./flow.ts and ./ip-prefix.ts. Pure: one pass over the rows, then a sort.
import type { FilterExpr } from './filter-ast.js';
import { flowKey } from './flow.js';
import { parsePrefix } from './ip-prefix.js';
import type { Row } from './row.js';

/** What rows are grouped by. */
export type GroupBy = 'host' | 'service' | 'process' | 'country' | 'asn' | 'state';
/** Group order: most flows, most bytes (both directions), highest rate (B/s, both directions), or label A-Z. */
export type GroupOrder = 'count' | 'bytes' | 'rate' | 'name';

/** Totals of one direction over a group's flows (flows without counters or rates add 0). */
export interface GroupDirTotals {
  bytes: number;
  packets: number;
  bytesPerSec: number;
  packetsPerSec: number;
}

/** One group of rows. */
export interface FlowGroup {
  /** Identity across calls: the remote address, "tcp/443", the process name, "DE", "AS15169", the state; "" for unknown. */
  key: string;
  /** Text to show: the host name when known (with `names`), the service name, "AS15169 Google LLC", "(unknown)", ... */
  label: string;
  /** Flows in the group. */
  count: number;
  /** Counters and rates in the original and reply directions. */
  orig: GroupDirTotals;
  reply: GroupDirTotals;
  /** Live-table keys (LiveFlow.key, else flowKey) of the members, in row order: opening a group filters on them. */
  members: string[];
  /** A filter selecting this group as it changes (new flows included); null when no filter term expresses it. */
  filter: FilterExpr | null;
}

/** Options of groupRows. */
export interface GroupOptions {
  /** Default 'count'. */
  order?: GroupOrder;
  /** Reverse the order (default: count, bytes and rate descending, name ascending). */
  invert?: boolean;
  /** Label hosts with their reverse-DNS name when known (default true; the view's `n` toggle). */
  names?: boolean;
  /** Label ports with their service name when known (default true; the view's `N` toggle). */
  services?: boolean;
}

/** The key of the group of rows whose grouping value is not known (yet): pending or absent enrichment. */
export const UNKNOWN_GROUP = '';
/** The key of the group of rows known to have no value: no state, no local process. */
export const NONE_GROUP = '\0none';

interface Keyed {
  key: string;
  label: string;
  filter: FilterExpr | null;
}

const UNKNOWN: Keyed = { key: UNKNOWN_GROUP, label: '(unknown)', filter: null };

/** The remote end: the client of an inbound flow, else the address the client aimed at (orig.dst). */
function remoteSide(row: Row): 'src' | 'dst' {
  return row.enrich?.dir === 'inbound' ? 'src' : 'dst';
}

function keyOf(row: Row, by: GroupBy, names: boolean, services: boolean): Keyed {
  const f = row.flow, e = row.enrich;
  switch (by) {
    case 'host': {
      const side = remoteSide(row);
      const addr = f.orig[side];
      const name = names && e ? e.rdns[side] : null;
      const p = parsePrefix(addr);
      return { key: addr, label: name ?? addr, filter: p && { kind: 'net', side: 'any', addr: p.addr, bits: p.bits } };
    }
    case 'service': {
      const port = e?.service?.port ?? f.orig.dport;
      if (port === undefined) return { key: f.proto, label: f.proto, filter: { kind: 'proto', protoNum: f.protoNum } };
      const key = `${f.proto}/${port}`;
      const filter: FilterExpr = { kind: 'and', items: [{ kind: 'proto', protoNum: f.protoNum }, { kind: 'port', side: 'any', lo: port, hi: port }] };
      return { key, label: (services ? e?.service?.name : null) ?? key, filter };
    }
    case 'process': {
      const p = e?.process;
      if (!e || p === null) return UNKNOWN;
      if (p?.kind !== 'process') return { key: NONE_GROUP, label: '(no process)', filter: null };
      return { key: p.name, label: p.name, filter: { kind: 'pattern', key: 'process', pattern: p.name } };
    }
    case 'country': {
      const c = e?.geo?.country;
      return c ? { key: c, label: c, filter: { kind: 'country', code: c } } : UNKNOWN;
    }
    case 'asn': {
      const g = e?.geo;
      if (!g || g.asn === null) return UNKNOWN;
      const key = `AS${g.asn}`;
      return { key, label: g.org ? `${key} ${g.org}` : key, filter: { kind: 'number', key: 'asn', value: g.asn } };
    }
    case 'state':
      return f.state === null
        ? { key: NONE_GROUP, label: '(no state)', filter: { kind: 'not', item: { kind: 'pattern', key: 'state', pattern: '*' } } }
        : { key: f.state, label: f.state, filter: { kind: 'pattern', key: 'state', pattern: f.state } };
  }
}

/** The key groupRows lists a row under in `members` (the live table's key, else flowKey). */
export function memberKey(row: Row): string {
  return row.live?.key ?? flowKey(row.flow);
}

/** A predicate selecting exactly the rows listed in `group.members` (Enter on a group, as a snapshot). */
export function memberPredicate(group: Pick<FlowGroup, 'members'>): (row: Row) => boolean {
  const keys = new Set(group.members);
  return (row) => keys.has(memberKey(row));
}

const dirTotals = (): GroupDirTotals => ({ bytes: 0, packets: 0, bytesPerSec: 0, packetsPerSec: 0 });
const total = (g: FlowGroup, k: 'bytes' | 'bytesPerSec') => g.orig[k] + g.reply[k];

/**
 * Groups `rows` by `by`: O(rows) plus sorting the groups. Ties are broken by key, so the order is the same for the
 * same data on every call (rows do not jump between refreshes unless their figures change).
 */
export function groupRows(rows: readonly Row[], by: GroupBy, opts: GroupOptions = {}): FlowGroup[] {
  const names = opts.names ?? true;
  const services = opts.services ?? true;
  const groups = new Map<string, FlowGroup>();
  for (const row of rows) {
    const k = keyOf(row, by, names, services);
    let g = groups.get(k.key);
    if (!g) {
      g = { key: k.key, label: k.label, count: 0, orig: dirTotals(), reply: dirTotals(), members: [], filter: k.filter };
      groups.set(k.key, g);
    } else if (g.label === g.key && k.label !== k.key) g.label = k.label; // a name resolved for a later member
    g.count++;
    g.members.push(memberKey(row));
    const c = row.flow.counters;
    if (c) {
      g.orig.bytes += c.orig.bytes; g.orig.packets += c.orig.packets;
      g.reply.bytes += c.reply.bytes; g.reply.packets += c.reply.packets;
    }
    const r = row.live?.rates;
    if (r) {
      g.orig.bytesPerSec += r.orig.bytesPerSec; g.orig.packetsPerSec += r.orig.packetsPerSec;
      g.reply.bytesPerSec += r.reply.bytesPerSec; g.reply.packetsPerSec += r.reply.packetsPerSec;
    }
  }
  const order = opts.order ?? 'count';
  const sign = opts.invert ? -1 : 1;
  const byKey = (a: FlowGroup, b: FlowGroup) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
  const primary: (a: FlowGroup, b: FlowGroup) => number =
    order === 'count' ? (a, b) => b.count - a.count
      : order === 'bytes' ? (a, b) => total(b, 'bytes') - total(a, 'bytes')
        : order === 'rate' ? (a, b) => total(b, 'bytesPerSec') - total(a, 'bytesPerSec')
          : (a, b) => a.label.localeCompare(b.label);
  return [...groups.values()].sort((a, b) => sign * (primary(a, b) || byKey(a, b)));
}
