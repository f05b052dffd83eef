// The view's state machine (tui/view-state.ts, tui/view-keys.ts) on synthetic tables with a hand-driven clock:
// selection follows its flow, re-sorts refilling their arrays, deep paging, the order holding still after a key,
// pause, filter, search, group.
import t from 'tap';
import type { FlowChange, LiveFlow } from '../../lib/flow-table.js';
import { handleKey } from '../../tui/view-keys.js';
import type { ViewState } from '../../tui/view-state.js';
import { synthFlow } from '../helpers/tui-table.js';
import { fakeEffects, makeView, synthView } from '../helpers/tui-view.js';

const HEALTH = { badMessages: 0, unknownAttrs: 0, lastProblem: null };
function keys(v: ViewState, ...ks: string[]): void {
  const fx = fakeEffects();
  for (const k of ks) handleKey(v, k, fx);
}

t.test('selection follows its flow through a re-sort', async (t) => {
  const { view, clock } = synthView(1000);
  keys(view, 'DOWN', 'DOWN', 'DOWN');
  const picked = view.selLive!;
  const line = view.sel - view.top;
  clock.ms += 5000;
  keys(view, '>'); // sort by the next column: the order changes completely
  t.equal(view.settings.sortBy, 'age');
  t.equal(view.list.rows[view.sel], picked, 'same flow selected');
  t.equal(view.sel - view.top, line, 'on the same screen line');
  keys(view, 'I');
  t.equal(view.list.rows[view.sel], picked, 'still selected after invert');
});

t.test('re-sorts refill the snapshot and row arrays of the re-sorts before (no 100k-row array each)', async (t) => {
  const { view, clock, table } = synthView(1000);
  const snapshots = new Set<unknown>();
  const snapshot = table.snapshot.bind(table);
  table.snapshot = (opts) => {
    const out = snapshot(opts);
    snapshots.add(out);
    return out;
  };
  const seen = new Set<unknown>();
  for (let i = 0; i < 6; i++) {
    clock.ms += 5000;
    keys(view, i % 2 ? '<' : '>'); // a sort change re-sorts at once
    seen.add(view.list.rows);
  }
  t.equal(seen.size, 2, 'two row arrays in turn');
  t.equal(snapshots.size, 1, 'one snapshot array, refilled');
  t.equal(view.list.length, 1000);
});

t.test('PageDown deep in a big list, Home and End', async (t) => {
  const { view } = synthView(100_000);
  keys(view, 'END');
  t.equal(view.sel, 99_999);
  t.equal(view.top, 100_000 - view.listHeight);
  keys(view, 'HOME');
  for (let i = 0; i < 5; i++) keys(view, 'PAGE_DOWN');
  t.equal(view.sel, 5 * view.listHeight);
  view.select(90_000);
  const top = view.top;
  keys(view, 'PAGE_DOWN');
  t.equal(view.sel, 90_000 + view.listHeight);
  t.equal(view.top, top + view.listHeight);
  keys(view, 'PAGE_UP', 'UP');
  t.equal(view.sel, 90_000 - 1);
});

t.test('the order holds still for a moment after a key, then re-sorts', async (t) => {
  const { view, table, clock } = synthView(50);
  const before = view.list.rows.slice();
  keys(view, 'DOWN');
  // A refresh where the counters of the last flow jump: it would move to the top.
  const last = before[before.length - 1];
  view.onRefresh(refreshWithJump(table, 50, last.key), HEALTH);
  t.same(view.list.rows, before, 'no re-sort right after a key press');
  t.ok(view.resortPending);
  clock.ms += 2000;
  view.tick();
  t.equal(view.list.rows[0], last, 're-sorted once the hold passed');
});

t.test('new flows stay highlighted for 3 s each, whatever came before or after them', async (t) => {
  const { view, table, clock } = synthView(10);
  const lives: LiveFlow[] = [];
  for (let i = 0; i < 6; i++) {
    clock.ms += 1000; // flows i arrive at +1 s, +2 s, … +6 s
    table.apply({ kind: 'new', flow: synthFlow(100 + i), atMs: 1_700_000_020_000 + i });
    const batch = table.drainChanges();
    view.onChanges(batch);
    lives.push((batch.find((c) => c.kind === 'new') as { live: LiveFlow }).live);
  }
  // At +6.5 s: flows of +4, +5 and +6 s are under 3 s old.
  clock.ms += 500;
  view.tick();
  t.same(lives.map((l) => view.isNew(l)), [false, false, false, true, true, true]);
  clock.ms += 1000;
  view.tick();
  t.same(lives.map((l) => view.isNew(l)), [false, false, false, false, true, true]);
  clock.ms += 5000;
  view.tick();
  t.same(lives.map((l) => view.isNew(l)), [false, false, false, false, false, false], 'all expired');
});

