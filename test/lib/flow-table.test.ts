// Tests for lib/flow-table.ts: one case per rule of the live table (identity, merge, dump/event reconciliation,
// rates, linger, stats, change stream), then the named regressions found by fuzz/flow-table.prop.ts.
import t from 'tap';
import { FlowTable, type TableInput, type LiveFlow } from '../../lib/flow-table.js';
import fc from 'fast-check';
import { flowKey, flowKeyId, sameFlowKey, type Flow } from '../../lib/flow.js';

const T0 = 1_700_000_000_000; // epoch ms

/** A TCP flow 10.0.0.1:sport -> 10.0.0.2:80 as a dump reports it (counters, use, start time). */
function mk(id: number, sport: number, over: Partial<Flow> = {}): Flow {
  return {
    id, family: 'ipv4', proto: 'tcp', protoNum: 6,
    orig: { src: '10.0.0.1', dst: '10.0.0.2', sport, dport: 80 },
    reply: { src: '10.0.0.2', dst: '10.0.0.1', sport: 80, dport: sport },
    state: 'ESTABLISHED', status: ['SEEN_REPLY', 'ASSURED', 'CONFIRMED'], timeoutSec: 300, mark: 0, zone: 0, use: 1,
    counters: { orig: { packets: 10, bytes: 1000 }, reply: { packets: 5, bytes: 500 } },
    labels: [], helper: null, ...over,
  };
}

/** The same flow as a NEW/UPDATE event carries it: no counters, no use, no start time. */
function ev(f: Flow, over: Partial<Flow> = {}): Flow {
  const { counters: _c, startNs: _s, ...rest } = f;
  return { ...rest, use: null, ...over };
}

function ctr(ob: number, op: number, rb: number, rp: number): Flow['counters'] {
  return { orig: { bytes: ob, packets: op }, reply: { bytes: rb, packets: rp } };
}

function dump(atMs: number, flows: Flow[], complete = true): TableInput[] {
  return [{ kind: 'dumpBegin', atMs }, ...flows.map((flow) => ({ kind: 'dumpEntry' as const, flow })), { kind: 'dumpEnd', atMs: atMs + 5, complete }];
}

function run(inputs: TableInput[], opts: Partial<ConstructorParameters<typeof FlowTable>[0]> = {}): FlowTable {
  const table = new FlowTable({ lingerMs: 5000, trackChanges: true, ...opts });
  for (const i of inputs) table.apply(i);
  return table;
}

const openKeys = (tb: FlowTable) => tb.snapshot().map((l) => l.key).sort();
// The table owns the Flows it is given and mutates them, so every use needs a fresh object.
const a = () => mk(1, 1000);
const b = () => mk(2, 1001);
const kA = flowKey(a());
const kB = flowKey(b());

t.test('reconciliation rules (table)', async (t) => {
  const cases: { name: string; input: TableInput[]; want: { open: string[]; closed?: Record<string, string>; stats?: Record<string, unknown> } }[] = [
    { name: 'initial dump inserts every entry', input: dump(T0, [a(), b()]), want: { open: [kA, kB] } },
    { name: 'update for an unknown flow inserts it (kernels <= 4.10 send UPDATE on create)',
      input: [{ kind: 'update', flow: ev(a()), atMs: T0 }], want: { open: [kA] } },
    { name: 'destroy for an unknown flow is counted, not an error',
      input: [{ kind: 'destroy', flow: a(), atMs: T0 }], want: { open: [], stats: { unknownDestroys: 1 } } },
    { name: 'a flow absent from a complete dump closes as gone',
      input: [...dump(T0, [a(), b()]), ...dump(T0 + 1000, [a()])], want: { open: [kA], closed: { [kB]: 'gone' }, stats: { dumps: 2 } } },
    { name: 'an incomplete dump never sweeps',
      input: [...dump(T0, [a(), b()]), ...dump(T0 + 1000, [a()], false)], want: { open: [kA, kB], stats: { failedDumps: 1 } } },
    { name: 'a destroy event closes the flow with reason destroy',
      input: [...dump(T0, [a()]), { kind: 'destroy', flow: a(), atMs: T0 + 10 }], want: { open: [], closed: { [kA]: 'destroy' } } },
    { name: 'a destroy seen after dumpBegin wins over the same dump\'s later copy',
      input: [...dump(T0, [a()]), { kind: 'dumpBegin', atMs: T0 + 1000 }, { kind: 'destroy', flow: a(), atMs: T0 + 1001 },
        { kind: 'dumpEntry', flow: a() }, { kind: 'dumpEnd', atMs: T0 + 1005, complete: true }],
      want: { open: [], closed: { [kA]: 'destroy' }, stats: { ignoredDumpCopies: 1 } } },
    { name: 'a destroy in a dump hides only its own flow\'s copies, not those of a flow whose id has the same low 16 bits',
      input: [...dump(T0, [a(), mk(65537, 1002)]), { kind: 'dumpBegin', atMs: T0 + 1000 }, { kind: 'destroy', flow: a(), atMs: T0 + 1001 },
        { kind: 'dumpEntry', flow: mk(65537, 1002) }, { kind: 'dumpEntry', flow: mk(65537, 1003) }, { kind: 'dumpEntry', flow: a() },
        { kind: 'dumpEnd', atMs: T0 + 1005, complete: true }],
      want: { open: [flowKey(mk(65537, 1002)), flowKey(mk(65537, 1003))], closed: { [kA]: 'destroy' }, stats: { ignoredDumpCopies: 1 } } },
    { name: 'a destroy before dumpBegin does not hide the dump\'s copy (a new incarnation)',
      input: [...dump(T0, [a()]), { kind: 'destroy', flow: a(), atMs: T0 + 1 }, ...dump(T0 + 1000, [a()])], want: { open: [kA] } },
    { name: 'a NEW after dumpBegin protects a flow the dump missed',
      input: [{ kind: 'dumpBegin', atMs: T0 }, { kind: 'new', flow: ev(b()), atMs: T0 + 1 }, { kind: 'dumpEntry', flow: a() },
        { kind: 'dumpEnd', atMs: T0 + 5, complete: true }], want: { open: [kA, kB] } },
    { name: 'destroyed then re-created during a dump: the NEW keeps it open, copies stay ignored',
      input: [...dump(T0, [a()]), { kind: 'dumpBegin', atMs: T0 + 1000 }, { kind: 'destroy', flow: a(), atMs: T0 + 1001 },
        { kind: 'new', flow: ev(a()), atMs: T0 + 1002 }, { kind: 'dumpEntry', flow: a() }, { kind: 'dumpEnd', atMs: T0 + 1005, complete: true }],
      want: { open: [kA], stats: { ignoredDumpCopies: 1 } } },
    { name: 'duplicates in a dump make one flow',
      input: dump(T0, [a(), a(), b(), a()]), want: { open: [kA, kB], stats: { total: 2 } } },
    { name: 'id reuse: same tuple, new id is a new flow; the old one is swept',
      input: [...dump(T0, [a()]), { kind: 'new', flow: ev(mk(9, 1000)), atMs: T0 + 1 }, ...dump(T0 + 1000, [mk(9, 1000)])],
      want: { open: [flowKey(mk(9, 1000))], closed: { [kA]: 'gone' } } },
    { name: 'entries outside a dump upsert without sweeping',
      input: [...dump(T0, [a()]), { kind: 'dumpEntry', flow: b() }], want: { open: [kA, kB] } },
    { name: 'an unmatched dumpEnd is ignored',
      input: [...dump(T0, [a()]), { kind: 'dumpEnd', atMs: T0 + 9, complete: true }], want: { open: [kA], stats: { dumps: 1 } } },
    { name: 'a dumpBegin during a dump abandons the first one',
      input: [{ kind: 'dumpBegin', atMs: T0 }, { kind: 'dumpEntry', flow: a() }, ...dump(T0 + 1, [b()])],
      want: { open: [kB], stats: { failedDumps: 1, dumps: 1 } } },
  ];
  for (const c of cases) {
    const tb = run(c.input);
    t.same(openKeys(tb), [...c.want.open].sort(), `${c.name}: open keys`);
    for (const [k, reason] of Object.entries(c.want.closed ?? {})) t.equal(tb.get(k)?.closed?.reason, reason, `${c.name}: ${k} closed`);
    if (c.want.stats) t.match(tb.stats(), c.want.stats, `${c.name}: stats`);
  }
});

