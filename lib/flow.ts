// lib/ layer: the Flow model, conntop's one representation of a tracked connection, and its JSON form.
// Imports nothing from netlink/ (lib/kernel/to-flow.ts maps wire records into Flows). The same objects feed
// the --json output, the live table, the TUI and (later) the wire protocol, unchanged.

/** One direction's tuple: `src`/`dst` in canonical text (RFC 5952 for IPv6), then the protocol's keys. */
export interface FlowTuple {
  src: string;
  dst: string;
  /** TCP, UDP, UDP-Lite, SCTP, DCCP (on kernels that track DCCP ports). */
  sport?: number;
  dport?: number;
  /** ICMP and ICMPv6 type, code and identifier. */
  type?: number;
  code?: number;
  icmpId?: number;
  /** GRE keys (PPTP call ids). */
  srcKey?: number;
  dstKey?: number;
  /** A zone bound to this direction only. */
  zone?: number;
}

/** Packets and bytes (L3, IP header included) of one direction; exact up to 2^53 - 1. */
export interface DirCounters {
  packets: number;
  bytes: number;
}

/** One tracked flow. The JSON form is `JSON.stringify(flow)` (see README "JSON flow schema"). */
export interface Flow {
  /** Kernel CTA_ID (u32). Not unique over time: identity is id + zone + original tuple (flowKey). */
  id: number;
  family: 'ipv4' | 'ipv6';
  /** Protocol name ("tcp", "udp", "udplite", "sctp", "dccp", "icmp", "icmpv6", "gre") or the number as a string. */
  proto: string;
  protoNum: number;
  orig: FlowTuple;
  reply: FlowTuple;
  /** Protocol state name (TCP, SCTP, DCCP), or null for stateless protocols and offloaded entries. */
  state: string | null;
  /**
   * IPS_* status flags without the prefix, in bit order, e.g. ["SEEN_REPLY", "ASSURED", "CONFIRMED"]. Shared
   * and frozen between flows (one list per status word): readonly, so an in-place sort fails to compile.
   */
  status: readonly string[];
  /** Seconds until the entry expires; null when the kernel sent none (offloaded, or a destroy). */
  timeoutSec: number | null;
  mark: number;
  /** CTA_ZONE (0 when absent). */
  zone: number;
  /** Reference count; null when the message carried none (events). */
  use: number | null;
  /** Absent when accounting (nf_conntrack_acct) was off when the flow was created. */
  counters?: { orig: DirCounters; reply: DirCounters; saturated?: true };
  /** CLOCK_REALTIME ns as a decimal string (exceeds 2^53); absent when timestamps were off. */
  startNs?: string;
  stopNs?: string;
  /** Connection label bit numbers, ascending; the empty list is shared and frozen, hence readonly. */
  labels: readonly number[];
  helper: string | null;
  /** The master's original tuple, for expected (RELATED) flows. */
  master?: FlowTuple;
  /** Security context (SELinux), when an LSM labels conntracks. */
  secctx?: string;
  /**
   * The server a flow came from, when a client follows several (`-c` given more than once): part of the
   * flow's identity, so that one tuple tracked by two servers stays two flows.
   */
  host?: string;
}

/**
 * The identity of a flow across messages: kernel id, zone and original tuple (ids get reused), and its server.
 * The id comes first: the live table finds a flow by key through its id index (flowKeyId).
 */
export function flowKey(f: Pick<Flow, 'id' | 'zone' | 'protoNum' | 'orig' | 'host'>): string {
  const o = f.orig;
  // join makes one flat string; a template literal makes a tree of ~10 ConsStrings, and the live table keeps
  // every key (at 50k flows that tree cost 15 MiB of heap). join writes undefined as ''.
  const k = [f.id, f.zone, f.protoNum, o.src, o.dst, o.sport ?? o.type ?? o.srcKey, o.dport ?? o.code ?? o.dstKey, o.icmpId, o.zone].join('|');
  return f.host === undefined ? k : `${k}|${f.host}`; // local keys stay as they were
}

/** The kernel id a flowKey begins with, or -1 when `key` is not one. */
export function flowKeyId(key: string): number {
  const id = parseInt(key, 10);
  return id >= 0 ? id : -1;
}