function flowKeyOf(f: ReturnType<typeof synthFlow>): string {
  return [f.id, f.zone, f.protoNum, f.orig.src, f.orig.dst, f.orig.sport ?? f.orig.type, f.orig.dport ?? f.orig.code, f.orig.icmpId, undefined].join('|');
}

t.test('new flows are inserted in place, highlighted, and destroyed ones linger as ghosts', async (t) => {
  const { view, table, clock } = synthView(100);
  keys(view, 'DOWN', 'DOWN');
  const picked = view.selLive!;
  clock.ms += 5000;
  const f = synthFlow(5000, 50); // a big counter: sorts first by total
  table.apply({ kind: 'new', flow: { ...f, counters: undefined }, atMs: 1_700_000_010_500 });
  table.apply({ kind: 'destroy', flow: synthFlow(0), atMs: 1_700_000_010_600 });
  const batch: FlowChange[] = table.drainChanges();
  view.onChanges(batch);
  t.equal(view.list.length, 101);
  const added = batch.find((c) => c.kind === 'new')!;
  t.ok(view.isNew((added as { live: typeof picked }).live), 'new flow highlighted');
  t.equal(view.list.rows[view.sel], picked, 'selection kept');
  clock.ms += 4000;
  view.tick();
  t.notOk(view.isNew((added as { live: typeof picked }).live), 'highlight expired');
  const ghost = table.get(batch.find((c) => c.kind === 'destroy')!.kind === 'destroy' ? (batch.find((c) => c.kind === 'destroy') as { live: typeof picked }).live.key : '')!;
  t.ok(ghost.closed, 'a ghost');
  t.ok(view.list.has(ghost), 'listed while ghosts are shown');
  keys(view, 'G');
  t.notOk(view.list.has(ghost), 'hidden with G');
});

t.test('pause freezes the rows and their figures while the table follows', async (t) => {
  const { view, table, clock } = synthView(20);
  keys(view, ' ');
  t.ok(view.paused);
  const shown = view.shownRows().map((l) => l.flow.counters?.orig.bytes);
  table.apply({ kind: 'dumpBegin', atMs: 1_700_000_011_000 });
  for (let i = 0; i < 20; i++) table.apply({ kind: 'dumpEntry', flow: synthFlow(i, 9) });
  table.apply({ kind: 'dumpEnd', atMs: 1_700_000_011_000, complete: true });
  table.apply({ kind: 'new', flow: synthFlow(77), atMs: 1_700_000_011_100 });
  view.onChanges(table.drainChanges());
  clock.ms += 5000;
  view.onRefresh(table.stats(), HEALTH);
  t.same(view.shownRows().map((l) => l.flow.counters?.orig.bytes), shown, 'frozen figures');
  t.equal(view.list.length, 21, 'the index kept following');
  keys(view, 'z');
  t.notOk(view.paused);
  t.equal(view.shownRows().length, 21);
});

t.test('filter: typed text applies live, a bad expression keeps the last filter and says where', async (t) => {
  const { view } = synthView(200);
  keys(view, '\\', ...'dport:443');
  t.equal(view.filterText, 'dport:443');
  t.ok(view.list.rows.every((l) => l.flow.orig.dport === 443));
  const n = view.list.length;
  view.draft = 'dport:443 port:x'; // as if pasted
  keys(view, 'ENTER');
  t.equal(view.filterError?.code, 'BAD_VALUE');
  t.equal(view.filterError?.pos, 15);
  t.equal(view.filterText, 'dport:443');
  t.equal(view.list.length, n, 'previous filter kept');
  t.equal(view.mode, 'filter', 'Enter does not accept a bad filter');
  keys(view, 'ESCAPE');
  t.equal(view.mode, 'list');
  keys(view, '\\', ...new Array(30).fill('BACKSPACE'), 'ENTER');
  t.equal(view.filterText, '');
  t.equal(view.list.length, 200);
});

