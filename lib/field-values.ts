// lib/ layer: what the columns read from a Row (flow, live figures, enrichment), with "not known yet" kept
// apart from "known to be none". Imports lib/ types only. Getters used by comparators return stored values
// (no string building), so a sort allocates nothing per comparison.
import type { Flow, FlowTuple } from './flow.js';
import type { Row } from './row.js';

/** A value still being looked up (enrichment pending); shown as PENDING_MARK. */
export const PENDING: unique symbol = Symbol('pending');
/** A text cell's value: the text, null when known to be none (blank), or PENDING. */
export type TextValue = string | null | typeof PENDING;
/** A number cell's value: the number, null when not available, or PENDING. */
export type NumValue = number | null | typeof PENDING;

/** Display toggles the columns follow (the TUI's keys; the text table uses DEFAULT_DISPLAY). */
export interface DisplayOptions {
  /** Bytes and rates in bits (kb, kb/s) instead of bytes (kB, kB/s). */
  readonly bits: boolean;
  /** Rate columns show the totals of the same direction instead (the TUI's `t`). */
  readonly totals: boolean;
  /** Source and destination show reverse-DNS names when known (the address until then). */
  readonly names: boolean;
  /** Port columns show the service name when known (they still sort by number). */
  readonly services: boolean;
  /**
   * Which end is the source: 'orig' the flow's originator (conntrack's orig tuple); 'local' this host's end
   * (an inbound flow's tuple and TX/RX are swapped, as flowtop's -s). 'local' needs enrichment's direction.
   */
  readonly source: 'orig' | 'local';
}

/** Display toggles of the text table: bytes, rates, addresses and port numbers, originator as source. */
export const DEFAULT_DISPLAY: DisplayOptions = Object.freeze({ bits: false, totals: false, names: false, services: false, source: 'orig' });

/** True when the row's source and destination are shown swapped (opts.source 'local' on an inbound flow). */
export function swapped(r: Row, o: DisplayOptions): boolean {
  return o.source === 'local' && r.enrich !== undefined && r.enrich.dir === 'inbound';
}

/** The address shown as source (`dst` false) or destination (`dst` true). */
export function endAddr(r: Row, o: DisplayOptions, dst: boolean): string {
  return dst !== swapped(r, o) ? r.flow.orig.dst : r.flow.orig.src;
}

/** Reverse-DNS name of orig.src (`dst` false) or orig.dst, PENDING while a lookup runs, null when none. */
export function rdnsOf(r: Row, dst: boolean): TextValue {
  const e = r.enrich;
  if (!e) return PENDING;
  const n = dst ? e.rdns.dst : e.rdns.src;
  if (n !== null) return n;
  const p = e.rdnsPending;
  return p === 'both' || p === (dst ? 'dst' : 'src') ? PENDING : null;
}

/** The L4 keys of a tuple as text: "443", "8/0" (ICMP type/code), "#77" (ICMP id), "0x10" (GRE key), "". */
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

/** The number a port cell sorts by: the port, ICMP type*256+code or id, the GRE key; -1 when none. */
export function portNum(t: FlowTuple, side: 'src' | 'dst'): number {
  if (side === 'src') return t.sport ?? (t.type !== undefined ? t.type * 256 + (t.code ?? 0) : t.srcKey ?? -1);
  return t.dport ?? t.icmpId ?? t.dstKey ?? -1;
}

/** Packets or bytes sent by the source end (`reply` false) or the destination end, null without counters. */
export function counter(r: Row, o: DisplayOptions, reply: boolean, what: 'bytes' | 'packets'): number | null {
  const c = r.flow.counters;
  if (!c) return null;
  return (reply !== swapped(r, o) ? c.reply : c.orig)[what];
}

/** Both directions' packets or bytes, null without counters. */
export function counterSum(r: Row, what: 'bytes' | 'packets'): number | null {
  const c = r.flow.counters;
  return c ? c.orig[what] + c.reply[what] : null;
}

/** Bytes or packets per second sent by the source end (`reply` false) or destination end; null without live figures. */
export function rate(r: Row, o: DisplayOptions, reply: boolean, what: 'bytes' | 'packets'): number | null {
  const l = r.live;
  if (!l) return null;
  const d = reply !== swapped(r, o) ? l.rates.reply : l.rates.orig;
  return what === 'bytes' ? d.bytesPerSec : d.packetsPerSec;
}

/** Both directions' rate, null without live figures. */
export function rateSum(r: Row, what: 'bytes' | 'packets'): number | null {
  const l = r.live;
  if (!l) return null;
  return what === 'bytes' ? l.rates.orig.bytesPerSec + l.rates.reply.bytesPerSec : l.rates.orig.packetsPerSec + l.rates.reply.packetsPerSec;
}

/** Source NAT: the originator as the far end sees it (reply.dst differs from orig.src, or its port does). */
export function isSnat(f: Flow): boolean {
  return f.reply.dst !== f.orig.src || f.reply.dport !== f.orig.sport;
}

/** Destination NAT: the real server (reply.src) differs from the address the originator aimed at. */
export function isDnat(f: Flow): boolean {
  return f.reply.src !== f.orig.dst || f.reply.sport !== f.orig.dport;
}

const hostPort = (a: string, port: number | undefined): string =>
  port === undefined ? a : a.includes(':') ? `[${a}]:${port}` : `${a}:${port}`;

/**
 * The translated ends from the reply tuple: "S 203.0.113.9:40000" (the source after SNAT), "D 10.0.0.5:80"
 * (the destination after DNAT), both separated by a space, "" when not NATed. IPv6 as "[addr]:port".
 */
export function natText(f: Flow): string {
  const s = isSnat(f) ? `S ${hostPort(f.reply.dst, f.reply.dport)}` : '';
  const d = isDnat(f) ? `D ${hostPort(f.reply.src, f.reply.sport)}` : '';
  return s && d ? `${s} ${d}` : s || d;
}

/** Status letters: A assured, U unreplied, S source NAT, D destination NAT, O offloaded, E expected. */
export function flagText(f: Flow): string {
  const k = flagBits(f);
  let out = '';
  for (let i = 0; i < FLAG_LETTERS.length; i++) if (k & (1 << (FLAG_LETTERS.length - 1 - i))) out += FLAG_LETTERS[i];
  return out;
}

const FLAG_LETTERS = 'AUSDOE';

/** flagText as a number (A the highest bit, E the lowest), for sorting without building the text. */
export function flagBits(f: Flow): number {
  const s = f.status;
  let k = 0;
  if (s.includes('ASSURED')) k |= 32;
  if (!s.includes('SEEN_REPLY')) k |= 16;
  if (s.includes('SRC_NAT')) k |= 8;
  if (s.includes('DST_NAT')) k |= 4;
  if (s.includes('OFFLOAD') || s.includes('HW_OFFLOAD')) k |= 2;
  if (s.includes('EXPECTED')) k |= 1;
  return k;
}

/** Orders two label lists element by element (a prefix first), without allocating. */
export function compareLabels(a: readonly number[], b: readonly number[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

/** A string whose order is compareLabels's: one code unit per label (bit + 1). */
export function labelsKey(a: readonly number[]): string {
  return String.fromCharCode(...a.map((b) => b + 1));
}
