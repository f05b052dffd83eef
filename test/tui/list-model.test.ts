// The ordered index (tui/list-model.ts): inserts and removals keep the order; a filter keeps only its rows;
// rebuilds take turns between two row arrays.
// (Its sorts are held equal to a comparator sort in key-sort.test.ts and fuzz/view-order.prop.ts.)
import t from 'tap';
import type { LiveFlow } from '../../lib/flow-table.js';
import { LOOP_CHUNK } from '../../tui/key-sort.js';
import { ListModel } from '../../tui/list-model.js';

t.test('insert and remove keep the order', async (t) => {
  const flows = Array.from({ length: 100 }, (_, i) => ({ key: `k${i}`, v: (i * 37) % 50, firstSeenMs: 0 }) as unknown as LiveFlow & { v: number });
  const m = new ListModel();
  const ord = { key: (l: LiveFlow) => (l as LiveFlow & { v: number }).v, descending: true, keep: () => true };
  m.rebuild(flows.slice(0, 60), ord);
  for (const f of flows.slice(60)) m.insert(f);
  t.equal(m.insert(flows[0]), -1, 'a listed flow is not listed twice');
  m.remove(flows[3], 50);
  const vals = m.rows.map((l) => (l as LiveFlow & { v: number }).v);
  t.same(vals, [...vals].sort((a, b) => b - a));
  t.equal(m.length, 99);
  t.notOk(m.has(flows[3]));
  t.equal(m.indexOf(flows[7], 90), m.rows.indexOf(flows[7]));
});

t.test('a keep predicate lists only its rows, in order; null lists every row', async (t) => {
  const flows = Array.from({ length: 50 }, (_, i) => ({ key: `k${i}`, v: i % 7, firstSeenMs: 0 }) as unknown as LiveFlow & { v: number });
  const m = new ListModel();
  const key = (l: LiveFlow) => (l as LiveFlow & { v: number }).v;
  m.rebuild(flows, { key, descending: false, keep: (l) => key(l) % 2 === 0 });
  t.same(m.rows.map(key), flows.map(key).filter((v) => v % 2 === 0).sort((a, b) => a - b));
  t.equal(m.insert(flows[1]), -1, 'a row the predicate drops is not inserted');
  m.rebuild(flows, { key, descending: false, keep: null });
  t.equal(m.length, 50);
});

t.test('a rebuild in steps ends in the order of a rebuild at once, with what changed meanwhile', async (t) => {
  const flows = Array.from({ length: 200 }, (_, i) => ({ key: `k${i}`, v: (i * 53) % 31, firstSeenMs: i }) as unknown as LiveFlow & { v: number });
  const key = (l: LiveFlow) => (l as LiveFlow & { v: number }).v;
  const ord = { key, descending: true, keep: (l: LiveFlow) => key(l) !== 3 };
  const once = new ListModel();
  once.rebuild(flows.slice(0, 150), ord);
  const m = new ListModel();
  m.rebuild(flows.slice(0, 150), { ...ord, descending: false });
  const old = m.rows.slice();
  m.startRebuild(flows.slice(0, 150), ord);
  t.ok(m.rebuilding);
  t.notOk(m.stepRebuild(40), 'first step: part of the filter');
  t.same(m.rows, old, 'the old order meanwhile');
  m.remove(flows[10]);
  m.insert(flows[160]);
  let steps = 1;
  while (!m.stepRebuild(40)) steps++;
  t.ok(steps >= 4, `several steps (${steps})`);
  t.notOk(m.rebuilding);
  once.remove(flows[10]);
  once.insert(flows[160]);
  t.same(m.rows.map(key), once.rows.map(key), 'same keys in order');
  t.notOk(m.has(flows[10]), 'removed meanwhile: gone');
  t.equal(m.rows.filter((l) => l === flows[160]).length, 1, 'inserted meanwhile: listed once');
  m.startRebuild(flows, ord);
  m.cancelRebuild();
  t.notOk(m.rebuilding, 'cancelled');
});

// Engine rule: a 50k-row array is an object in V8's large-object space, which counts towards the old
// generation's limit when made; an array per re-sort made the idle view collect its whole heap every 9 s.
t.test('rebuilds take turns between two row arrays instead of making one each', async (t) => {
  const flows = Array.from({ length: 300 }, (_, i) => ({ key: `k${i}`, v: (i * 37) % 101, firstSeenMs: 0 }) as unknown as LiveFlow & { v: number });
  const key = (l: LiveFlow) => (l as LiveFlow & { v: number }).v;
  const m = new ListModel();
  m.rebuild(flows, { key, descending: false, keep: null });
  const first = m.rows;
  m.rebuild(flows.slice(0, 200), { key, descending: true, keep: null });
  const second = m.rows;
  t.not(second, first, 'the rows shown before stay intact while the next order is made');
  m.rebuild(flows.slice(0, 250), { key, descending: false, keep: null });
  t.equal(m.rows, first, 'the third rebuild refills the first array');
  t.same(m.rows.map(key), flows.slice(0, 250).map(key).sort((x, y) => x - y), 'in the new order, at the new length');
  m.startRebuild(flows, { key, descending: true, keep: null });
  while (!m.stepRebuild(50));
  t.equal(m.rows, second, 'a stepped rebuild too');
  t.equal(m.length, 300);
});