t.test('update merges into the dumped flow', async (t) => {
  const d = mk(1, 1000, { startNs: String(BigInt(T0 - 60_000) * 1_000_000n), state: 'SYN_RECV', mark: 7, labels: [3] });
  const tb = run([...dump(T0, [d]), { kind: 'update', atMs: T0 + 10, flow: ev(d, { state: 'ESTABLISHED', timeoutSec: 432000, status: ['SEEN_REPLY', 'ASSURED', 'CONFIRMED'], labels: [] }) }]);
  const f = tb.get(kA)!.flow;
  t.equal(f.state, 'ESTABLISHED', 'state from the event');
  t.equal(f.timeoutSec, 432000, 'timeout from the event');
  t.same(f.counters, d.counters, 'counters kept from the dump');
  t.equal(f.use, 1, 'use kept from the dump');
  t.equal(f.startNs, d.startNs, 'start kept from the dump');
  t.same(f.labels, [3], 'an event without labels keeps them');
  t.equal(f.mark, 7, 'mark kept (events always carry a non-zero mark)');
  tb.apply({ kind: 'update', atMs: T0 + 20, flow: ev(d, { state: null, mark: 0 }) });
  t.equal(tb.get(kA)!.flow.state, 'ESTABLISHED', 'an event without PROTOINFO keeps the state');
  t.equal(tb.get(kA)!.flow.mark, 0, 'a mark set back to 0 is taken');
});

t.test('a dump copy replaces the flow unless an event arrived after dumpBegin', async (t) => {
  const tb = run([...dump(T0, [a()]), { kind: 'update', atMs: T0 + 10, flow: ev(a(), { state: 'FIN_WAIT' }) }]);
  tb.apply({ kind: 'dumpBegin', atMs: T0 + 1000 });
  tb.apply({ kind: 'dumpEntry', flow: mk(1, 1000, { state: 'TIME_WAIT', counters: ctr(2000, 20, 500, 5) }) });
  t.equal(tb.get(kA)!.flow.state, 'TIME_WAIT', 'events before dumpBegin are older than the copy');
  tb.apply({ kind: 'update', atMs: T0 + 1001, flow: ev(a(), { state: 'CLOSE' }) });
  tb.apply({ kind: 'dumpEntry', flow: mk(1, 1000, { state: 'TIME_WAIT', counters: ctr(3000, 30, 500, 5), use: 2 }) });
  tb.apply({ kind: 'dumpEnd', atMs: T0 + 1005, complete: true });
  const f = tb.get(kA)!.flow;
  t.equal(f.state, 'CLOSE', 'an event after dumpBegin wins over the copy for evented fields');
  t.same(f.counters, ctr(3000, 30, 500, 5), 'counters still come from the copy');
  t.equal(f.use, 2, 'use still comes from the copy');
});

