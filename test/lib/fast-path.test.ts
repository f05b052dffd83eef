// The refresh fast path (DumpShortcut): a dump copy whose digest equals that of the copy a flow was last taken
// from is not decoded; FlowTable.unchanged() takes it as seen. It must be observationally identical to the
// slow path: every capture (golden, real kernel fixtures, scripted, random) is played into a table started
// with the shortcut and one without, and after every dump their snapshots, stats and change streams agree.
import t, { type Test } from 'tap';
import fc from 'fast-check';
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { FlowTable, type LiveFlow } from '../../lib/flow-table.js';
import { ZERO_RATES } from '../../lib/flow-stats.js';
import { flowKey, type Flow } from '../../lib/flow.js';
import { ReplaySource, WirePipeline, toFlow, type WireRecord } from '../../lib/kernel/index.js';
import { Session, type SessionOutput } from '../../lib/session.js';
import type { DumpShortcut, FlowSource, SourceEvent, SourceHealth } from '../../lib/source.js';
import { CTA } from '../../netlink/ct-attrs.js';
import type { CtEntry } from '../../netlink/ct-entry.js';
import { encodeCtEntryMessage, encodeDumpRequest } from '../../netlink/ct-request.js';
import { encodeDone, splitMessages } from '../../netlink/message.js';
import { HOST_IS_LE, Reader } from '../../netlink/reader.js';
import { PcapWriter } from '../../netlink/pcap.js';
import { projectForOrder } from '../../fuzz/arbitraries.js';
import { dumpEntryArb, topAttrs } from '../../fuzz/digest.prop.js';
import { fromHex, loadCtFixtures } from '../../fuzz/harness.js';
import { cat } from '../helpers/hex.js';

const root = resolve(import.meta.dirname, '../..');
const skipLE = !HOST_IS_LE && 'little-endian captures and literals';
const T0 = 1_700_000_000_000; // epoch ms
const PID = 4242;
const MULTI = 0x2;

/** One table fed by a source, with what it looked like after each dump, and how often the shortcut hit. */
class Observer {
  readonly table = new FlowTable({ lingerMs: 5000, trackChanges: true, maxClosed: 1000 });
  /** The table after each dumpEnd (and at the end of the input): snapshot, stats and drained changes. */
  readonly states: string[] = [];
  readonly events: SourceEvent[] = [];
  /** The ids of the copies the shortcut skipped, per dump. */
  readonly hitIds: number[][] = [];
  private hits: number[] = [];
  private lastAtMs = 0;
  readonly shortcut: DumpShortcut = {
    unchanged: (copy) => {
      const r = this.table.unchanged(copy);
      if (r) this.hits.push(copy.id);
      return r;
    },
  };

  /** The sink of a bare pipeline (no session): applies each event and records the table after each dump. */
  readonly sink = (ev: SourceEvent): void => {
    this.tap(ev);
    this.table.apply(ev);
    if ('atMs' in ev) this.lastAtMs = ev.atMs;
    if (ev.kind === 'dumpEnd') this.observe();
  };

  /** Sees every source event before the table does; closes the shortcut hits of a dump at its end. */
  readonly tap = (ev: SourceEvent): void => {
    this.events.push(ev);
    if (ev.kind === 'dumpEnd') {
      this.hitIds.push(this.hits);
      this.hits = [];
    }
  };

  /** A session output: the changes delivered since the last refresh are recorded with the table after it. */
  readonly output: SessionOutput = {
    changes: (batch) => {
      for (const c of batch) this.pending.push(c.kind === 'resync' ? ['resync', c.atMs] : [c.kind, c.live.key]);
    },
    refreshed: () => {
      this.record(this.pending.splice(0));
    },
  };
  private readonly pending: (string | number)[][] = [];

  get hitsPerDump(): number[] {
    return this.hitIds.map((ids) => ids.length);
  }

  get totalHits(): number {
    return this.hitsPerDump.reduce((a, b) => a + b, 0) + this.hits.length;
  }

  /** Records the table as of the latest source time (tick first: ages, idle times and summed rates). */
  observe(): void {
    const tb = this.table;
    tb.tick(this.lastAtMs);
    this.record(tb.drainChanges().map((c) => (c.kind === 'resync' ? ['resync', c.atMs] : [c.kind, c.live.key])));
  }

  private record(changes: (string | number)[][]): void {
    const tb = this.table;
    const flows = tb.snapshot({ includeClosed: true }).map((l: LiveFlow) => ({
      key: l.key, flow: l.flow, firstSeenMs: l.firstSeenMs, lastChangeMs: l.lastChangeMs, startMs: l.startMs, ageSource: l.ageSource,
      ageMs: l.ageMs, idleMs: l.idleMs, sampleMs: tb.sampleMs(l.key), rates: l.rates, closed: l.closed, countersReset: l.countersReset,
    }));
    this.states.push(JSON.stringify({ flows, stats: tb.stats(), changes }));
  }
}

