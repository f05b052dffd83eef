// lib/ layer: table-wide statistics of the live flow table (counts per protocol and TCP state, totals).
// Imports lib/flow.ts only (types). Pure data and counting helpers: no clocks, no timers, no global state.
// FlowTable (flow-table.ts) keeps one FlowCounts up to date on every insert, close and state change.
import type { DirCounters, Flow } from './flow.js';

/** A rate of one direction: bytes and packets per second (floating point, >= 0, 0 when unknown). */
export interface DirRate {
  bytesPerSec: number;
  packetsPerSec: number;
}

/** Rates of both directions ("orig" is the original direction, "reply" the reply direction). */
export interface FlowRates {
  orig: DirRate;
  reply: DirRate;
}

/** A FlowRates that may be the shared frozen ZERO_RATES: what view code gets, so writing to it fails to compile. */
export interface ReadonlyFlowRates {
  readonly orig: Readonly<DirRate>;
  readonly reply: Readonly<DirRate>;
}

/** A fresh all-zero FlowRates (one allocation; FlowTable mutates it in place afterwards). */
export function zeroRates(): FlowRates {
  return { orig: { bytesPerSec: 0, packetsPerSec: 0 }, reply: { bytesPerSec: 0, packetsPerSec: 0 } };
}

/**
 * The rates of every flow whose rates are all 0, shared and frozen: most flows of a big table are idle in
 * any one interval, and a FlowRates of its own costs a flow ~180 bytes (three objects, four boxed doubles).
 */
export const ZERO_RATES: ReadonlyFlowRates = Object.freeze({
  orig: Object.freeze({ bytesPerSec: 0, packetsPerSec: 0 }),
  reply: Object.freeze({ bytesPerSec: 0, packetsPerSec: 0 }),
});

/** True when every rate of `r` is 0. */
export function allZero(r: ReadonlyFlowRates): boolean {
  return r.orig.bytesPerSec === 0 && r.orig.packetsPerSec === 0 && r.reply.bytesPerSec === 0 && r.reply.packetsPerSec === 0;
}

/** Sets every rate of `r` to 0 in place. */
export function clearRates(r: FlowRates): void {
  r.orig.bytesPerSec = r.orig.packetsPerSec = r.reply.bytesPerSec = r.reply.packetsPerSec = 0;
}

/** Counters of both directions, as in Flow.counters. */
export interface BothCounters {
  orig: DirCounters;
  reply: DirCounters;
}

/**
 * Sets `out` to the per-second deltas from `prev` (sampled at prevMs) to `cur` (sampled at curMs, epoch ms).
 * Returns 'reset' when any counter went down (rates 0: zeroed, or another flow on the same key), 'none' when
 * there is no usable base (no prev, or curMs <= prevMs; rates 0), else 'ok'.
 */
export function setRates(out: FlowRates, prev: BothCounters | undefined, prevMs: number, cur: BothCounters, curMs: number): 'ok' | 'none' | 'reset' {
  if (!prev || !(curMs > prevMs)) {
    clearRates(out);
    return 'none';
  }
  if (cur.orig.bytes < prev.orig.bytes || cur.orig.packets < prev.orig.packets ||
    cur.reply.bytes < prev.reply.bytes || cur.reply.packets < prev.reply.packets) {
    clearRates(out);
    return 'reset';
  }
  const perSec = 1000 / (curMs - prevMs);
  out.orig.bytesPerSec = (cur.orig.bytes - prev.orig.bytes) * perSec;
  out.orig.packetsPerSec = (cur.orig.packets - prev.orig.packets) * perSec;
  out.reply.bytesPerSec = (cur.reply.bytes - prev.reply.bytes) * perSec;
  out.reply.packetsPerSec = (cur.reply.packets - prev.reply.packets) * perSec;
  return 'ok';
}