t.test('search moves to the next match, F3 and Shift-F3 step', async (t) => {
  const { view } = synthView(300);
  keys(view, '/', ...'2001:db8::');
  const first = view.sel;
  t.match(view.list.rows[first].flow.orig.src, /^2001:db8::/);
  keys(view, 'F3');
  t.ok(view.sel !== first);
  t.match(view.list.rows[view.sel].flow.orig.src, /^2001:db8::/);
  keys(view, 'SHIFT_F3');
  t.equal(view.sel, first);
  keys(view, 'ENTER');
  t.equal(view.mode, 'list');
  keys(view, '/', ...'nomatch');
  t.ok(view.searchMiss);
});

t.test('group mode aggregates, Enter opens a group as a filter', async (t) => {
  const { view } = synthView(300);
  keys(view, 'g');
  t.equal(view.mode, 'group');
  t.equal(view.groups.reduce((s, g) => s + g.flows, 0), 300);
  keys(view, 'F5');
  t.equal(view.groupBy, 'service');
  const g = view.groups[0];
  keys(view, 'ENTER');
  t.equal(view.mode, 'list');
  t.equal(view.list.length, g.flows);
});

t.test('setup changes columns, widths, theme and interval; + and - change the refresh interval', async (t) => {
  const { view } = synthView(10);
  const fx = fakeEffects();
  for (const k of ['F2', ' ']) handleKey(view, k, fx); // hides the first column
  t.notOk(view.settings.columns.includes('proto'));
  for (const k of ['END', 'UP', 'RIGHT']) handleKey(view, k, fx);
  t.equal(view.settings.theme, 'light');
  for (const k of ['DOWN', 'RIGHT']) handleKey(view, k, fx);
  t.equal(fx.ms, 2000);
  handleKey(view, 'ESCAPE', fx);
  t.ok(view.settingsDirty);
  handleKey(view, '-', fx);
  t.equal(fx.ms, 1000);
  handleKey(view, '-', fx);
  t.equal(fx.ms, 500);
});

t.test('protocol menu and toggles', async (t) => {
  const { view } = synthView(300);
  keys(view, 'p', 'T', 'ESCAPE');
  t.ok(view.list.rows.every((l) => l.flow.proto !== 'tcp'));
  keys(view, 'p', 'T', 'p');
  t.ok(view.list.rows.some((l) => l.flow.proto === 'tcp'));
  keys(view, 'b', 't', 'n', 'N', 's', 'a');
  t.match(view.fmt, { bits: true, totals: true, names: true, services: false, source: 'local' });
  keys(view, 'q');
  t.ok(view.quit);
});

t.test('the ordering by a column is the same object until something it depends on changes', async (t) => {
  // Why it matters: V8's optimized sort loops inline the key closures they saw and hold them weakly; closures
  // made for each sort died at the next full collection, and the code with them (see ViewState.orderingBy).
  const { view } = synthView(300);
  const first = view.ordering();
  t.equal(view.ordering(), first, 'asked again: the same one');
  keys(view, 'I');
  const inverted = view.ordering();
  t.not(inverted, first, 'inverted: a new one');
  t.equal(inverted.descending, !first.descending);
  keys(view, 'I');
  const steps: Array<[string, () => void]> = [
    ['names', () => keys(view, 'n')],
    ['services', () => keys(view, 'N')],
    ['bits', () => keys(view, 'b')],
    ['totals', () => keys(view, 't')],
    ['source side', () => keys(view, 's')],
    ['active only', () => keys(view, 'a')],
    ['ghosts', () => keys(view, 'G')],
    ['a protocol hidden', () => keys(view, 'p', 'U', 'ESCAPE')],
    ['a filter', () => view.applyFilter('proto:tcp')],
    ['another filter', () => view.applyFilter('proto:udp')],
    ['no filter', () => view.applyFilter('')],
  ];
  let before = view.ordering();
  for (const [what, change] of steps) {
    change();
    const now = view.ordering();
    t.not(now, before, `${what}: a new one`);
    t.equal(view.ordering(), now, `${what}: then the same again`);
    before = now;
  }
  keys(view, '>');
  const other = view.ordering();
  keys(view, '<');
  t.equal(view.ordering(), before, 'back to the column: its ordering as it was');
  t.not(other, before, 'each column its own');
});