t.test('rates come from consecutive dump samples, timed by dumpBegin', async (t) => {
  const tb = run(dump(T0, [a()]));
  t.same(tb.get(kA)!.rates, { orig: { bytesPerSec: 0, packetsPerSec: 0 }, reply: { bytesPerSec: 0, packetsPerSec: 0 } }, '0 until a second sample');
  tb.tick(T0 + 700); // ticks do not sample counters
  for (const i of dump(T0 + 2000, [mk(1, 1000, { counters: ctr(3000, 30, 900, 9) })])) tb.apply(i);
  tb.tick(T0 + 2100);
  const r = tb.get(kA)!.rates;
  t.same(r, { orig: { bytesPerSec: 1000, packetsPerSec: 10 }, reply: { bytesPerSec: 200, packetsPerSec: 2 } });
  t.equal(tb.sampleMs(kA), T0 + 2000);
  t.same(tb.stats().rates, r, 'table totals sum the open flows at tick');
});

t.test('tickInSteps: the same ages, idle times and rate totals as tick, the totals changed only at the last step', async (t) => {
  // Ten flows with counters at T0 and T0+1000 (so each has rates), one of them with a kernel start time.
  // Each table gets flows of its own: a table mutates the Flows it is given.
  const inputs = (): TableInput[] => {
    const first = Array.from({ length: 10 }, (_, i) => mk(i + 1, 2000 + i, i === 0 ? { startNs: String(BigInt(T0 - 5000) * 1_000_000n) } : {}));
    const second = first.map((f, i) => ({ ...f, counters: ctr(2000 + 100 * i, 20 + i, 600, 6) }));
    return [...dump(T0, first), ...dump(T0 + 1000, second)];
  };
  const whole = run(inputs());
  const stepped = run(inputs());
  whole.tick(T0 + 2500);
  const before = stepped.stats().rates;
  const steps = stepped.tickInSteps(T0 + 2500, 3);
  let yields = 0;
  while (!steps.next().done) {
    yields++;
    t.same(stepped.stats().rates, before, 'the totals do not move before the last step');
  }
  t.equal(yields, 3, 'ten flows in steps of three: three pauses');
  const view = (tb: FlowTable) => tb.snapshot().map((l) => [l.key, l.ageMs, l.idleMs]);
  t.same(view(stepped), view(whole));
  t.same(stepped.stats().rates, whole.stats().rates);
  t.not(whole.stats().rates.orig.bytesPerSec, 0, 'the flows have rates to sum');
});

t.test('tickInSteps: a flow opened between steps is ticked too, one closed between steps keeps its closing age', async (t) => {
  const tb = run(dump(T0, [mk(1, 1000), mk(2, 1001), mk(3, 1002)]));
  const steps = tb.tickInSteps(T0 + 3000, 1);
  steps.next(); // flow 1 ticked
  tb.apply({ kind: 'new', flow: ev(mk(4, 1003)), atMs: T0 + 2000 });
  tb.apply({ kind: 'destroy', flow: mk(3, 1002), atMs: T0 + 2500 });
  while (!steps.next().done);
  const k = (id: number, sport: number) => flowKey(mk(id, sport));
  t.equal(tb.get(k(4, 1003))!.ageMs, 1000, 'opened at +2000, ticked at +3000');
  t.equal(tb.get(k(3, 1002))!.ageMs, 2500, 'closed at +2500 with that age');
  t.equal(tb.get(k(2, 1001))!.ageMs, 3000);
});

t.test('tickInSteps: closes between steps that compact the open list skip no flow and tick none twice', async (t) => {
  // 300 flows; after the first step (10 rows), 150 close behind and ahead of it: holes reach half the list,
  // which compacts at the last close, and the flows not yet ticked move down past the step's position.
  const flows = Array.from({ length: 300 }, (_, i) => mk(i + 1, 1000 + i));
  const tb = run(dump(T0, flows));
  const steps = tb.tickInSteps(T0 + 3000, 10);
  steps.next();
  for (let i = 5; i < 155; i++) tb.apply({ kind: 'destroy', flow: mk(i + 1, 1000 + i), atMs: T0 + 2000 });
  tb.apply({ kind: 'new', flow: ev(mk(999, 3000)), atMs: T0 + 2500 });
  while (!steps.next().done);
  const open = tb.snapshot();
  t.equal(open.length, 151);
  t.same(open.filter((l) => l.ageMs !== 3000 && l.flow.id !== 999).map((l) => l.flow.id), [], 'every open flow ticked at +3000');
  t.equal(tb.get(flowKey(mk(999, 3000)))!.ageMs, 500, 'the one opened between steps too');
  t.same(tb.snapshot({ includeClosed: true }).filter((l) => l.closed).map((l) => l.ageMs), Array(150).fill(2000), 'the closed keep their closing age');
});

t.test('open flows keep their order (the table\'s insertion order) through closes, compactions and rebirths', async (t) => {
  const tb = run(dump(T0, Array.from({ length: 400 }, (_, i) => mk(i + 1, 1000 + i))));
  const model = Array.from({ length: 400 }, (_, i) => i + 1);
  let at = T0 + 10;
  // Close three in four (compacting more than once), then reopen some: reborn keys go to the end.
  for (let i = 0; i < 400; i++) {
    if (i % 4 === 3) continue;
    tb.apply({ kind: 'destroy', flow: mk(i + 1, 1000 + i), atMs: at++ });
    model.splice(model.indexOf(i + 1), 1);
  }
  for (const id of [7, 2, 301]) {
    tb.apply({ kind: 'new', flow: ev(mk(id, 1000 + id - 1)), atMs: at++ });
    model.push(id);
  }
  t.same(tb.snapshot().map((l) => l.flow.id), model);
  // A dump that misses half of them sweeps those, in one walk, and the rest stay in order.
  const kept = model.filter((_, i) => i % 2 === 0);
  for (const i of dump(at, kept.map((id) => mk(id, 1000 + id - 1)))) tb.apply(i);
  t.same(tb.snapshot().map((l) => l.flow.id), kept);
  tb.tick(at + 100);
  t.same(tb.snapshot().filter((l) => l.ageMs === 0).map((l) => l.flow.id), [], 'tick reaches every open flow');
});