/** `src` with every event shown to `tap` first. */
function tapped(src: FlowSource, tap: (ev: SourceEvent) => void): FlowSource {
  return {
    start: (sink, shortcut) => src.start((ev) => {
      tap(ev);
      sink(ev);
    }, shortcut),
    refresh: () => src.refresh(),
    close: () => src.close(),
    get health() {
      return src.health;
    },
    ended: src.ended,
    schedulesRefreshes: src.schedulesRefreshes,
  };
}

/** Plays a capture file through a Session on a ReplaySource at full speed (one refresh per recorded dump), as --events does. */
async function replay(path: string, fast: boolean): Promise<{ o: Observer; health: SourceHealth }> {
  const o = new Observer();
  const src = new ReplaySource(path, { speed: Infinity });
  const session = new Session({
    source: tapped(src, o.tap), table: o.table, intervalMs: 1000, signal: new AbortController().signal,
    warn: () => undefined, shortcut: fast ? o.shortcut : null,
  });
  await session.run(o.output);
  return { o, health: { ...src.health } };
}

/** Feeds records straight into a WirePipeline (no file), with or without the shortcut. */
function pipe(recs: readonly WireRecord[], fast: boolean): { o: Observer; health: SourceHealth } {
  const o = new Observer();
  const p = new WirePipeline(o.sink);
  if (fast) p.shortcut = o.shortcut;
  for (const r of recs) p.feed(r);
  o.observe();
  return { o, health: { ...p.health } };
}

/**
 * The fast and the slow run agree after every dump, and on source health (but unknownAttrs, which counts
 * decoded messages only, so never more with the shortcut); returns the fast run for further checks.
 */
function sameRuns(t: Test, fast: { o: Observer; health: SourceHealth }, slow: { o: Observer; health: SourceHealth }): Observer {
  t.equal(fast.o.states.length, slow.o.states.length, 'as many dumps');
  for (let i = 0; i < slow.o.states.length; i++) t.equal(fast.o.states[i], slow.o.states[i], `state after dump ${i}`);
  t.same({ ...fast.health, unknownAttrs: 0 }, { ...slow.health, unknownAttrs: 0 }, 'source health');
  t.ok(fast.health.unknownAttrs <= slow.health.unknownAttrs, 'unknown attributes: no more with the shortcut');
  return fast.o;
}

async function compareReplay(t: Test, path: string): Promise<Observer> {
  return sameRuns(t, await replay(path, true), await replay(path, false));
}

// ---------------------------------------------------------------------------------------------------------
// Captures: the golden ones, and real kernel fixtures replayed as repeated dumps.

const goldenDir = join(root, 'test/fixtures/golden');
for (const f of readdirSync(goldenDir).filter((n) => n.endsWith('.pcap'))) {
  t.test(`golden ${f}: fast and slow paths agree after every dump`, { skip: skipLE }, async (t) => {
    const o = await compareReplay(t, join(goldenDir, f));
    const dumps = o.hitsPerDump.length;
    if (dumps >= 3) t.ok(o.totalHits > 0, `the fast path fired (${o.totalHits} hits over ${dumps} dumps)`);
    t.ok(o.events.filter((e) => e.kind === 'dumpEntry').every((e) => typeof (e as { digest?: number }).digest === 'number'), 'decoded copies carry their digest');
  });
}

/** Rewrites CTA_TIMEOUT of every conntrack message in a datagram (real kernel bytes, host-order headers). */
function withTimeouts(dg: Uint8Array, f: (sec: number) => number): Uint8Array {
  const out = dg.slice();
  const v = new DataView(out.buffer);
  for (const m of splitMessages(new Reader(out))) {
    if (m.type !== 0x100) continue;
    for (const a of topAttrs(out.subarray(m.payload - 16, m.end))) {
      const at = m.payload - 16 + a.hdr + 4;
      if (a.type === CTA.TIMEOUT) v.setUint32(at, f(v.getUint32(at)));
    }
  }
  return out;
}

const ms = (n: number): bigint => BigInt(n) * 1_000_000n;

t.test('real kernel dumps repeated with only their timeouts ticking down: every repeat takes the fast path', { skip: skipLE }, async (t) => {
  const dir = t.testdir({});
  for (const fx of loadCtFixtures()) {
    const req = fromHex(fx.requests[0]);
    const [m] = splitMessages(new Reader(req));
    if (fx.requests.length !== 1 || m.type !== 0x101 || (m.flags & 0x300) === 0) continue; // a ctnetlink dump
    const path = join(dir, `${fx.scenario}.pcap`);
    const w = PcapWriter.open(path);
    let entries = 0;
    for (let d = 0; d < 3; d++) {
      w.write({ tsNs: ms(T0 + d * 1000), direction: 'out', family: 12, data: req });
      for (const [i, h] of fx.datagrams.entries()) {
        const data = withTimeouts(fromHex(h), (s) => Math.max(0, s - d * 7));
        if (d === 0) entries += splitMessages(new Reader(data)).filter((x) => x.type === 0x100).length;
        w.write({ tsNs: ms(T0 + d * 1000 + i + 1), direction: 'in', family: 12, data });
      }
    }
    w.close();
    await t.test(fx.scenario, async (t) => {
      const o = await compareReplay(t, path);
      t.same(o.hitsPerDump, [0, entries, entries], `${entries} copies skipped in each repeat`);
    });
  }
});