/** True exactly when flowKey(a) === flowKey(b), without building the strings (the live table's hot path). */
export function sameFlowKey(a: Pick<Flow, 'id' | 'zone' | 'protoNum' | 'orig' | 'host'>, b: Pick<Flow, 'id' | 'zone' | 'protoNum' | 'orig' | 'host'>): boolean {
  const x = a.orig;
  const y = b.orig;
  return a.id === b.id && a.zone === b.zone && a.protoNum === b.protoNum && a.host === b.host && x.src === y.src && x.dst === y.dst &&
    (x.sport ?? x.type ?? x.srcKey) === (y.sport ?? y.type ?? y.srcKey) &&
    (x.dport ?? x.code ?? x.dstKey) === (y.dport ?? y.code ?? y.dstKey) && x.icmpId === y.icmpId && x.zone === y.zone;
}

/**
 * A 30-bit fingerprint of flowKey(f) (kernel id, zone, protocol, original tuple), for spotting an entry a dump
 * repeats without keeping the entries or their keys. Equal keys always hash equal; two distinct flows that
 * share an id collide with probability 2^-30. A decoded entry (CtEntry) hashes as the Flow made from it.
 */
export function flowKeyHash(f: { id?: number; zone?: number; protoNum: number; orig: FlowTuple }): number {
  const o = f.orig;
  let h = mix(0x811c9dc5, f.id ?? 0);
  h = mix(h, f.zone ?? 0);
  h = mix(h, f.protoNum);
  h = mixText(h, o.src);
  h = mixText(h, o.dst);
  h = mix(h, (o.sport ?? o.type ?? o.srcKey ?? -1) + 1);
  h = mix(h, (o.dport ?? o.code ?? o.dstKey ?? -1) + 1);
  h = mix(h, (o.icmpId ?? -1) + 1);
  h = mix(h, (o.zone ?? -1) + 1);
  return h & 0x3fffffff;
}

function mix(h: number, v: number): number {
  h = Math.imul(h ^ (v & 0xffff), 0x01000193);
  return Math.imul(h ^ (v >>> 16), 0x01000193);
}

function mixText(h: number, s: string): number {
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return Math.imul(h ^ 0x7c, 0x01000193); // a separator: "1.2.3.4" + "5" differs from "1.2.3.45"
}

/**
 * Merges what a NEW/UPDATE/DESTROY event carries into `dst` in place: state, helper (when non-null), status and
 * labels (when non-empty), mark (always: the kernel sends any non-zero mark), timeoutSec (when non-null),
 * master and secctx. Events carry no counters, use or start time, so those are kept. True when a reportable
 * field changed (state, status, mark, labels, helper); timeoutSec ticks down constantly and is not one.
 */
export function mergeEventFields(dst: Flow, ev: Flow): boolean {
  let changed = false;
  if (ev.state !== null && ev.state !== dst.state) { dst.state = ev.state; changed = true; }
  if (ev.status.length > 0 && !sameList(ev.status, dst.status)) { dst.status = ev.status; changed = true; }
  if (ev.mark !== dst.mark) { dst.mark = ev.mark; changed = true; }
  if (ev.labels.length > 0 && !sameList(ev.labels, dst.labels)) { dst.labels = ev.labels; changed = true; }
  if (ev.helper !== null && ev.helper !== dst.helper) { dst.helper = ev.helper; changed = true; }
  if (ev.timeoutSec !== null) dst.timeoutSec = ev.timeoutSec;
  if (ev.master) dst.master = ev.master;
  if (ev.secctx !== undefined) dst.secctx = ev.secctx;
  return changed;
}

/** True when two views of a flow agree on the reportable fields: state, status, mark, labels and helper. */
export function sameReportable(a: Flow, b: Flow): boolean {
  return a.state === b.state && a.mark === b.mark && a.helper === b.helper &&
    sameList(a.status, b.status) && sameList(a.labels, b.labels);
}

/** Element-wise equality of two lists (status names, label bits). */
export function sameList<T>(a: readonly T[], b: readonly T[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
