// The change queue through the FlowTable: what a slow reader gets when it drains late (the --events merging
// rule: merged per flow, never reordered, never a later state under an earlier kind) and that the queue is
// bounded by the table, not by the number of events, during a storm with a reader that never drains.
import t from 'tap';
import { FlowTable, type FlowChange } from '../../lib/flow-table.js';
import type { Flow } from '../../lib/flow.js';

const T0 = 1_700_000_000_000;

/** A TCP flow as a NEW/UPDATE event carries it (no counters, no use). */
function evFlow(id: number, over: Partial<Flow> = {}): Flow {
  return {
    id, family: 'ipv4', proto: 'tcp', protoNum: 6,
    orig: { src: '10.0.0.1', dst: '10.0.0.2', sport: id & 0xffff, dport: 80 },
    reply: { src: '10.0.0.2', dst: '10.0.0.1', sport: 80, dport: id & 0xffff },
    state: 'SYN_SENT', status: ['CONFIRMED'], timeoutSec: 120, mark: 0, zone: 0, use: null,
    labels: [], helper: null, ...over,
  };
}

const dying = (id: number): Flow => evFlow(id, {
  state: 'CLOSE', status: ['CONFIRMED', 'DYING'], stopNs: '5', counters: { orig: { packets: 3, bytes: 180 }, reply: { packets: 2, bytes: 120 } },
});

function table(over: Partial<ConstructorParameters<typeof FlowTable>[0]> = {}): FlowTable {
  return new FlowTable({ lingerMs: 5000, trackChanges: true, ...over });
}

const summary = (cs: FlowChange[]): string[] => cs.map((c) => (c.kind === 'resync' ? 'resync' : `${c.kind}:${c.flow.id}:${c.flow.state}`));

t.test('new then a state change before the drain: the new keeps its state, an update follows', async (t) => {
  const tb = table();
  tb.apply({ kind: 'new', flow: evFlow(1), atMs: T0 });
  tb.apply({ kind: 'update', flow: evFlow(1, { state: 'ESTABLISHED' }), atMs: T0 + 1 });
  tb.apply({ kind: 'update', flow: evFlow(1, { state: 'FIN_WAIT' }), atMs: T0 + 2 });
  const c = tb.drainChanges();
  t.same(summary(c), ['new:1:SYN_SENT', 'update:1:FIN_WAIT'], 'updates merge into one, after the new');
  t.equal(c[0].kind === 'new' && c[0].live.closed, null);
  t.same(summary(tb.drainChanges()), [], 'drained');
});

t.test('a flow born and closed before the drain is one destroy line', async (t) => {
  const tb = table();
  tb.apply({ kind: 'new', flow: evFlow(1), atMs: T0 });
  tb.apply({ kind: 'update', flow: evFlow(1, { state: 'ESTABLISHED' }), atMs: T0 + 1 });
  tb.apply({ kind: 'destroy', flow: dying(1), atMs: T0 + 2 });
  const c = tb.drainChanges();
  t.same(summary(c), ['destroy:1:CLOSE']);
  t.match(c[0], { kind: 'destroy', live: { closed: { reason: 'destroy' } } });
});

t.test('updates then the close of a delivered flow merge into the destroy; other flows keep their order', async (t) => {
  const tb = table();
  tb.apply({ kind: 'new', flow: evFlow(1), atMs: T0 });
  tb.apply({ kind: 'new', flow: evFlow(2), atMs: T0 });
  tb.drainChanges();
  tb.apply({ kind: 'update', flow: evFlow(1, { state: 'ESTABLISHED' }), atMs: T0 + 1 });
  tb.apply({ kind: 'update', flow: evFlow(2, { state: 'ESTABLISHED' }), atMs: T0 + 1 });
  tb.apply({ kind: 'destroy', flow: dying(1), atMs: T0 + 2 });
  tb.apply({ kind: 'new', flow: evFlow(3), atMs: T0 + 3 });
  t.same(summary(tb.drainChanges()), ['destroy:1:CLOSE', 'update:2:ESTABLISHED', 'new:3:SYN_SENT']);
});

t.test('a new line never carries what only the end of a flow says, however late the drain', async (t) => {
  const tb = table();
  for (let i = 1; i <= 50; i++) {
    tb.apply({ kind: 'new', flow: evFlow(i), atMs: T0 + i });
    if (i % 2) tb.apply({ kind: 'update', flow: evFlow(i, { state: 'ESTABLISHED' }), atMs: T0 + i });
    if (i % 3 === 0) tb.apply({ kind: 'destroy', flow: dying(i), atMs: T0 + i });
  }
  const news = tb.drainChanges().filter((c) => c.kind === 'new');
  t.equal(news.length, 50 - 16, 'one new per flow still open');
  for (const c of news) {
    if (c.kind !== 'new') continue;
    t.equal(c.live.closed, null);
    t.notOk(c.flow.status.includes('DYING'));
    t.equal(c.flow.stopNs, undefined);
    t.equal(c.flow.state, 'SYN_SENT');
  }
});

