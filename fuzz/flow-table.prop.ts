// fuzz/ (property tests): FlowTable against a simulated kernel and a deliberately simple reference table.
// Imports lib/flow-table.ts, lib/flow.ts and fast-check. Model-based (fc.commands): a kernel with id reuse,
// an event socket (ENOBUFS jumps the queue) and a dump socket, each delivering late; see checkFlowTableModel.
import fc from 'fast-check';
import { FlowTable, type TableInput } from '../lib/flow-table.js';
import { flowKey, type Flow } from '../lib/flow.js';

const T0 = 1_700_000_000_000;
const LINGER_MS = 2000;
const MAX_CLOSED = 4;
const STATES = ['SYN_SENT', 'SYN_RECV', 'ESTABLISHED', 'FIN_WAIT', 'TIME_WAIT'] as const;

/** The naive reference: a Set of open keys, plus the mark-and-sweep rule spelled out with plain Maps. */
class RefTable {
  open = new Set<string>();
  stale = false;
  resyncs = 0;
  private inDump = false;
  private overflowInDump = false;
  private dumpKeys = new Set<string>();
  private lastEvent = new Map<string, 'alive' | 'dead'>();
  private destroyedInDump = new Set<string>();

  apply(i: TableInput): void {
    if (i.kind === 'dumpBegin') {
      this.inDump = true;
      this.overflowInDump = false;
      this.dumpKeys = new Set();
      this.lastEvent = new Map();
    } else if (i.kind === 'dumpEntry') {
      const k = flowKey(i.flow);
      if (this.inDump && this.destroyedInDump.has(k)) return; // the copy predates a destroy seen after dumpBegin
      if (this.inDump) this.dumpKeys.add(k);
      this.open.add(k);
    } else if (i.kind === 'new' || i.kind === 'update') {
      this.open.add(flowKey(i.flow));
      if (this.inDump) this.lastEvent.set(flowKey(i.flow), 'alive');
    } else if (i.kind === 'destroy') {
      this.open.delete(flowKey(i.flow));
      if (this.inDump) {
        this.lastEvent.set(flowKey(i.flow), 'dead');
        this.destroyedInDump.add(flowKey(i.flow));
      }
    } else if (i.kind === 'overflow') {
      this.stale = true;
      if (this.inDump) this.overflowInDump = true;
    } else if (i.kind === 'dumpEnd') {
      this.inDump = false;
      this.destroyedInDump.clear();
      if (!i.complete) return;
      // Open after a dump = the dump's keys plus flows an event showed alive after dumpBegin, minus destroys.
      for (const k of [...this.open]) if (!this.dumpKeys.has(k) && this.lastEvent.get(k) !== 'alive') this.open.delete(k);
      if (this.stale && !this.overflowInDump) {
        this.stale = false;
        this.resyncs++;
      }
    }
  }
}

/** The simulated kernel and the two sockets between it and the table. */
class World {
  nowMs = T0;
  kernel = new Map<string, Flow>();
  evq: TableInput[] = [];
  dq: TableInput[] = [];
  /** Keys still to walk in the dump being produced, or null when no dump is being produced. */
  walk: string[] | null = null;
  /** A dump is between its dumpBegin and the delivery of its dumpEnd. */
  dumpOpen = false;
  /** How many flows' changes each check drains (0: all of them). */
  drainSlice = 0;
  lossEpoch = 0;
  dumpLossEpoch = 0;
  /** A complete dump that began after every loss has been delivered (the table must equal the kernel). */
  synced = false;
  lostPending = false;
  private starts = 0;
  readonly ref = new RefTable();
  /** The open keys as a consumer of drainChanges() sees them (the --events stream). */
  private readonly streamKeys = new Set<string>();

  constructor(readonly table: FlowTable) {}