// ---------------------------------------------------------------------------------------------------------
// A scripted capture: timeouts only, counters, a flow leaving, events between and during dumps, id reuse.

const entry = (id: number, sport: number, over: Partial<CtEntry> = {}): CtEntry => ({
  family: 2, protoNum: 6, status: 0x18e, id, timeoutSec: 300, mark: 0, use: 1, zone: 0,
  orig: { src: '10.0.0.1', dst: '10.0.0.2', sport, dport: 443 },
  reply: { src: '10.0.0.2', dst: '10.0.0.1', sport: 443, dport: sport },
  tcp: { state: 3 }, countersOrig: { packets: 10, bytes: 1000 }, countersReply: { packets: 5, bytes: 4000 },
  startNs: BigInt(T0 - 60_000) * 1_000_000n + BigInt(sport), ...over,
});

type EventKind = 'new' | 'update' | 'destroy';

/** A conntrack event message as the event socket delivers it (seq 0). */
function eventMessage(kind: EventKind, e: CtEntry): Uint8Array {
  const order = kind === 'destroy' ? 'destroy' : 'event';
  return encodeCtEntryMessage(projectForOrder(e, order), { flags: kind === 'new' ? 0x600 : 0, seq: 0, pid: 0 }, order);
}

/** Builds the records of a capture: dump requests and replies (two copies a datagram), events, in time order. */
class Script {
  readonly recs: WireRecord[] = [];
  private ms = T0;
  private seq = 100;

  /**
   * A dump of `copies`, two a datagram, DONE(error) in the last one. `during` are events delivered between
   * the reply datagrams: before the one holding copy `at` (rounded up to a datagram), at the latest before the last.
   */
  dump(copies: CtEntry[], opts: { during?: [EventKind, CtEntry][]; at?: number; error?: number } = {}): this {
    const seq = this.seq++;
    this.ms += 1000;
    this.rec('out', encodeDumpRequest(seq));
    const datagrams: Uint8Array[][] = [];
    for (let i = 0; i < copies.length; i += 2) datagrams.push(copies.slice(i, i + 2).map((e) => encodeCtEntryMessage(e, { flags: MULTI, seq, pid: PID })));
    if (datagrams.length === 0 || datagrams[datagrams.length - 1].length === 2) datagrams.push([]);
    datagrams[datagrams.length - 1].push(encodeDone(seq, PID, opts.error ?? 0));
    const k = Math.min(Math.ceil((opts.at ?? 0) / 2), datagrams.length - 1);
    for (const [i, msgs] of datagrams.entries()) {
      if (i === k) for (const [kind, e] of opts.during ?? []) this.rec('in', eventMessage(kind, e));
      this.rec('in', cat(...msgs));
    }
    return this;
  }

  event(kind: EventKind, e: CtEntry): this {
    this.ms += 10;
    return this.rec('in', eventMessage(kind, e));
  }

  write(path: string): string {
    const w = PcapWriter.open(path);
    for (const r of this.recs) w.write(r);
    w.close();
    return path;
  }

  private rec(direction: 'in' | 'out', data: Uint8Array): this {
    this.recs.push({ tsNs: ms(this.ms++), direction, family: 12, data });
    return this;
  }
}

const tick = (e: CtEntry, n: number): CtEntry => ({ ...e, timeoutSec: (e.timeoutSec ?? 300) - n });
const more = (e: CtEntry, n: number): CtEntry => ({
  ...e, countersOrig: { packets: e.countersOrig!.packets + n, bytes: e.countersOrig!.bytes + 100 * n },
  countersReply: { packets: e.countersReply!.packets + n, bytes: e.countersReply!.bytes + 900 * n },
});

