// server/ layer: conntop 1.0's DATA items (peers.md "conntop protocol version 1") as our client reads them:
// a total decoder (never throws, a typed problem instead) and the honest mapping of an item onto README's JSON
// flow schema. Pure functions (fuzz/v1-items.prop.ts checks them). Imports lib/ and node: builtins only.
import { isIPv4, isIPv6 } from 'node:net';
import { formatIPv6, parseIPv6 } from '../lib/enrich/addr-class.js';
import type { DirCounters, Flow } from '../lib/flow.js';

/** The four flow types conntop 1.0 knows; anything else is refused. */
const TYPES = { tcp4: ['ipv4', 'tcp', 6], tcp6: ['ipv6', 'tcp', 6], udp4: ['ipv4', 'udp', 17], udp6: ['ipv6', 'udp', 17] } as const;
type V1Type = keyof typeof TYPES;

/** UPDATE's updateFlags bits for the fields that may change (peers.md; the key fields' bits are ignored). */
export const V1_FLAGS = {
  state: 2, rxPackets: 64, txPackets: 128, rxBytes: 256, txBytes: 512, rxSpeed: 1024, txSpeed: 2048,
} as const;
type V1Field = keyof typeof V1_FLAGS;

/** Longest state name taken from a 1.0 server (TCP state names are at most 11 characters). */
const MAX_STATE_CHARS = 32;

/** One decoded item: its action and key, and the fields it carries (all for CREATE, the flagged ones for UPDATE). */
export interface V1Item {
  action: 'CREATE' | 'UPDATE' | 'REMOVE';
  type: V1Type;
  srcAddress: string;
  dstAddress: string;
  srcPort: number;
  dstPort: number;
  /** The fields present: every one for CREATE, those whose updateFlags bit is set for UPDATE, none for REMOVE. */
  set: Partial<Record<V1Field, string | number>>;
}

/** An item, or why it was refused (a short text for the status line). */
export type V1Decoded = { ok: true; item: V1Item } | { ok: false; detail: string };

const bad = (detail: string): V1Decoded => ({ ok: false, detail });

/** Canonical address text for the family (IPv6 in RFC 5952 form, IPv4-mapped kept dotted), or null. */
function address(v: unknown, family: 'ipv4' | 'ipv6'): string | null {
  if (typeof v !== 'string' || v.length > 64) return null;
  if (family === 'ipv4') return isIPv4(v) ? v : null;
  if (!isIPv6(v)) return null;
  if (v.includes('.')) return v.toLowerCase(); // ::ffff:a.b.c.d, as the kernel's tuples print it
  const g = parseIPv6(v);
  return g === null ? null : formatIPv6(g);
}

const isPort = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 65535;
/** Counters and speeds: non-negative integers (1.0 sends u64; past 2^53 JSON already lost the exact value). */
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;

/** Decodes one element of a DATA's `data` array; never throws. */
export function decodeV1Item(v: unknown): V1Decoded {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return bad('item is not an object');
  const o = v as Record<string, unknown>;
  const action = o.action;
  if (action !== 'CREATE' && action !== 'UPDATE' && action !== 'REMOVE') return bad('item action is not CREATE, UPDATE or REMOVE');
  if (typeof o.type !== 'string' || !Object.hasOwn(TYPES, o.type)) return bad('item type is not tcp4, tcp6, udp4 or udp6');
  const type = o.type as V1Type;
  const family = TYPES[type][0];
  const srcAddress = address(o.srcAddress, family);
  const dstAddress = address(o.dstAddress, family);
  if (srcAddress === null || dstAddress === null) return bad(`item address is not ${family}`);
  if (!isPort(o.srcPort) || !isPort(o.dstPort)) return bad('item port is not 0-65535');
  const item: V1Item = { action, type, srcAddress, dstAddress, srcPort: o.srcPort, dstPort: o.dstPort, set: {} };
  if (action === 'REMOVE') return { ok: true, item };
  let flags = 0xfff;
  if (action === 'UPDATE') {
    if (!Number.isInteger(o.updateFlags) || (o.updateFlags as number) < 0 || (o.updateFlags as number) > 0xfff) return bad('UPDATE updateFlags is not 0-4095');
    flags = o.updateFlags as number;
  }
  for (const k of Object.keys(V1_FLAGS) as V1Field[]) {
    if ((flags & V1_FLAGS[k]) === 0) continue;
    const x = o[k];
    if (k === 'state' ? typeof x !== 'string' || x.length > MAX_STATE_CHARS : !isCount(x)) return bad(`item ${k} is missing or invalid`);
    item.set[k] = x as string | number;
  }
  return { ok: true, item };
}