t.test('a sweep that closes most of the table (compacting the open list once) closes exactly the flows its dump missed', async (t) => {
  const all = Array.from({ length: 200 }, (_, i) => mk(i + 1, 1000 + i));
  const tb = run(dump(T0, all));
  // The second dump has only the last 50: 150 close in one sweep, past the point where the list compacts.
  for (const i of dump(T0 + 1000, all.slice(150).map((f) => ({ ...f })))) tb.apply(i);
  t.same(tb.snapshot().map((l) => l.flow.id), all.slice(150).map((f) => f.id));
  t.equal(tb.stats().total, 50);
  t.equal(tb.snapshot({ includeClosed: true }).filter((l) => l.closed?.reason === 'gone').length, 150);
  tb.tick(T0 + 2000);
  t.same(tb.snapshot().filter((l) => l.idleMs !== 2000).map((l) => l.flow.id), [], 'every open flow ticked');
});

t.test('the open list is compacted: after churn it holds at most twice the open flows', async (t) => {
  const tb = run(dump(T0, [mk(1, 1000)]));
  for (let i = 2; i < 5000; i++) {
    tb.apply({ kind: 'new', flow: ev(mk(i, 1000 + i)), atMs: T0 + i });
    tb.apply({ kind: 'destroy', flow: mk(i, 1000 + i), atMs: T0 + i });
  }
  t.equal(tb.stats().total, 1);
  // A private array, read here on purpose: without compaction it would hold one slot per flow ever opened.
  const rows = (tb as unknown as { rows: unknown[] }).rows;
  t.ok(rows.length <= 128, `${rows.length} slots for 1 open flow`);
});

t.test('tickInSteps: a tick begun before the last one finished takes over; the old one stops', async (t) => {
  const tb = run(dump(T0, Array.from({ length: 6 }, (_, i) => mk(i + 1, 1000 + i))));
  const first = tb.tickInSteps(T0 + 1000, 2);
  first.next();
  const second = tb.tickInSteps(T0 + 2000, 2);
  while (!second.next().done);
  t.equal(first.next().done, true, 'the first stops at its next step');
  t.same(tb.snapshot().map((l) => l.ageMs), Array(6).fill(2000), 'and never writes its older time over the later tick\'s');
});

t.test('get(key) finds open flows through the id a key begins with: ids above 2^31, flows of servers, shared ids', async (t) => {
  const flows = [mk(4294967295, 1000), mk(7, 1001), mk(7, 1002), mk(9, 1003, { host: 'r1:7070' }), mk(9, 1003, { host: 'r2:7070' })];
  const tb = run(dump(T0, flows));
  for (const f of flows) {
    t.equal(flowKeyId(flowKey(f)), f.id, `the key of ${f.id}${f.host ? ` from ${f.host}` : ''} begins with its id`);
    t.equal(tb.get(flowKey(f))?.flow.orig.sport, f.orig.sport, `${flowKey(f)} found`);
  }
  t.equal(tb.get(flowKey(mk(7, 1004))), undefined, 'a key no open flow has');
  t.equal(flowKeyId('not a key'), -1);
  t.equal(tb.get('not a key'), undefined);
});

t.test('counters that go down reset the rate instead of going negative', async (t) => {
  const tb = run([...dump(T0, [a()]), ...dump(T0 + 1000, [mk(1, 1000, { counters: ctr(0, 0, 0, 0) })])]);
  const l = tb.get(kA)!;
  t.equal(l.countersReset, 1);
  t.equal(l.rates.orig.bytesPerSec, 0);
  for (const i of dump(T0 + 2000, [mk(1, 1000, { counters: ctr(500, 5, 0, 0) })])) tb.apply(i);
  t.equal(l.rates.orig.bytesPerSec, 500, 'the next interval counts from the reset values');
  t.equal(l.countersReset, 1);
});

t.test('a duplicate copy in one dump keeps the previous dump as base and counts a reset once', async (t) => {
  const low = mk(1, 1000, { counters: ctr(10, 1, 0, 0) });
  const tb = run([...dump(T0, [a()]), ...dump(T0 + 1000, [low, low])]);
  t.equal(tb.get(kA)!.countersReset, 1);
  const tb2 = run([...dump(T0, [a()]), ...dump(T0 + 1000, [mk(1, 1000, { counters: ctr(2000, 20, 500, 5) }), mk(1, 1000, { counters: ctr(3000, 30, 500, 5) })])]);
  t.equal(tb2.get(kA)!.rates.orig.bytesPerSec, 2000, 'rate from the previous dump to the last copy');
});

t.test('same key with another kernel start time is a new flow, not a counter jump', async (t) => {
  const a1 = mk(1, 1000, { startNs: '1700000000000000000' });
  const a2 = mk(1, 1000, { startNs: '1700000005000000000', counters: ctr(40, 1, 0, 0) });
  const tb = run(dump(T0, [a1]));
  const first = tb.get(kA)!;
  tb.drainChanges();
  for (const i of dump(T0 + 1000, [a2])) tb.apply(i);
  const second = tb.get(kA)!;
  t.not(second, first, 'a new LiveFlow object');
  t.equal(first.closed?.reason, 'gone');
  t.equal(second.countersReset, 0);
  t.equal(second.firstSeenMs, T0 + 1000);
  t.same(tb.drainChanges().map((c) => c.kind), ['destroy', 'new']);
});