t.test('a scripted capture: the fast path fires where nothing changed, and both tables agree after every dump', { skip: skipLE }, async (t) => {
  const A = entry(0x11, 1001), B = entry(0x22, 1002), C = entry(0x33, 1003), D = entry(0x44, 1004);
  // Three ids with equal low 30 bits (one byId slot), different tuples.
  const X = entry(5, 2001), Y = entry(5 + 2 ** 30, 2002), Z = entry(5 + 2 ** 31, 2003);
  const H = entry(0x77, 1007);
  const A2 = entry(0x11, 3001); // A's id reused by another tuple
  const all = [A, B, C, D, X, Y, Z];
  const s = new Script()
    .dump(all) //                                                       0: all new
    .dump(all.map((e) => tick(e, 10))) //                               1: timeouts only: all skipped
    .dump([more(A, 1), more(B, 2), ...[C, D, X, Y, Z].map((e) => tick(e, 20))]) // 2: A, B counted
    .event('update', { ...C, mark: 9 }) //                              an event between dumps touches C
    .dump([more(A, 1), { ...C, mark: 9 }, more(B, 2), X, Y, Z, X], { during: [['destroy', more(B, 2)], ['new', H]], at: 2 }) // 3: D gone; B destroyed before its copy; H new; X twice
    .dump([A2, { ...C, mark: 9 }, X, Y, Z, projectForOrder(H, 'dump')]) // 4: A gone, A2 reuses its id
    .dump([A2, { ...C, mark: 9 }, tick(X, 1), Y, Z, projectForOrder(H, 'dump')], { during: [['update', { ...Y, mark: 3 }]], at: 3 }) // 5: Y updated mid-dump after its copy
    .dump([A2, { ...C, mark: 9 }, X, { ...Y, mark: 3 }, Z, projectForOrder(H, 'dump')], { error: -16 }) // 6: fails: no sweep
    .dump([A2, X, Y, Z]); //                                            7: C and H gone
  const path = s.write(join(t.testdir({}), 'scripted.pcap'));
  const o = await compareReplay(t, path);
  t.same(o.hitsPerDump.slice(0, 3), [0, 7, 5], 'dump 1 skips every copy; dump 2 all but the two with new counters');
  t.same(o.hitIds[3].slice().sort((x, y) => x - y), [5, 5, 0x11, 5 + 2 ** 30, 5 + 2 ** 31],
    'dump 3: C (evented) and B (destroyed) decoded; A, X twice, Y and Z skipped');
  t.ok(o.hitsPerDump.slice(4).every((n) => n > 0), `later dumps hit too: ${o.hitsPerDump.join(', ')}`);
  const stats = o.table.stats();
  t.equal(stats.ignoredDumpCopies, 1, 'B\'s copy after its DESTROY is ignored');
  t.equal(stats.failedDumps, 1);
  const bySport = (p: number) => o.table.snapshot({ includeClosed: true }).find((l) => l.flow.orig.sport === p);
  t.match(bySport(3001), { flow: { id: 0x11 }, closed: null }, 'A2 open');
  t.match(bySport(1001), { closed: { reason: 'gone' } }, 'A swept when its id went to A2');
});

t.test('a copy with an unknown attribute: skipped like any other, its attribute counted only when decoded (SourceHealth)', { skip: skipLE }, async (t) => {
  const plain = encodeCtEntryMessage(entry(0x55, 5005), { flags: MULTI, seq: 0, pid: PID });
  const s = new Script();
  for (let d = 0; d < 3; d++) s.dump([entry(0x55, 5005, { timeoutSec: 300 - d })]);
  // Append CTA_?(28) = 1 to every copy: nlmsg_len grows by 8.
  const recs = s.recs.map((r) => {
    if (r.direction !== 'in' || r.data.length < plain.length) return r;
    const [m] = splitMessages(new Reader(r.data));
    const msg = cat(r.data.subarray(0, m.end), Uint8Array.of(8, 0, 28, 0, 0, 0, 0, 1));
    new DataView(msg.buffer).setUint32(0, m.end + 8, true);
    return { ...r, data: cat(msg, r.data.subarray(m.end)) };
  });
  const fast = pipe(recs, true), slow = pipe(recs, false);
  sameRuns(t, fast, slow);
  t.same(fast.o.hitsPerDump, [0, 1, 1]);
  t.equal(slow.health.unknownAttrs, 3, 'without the shortcut: one per dump');
  t.equal(fast.health.unknownAttrs, 1, 'with it: the first copy only (the later ones are not decoded)');
});

// ---------------------------------------------------------------------------------------------------------
// Random scripts (fast-check): dumps of a small pool whose members change between dumps, events between and
// inside dumps, shared ids, failed dumps. Fed through WirePipeline directly.

type Change = 'timeout' | 'counters' | 'mark' | 'status' | 'use' | 'tuple' | 'restart' | 'none';
type Step =
  | { kind: 'dump'; members: number[]; during: { kind: EventKind; i: number }[]; at: number; error: number }
  | { kind: 'change'; i: number; what: Change }
  | { kind: 'event'; ev: { kind: EventKind; i: number } };

const evArb = fc.record({ kind: fc.constantFrom<EventKind>('new', 'update', 'destroy'), i: fc.nat(7) });
const stepArb: fc.Arbitrary<Step> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('dump' as const), members: fc.array(fc.nat(7), { maxLength: 8 }), during: fc.array(evArb, { maxLength: 2 }), at: fc.nat(8), error: fc.constantFrom(0, 0, 0, 0, -16) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('change' as const), i: fc.nat(7), what: fc.constantFrom<Change>('timeout', 'timeout', 'counters', 'mark', 'status', 'use', 'tuple', 'restart', 'none') }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('event' as const), ev: evArb }) },
);
const poolArb = fc.array(fc.tuple(dumpEntryArb, fc.constantFrom(1, 2, 1 + 2 ** 30, 1 + 2 ** 31)), { minLength: 1, maxLength: 6 })
  .map((es) => es.map(([e, id]) => ({ ...e, id })));

