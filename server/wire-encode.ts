// server/ layer: the text of the server's flow messages (new, update, destroy, snapshot chunks), built once
// per change and shared by every client that takes it. Imports lib/ only. Flow JSON is lib's flowJson, so a
// flow on the wire is byte for byte what --once --json prints.
import type { ProcessLabel } from '../lib/enrich/processes.js';
import { flowJson } from '../lib/flow-json.js';
import type { Flow } from '../lib/flow.js';
import type { LiveFlow } from '../lib/flow-table.js';

/**
 * What a server last published of a flow's mutable fields (see protocol-flow.ts MUTABLE_FLOW_FIELDS):
 * updates carry only what differs from it. Counters are kept as numbers, not the table's object, so that an
 * old counters object is not kept alive per flow.
 */
class Shadow {
  state: string | null = null;
  status: readonly string[] = [];
  timeoutSec: number | null = null;
  mark = 0;
  use: number | null = null;
  labels: readonly number[] = [];
  helper: string | null = null;
  hasCounters = false;
  op = 0; ob = 0; rp = 0; rb = 0;
  saturated = false;
  startNs: string | undefined = undefined;
  stopNs: string | undefined = undefined;
  master: Flow['master'] = undefined;
  secctx: string | undefined = undefined;
}

/** Fields whose change alone does not make an update worth sending (they tick, or follow the kernel's refs). */
const QUIET = new Set(['timeoutSec', 'use']);

/** The changed fields of `f` against `s` (all of them when `s` is undefined), and `s` brought up to date. */
function diff(f: Flow, s: Shadow | undefined, out: Shadow): Record<string, unknown> {
  const set: Record<string, unknown> = {};
  if (!s || s.state !== f.state) set.state = f.state;
  if (!s || !sameArr(s.status, f.status)) set.status = f.status;
  if (!s || s.timeoutSec !== f.timeoutSec) set.timeoutSec = f.timeoutSec;
  if (!s || s.mark !== f.mark) set.mark = f.mark;
  if (!s || s.use !== f.use) set.use = f.use;
  if (!s || !sameArr(s.labels, f.labels)) set.labels = f.labels;
  if (!s || s.helper !== f.helper) set.helper = f.helper;
  const c = f.counters;
  if (c && (!s || !s.hasCounters || s.op !== c.orig.packets || s.ob !== c.orig.bytes || s.rp !== c.reply.packets || s.rb !== c.reply.bytes || s.saturated !== (c.saturated === true))) set.counters = c;
  if (f.startNs !== undefined && (!s || s.startNs !== f.startNs)) set.startNs = f.startNs;
  if (f.stopNs !== undefined && (!s || s.stopNs !== f.stopNs)) set.stopNs = f.stopNs;
  if (f.master !== undefined && (!s || s.master !== f.master)) set.master = f.master;
  if (f.secctx !== undefined && (!s || s.secctx !== f.secctx)) set.secctx = f.secctx;
  out.state = f.state; out.status = f.status; out.timeoutSec = f.timeoutSec; out.mark = f.mark; out.use = f.use;
  out.labels = f.labels; out.helper = f.helper; out.hasCounters = c !== undefined;
  if (c) { out.op = c.orig.packets; out.ob = c.orig.bytes; out.rp = c.reply.packets; out.rb = c.reply.bytes; out.saturated = c.saturated === true; }
  out.startNs = f.startNs; out.stopNs = f.stopNs; out.master = f.master; out.secctx = f.secctx;
  return set;
}