t.test('ages: kernel start timestamp when present, else first seen', async (t) => {
  const tb = run([...dump(T0, [mk(1, 1000, { startNs: String(BigInt(T0 - 60_000) * 1_000_000n) })]), { kind: 'new', flow: ev(b()), atMs: T0 + 100 }]);
  tb.tick(T0 + 1100);
  t.match(tb.get(kA), { ageSource: 'kernel', ageMs: 61_100, startMs: T0 - 60_000 });
  t.match(tb.get(kB), { ageSource: 'first-seen', ageMs: 1000, idleMs: 1000, firstSeenMs: T0 + 100 });
});

t.test('destroy takes final counters, zeroes rates and keeps the ghost for lingerMs', async (t) => {
  const tb = run([...dump(T0, [a()]), ...dump(T0 + 1000, [mk(1, 1000, { counters: ctr(2000, 20, 500, 5) })])], { lingerMs: 3000 });
  const l = tb.get(kA)!;
  tb.apply({ kind: 'destroy', atMs: T0 + 1500, flow: mk(1, 1000, { counters: ctr(2500, 25, 600, 6), stopNs: '1' }) });
  t.same(l.closed, { atMs: T0 + 1500, reason: 'destroy' });
  t.same(l.flow.counters, ctr(2500, 25, 600, 6));
  t.equal(tb.sampleMs(kA), T0 + 1500, 'the ghost\'s counters were sampled by the DESTROY');
  t.equal(l.rates.orig.bytesPerSec, 0);
  t.equal(tb.stats().total, 0);
  t.same(tb.snapshot({ includeClosed: true }), [l]);
  tb.tick(T0 + 4499);
  t.equal(tb.stats().closedLingering, 1, 'still lingering');
  tb.tick(T0 + 4500);
  t.equal(tb.stats().closedLingering, 0, 'expired at closed.atMs + lingerMs');
  t.equal(tb.get(kA), undefined);
});

t.test('a late DESTROY after a sweep upgrades the ghost instead of counting as unknown', async (t) => {
  const tb = run([...dump(T0, [a()]), ...dump(T0 + 1000, []), { kind: 'destroy', atMs: T0 + 1200, flow: mk(1, 1000, { counters: ctr(9000, 90, 0, 0) }) }]);
  t.equal(tb.get(kA)!.closed!.reason, 'destroy');
  t.same(tb.get(kA)!.flow.counters, ctr(9000, 90, 0, 0));
  t.equal(tb.stats().unknownDestroys, 0);
});

t.test('ghosts are capped by maxClosed, oldest dropped first; a reborn key replaces its ghost', async (t) => {
  const flows = [1, 2, 3, 4].map((i) => mk(i, 2000 + i));
  const tb = run([...dump(T0, flows), ...flows.map((f, i) => ({ kind: 'destroy' as const, flow: f, atMs: T0 + 10 + i }))], { maxClosed: 2 });
  t.same(tb.snapshot({ includeClosed: true }).map((l) => l.flow.id), [3, 4]);
  tb.apply({ kind: 'new', flow: ev(flows[3]), atMs: T0 + 20 });
  t.same(tb.snapshot({ includeClosed: true }).map((l) => [l.flow.id, l.closed?.reason ?? 'open']), [[4, 'open'], [3, 'destroy']]);
  const none = run([...dump(T0, [a()]), { kind: 'destroy', flow: a(), atMs: T0 + 1 }], { maxClosed: 0 });
  t.equal(none.stats().closedLingering, 0, 'maxClosed 0 keeps no ghosts');
});

t.test('ghosts whose ids share their low 16 bits are each found by their own key, before and after one leaves', async (t) => {
  const g1 = () => mk(5, 4001), g2 = () => mk(65541, 4002), g3 = () => mk(131077, 4003); // 5 + 2^16, 5 + 2^17
  const tb = run([...dump(T0, [g1(), g2(), g3()]), { kind: 'destroy', flow: g1(), atMs: T0 + 10 }, { kind: 'destroy', flow: g2(), atMs: T0 + 11 },
    ...dump(T0 + 1000, [])]); // g3 swept: a ghost with reason 'gone'
  const state = () => tb.snapshot({ includeClosed: true }).map((l) => [l.flow.id, l.closed?.reason ?? 'open']).sort((x, y) => Number(x[0]) - Number(y[0]));
  t.same(state(), [[5, 'destroy'], [65541, 'destroy'], [131077, 'gone']]);
  tb.apply({ kind: 'new', flow: ev(mk(5, 4999)), atMs: T0 + 1100 }); // id 5, another tuple: replaces no ghost
  tb.apply({ kind: 'new', flow: ev(g1()), atMs: T0 + 1101 }); // reborn: its ghost leaves
  t.same(state(), [[5, 'open'], [5, 'open'], [65541, 'destroy'], [131077, 'gone']]);
  tb.apply({ kind: 'new', flow: ev(g2()), atMs: T0 + 1102 }); // the other ghost of those bits is still found
  tb.apply({ kind: 'destroy', flow: mk(131077, 4003, { counters: ctr(7000, 70, 0, 0) }), atMs: T0 + 1103 }); // a late DESTROY upgrades the ghost
  t.same(state(), [[5, 'open'], [5, 'open'], [65541, 'open'], [131077, 'destroy']]);
  t.same(tb.get(flowKey(g3()))!.flow.counters, ctr(7000, 70, 0, 0));
  t.equal(tb.stats().unknownDestroys, 0);
});