  create(tuple: number, id: number, asUpdate: boolean, lose: boolean, walkIt: boolean): void {
    const sport = 1000 + tuple;
    for (const f of this.kernel.values()) if (f.orig.sport === sport) return; // one conntrack per tuple
    const flow: Flow = {
      id, family: 'ipv4', proto: 'tcp', protoNum: 6,
      orig: { src: '10.0.0.1', dst: '10.0.0.2', sport, dport: 80 }, reply: { src: '10.0.0.2', dst: '10.0.0.1', sport: 80, dport: sport },
      state: 'SYN_SENT', status: ['CONFIRMED'], timeoutSec: 120, mark: 0, zone: 0, use: 1, labels: [], helper: null,
      counters: { orig: { packets: 1, bytes: 60 }, reply: { packets: 0, bytes: 0 } },
      startNs: String(BigInt(this.nowMs) * 1_000_000n + BigInt(++this.starts)),
    };
    const key = flowKey(flow);
    this.kernel.set(key, flow);
    this.emit({ kind: asUpdate ? 'update' : 'new', flow: eventView(flow), atMs: this.nowMs }, lose);
    if (this.walk && walkIt) this.walk.push(key);
  }

  pick(n: number): Flow | undefined {
    const all = [...this.kernel.values()];
    return all.length ? all[n % all.length] : undefined;
  }

  update(n: number, state: number, mark: number, omitState: boolean, lose: boolean): void {
    const f = this.pick(n);
    if (!f) return;
    const newState = STATES[state % STATES.length];
    const stateChanged = newState !== f.state;
    f.state = newState;
    f.mark = mark;
    f.status = newState === 'ESTABLISHED' ? ['SEEN_REPLY', 'ASSURED', 'CONFIRMED'] : ['SEEN_REPLY', 'CONFIRMED'];
    this.emit({ kind: 'update', flow: eventView(f, omitState && !stateChanged), atMs: this.nowMs }, lose);
  }

  traffic(n: number, bytes: number, zero: boolean): void {
    const f = this.pick(n);
    if (!f?.counters) return;
    const c = f.counters;
    f.counters = zero ? { orig: { packets: 0, bytes: 0 }, reply: { packets: 0, bytes: 0 } }
      : { orig: { packets: c.orig.packets + 1, bytes: c.orig.bytes + bytes }, reply: { packets: c.reply.packets + 1, bytes: c.reply.bytes + bytes } };
  }

  destroy(n: number, lose: boolean): void {
    const f = this.pick(n);
    if (!f) return;
    this.kernel.delete(flowKey(f));
    this.emit({ kind: 'destroy', flow: { ...structuredClone(f), status: [...f.status, 'DYING'], use: null }, atMs: this.nowMs }, lose);
  }

  /** Queues an event, or loses it: the next read then reports ENOBUFS before what is already queued. */
  private emit(i: TableInput, lose: boolean): void {
    if (!lose) {
      this.evq.push(i);
      return;
    }
    this.evq.unshift({ kind: 'overflow', atMs: this.nowMs });
    this.lossEpoch++;
    this.synced = false;
    this.lostPending = true;
  }

  startDump(): void {
    this.deliverEvents(Infinity); // the source drains the event socket before it asks for a dump
    this.dumpLossEpoch = this.lossEpoch;
    this.dumpOpen = true;
    this.walk = [...this.kernel.keys()];
    this.deliver({ kind: 'dumpBegin', atMs: this.nowMs });
  }

  walkSome(n: number, dup: boolean): void {
    for (let i = 0; i < n && this.walk?.length; i++) {
      const f = this.kernel.get(this.walk.shift()!);
      if (!f) continue; // destroyed before the walk reached it
      this.dq.push({ kind: 'dumpEntry', flow: structuredClone(f) });
      if (dup) this.dq.push({ kind: 'dumpEntry', flow: structuredClone(f) });
    }
  }

  endDump(complete: boolean): void {
    if (complete) this.walkSome(Infinity, false);
    this.walk = null;
    this.dq.push({ kind: 'dumpEnd', atMs: this.nowMs, complete });
  }

  deliverEvents(n: number): void {
    for (let i = 0; i < n && this.evq.length; i++) this.deliver(this.evq.shift()!);
  }

  deliverDump(n: number): void {
    for (let i = 0; i < n && this.dq.length; i++) this.deliver(this.dq.shift()!);
  }