/** The stable identity of a 1.0 flow: its type and original tuple (1.0 sends no kernel id). */
export function v1Key(i: Pick<V1Item, 'type' | 'srcAddress' | 'dstAddress' | 'srcPort' | 'dstPort'>): string {
  return `${i.type}|${i.srcAddress}|${i.srcPort}|${i.dstAddress}|${i.dstPort}`;
}

/**
 * The synthetic `id` of a 1.0 flow: FNV-1a (32 bits) of its key, stable across reconnects, so that a
 * resynchronised table keeps its rows. Not a kernel id (1.0 sends none); identity stays id + tuple.
 */
export function v1Id(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

const EMPTY: readonly never[] = Object.freeze([]);

/** State as our schema has it: a TCP state name; null for UDP, for `""` and for 1.0's unknown `"?"`. */
function stateOf(type: V1Type, s: unknown): string | null {
  return TYPES[type][1] === 'udp' || typeof s !== 'string' || s === '' || s === '?' ? null : s;
}

/** Counters past 2^53 - 1 are held there and marked, as locally; once marked, a flow stays marked. */
function counters(tx: DirCounters, rx: DirCounters, wasSaturated = false): NonNullable<Flow['counters']> {
  const max = Number.MAX_SAFE_INTEGER;
  const sat = wasSaturated || tx.packets > max || tx.bytes > max || rx.packets > max || rx.bytes > max;
  const cap = (d: DirCounters) => ({ packets: Math.min(d.packets, max), bytes: Math.min(d.bytes, max) });
  return sat ? { orig: cap(tx), reply: cap(rx), saturated: true } : { orig: tx, reply: rx };
}

/**
 * The flow of a CREATE item. Honest about what 1.0 does not send: `id` is v1Id (synthetic), the reply tuple is
 * the original one reversed (1.0 sends one direction: NAT cannot show), status and labels are empty, timeout
 * and use null, mark and zone 0, no timestamps. tx is the original direction, rx the reply (peers.md).
 */
export function v1Flow(i: V1Item): Flow {
  const [family, proto, protoNum] = TYPES[i.type];
  const s = i.set;
  return {
    id: v1Id(v1Key(i)), family, proto, protoNum,
    orig: { src: i.srcAddress, dst: i.dstAddress, sport: i.srcPort, dport: i.dstPort },
    reply: { src: i.dstAddress, dst: i.srcAddress, sport: i.dstPort, dport: i.srcPort },
    state: stateOf(i.type, s.state), status: EMPTY, timeoutSec: null, mark: 0, zone: 0, use: null, labels: EMPTY, helper: null,
    // Keys in the order of lib/flow-json.ts (and the kernel's flows): --once --json prints this object as it is.
    counters: counters(
      { packets: (s.txPackets as number | undefined) ?? 0, bytes: (s.txBytes as number | undefined) ?? 0 },
      { packets: (s.rxPackets as number | undefined) ?? 0, bytes: (s.rxBytes as number | undefined) ?? 0 },
    ),
  };
}

/**
 * What an UPDATE item changes in `f`: the fields to set (our update's `set`: `state` and/or `counters`, whole),
 * or null when nothing changed. Speeds are not kept: the table computes rates from the counters.
 */
export function v1Changes(f: Flow, i: V1Item): Partial<Pick<Flow, 'state' | 'counters'>> | null {
  const s = i.set;
  const out: Partial<Pick<Flow, 'state' | 'counters'>> = {};
  let any = false;
  if (s.state !== undefined) {
    const st = stateOf(i.type, s.state);
    if (st !== f.state) { out.state = st; any = true; }
  }
  if (s.txPackets !== undefined || s.txBytes !== undefined || s.rxPackets !== undefined || s.rxBytes !== undefined) {
    const c = f.counters ?? { orig: { packets: 0, bytes: 0 }, reply: { packets: 0, bytes: 0 } };
    const next = counters(
      { packets: (s.txPackets as number | undefined) ?? c.orig.packets, bytes: (s.txBytes as number | undefined) ?? c.orig.bytes },
      { packets: (s.rxPackets as number | undefined) ?? c.reply.packets, bytes: (s.rxBytes as number | undefined) ?? c.reply.bytes },
      c.saturated === true,
    );
    if (next.orig.packets !== c.orig.packets || next.orig.bytes !== c.orig.bytes || next.reply.packets !== c.reply.packets ||
      next.reply.bytes !== c.reply.bytes || next.saturated !== c.saturated) {
      out.counters = next;
      any = true;
    }
  }
  return any ? out : null;
}