t.test('ghost order survives a reborn ghost in the middle: eviction and expiry still go oldest first', async (t) => {
  const flows = [1, 2, 3, 4, 5].map((i) => mk(i, 3000 + i));
  const tb = run([...dump(T0, flows), ...flows.map((f, i) => ({ kind: 'destroy' as const, flow: f, atMs: T0 + 10 + i }))], { maxClosed: 4, lingerMs: 100 });
  const ghosts = () => tb.snapshot({ includeClosed: true }).filter((l) => l.closed).map((l) => l.flow.id);
  t.same(ghosts(), [2, 3, 4, 5], 'the oldest (1) was evicted');
  tb.apply({ kind: 'new', flow: ev(mk(3, 3003)), atMs: T0 + 20 }); // reborn: its ghost leaves from the middle
  t.same(ghosts(), [2, 4, 5]);
  tb.apply({ kind: 'destroy', flow: mk(3, 3003), atMs: T0 + 30 });
  tb.apply({ kind: 'destroy', flow: mk(6, 3006), atMs: T0 + 31 }); // unknown: no ghost
  t.same(ghosts(), [2, 4, 5, 3], 'closed again: now the newest');
  tb.tick(T0 + 113); // 2 (closed at +11) and 4 (+13) expire at closed + linger, 5 (+14) not yet
  t.same(ghosts(), [5, 3]);
  t.equal(tb.stats().closedLingering, 2);
  tb.tick(T0 + 200);
  t.same(ghosts(), []);
  for (const f of [7, 8, 9].map((i) => mk(i, 3000 + i))) {
    tb.apply({ kind: 'new', flow: ev(f), atMs: T0 + 300 });
    tb.apply({ kind: 'destroy', flow: f, atMs: T0 + 301 });
  }
  t.same(ghosts(), [7, 8, 9], 'the emptied list takes new ghosts');
});

t.test('overflow marks stale; only a complete dump begun after it resyncs', async (t) => {
  const tb = run(dump(T0, [a(), b()]));
  tb.drainChanges();
  tb.apply({ kind: 'dumpBegin', atMs: T0 + 1000 });
  tb.apply({ kind: 'overflow', atMs: T0 + 1001 });
  t.equal(tb.needsResync, true);
  tb.apply({ kind: 'dumpEntry', flow: a() });
  tb.apply({ kind: 'dumpEnd', atMs: T0 + 1005, complete: true });
  t.equal(tb.needsResync, true, 'the dump began before the loss: still stale');
  t.equal(tb.stats().resyncs, 0);
  for (const i of dump(T0 + 2000, [a()], false)) tb.apply(i);
  t.equal(tb.needsResync, true, 'an incomplete dump does not resync');
  for (const i of dump(T0 + 3000, [a()])) tb.apply(i);
  t.match(tb.stats(), { stale: false, resyncs: 1, lastResyncMs: T0 + 3005, droppedEvents: 1, total: 1 });
  t.same(tb.drainChanges().filter((c) => c.kind === 'resync'), [{ kind: 'resync', atMs: T0 + 3005 }]);
});

t.test('stats: per protocol, per TCP state, kernel max, events per second', async (t) => {
  const udp: Flow = { ...mk(3, 53), proto: 'udp', protoNum: 17, state: null };
  const tb = run([...dump(T0, [a(), b(), udp]), { kind: 'stats', count: 3, max: 65536, atMs: T0 }]);
  t.match(tb.stats(), { total: 3, max: 65536, kernelCount: 3, byProto: { tcp: 2, udp: 1 }, byTcpState: { ESTABLISHED: 2 } });
  tb.tick(T0 + 1000);
  tb.apply({ kind: 'update', flow: ev(a(), { state: 'FIN_WAIT' }), atMs: T0 + 1100 });
  tb.apply({ kind: 'update', flow: ev(a(), { state: null }), atMs: T0 + 1200 });
  tb.apply({ kind: 'new', flow: ev(mk(4, 4000), { state: null }), atMs: T0 + 1300 });
  tb.apply({ kind: 'destroy', flow: b(), atMs: T0 + 1400 });
  tb.tick(T0 + 3000);
  t.same(tb.stats().byTcpState, { FIN_WAIT: 1, '?': 1 }, 'state changes move buckets; empty buckets vanish');
  t.same(tb.stats().byProto, { tcp: 2, udp: 1 });
  t.equal(tb.stats().eventsPerSec, 2, '4 events over 2 s');
  t.same(JSON.parse(JSON.stringify(tb.stats())).byProto, { tcp: 2, udp: 1 }, 'stats serialize');
});

t.test('change stream: what counts as an update', async (t) => {
  const tb = run(dump(T0, [a(), b()]));
  t.same(tb.drainChanges().map((c) => c.kind), ['new', 'new'], 'first seen in a dump is new');
  tb.apply({ kind: 'update', flow: ev(a(), { timeoutSec: 100 }), atMs: T0 + 1 });
  for (const i of dump(T0 + 1000, [mk(1, 1000, { timeoutSec: 99, use: 3 }), b()])) tb.apply(i);
  t.same(tb.drainChanges(), [], 'timeout and use alone are not changes');
  t.equal(tb.get(kA)!.lastChangeMs, T0, 'lastChangeMs untouched');
  tb.apply({ kind: 'update', flow: ev(a(), { state: 'FIN_WAIT' }), atMs: T0 + 1001 });
  tb.apply({ kind: 'update', flow: ev(a(), { state: 'TIME_WAIT' }), atMs: T0 + 1002 });
  for (const i of dump(T0 + 2000, [mk(1, 1000, { state: 'TIME_WAIT' }), mk(2, 1001, { counters: ctr(1001, 10, 500, 5) })])) tb.apply(i);
  const c = tb.drainChanges();
  t.same(c.map((x) => [x.kind, 'live' in x ? x.live.key : '']), [['update', kA], ['update', kB]], 'one update per flow per drain');
  t.equal(tb.get(kA)!.lastChangeMs, T0 + 1002);
  t.equal(tb.get(kB)!.lastChangeMs, T0 + 2000, 'counter change stamped with the dump time');
  for (const i of dump(T0 + 3000, [a()])) tb.apply(i);
  const gone = tb.drainChanges();
  t.same(gone.map((x) => x.kind), ['update', 'destroy'], 'A changed state back; B gone');
  t.match((gone[1] as { live: LiveFlow }).live.closed, { reason: 'gone', atMs: T0 + 3005 });
  const quiet = run(dump(T0, [a()]), { trackChanges: false });
  t.same(quiet.drainChanges(), [], 'nothing queued unless trackChanges');
  const capped = run(dump(T0, [a(), b()]), { maxChanges: 1 });
  t.equal(capped.drainChanges().length, 1);
  t.equal(capped.stats().droppedChanges, 1, 'a full queue counts what it drops');
});