function sameArr<T>(a: readonly T[], b: readonly T[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** `label` within the wire schema's caps (protocol-flow.ts ProcessLabelWireSchema): long texts are cut. */
export function wireLabel(label: ProcessLabel): ProcessLabel {
  if (label.kind === 'process') {
    return { ...label, name: label.name.slice(0, 64), user: label.user === null ? null : label.user.slice(0, 64), cmdline: label.cmdline.slice(0, 4096) };
  }
  return label.kind === 'unavailable' ? { kind: 'unavailable', code: label.code.slice(0, 64) } : label;
}

/**
 * Gives each flow incarnation (LiveFlow object) a handle for the server's lifetime and remembers what was
 * last published of it. Both maps are weak: a flow the table dropped costs nothing here.
 */
export class WireEncoder {
  private refs = new WeakMap<LiveFlow, number>();
  private shadows = new WeakMap<LiveFlow, Shadow>();
  /** Processes found for flows (--share-processes), as the JSON text of the `process` member. */
  private processes = new WeakMap<LiveFlow, string>();
  private nextRef = 1;

  /** The handle of `live`, assigned on first use (1, 2, ...). */
  refOf(live: LiveFlow): number {
    let r = this.refs.get(live);
    if (r === undefined) {
      r = this.nextRef++;
      this.refs.set(live, r);
    }
    return r;
  }

  /** Forgets every shadow (no client left: updates to the next client start from full field sets). */
  forgetShadows(): void {
    this.shadows = new WeakMap();
  }

  /** Remembers the process of `live` for later lines; returns the `update` line that tells it. */
  processLine(live: LiveFlow, label: ProcessLabel, atMs: number): string {
    const text = JSON.stringify(wireLabel(label));
    this.processes.set(live, text);
    return `{"type":"update","atMs":${atMs},"ref":${this.refOf(live)},"set":{},"process":${text}}`;
  }

  /** `,"process":{...}` when `withProcess` and the flow's process is known, else nothing. */
  private processPart(live: LiveFlow, withProcess: boolean): string {
    if (!withProcess) return '';
    const p = this.processes.get(live);
    return p === undefined ? '' : `,"process":${p}`;
  }

  /** A `new` line for `live` (records its shadow); with its process when `withProcess` and known. */
  newLine(live: LiveFlow, withProcess = false): string {
    this.remember(live);
    return `{"type":"new","atMs":${live.firstSeenMs},"ref":${this.refOf(live)},"flow":${flowJson(live.flow)}${this.processPart(live, withProcess)}}`;
  }

  /**
   * The `update` line of a change, with only the fields that differ from what was last published; null when
   * nothing a client shows changed (only the timeout or use count moved).
   */
  updateLine(live: LiveFlow): string | null {
    const prev = this.shadows.get(live);
    const next = prev ?? new Shadow();
    const set = diff(live.flow, prev, next);
    if (!prev) this.shadows.set(live, next);
    let loud = false;
    for (const k in set) if (!QUIET.has(k)) { loud = true; break; }
    if (!loud) return null;
    return `{"type":"update","atMs":${live.lastChangeMs},"ref":${this.refOf(live)},"set":${JSON.stringify(set)}}`;
  }

  /** An `update` carrying every mutable field (for a client that missed intermediate updates). */
  fullUpdateLine(live: LiveFlow, withProcess = false): string {
    return `{"type":"update","atMs":${live.lastChangeMs},"ref":${this.refOf(live)},"set":${JSON.stringify(diff(live.flow, undefined, new Shadow()))}${this.processPart(live, withProcess)}}`;
  }

  /** A `destroy` line; `full` sends every mutable field, else only those changed since last published. */
  destroyLine(live: LiveFlow, full = false): string {
    const prev = full ? undefined : this.shadows.get(live);
    const set = diff(live.flow, prev, new Shadow());
    if (!full) this.shadows.delete(live);
    const closed = live.closed;
    return `{"type":"destroy","atMs":${closed ? closed.atMs : live.lastChangeMs},"ref":${this.refOf(live)},"reason":"${closed?.reason ?? 'gone'}","set":${JSON.stringify(set)}}`;
  }

  /** One snapshot entry `{"ref":N,"flow":{...}}` (the flow as it is now). */
  snapshotEntry(live: LiveFlow, withProcess = false): string {
    return `{"ref":${this.refOf(live)},"flow":${flowJson(live.flow)}${this.processPart(live, withProcess)}}`;
  }

  private remember(live: LiveFlow): void {
    const s = this.shadows.get(live) ?? new Shadow();
    diff(live.flow, undefined, s);
    this.shadows.set(live, s);
  }
}