t.test('a reader that never drains: the queue stays bounded by the table during a storm', async (t) => {
  const maxClosed = 100;
  const tb = table({ maxClosed });
  const open = 200;
  for (let i = 0; i < open; i++) tb.apply({ kind: 'new', flow: evFlow(1_000_000 + i), atMs: T0 });
  let peak = 0;
  for (let n = 0; n < 20_000; n++) {
    const id = 2_000_000 + n; // short-lived flows, born and destroyed while nobody drains
    tb.apply({ kind: 'new', flow: evFlow(id), atMs: T0 + n });
    tb.apply({ kind: 'update', flow: evFlow(1_000_000 + (n % open), { state: n % 2 ? 'ESTABLISHED' : 'FIN_WAIT' }), atMs: T0 + n });
    tb.apply({ kind: 'destroy', flow: dying(id), atMs: T0 + n });
    peak = Math.max(peak, tb.pendingChanges);
  }
  t.ok(peak <= open + maxClosed, `at most one slot per open flow plus ${maxClosed} born-and-closed ones (peak ${peak})`);
  const c = tb.drainChanges();
  t.equal(c.filter((x) => x.kind === 'new').length, open, 'one new per open flow');
  t.equal(c.filter((x) => x.kind === 'destroy').length, maxClosed, 'the born-and-closed flows up to the cap');
  t.ok(tb.stats().droppedChanges > 0, 'the rest counted');
});

t.test('a key replaced by a new incarnation: the old one\'s destroy comes before the new one\'s new', async (t) => {
  const tb = table();
  const a = { ...evFlow(9), state: 'ESTABLISHED', use: 1, startNs: '1000000', counters: { orig: { packets: 1, bytes: 60 }, reply: { packets: 1, bytes: 60 } } };
  tb.apply({ kind: 'dumpBegin', atMs: T0 });
  tb.apply({ kind: 'dumpEntry', flow: { ...a } });
  tb.apply({ kind: 'dumpEnd', atMs: T0 + 1, complete: true });
  tb.drainChanges();
  tb.apply({ kind: 'dumpBegin', atMs: T0 + 1000 });
  tb.apply({ kind: 'dumpEntry', flow: { ...a, startNs: '2000000' } });
  tb.apply({ kind: 'dumpEnd', atMs: T0 + 1001, complete: true });
  const c = tb.drainChanges();
  t.same(c.map((x) => x.kind), ['destroy', 'new']);
});

t.test('drained in slices: order kept across slices, later changes coalesce with what is still queued', async (t) => {
  const tb = table();
  for (let i = 1; i <= 5; i++) tb.apply({ kind: 'new', flow: evFlow(i), atMs: T0 });
  t.same(summary(tb.drainChanges(2)), ['new:1:SYN_SENT', 'new:2:SYN_SENT'], 'the two oldest');
  t.equal(tb.pendingChanges, 3);
  tb.apply({ kind: 'update', flow: evFlow(3, { state: 'ESTABLISHED' }), atMs: T0 + 1 });
  tb.apply({ kind: 'update', flow: evFlow(1, { state: 'ESTABLISHED' }), atMs: T0 + 1 });
  tb.apply({ kind: 'destroy', flow: dying(4), atMs: T0 + 2 });
  t.same(summary(tb.drainChanges(2)), ['new:3:SYN_SENT', 'update:3:ESTABLISHED', 'destroy:4:CLOSE'], 'a frozen new and its update are one slot');
  t.same(summary(tb.drainChanges(0)), [], 'a slice of none');
  t.same(summary(tb.drainChanges()), ['new:5:SYN_SENT', 'update:1:ESTABLISHED'], 'the rest, in order');
  t.equal(tb.pendingChanges, 0);
});

t.test('drained in slices: the born-and-closed cap counts only such flows still queued', async (t) => {
  const maxClosed = 3;
  const tb = table({ maxClosed });
  const bornAndClosed = (id: number): void => {
    tb.apply({ kind: 'new', flow: evFlow(id), atMs: T0 });
    tb.apply({ kind: 'destroy', flow: dying(id), atMs: T0 + 1 });
  };
  for (let id = 1; id <= 3; id++) bornAndClosed(id);
  t.same(summary(tb.drainChanges(2)), ['destroy:1:CLOSE', 'destroy:2:CLOSE']);
  // One such flow is still queued: two more fit under the cap of three, the next is dropped.
  for (let id = 4; id <= 6; id++) bornAndClosed(id);
  t.same(summary(tb.drainChanges()), ['destroy:3:CLOSE', 'destroy:4:CLOSE', 'destroy:5:CLOSE']);
  t.equal(tb.stats().droppedChanges, 1, 'flow 6 was over the cap');
  for (let id = 7; id <= 9; id++) bornAndClosed(id);
  t.same(summary(tb.drainChanges()), ['destroy:7:CLOSE', 'destroy:8:CLOSE', 'destroy:9:CLOSE'], 'a whole drain frees the cap');
});