t.test('LiveFlow objects are stable and serialize as plain data', async (t) => {
  const tb = run(dump(T0, [a()]));
  const l = tb.get(kA)!;
  for (const i of dump(T0 + 1000, [mk(1, 1000, { counters: ctr(2000, 20, 500, 5) })])) tb.apply(i);
  tb.apply({ kind: 'update', flow: ev(a(), { state: 'CLOSE' }), atMs: T0 + 1001 });
  t.equal(tb.get(kA), l, 'same object after dumps and events');
  const j = JSON.parse(JSON.stringify(l));
  t.same(j.rates.orig, { bytesPerSec: 1000, packetsPerSec: 10 });
  t.equal(j.key, kA);
  t.equal(j.closed, null);
});

t.test('a live flow made without its key (by a dump or an event) reads flowKey, and its ghost is found by it', async (t) => {
  // The table makes a key when it is first read (TableLiveFlow): nothing below reads one before the close.
  const tb = new FlowTable({ lingerMs: 5000, trackChanges: true });
  for (const i of dump(T0, [a()])) tb.apply(i);
  tb.apply({ kind: 'new', flow: ev(b()), atMs: T0 + 10 });
  tb.apply({ kind: 'destroy', flow: ev(b()), atMs: T0 + 20 });
  tb.apply({ kind: 'new', flow: ev(b()), atMs: T0 + 30 }); // reborn: replaces its ghost, found by key
  const snap = tb.snapshot({ includeClosed: true });
  t.same(snap.map((l) => [l.key, l.closed?.reason ?? 'open']).sort(), [[kA, 'open'], [kB, 'open']], 'one row per key, the ghost gone');
  for (const l of snap) t.equal(l.key, flowKey(l.flow), 'the key of its flow');
  const copy = { ...snap[0], key: snap[0].key };
  t.equal(copy.key, snap[0].key, 'a spread copy that names the key keeps it');
  t.equal(JSON.parse(JSON.stringify(snap[1])).key, snap[1].key, 'JSON writes it');
});

t.test('snapshot filters and sorts', async (t) => {
  const tb = run(dump(T0, [mk(3, 3), mk(1, 1), mk(2, 2)]));
  const ids = tb.snapshot({ sort: (a, b) => a.flow.id - b.flow.id, filter: (l) => l.flow.id !== 2 }).map((l) => l.flow.id);
  t.same(ids, [1, 3]);
});

t.test('flows sharing a kernel id with different tuples stay distinct (id index chains)', async (t) => {
  const flows = [mk(7, 1), mk(7, 2), mk(7, 3)];
  const keys = flows.map(flowKey);
  const tb = run([...dump(T0, flows.map((f) => structuredClone(f))), { kind: 'destroy', flow: structuredClone(flows[1]), atMs: T0 + 10 },
    { kind: 'update', flow: ev(flows[0], { state: 'CLOSE' }), atMs: T0 + 11 }, { kind: 'update', flow: ev(flows[2], { state: 'LAST_ACK' }), atMs: T0 + 12 }]);
  t.same(openKeys(tb), [keys[0], keys[2]].sort());
  t.equal(tb.get(keys[0])!.flow.state, 'CLOSE');
  t.equal(tb.get(keys[2])!.flow.state, 'LAST_ACK');
  t.equal(tb.get(keys[1])!.closed!.reason, 'destroy');
  for (const i of dump(T0 + 1000, [structuredClone(flows[2])])) tb.apply(i);
  t.same(openKeys(tb), [keys[2]]);
});

t.test('sameFlowKey agrees with flowKey equality', async (t) => {
  const tuple = fc.record({ src: fc.constantFrom('10.0.0.1', '::1'), dst: fc.constantFrom('10.0.0.2'), sport: fc.option(fc.nat(2), { nil: undefined }),
    dport: fc.option(fc.nat(2), { nil: undefined }), type: fc.option(fc.nat(2), { nil: undefined }), code: fc.option(fc.nat(1), { nil: undefined }),
    icmpId: fc.option(fc.nat(1), { nil: undefined }), zone: fc.option(fc.nat(1), { nil: undefined }) });
  const ident = fc.record({ id: fc.nat(1), zone: fc.nat(1), protoNum: fc.constantFrom(1, 6), orig: tuple });
  t.doesNotThrow(() => fc.assert(fc.property(ident, ident, (a, b) => sameFlowKey(a, b) === (flowKey(a) === flowKey(b)) && sameFlowKey(a, a)), { seed: 7, numRuns: 2000 }));
});

// Regressions: shrunk counterexamples from fuzz/flow-table.prop.ts.

t.test('fuzz: update-for-unknown without PROTOINFO during a dump takes the state from the dump copy', async (t) => {
  // create(lost), startDump, update(same state, PROTOINFO omitted), settle: the UPDATE inserts the flow with
  // state null after dumpBegin, then the copy arrives; the event wins for evented fields but lacks the state.
  const tb = run([{ kind: 'overflow', atMs: T0 }, { kind: 'dumpBegin', atMs: T0 }, { kind: 'update', flow: ev(a(), { state: null }), atMs: T0 },
    { kind: 'dumpEntry', flow: mk(1, 1000, { state: 'SYN_SENT' }) }, { kind: 'dumpEnd', atMs: T0, complete: true }]);
  t.equal(tb.get(kA)!.flow.state, 'SYN_SENT');
  t.same(tb.stats().byTcpState, { SYN_SENT: 1 });
  t.same(tb.get(kA)!.flow.counters, a().counters);
});