t.test("every column's order equals the registry's comparison (fast address keys included)", async (t) => {
  const { view } = synthView(3000);
  const { columnById, COLUMNS } = await import('../../tui/columns.js');
  for (const col of COLUMNS) {
    if (col.enrich) continue;
    for (const descending of [false, true]) {
      view.settings.sortBy = col.id;
      view.settings.descending = descending;
      view.resort();
      const o = view.fmt;
      const c = columnById(col.id)!;
      const rows = view.list.rows;
      let bad = -1;
      for (let i = 1; i < rows.length && bad < 0; i++) {
        const d = c.compare(view.rowOf(rows[i - 1]), view.rowOf(rows[i]), o);
        if (descending ? d < 0 : d > 0) bad = i;
      }
      t.equal(bad, -1, `${col.id}${descending ? ' descending' : ''}`);
    }
  }
});

t.test('enrichment: visible rows only, and a background fill when sorting by an enrichment column', async (t) => {
  const { synthTable } = await import('../helpers/tui-table.js');
  const { makeView } = await import('../helpers/tui-view.js');
  const table = synthTable(3000);
  let calls = 0;
  const fakeEnrich = (f: import('../../lib/flow.js').Flow) => {
    calls++;
    return {
      dir: 'outbound', nat: 'none', classes: { src: 'private', dst: 'public' }, service: null, remote: f.orig.dst,
      geo: { country: f.id % 2 ? 'DE' : 'FR', city: null, asn: null, org: null }, rdns: { src: null, dst: null },
    } as import('../../lib/enrich/index.js').Enrichment;
  };
  const { view, clock } = makeView(table, 80, 24, {}, fakeEnrich);
  const { render } = await import('../../tui/render.js');
  const { THEMES } = await import('../../tui/theme.js');
  const { INFO } = await import('../helpers/tui-view.js');
  calls = 0;
  render(view, THEMES.default, INFO);
  t.ok(calls > 0 && calls <= view.listHeight, `a frame enriches only the visible rows (${calls})`);
  view.settings.sortBy = 'country';
  view.settings.descending = false;
  view.resort();
  t.ok(view.filling, 'filling in the background');
  t.match(render(view, THEMES.default, INFO).line(0), /filling in…/);
  for (let i = 0; i < 1000 && view.filling; i++) {
    clock.ms += 100;
    view.tick();
  }
  t.notOk(view.filling, 'done');
  const cc = view.list.rows.map((l) => view.rowOf(l).enrich?.geo?.country);
  t.equal(cc[0], 'DE');
  t.equal(cc[cc.length - 1], 'FR');
  t.ok(cc.indexOf('FR') > 0 && cc.slice(cc.indexOf('FR')).every((c) => c === 'FR'), 'sorted by country');
});

/** A refresh in which the counters of `target` jump (it would sort first by rate); returns the table's stats. */
function refreshWithJump(table: ReturnType<typeof synthView>['table'], n: number, target: string) {
  table.apply({ kind: 'dumpBegin', atMs: 1_700_000_011_000 });
  for (let i = 0; i < n; i++) {
    const f = synthFlow(i, 3);
    if (flowKeyOf(f) === target) f.counters = { orig: { packets: 1e6, bytes: 1e12 }, reply: { packets: 1e6, bytes: 1e12 } };
    table.apply({ kind: 'dumpEntry', flow: f });
  }
  table.apply({ kind: 'dumpEnd', atMs: 1_700_000_011_000, complete: true });
  table.tick(1_700_000_011_000);
  return table.stats();
}

t.test('a deferred refresh re-sorts at the next tick, not in onRefresh', async (t) => {
  const { view, table, clock } = synthView(50);
  clock.ms += 5000; // no key within the hold
  const before = view.list.rows.slice();
  const last = before[before.length - 1];
  view.onRefresh(refreshWithJump(table, 50, last.key), HEALTH, true);
  t.same(view.list.rows, before, 'the refresh itself leaves the order alone');
  t.ok(view.resortPending);
  view.tick();
  t.equal(view.list.rows[0], last, 'the next tick re-sorts');
  t.notOk(view.resortPending);
});

t.test('a key between a deferred refresh and its tick holds the order', async (t) => {
  const { view, table, clock } = synthView(50);
  clock.ms += 5000;
  const before = view.list.rows.slice();
  view.onRefresh(refreshWithJump(table, 50, before[before.length - 1].key), HEALTH, true);
  keys(view, 'DOWN');
  view.tick();
  t.same(view.list.rows, before, 'held after the key');
  t.ok(view.resortPending);
  clock.ms += 2000;
  view.tick();
  t.equal(view.list.rows[0], before[before.length - 1], 're-sorted once the hold passed');
});