t.test('one job and one sorter for the list\'s life, holding no flow once a rebuild ends', async (t) => {
  // Why it matters: V8's optimized sort loops depend on these objects' shapes, which die with the last object
  // that has them; a job and a sorter made per rebuild were garbage between key presses (see ListModel.job).
  const flows = Array.from({ length: 500 }, (_, i) => ({ key: `k${i}`, v: (i * 37) % 101, firstSeenMs: i }) as unknown as LiveFlow & { v: number });
  const key = (l: LiveFlow) => (l as LiveFlow & { v: number }).v;
  const m = new ListModel();
  const inner = m as unknown as { slot: { flows: unknown; kept: unknown; inserted: unknown[]; removed: unknown[] }; sorter: { rows: unknown; done: number } };
  const slot = inner.slot, sorter = inner.sorter;
  m.rebuild(flows, { key, descending: false, keep: null });
  m.rebuild(flows, { key: (l) => String(key(l)), descending: true, keep: (l) => key(l) > 50 });
  m.startRebuild(flows, { key, descending: false, keep: null });
  m.stepRebuild(100);
  t.equal(inner.slot, slot, 'the same job object');
  t.equal(inner.sorter, sorter, 'the same sorter');
  t.equal(inner.slot.flows, flows, 'which holds the flows while the job runs');
  const late = { key: 'late', v: 50, firstSeenMs: 1e9 } as unknown as LiveFlow & { v: number };
  m.insert(late);
  m.remove(flows[3]);
  t.equal(inner.slot.inserted.length + inner.slot.removed.length, 2, 'and what changed meanwhile');
  while (!m.stepRebuild(100));
  t.ok(m.has(late) && !m.has(flows[3]), 'applied to the new order');
  t.same(m.rows.map(key), [...flows.filter((l) => l !== flows[3]), late].map(key).sort((x, y) => x - y), 'and sorts as a new one would');
  t.equal((inner.slot.flows as unknown[]).length, 0, 'the ended job lets go of the flows');
  t.equal((inner.slot.kept as unknown[]).length, 0, 'and of the rows it kept');
  t.equal((inner.sorter.rows as unknown[]).length, 0, 'and so does the sorter');
  t.equal(inner.slot.inserted.length + inner.slot.removed.length, 0, 'and of the changes it applied');
  m.startRebuild(flows, { key, descending: false, keep: null });
  m.cancelRebuild();
  t.equal((inner.slot.flows as unknown[]).length, 0, 'a cancelled one too');
  m.clear();
  t.equal(m.length, 0, 'clear lists nothing');
  t.equal(m.insert(flows[0]), -1, 'and orders nothing until the next rebuild');
});

t.test('over several loop chunks: a rebuild at once and in steps, and indexOf from any hint', async (t) => {
  const n = 3 * LOOP_CHUNK + 5;
  const flows = Array.from({ length: n }, (_, i) => ({ key: `k${i}`, v: (i * 7919) % 1013, firstSeenMs: i % 977 }) as unknown as LiveFlow & { v: number });
  const key = (l: LiveFlow) => (l as LiveFlow & { v: number }).v;
  const expected = flows.map((l, i) => [key(l), i]).sort((a, b) => a[0] - b[0] || a[1] - b[1]).map(([, i]) => flows[i]);
  const m = new ListModel();
  m.rebuild(flows, { key, descending: false, keep: null });
  t.ok(m.rows.every((l, i) => l === expected[i]), 'at once: stable and ordered');
  const stepped = new ListModel();
  stepped.startRebuild(flows, { key, descending: false, keep: (l) => key(l) % 2 === 0 });
  let steps = 0;
  while (!stepped.stepRebuild(LOOP_CHUNK + 1000)) steps++;
  t.ok(steps > 2, 'in several steps');
  t.ok(stepped.rows.every((l, i, a) => key(l) % 2 === 0 && (i === 0 || key(a[i - 1]) <= key(l))), 'in steps: kept rows, ordered');
  t.equal(stepped.length, expected.filter((l) => key(l) % 2 === 0).length);
  for (const at of [0, 1, LOOP_CHUNK - 1, LOOP_CHUNK, 2 * LOOP_CHUNK + 3, n - 1]) {
    for (const hint of [0, n - 1, Math.floor(n / 2), at]) t.equal(m.indexOf(m.rows[at], hint), at, `row ${at} from ${hint}`);
  }
  t.equal(m.indexOf(flows[0], n + 50), m.rows.indexOf(flows[0]), 'a hint past the end');
  t.equal(m.indexOf({ key: 'absent' } as unknown as LiveFlow, 3), -1, 'absent');
  t.equal(new ListModel().indexOf(flows[0]), -1, 'empty list');
});