function changed(e: CtEntry, what: Change): CtEntry {
  const bump = (n: number): number => (n < Number.MAX_SAFE_INTEGER ? n + 1 : n - 1);
  switch (what) {
    case 'timeout': return { ...e, timeoutSec: bump(e.timeoutSec ?? 0) % 2 ** 32 };
    case 'counters': return { ...e, countersOrig: { packets: bump(e.countersOrig?.packets ?? 0), bytes: bump(e.countersOrig?.bytes ?? 0) } };
    case 'mark': return { ...e, mark: ((e.mark ?? 0) + 1) % 2 ** 32 };
    case 'status': return { ...e, status: (e.status ^ 0x8) >>> 0 };
    case 'use': return { ...e, use: ((e.use ?? 0) + 1) % 2 ** 32 };
    case 'tuple': return { ...e, orig: e.reply, reply: e.orig }; // same id, another key
    case 'restart': return { ...e, startNs: (e.startNs ?? 0n) + 1n }; // a new incarnation of the same key
    case 'none': return e;
  }
}

function scriptOf(pool0: CtEntry[], steps: Step[]): WireRecord[] {
  const pool = pool0.slice();
  const s = new Script();
  const at = (i: number): CtEntry => pool[i % pool.length];
  for (const st of steps) {
    if (st.kind === 'dump') s.dump(st.members.map(at), { during: st.during.map((d) => [d.kind, at(d.i)]), at: st.at, error: st.error });
    else if (st.kind === 'event') s.event(st.ev.kind, at(st.ev.i));
    else pool[st.i % pool.length] = changed(at(st.i), st.what);
  }
  return s.recs;
}

t.test('property: random dump/event scripts give the same table with and without the shortcut (seed 0x5eed)', { skip: skipLE }, async (t) => {
  let hits = 0;
  let dumps = 0;
  t.doesNotThrow(() => fc.assert(
    fc.property(poolArb, fc.array(stepArb, { minLength: 1, maxLength: 14 }), (pool, steps) => {
      const recs = scriptOf(pool, steps);
      const fast = pipe(recs, true), slow = pipe(recs, false);
      if (fast.o.states.join('\n') !== slow.o.states.join('\n')) throw new Error(`tables differ:\n${diffAt(fast.o.states, slow.o.states)}`);
      if (JSON.stringify(fast.health) !== JSON.stringify(slow.health)) throw new Error('health differs');
      hits += fast.o.totalHits;
      dumps += fast.o.hitsPerDump.length;
    }),
    { numRuns: 300, seed: 0x5eed },
  ));
  t.ok(hits > dumps / 4, `the fast path fired: ${hits} hits over ${dumps} dumps`);
});

function diffAt(a: string[], b: string[]): string {
  const i = a.findIndex((s, k) => s !== b[k]);
  return `state ${i}\nfast ${a[i]}\nslow ${b[i]}`;
}

// ---------------------------------------------------------------------------------------------------------
// FlowTable.unchanged() on its own.

/** The Flow the pipeline makes of entry(id, sport, over) as a dump copy (counters, use, start time). */
const mk = (id: number, sport: number, over: Partial<CtEntry> = {}): Flow => toFlow(entry(id, sport, over));
/** The same flow as a NEW/UPDATE event carries it (no counters, use or start time). */
const evOf = (id: number, sport: number, over: Partial<CtEntry> = {}): Flow => toFlow(projectForOrder(entry(id, sport, over), 'event'));
/** Counters `n` packets further on in each direction. */
const ctr = (n: number): Partial<CtEntry> => ({ countersOrig: { packets: 10 + n, bytes: 1000 + 100 * n }, countersReply: { packets: 5 + n, bytes: 500 + 50 * n } });

function table(): FlowTable {
  return new FlowTable({ lingerMs: 5000, trackChanges: true });
}

/** dumpBegin at `atMs`, then copies with their digests (no dumpEnd). */
function begin(tb: FlowTable, atMs: number, copies: [Flow, number?][] = []): void {
  tb.apply({ kind: 'dumpBegin', atMs });
  for (const [flow, digest] of copies) tb.apply(digest === undefined ? { kind: 'dumpEntry', flow } : { kind: 'dumpEntry', flow, digest });
}
const end = (tb: FlowTable, atMs: number, complete = true): void => tb.apply({ kind: 'dumpEnd', atMs, complete });
/** tb.unchanged() for a copy with this id, digest and timeout. */
const un = (tb: FlowTable, id: number, digest: number, timeoutSec: number | null): boolean => tb.unchanged({ id, digest, timeoutSec });

/** Two tables that took flow 1 from two dumps (digests 111, 222): counters moved, so its rates are not 0. */
function twoTables(endSecond: boolean): [FlowTable, FlowTable] {
  const tabs: [FlowTable, FlowTable] = [table(), table()];
  for (const tb of tabs) {
    begin(tb, T0, [[mk(1, 1000, ctr(0)), 111]]);
    end(tb, T0 + 5);
    begin(tb, T0 + 1000, [[mk(1, 1000, ctr(10)), 222]]);
    if (!endSecond) continue;
    end(tb, T0 + 1005);
    tb.drainChanges();
  }
  return tabs;
}