  private deliver(i: TableInput): void {
    if ('atMs' in i) i.atMs = this.nowMs; // receive time
    this.table.apply(i);
    this.ref.apply(i);
    if (i.kind === 'dumpEnd') {
      this.dumpOpen = false;
      if (i.complete && this.dumpLossEpoch === this.lossEpoch) {
        this.synced = true;
        this.lostPending = false;
      }
    }
    this.check();
  }

  /** Invariants after every delivered input, and the kernel oracle whenever both sockets are drained. */
  check(): void {
    const tb = this.table;
    const s = tb.stats();
    const open = tb.snapshot();
    const keys = open.map((l) => l.key).sort();
    expectSame(keys, [...this.ref.open].sort(), 'open keys vs reference table');
    expect(s.stale === this.ref.stale && s.resyncs === this.ref.resyncs, `stale/resyncs ${s.stale}/${s.resyncs} vs reference ${this.ref.stale}/${this.ref.resyncs}`);
    expect(s.total === open.length && Object.values(s.byProto).reduce((x, y) => x + y, 0) === s.total, 'total and byProto agree');
    expect(Object.values(s.byTcpState).reduce((x, y) => x + y, 0) === s.total, 'byTcpState sums to total (all tcp)');
    expect(s.closedLingering <= MAX_CLOSED, 'ghosts capped');
    // A slow reader takes the queue in slices (the --events output under backpressure): the rest stays queued
    // while the table goes on changing, and the rules must hold across slices.
    for (const c of tb.drainChanges(this.drainSlice > 0 ? this.drainSlice : undefined)) {
      if (c.kind === 'resync') continue;
      const k = c.live.key;
      // A flow born and closed between two drains is one lone 'destroy' (the merging rule in ChangeQueue).
      expect(c.kind === 'new' ? !this.streamKeys.has(k) : c.kind === 'destroy' || this.streamKeys.has(k), `change ${c.kind} of ${k} out of order`);
      expect(c.kind !== 'new' || (c.live.closed === null && !c.flow.status.includes('DYING') && c.flow.stopNs === undefined), `a 'new' of ${k} reports a closed flow`);
      if (c.kind === 'new') this.streamKeys.add(k);
      if (c.kind === 'destroy') this.streamKeys.delete(k);
    }
    if (tb.pendingChanges === 0) expectSame([...this.streamKeys].sort(), keys, 'the change stream replays to the open keys');
    for (const l of open) {
      const r = l.rates;
      for (const v of [r.orig.bytesPerSec, r.orig.packetsPerSec, r.reply.bytesPerSec, r.reply.packetsPerSec]) expect(Number.isFinite(v) && v >= 0, `rate ${v} of ${l.key}`);
      expect(l.closed === null && tb.get(l.key) === l, 'open flows are reachable and not closed');
    }
    if (this.evq.length || this.dq.length || this.dumpOpen || this.walk) return;
    expect(tb.needsResync === this.lostPending, `needsResync ${tb.needsResync}, expected ${this.lostPending}`);
    if (!this.synced) return;
    expectSame(keys, [...this.kernel.keys()].sort(), 'after a clean dump the table equals the kernel');
    for (const l of open) {
      const k = this.kernel.get(l.key)!;
      expectSame([l.flow.state, l.flow.mark, l.flow.status], [k.state, k.mark, k.status], `evented fields of ${l.key}`);
    }
  }
}

/** What NEW/UPDATE carry: no counters, no use, no start time; state omitted when PROTOINFO did not change. */
function eventView(f: Flow, omitState = false): Flow {
  const { counters: _c, startNs: _s, ...rest } = structuredClone(f);
  return { ...rest, use: null, state: omitState ? null : f.state };
}

function expect(ok: boolean, what: string): void {
  if (!ok) throw new Error(`flow-table model: ${what}`);
}

function expectSame(a: unknown, b: unknown, what: string): void {
  const x = JSON.stringify(a);
  const y = JSON.stringify(b);
  if (x !== y) throw new Error(`flow-table model: ${what}: ${x} != ${y}`);
}