t.test('a big batch of counter updates does not re-sort; a big batch of new flows does', async (t) => {
  const { view, table, clock } = synthView(50);
  clock.ms += 5000;
  const before = view.list.rows.slice();
  const last = before[before.length - 1];
  refreshWithJump(table, 50, last.key);
  const updates: FlowChange[] = [];
  for (let r = 0; r < 4; r++) for (const live of before) updates.push({ kind: 'update', live, flow: live.flow });
  view.onChanges(updates);
  t.same(view.list.rows, before, '200 updates leave the order to the next refresh');
  const fresh: FlowChange[] = [];
  for (let i = 0; i < 100; i++) table.apply({ kind: 'new', flow: synthFlow(1000 + i), atMs: 1_700_000_011_100 });
  for (const c of table.drainChanges()) if (c.kind === 'new') fresh.push(c);
  t.equal(fresh.length, 100);
  view.onChanges(fresh);
  t.equal(view.list.length, 150);
  t.equal(view.list.rows[0], last, 'a bulk of new flows re-sorts from the table');
});

t.test('a refresh re-sort in steps: the old order until the last step, then the same order as at once', async (t) => {
  const { table, view: reference, clock: refClock } = synthView(500);
  const { view, clock } = makeView(table, 80, 24, {}, null, 64);
  clock.ms += 5000;
  refClock.ms += 5000;
  const before = view.list.rows.slice();
  const stats = refreshWithJump(table, 500, before[before.length - 1].key);
  view.onRefresh(stats, HEALTH, true);
  view.tick();
  t.ok(view.resorting, 'tick began the stepped re-sort');
  t.same(view.list.rows, before, 'the old order while it runs');
  let steps = 0;
  while (!view.resortStep()) steps++;
  t.ok(steps >= 5, `several steps (${steps})`);
  t.notOk(view.resorting);
  reference.onRefresh(stats, HEALTH);
  t.same(view.list.rows, reference.list.rows, 'the order a re-sort at once gives');
});

t.test('a key during a stepped re-sort drops it and holds the order; flows that came meanwhile stay listed', async (t) => {
  const { table, view, clock } = (() => { const s = synthView(300); return { table: s.table, ...makeView(s.table, 80, 24, {}, null, 64) }; })();
  clock.ms += 5000;
  const before = view.list.rows.slice();
  view.onRefresh(refreshWithJump(table, 300, before[before.length - 1].key), HEALTH, true);
  view.tick();
  view.resortStep();
  keys(view, 'DOWN');
  t.ok(view.resortStep(), 'the step after a key ends the re-sort');
  t.same(view.list.rows, before, 'the order held');
  t.ok(view.resortPending, 'to run again after the hold');
  clock.ms += 2000;
  view.tick();
  // A new flow and a removal arrive between steps: both reach the new order.
  table.apply({ kind: 'new', flow: synthFlow(5000, 1), atMs: 1_700_000_011_500 });
  const added = table.drainChanges();
  view.resortStep();
  view.onChanges(added);
  while (!view.resortStep());
  const c = added.find((x) => x.kind === 'new');
  const live = c && c.kind === 'new' ? c.live : null;
  t.ok(live && view.list.has(live), 'the new flow is listed');
  t.equal(view.list.rows.filter((l) => l === live).length, 1, 'once');
  t.equal(view.list.rows[0], before[before.length - 1], 're-sorted by rate');
});

t.test('warmSort sorts a sample by each shown column once, leaving the list, the order and the selection as they were', async (t) => {
  const { view } = synthView(5000);
  keys(view, 'DOWN', 'DOWN');
  const rows = view.list.rows.slice();
  const picked = view.selLive;
  const sortBy = view.settings.sortBy;
  const sorted: string[] = [];
  const orderingBy = (view as unknown as { orderingBy: (c: { id: string }) => unknown }).orderingBy.bind(view);
  (view as unknown as { orderingBy: (c: { id: string }) => unknown }).orderingBy = (c) => {
    sorted.push(c.id);
    return orderingBy(c);
  };
  let calls = 0;
  while (view.warmSort()) calls++;
  t.same(sorted, view.settings.columns, 'each shown column, in order');
  t.equal(calls + 1, view.settings.columns.length, 'false once the last column is done');
  t.notOk(view.warmSort(), 'and stays done');
  t.same(sorted.length, view.settings.columns.length, 'no column twice');
  t.same(view.list.rows, rows, 'the list shown is untouched');
  t.equal(view.selLive, picked, 'the selection too');
  t.equal(view.settings.sortBy, sortBy, 'and the sort column');
});