/** True when both samples exist and hold the same four numbers. */
export function sameCounters(a: BothCounters | undefined, b: BothCounters | undefined): boolean {
  // One object (an unchanged copy keeps its counters): no field reads, which can box numbers in V8.
  if (a === b) return true;
  if (!a || !b) return false;
  return a.orig.bytes === b.orig.bytes && a.orig.packets === b.orig.packets &&
    a.reply.bytes === b.reply.bytes && a.reply.packets === b.reply.packets;
}

/** The byTcpState bucket of a TCP flow whose state is unknown (offloaded entries, events without PROTOINFO). */
export const UNKNOWN_TCP_STATE = '?';

/** Table-wide figures, a plain serializable object; times are epoch ms, counts are since the table was made. */
export interface TableStats {
  /** Open flows in the table. */
  total: number;
  /** nf_conntrack_max from the last `stats` input; null until one arrives or when the kernel sent none. */
  max: number | null;
  /** The kernel's own entry count from the last `stats` input (null until one arrives). */
  kernelCount: number | null;
  /** Open flows per protocol name (Flow.proto). Buckets that drop to zero are removed. */
  byProto: Record<string, number>;
  /** Open TCP flows per state name; "?" when the state is unknown. */
  byTcpState: Record<string, number>;
  /** Sum of the open flows' rates as of the last tick. */
  rates: FlowRates;
  /** NEW/UPDATE/DESTROY inputs applied per second over the last tick interval. */
  eventsPerSec: number;
  /** Lost-events incidents (`overflow` inputs, one per ENOBUFS); how many events each lost is unknown. */
  droppedEvents: number;
  /** DESTROY events for flows the table never had (counted, not an error). */
  unknownDestroys: number;
  /** Dump copies ignored: a DESTROY for the same key arrived after that dump began, or the copy is DYING and not of an open flow. */
  ignoredDumpCopies: number;
  /** Complete dumps applied, and dumps that ended incomplete or were abandoned (those never sweep). */
  dumps: number;
  failedDumps: number;
  /** Completed resyncs: complete dumps that began after the last overflow and cleared `stale`. */
  resyncs: number;
  /** dumpEnd time of the last resync, null if none yet. */
  lastResyncMs: number | null;
  /** True from an overflow until a complete dump that began after it: the table may differ from the kernel. */
  stale: boolean;
  /** Closed flows kept for display ("ghosts"), at most maxClosed. */
  closedLingering: number;
  /** Changes not queued for drainChanges() because the queue was full (the consumer should resnapshot). */
  droppedChanges: number;
}

/** Incremental open-flow counts per protocol and per TCP state; O(1) per add or remove. */
export class FlowCounts {
  private readonly proto = new Map<string, number>();
  private readonly tcp = new Map<string, number>();

  /** Adds `delta` (+1 on insert, -1 on close) to the buckets of `flow`. */
  add(flow: Flow, delta: number): void {
    bump(this.proto, flow.proto, delta);
    if (flow.proto === 'tcp') bump(this.tcp, flow.state ?? UNKNOWN_TCP_STATE, delta);
  }

  /** Moves a TCP flow from the state bucket `from` to the bucket of its current state. */
  moveState(flow: Flow, from: string | null): void {
    if (flow.proto !== 'tcp' || from === flow.state) return;
    bump(this.tcp, from ?? UNKNOWN_TCP_STATE, -1);
    bump(this.tcp, flow.state ?? UNKNOWN_TCP_STATE, 1);
  }

  /** Per-protocol counts as a fresh plain object. */
  byProto(): Record<string, number> {
    return Object.fromEntries(this.proto);
  }

  /** Per-TCP-state counts as a fresh plain object. */
  byTcpState(): Record<string, number> {
    return Object.fromEntries(this.tcp);
  }
}

function bump(m: Map<string, number>, k: string, delta: number): void {
  const n = (m.get(k) ?? 0) + delta;
  if (n === 0) m.delete(k);
  else m.set(k, n);
}