t.test('fuzz: an UPDATE without PROTOINFO after dumpBegin does not keep a stale state over the copy', async (t) => {
  // create, update(ESTABLISHED, lost), startDump, update(unchanged: no PROTOINFO), settle: the table held
  // SYN_SENT from the NEW; the UPDATE after dumpBegin carried no state, so the copy's ESTABLISHED must win.
  const tb = run([{ kind: 'overflow', atMs: T0 }, { kind: 'new', flow: ev(a(), { state: 'SYN_SENT' }), atMs: T0 }, { kind: 'dumpBegin', atMs: T0 },
    { kind: 'update', flow: ev(a(), { state: null }), atMs: T0 }, { kind: 'dumpEntry', flow: a() }, { kind: 'dumpEnd', atMs: T0, complete: true }]);
  t.equal(tb.get(kA)!.flow.state, 'ESTABLISHED');
  t.same(tb.stats().byTcpState, { ESTABLISHED: 1 });
  t.equal(tb.needsResync, false);
});

t.test('fuzz: a new incarnation seen by events during a dump keeps their fields when its copy arrives', async (t) => {
  // create(lost), dump, destroy(lost), create same key(lost), startDump, walk, update(status), settle: the UPDATE
  // after dumpBegin merged into the old incarnation; the copy's other startNs replaces it but must keep the status.
  const old = mk(2, 1004, { state: 'SYN_SENT', status: ['CONFIRMED'], startNs: '1700000000000000001' });
  const tb = run([...dump(T0, [old]), { kind: 'overflow', atMs: T0 + 1 }, { kind: 'dumpBegin', atMs: T0 + 1000 },
    { kind: 'update', flow: ev(old, { status: ['SEEN_REPLY', 'CONFIRMED'] }), atMs: T0 + 1001 },
    { kind: 'dumpEntry', flow: mk(2, 1004, { state: 'SYN_SENT', status: ['CONFIRMED'], startNs: '1700000000000000002' }) },
    { kind: 'dumpEnd', atMs: T0 + 1005, complete: true }]);
  const l = tb.get(flowKey(old))!;
  t.same(l.flow.status, ['SEEN_REPLY', 'CONFIRMED'], 'the event after dumpBegin wins over the copy');
  t.equal(l.flow.startNs, '1700000000000000002', 'the copy gives the new start time');
  t.equal(l.firstSeenMs, T0 + 1000, 'a new flow, not a counter jump');
  t.equal(tb.stats().total, 1);
});

t.test('a DYING dump copy neither reopens a destroyed flow nor opens an unknown one', async (t) => {
  const dyingCopy = (f: Flow): Flow => ({ ...f, status: [...f.status, 'DYING'], stopNs: '1700000000500000000' });
  const tb = run(dump(T0, [mk(1, 1000)]));
  tb.apply({ kind: 'destroy', flow: ev(mk(1, 1000), { status: ['CONFIRMED', 'DYING'] }), atMs: T0 + 100 });
  tb.drainChanges();
  // The kernel keeps an entry whose DESTROY event is being retried in its table, and dumps it.
  for (const i of dump(T0 + 1000, [dyingCopy(mk(1, 1000)), dyingCopy(mk(2, 2000))])) tb.apply(i);
  t.same(tb.drainChanges(), [], 'no new line for a dying flow');
  t.equal(tb.stats().total, 0);
  t.equal(tb.stats().ignoredDumpCopies, 2);
});

t.test('snapshot into an array refills it: longer, shorter, with ghosts, the same flows as a new one', async (t) => {
  const tb = run([...dump(T0, [a(), b(), mk(3, 1002)]), { kind: 'destroy', flow: ev(mk(3, 1002)), atMs: T0 + 10 }]);
  const into: LiveFlow[] = Array.from({ length: 10 }, () => tb.snapshot()[0]);
  t.equal(tb.snapshot({ into }), into, 'the array given');
  t.same(into, tb.snapshot(), 'shortened to the open flows');
  t.equal(tb.snapshot({ includeClosed: true, into }), into);
  t.same(into, tb.snapshot({ includeClosed: true }), 'lengthened by the ghost');
  t.equal(into.length, 3);
  t.not(tb.snapshot({ filter: () => true, into }), into, 'a filtered snapshot is a new array');
});

t.test('a snapshot over several chunks of rows with holes lists every open flow once, in order, into a reused array', async (t) => {
  // snapshot copies rows in chunks of 4096 (a loop run once per call stays unoptimized after a full collection).
  const n = 9000;
  const tb = run(dump(T0, Array.from({ length: n }, (_, i) => mk(i + 1, 1000 + i))));
  let at = T0 + 10;
  const model: number[] = [];
  for (let i = 0; i < n; i++) {
    if (i % 3 === 1) tb.apply({ kind: 'destroy', flow: mk(i + 1, 1000 + i), atMs: at++ });
    else model.push(i + 1);
  }
  const into: LiveFlow[] = [];
  const open = tb.snapshot({ into });
  t.equal(open, into, 'the array given');
  t.same(open.map((l) => l.flow.id), model, 'the open flows in order, across the holes');
  const all = tb.snapshot({ includeClosed: true, into });
  t.equal(all.length, n, 'then the ghosts');
  t.same(all.slice(0, model.length).map((l) => l.flow.id), model);
  t.ok(all.slice(model.length).every((l) => l.closed !== null), 'the ghosts last');
});