t.test('unchanged(): false outside a dump, for an unknown id, for another digest, and for NaN', async (t) => {
  const tb = table();
  begin(tb, T0, [[mk(1, 1000), 111]]);
  end(tb, T0 + 5);
  t.equal(un(tb, 1, 111, 200), false, 'outside a dump');
  begin(tb, T0 + 1000);
  t.equal(un(tb, 2, 111, 200), false, 'unknown id');
  t.equal(un(tb, 1, 112, 200), false, 'another digest');
  t.equal(un(tb, 1, NaN, 200), false, 'NaN never matches');
  t.equal(tb.get(flowKey(mk(1, 1000)))!.flow.timeoutSec, 300, 'a miss changes nothing');
});

t.test('unchanged(): a copy from a source without digests is never skipped later', async (t) => {
  const tb = table();
  begin(tb, T0, [[mk(1, 1000)]]);
  end(tb, T0 + 5);
  begin(tb, T0 + 1000);
  t.equal(un(tb, 1, NaN, 200), false);
});

t.test('unchanged(): an event since the copy (between dumps or during this one) sends the whole copy', async (t) => {
  const tb = table();
  begin(tb, T0, [[mk(1, 1000), 111], [mk(2, 1001), 222]]);
  end(tb, T0 + 5);
  tb.apply({ kind: 'update', flow: evOf(1, 1000, { mark: 4 }), atMs: T0 + 500 });
  begin(tb, T0 + 1000);
  t.equal(un(tb, 1, 111, 200), false, 'updated between dumps');
  tb.apply({ kind: 'update', flow: evOf(2, 1001), atMs: T0 + 1001 });
  t.equal(un(tb, 2, 222, 200), false, 'updated during this dump');
});

t.test('unchanged(): a copy merged with an event during its dump is not a digest to match later', async (t) => {
  const tb = table();
  begin(tb, T0, [[mk(1, 1000), 111]]);
  end(tb, T0 + 5);
  begin(tb, T0 + 1000);
  tb.apply({ kind: 'update', flow: evOf(1, 1000, { mark: 4 }), atMs: T0 + 1001 });
  tb.apply({ kind: 'dumpEntry', flow: mk(1, 1000, { mark: 4 }), digest: 333 });
  end(tb, T0 + 1005);
  begin(tb, T0 + 2000);
  t.equal(un(tb, 1, 333, 200), false);
});

t.test('unchanged(): an unchanged copy keeps the flow, takes the timeout, zeroes rates, queues nothing, as the copy would', async (t) => {
  const [fast, slow] = twoTables(true);
  const live = fast.get(flowKey(mk(1, 1000)))!;
  const flow = live.flow;
  t.not(live.rates, ZERO_RATES, 'counters moved: rates');
  t.ok(live.rates.orig.bytesPerSec > 0);
  begin(fast, T0 + 2000);
  t.equal(un(fast, 1, 222, 77), true);
  end(fast, T0 + 2005);
  begin(slow, T0 + 2000, [[mk(1, 1000, { ...ctr(10), timeoutSec: 77 }), 222]]);
  end(slow, T0 + 2005);
  t.equal(fast.get(flowKey(mk(1, 1000))), live, 'the same LiveFlow object');
  t.equal(live.flow, flow, 'and the same Flow');
  t.equal(flow.timeoutSec, 77);
  t.equal(live.rates, ZERO_RATES, 'the shared zero rates');
  t.equal(fast.sampleMs(live.key), T0 + 2000, 'a sample at dumpBegin');
  t.equal(live.lastChangeMs, T0 + 1000, 'no reportable change');
  t.same(fast.drainChanges(), [], 'nothing queued');
  t.same(fast.drainChanges(), slow.drainChanges());
  t.same(fast.snapshot({ includeClosed: true }), slow.snapshot({ includeClosed: true }));
  t.same(fast.stats(), slow.stats());
  // The next dump's rates are computed from the skipped copy's sample, as from a decoded one.
  for (const tb of [fast, slow]) {
    begin(tb, T0 + 3000, [[mk(1, 1000, ctr(20)), 444]]);
    end(tb, T0 + 3005);
  }
  t.same(fast.snapshot(), slow.snapshot());
  t.equal(fast.get(live.key)!.rates.orig.packetsPerSec, 10);
});

t.test('unchanged(): a second copy in the same dump keeps the previous dump as the rate base', async (t) => {
  const [fast, slow] = twoTables(false);
  t.equal(un(fast, 1, 222, 299), true, 'a duplicate of the copy just taken');
  slow.apply({ kind: 'dumpEntry', flow: mk(1, 1000, { ...ctr(10), timeoutSec: 299 }), digest: 222 });
  for (const tb of [fast, slow]) end(tb, T0 + 1005);
  t.same(fast.snapshot(), slow.snapshot());
  t.ok(fast.snapshot()[0].rates.orig.packetsPerSec > 0, 'rates still against the previous dump');
});