type Cmd = fc.Command<World, { table: FlowTable }>;
const lossy = fc.integer({ min: 0, max: 5 }).map((n) => n === 0); // one event in six is lost

/** Builds a command from a name and an action on the world; `ok` is its precondition. */
function cmd(name: string, act: (w: World) => void, ok: (w: World) => boolean = () => true): Cmd {
  return { check: ok, run: (w) => act(w), toString: () => name };
}

/** The commands: kernel changes, socket deliveries, dumps, ticks. */
export const flowTableCommands = [
  fc.tuple(fc.nat(3), fc.integer({ min: 1, max: 2 }), fc.boolean(), lossy, fc.boolean())
    .map(([tu, id, up, lose, walk]) => cmd(`create(${tu},${id},${up},${lose},${walk})`, (w) => w.create(tu, id, up, lose, walk))),
  fc.tuple(fc.nat(9), fc.nat(4), fc.nat(2), fc.boolean(), lossy)
    .map(([n, s, m, omit, lose]) => cmd(`update(${n},${s},${m},${omit},${lose})`, (w) => w.update(n, s, m, omit, lose))),
  fc.tuple(fc.nat(9), fc.integer({ min: 1, max: 5000 }), fc.integer({ min: 0, max: 7 }).map((z) => z === 0))
    .map(([n, b, z]) => cmd(`traffic(${n},${b},${z})`, (w) => w.traffic(n, b, z))),
  fc.tuple(fc.nat(9), lossy).map(([n, lose]) => cmd(`destroy(${n},${lose})`, (w) => w.destroy(n, lose))),
  fc.integer({ min: 1, max: 6 }).map((n) => cmd(`deliverEvents(${n})`, (w) => w.deliverEvents(n))),
  fc.integer({ min: 1, max: 6 }).map((n) => cmd(`deliverDump(${n})`, (w) => w.deliverDump(n))),
  fc.constant(cmd('startDump', (w) => w.startDump(), (w) => !w.dumpOpen && w.dq.length === 0)),
  fc.tuple(fc.integer({ min: 1, max: 3 }), fc.boolean())
    .map(([n, dup]) => cmd(`walk(${n},${dup})`, (w) => w.walkSome(n, dup), (w) => w.walk !== null)),
  fc.integer({ min: 0, max: 5 }).map((n) => cmd(`endDump(${n !== 0})`, (w) => w.endDump(n !== 0), (w) => w.walk !== null)),
  fc.integer({ min: 1, max: 3000 }).map((dt) => cmd(`tick(${dt})`, (w) => {
    w.nowMs += dt;
    w.table.tick(w.nowMs);
    for (const l of w.table.snapshot({ includeClosed: true })) if (l.closed) expect(l.closed.atMs + LINGER_MS > w.nowMs, `ghost ${l.key} outlived lingerMs`);
    w.check();
  })),
  fc.integer({ min: 0, max: 3 }).map((n) => cmd(`reader(${n})`, (w) => { w.drainSlice = n; })),
  fc.constant(cmd('settle', (w) => { // finish any dump, then drain both sockets
    if (w.walk) w.endDump(true);
    w.deliverEvents(Infinity);
    w.deliverDump(Infinity);
    w.deliverEvents(Infinity);
  })),
];

/** The property: any command sequence keeps every invariant of World.check (throws on the first break). */
export function flowTableModelProperty(maxCommands = 80) {
  return fc.property(fc.commands(flowTableCommands, { maxCommands, size: 'max' }), (cmds) => {
    const table = new FlowTable({ lingerMs: LINGER_MS, maxClosed: MAX_CLOSED, trackChanges: true });
    fc.modelRun(() => ({ model: new World(table), real: { table } }), cmds);
  });
}

/** Runs the property with fast-check parameters (CI passes a fixed seed and a bounded numRuns). */
export function checkFlowTableModel(params: fc.Parameters<[Iterable<Cmd>]> = {}): void {
  fc.assert(flowTableModelProperty(), params);
}