t.test('unchanged(): flows whose ids share a byId slot match on id and digest together', async (t) => {
  const tb = table();
  const x = mk(5, 1000), y = mk(5 + 2 ** 30, 1001), z = mk(5, 1002);
  begin(tb, T0, [[x, 1], [y, 2], [z, 3]]);
  end(tb, T0 + 5);
  begin(tb, T0 + 1000);
  t.equal(un(tb, 5 + 2 ** 30, 1, 50), false, 'x\'s digest under y\'s id');
  t.equal(un(tb, 5, 3, 50), true, 'z');
  t.equal(un(tb, 5 + 2 ** 30, 2, 60), true, 'y');
  end(tb, T0 + 1005);
  const rows = tb.snapshot({ includeClosed: true }).map((l) => [l.flow.orig.sport, l.flow.timeoutSec, l.closed?.reason ?? 'open']);
  t.same(rows, [[1001, 60, 'open'], [1002, 50, 'open'], [1000, 300, 'gone']], 'x, neither skipped nor copied, is swept');
});

t.test('unchanged(): the entry after the last copy\'s in the previous dump is only a guess: a ghost there is never matched', async (t) => {
  const tb = table();
  begin(tb, T0, [[mk(1, 1000), 111], [mk(2, 1001), 222]]);
  end(tb, T0 + 5);
  tb.apply({ kind: 'destroy', flow: mk(2, 1001), atMs: T0 + 500 });
  begin(tb, T0 + 1000);
  t.equal(un(tb, 1, 111, 200), true, 'flow 1, as in the last dump');
  // Flow 2 came after flow 1 last time; it is a ghost now (a copy of it would be a late one, or a new incarnation).
  t.equal(un(tb, 2, 222, 200), false, 'not its ghost');
  end(tb, T0 + 1005);
  const ghost = tb.snapshot({ includeClosed: true }).find((l) => l.flow.id === 2)!;
  t.equal(ghost.closed?.reason, 'destroy', 'the ghost stays as the DESTROY left it');
  t.equal(ghost.flow.timeoutSec, 300, 'its timeout untouched');
});

t.test('unchanged(): copies in another order than the last dump\'s are all found, and the sweep closes only the missing', async (t) => {
  const tb = table();
  begin(tb, T0, [[mk(1, 1000), 111], [mk(2, 1001), 222], [mk(3, 1002), 333], [mk(4, 1003), 444]]);
  end(tb, T0 + 5);
  begin(tb, T0 + 1000);
  t.equal(un(tb, 3, 333, 203), true, '3 first (the guess was 1)');
  t.equal(un(tb, 1, 111, 201), true, '1 (the guess was 4)');
  t.equal(un(tb, 2, 999, 202), false, '2 with another digest (the guess, 2, has the wrong digest)');
  t.equal(un(tb, 4, 111, 204), false, '4 with flow 1\'s digest');
  end(tb, T0 + 1005);
  const rows = tb.snapshot({ includeClosed: true }).map((l) => [l.flow.id, l.flow.timeoutSec, l.closed?.reason ?? 'open']);
  t.same(rows, [[1, 201, 'open'], [3, 203, 'open'], [2, 300, 'gone'], [4, 300, 'gone']]);
  // The order of this dump is the next one's guess: 3, then 1.
  begin(tb, T0 + 2000);
  t.equal(un(tb, 3, 333, 103), true);
  t.equal(un(tb, 1, 111, 101), true);
  end(tb, T0 + 2005);
  t.same(tb.snapshot().map((l) => [l.flow.id, l.flow.timeoutSec]), [[1, 101], [3, 103]]);
});

t.test('unchanged(): a copy after a DESTROY in the same dump counts as ignored, as the slow path counts it', async (t) => {
  const fast = table(), slow = table();
  const a = (): Flow => mk(1, 1000);
  const b = (): Flow => mk(2, 1001);
  for (const tb of [fast, slow]) {
    begin(tb, T0, [[a(), 111], [b(), 222]]);
    end(tb, T0 + 5);
    begin(tb, T0 + 1000);
    tb.apply({ kind: 'destroy', flow: a(), atMs: T0 + 1001 });
    // b destroyed and re-created during the dump: the NEW's entry has no digest.
    tb.apply({ kind: 'destroy', flow: b(), atMs: T0 + 1002 });
    tb.apply({ kind: 'new', flow: evOf(2, 1001), atMs: T0 + 1003 });
  }
  // The shortcut misses (a is closed, b's new entry has no digest): the source sends the copies, which are ignored.
  t.equal(un(fast, 1, 111, 200), false);
  t.equal(un(fast, 2, 222, 200), false);
  for (const [f, d] of [[a(), 111], [b(), 222]] as const) {
    fast.apply({ kind: 'dumpEntry', flow: f, digest: d });
    slow.apply({ kind: 'dumpEntry', flow: { ...f } });
  }
  for (const tb of [fast, slow]) end(tb, T0 + 1005);
  t.equal(fast.stats().ignoredDumpCopies, 2);
  t.same(fast.stats(), slow.stats());
  t.same(fast.snapshot({ includeClosed: true }), slow.snapshot({ includeClosed: true }));
});

// ---------------------------------------------------------------------------------------------------------
// Engine rules the table's Entry follows (house style: a trick needs a test that fails when it is undone).

/** The largest integer V8 stores in a field itself (a Smi with pointer compression): 2^30 - 1. */
const SMI_MAX = 2 ** 30 - 1;
const isSmallInt = (v: unknown): boolean => typeof v === 'number' && Number.isInteger(v) && v >= -SMI_MAX - 1 && v <= SMI_MAX;

t.test('a dump that began on an empty table takes no copy as unchanged: a repeated copy goes the whole way, one flow', async (t) => {
  const tb = table();
  begin(tb, T0, [[mk(1, 1000, ctr(0)), 111]]);
  t.notOk(un(tb, 1, 111, 250), 'the repeat of a copy of this first dump is not a shortcut');
  tb.apply({ kind: 'dumpEntry', flow: mk(1, 1000, ctr(0)), digest: 111 }); // the source then sends it whole
  end(tb, T0 + 5);
  t.equal(tb.snapshot().length, 1, 'one flow');
  t.same(tb.drainChanges().map((c) => c.kind), ['new'], 'one new line');
  begin(tb, T0 + 1000);
  t.ok(un(tb, 1, 111, 249), 'the next dump takes the shortcut again');
  end(tb, T0 + 1005);
  t.equal(tb.snapshot()[0].flow.timeoutSec, 249);
});

t.test('engine rule: an entry keeps its times and its digest as small integers, whatever the epoch and the digest', async (t) => {
  // Why: a number|null field holding a number that is not a small integer points at a heap number. Epoch-ms
  // times shared one young box per dump between all flows (100k old-to-young pointers for every scavenge to
  // walk, README "The runs of 2026-12-03"), and a whole 52-bit digest was a boxed double per flow. The table
  // keeps times as ms since its first one (relTime) and the digest as two 26-bit halves; undoing either fails here.
  const tb = table();
  const big = 2 ** 52 - 3; // digests use 52 bits
  begin(tb, T0, [[mk(1, 1000, ctr(0)), big], [mk(2, 1001, ctr(0)), 7]]);
  end(tb, T0 + 5);
  begin(tb, T0 + 1000, [[mk(2, 1001, ctr(5)), big - 1]]); // counters moved: a second sample, a reset-free rate
  t.ok(un(tb, 1, big, 250), 'the shortcut still matches a 52-bit digest');
  end(tb, T0 + 1005);
  tb.apply({ kind: 'destroy', flow: { ...mk(2, 1001, ctr(9)), stopNs: undefined }, atMs: T0 + 1500 });
  const { rowEntries, closed } = tb as unknown as { rowEntries: (Record<string, unknown> | null)[]; closed: Map<string, Record<string, unknown>> };
  const entries = [...rowEntries.filter((e) => e !== null), ...closed.values()];
  t.equal(entries.length, 2, 'one open flow and one ghost');
  for (const e of entries) {
    for (const f of ['prevMs', 'curMs', 'resetMs', 'sampleAt']) t.ok(e[f] === null || isSmallInt(e[f]), `${f} is null or a small integer (${String(e[f])})`);
    for (const f of ['digestHi', 'digestLo', 'seenGen', 'eventSeq', 'stateSeq', 'auxSeq']) t.ok(isSmallInt(e[f]), `${f} is a small integer (${String(e[f])})`);
  }
  // What the table says of those times is still epoch ms.
  t.equal(tb.sampleMs(flowKey(mk(1, 1000))), T0 + 1000, 'sampleMs: the dump that gave flow 1 its counters');
  t.equal(tb.sampleMs(flowKey(mk(2, 1001))), T0 + 1500, 'sampleMs: the DESTROY that gave flow 2 its final counters');
});

t.test('engine rule: ages, idle times and the id index keys are small integers, whatever the clock and the ids', async (t) => {
  // Why: a fractional age or idle time took a new heap number per flow per tick (msSince rounds to whole ms),
  // and the id index is keyed by an id's low 30 bits so that its keys are small integers on every platform
  // (an id above 2^30 as a key was a boxed number per lookup). Undoing either fails here.
  const tb = table();
  const ids = [0xffffffff, 0xc0000001, 0x40000001, 1]; // the last three share their low 30 bits
  begin(tb, T0 + 0.25, ids.map((id, i): [Flow, number] => [mk(id, 2000 + i), 100 + i]));
  end(tb, T0 + 5.5);
  tb.tick(T0 + 1234.75);
  for (const l of tb.snapshot()) {
    t.ok(isSmallInt(l.ageMs) && isSmallInt(l.idleMs), `flow ${l.flow.id}: age ${l.ageMs} and idle ${l.idleMs} are small integers`);
  }
  const byId = (tb as unknown as { byId: Map<number, unknown> }).byId;
  t.ok([...byId.keys()].every(isSmallInt), 'every id index key is a small integer');
  t.equal(byId.size, 2, 'ids sharing their low 30 bits share one key (chained)');
  begin(tb, T0 + 2000);
  for (const [i, id] of ids.entries()) t.ok(un(tb, id, 100 + i, 200), `id ${id} is found through the index`);
  end(tb, T0 + 2005);
  t.equal(tb.stats().total, ids.length, 'and none was swept');
});
