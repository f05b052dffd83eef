// The header meter registry (tui/meters.ts): layout of the shown meters into lines, short terminals, and
// that every meter draws within its line whatever the width.
import t from 'tap';
import { Grid } from '../../tui/grid.js';
import { DEFAULT_METERS, METERS, drawMeterLine, meterById, meterLayout } from '../../tui/meters.js';
import { THEMES } from '../../tui/theme.js';
import { INFO, synthView } from '../helpers/tui-view.js';

const ids = (lines: ReturnType<typeof meterLayout>) => lines.map((l) => l.map((m) => m.id));

t.test('ids are unique and the defaults are every meter', async (t) => {
  t.equal(new Set(METERS.map((m) => m.id)).size, METERS.length);
  t.same(DEFAULT_METERS, METERS.map((m) => m.id));
  t.equal(meterById('nope'), undefined);
});

t.test('one-line meters start a line, short ones join it', async (t) => {
  t.same(ids(meterLayout(DEFAULT_METERS, 40)), [['flows', 'source', 'states'], ['protocols'], ['tcp-states'], ['rates', 'events', 'interval']]);
  t.same(ids(meterLayout(['events', 'interval', 'flows', 'nope'], 40)), [['events', 'interval'], ['flows']], 'a short meter first starts a line; unknown ids are skipped');
  t.same(ids(meterLayout([], 40)), []);
});

t.test('short terminals keep the lines of the lowest priority', async (t) => {
  t.same(ids(meterLayout(DEFAULT_METERS, 18)), [['flows', 'source', 'states'], ['rates', 'events', 'interval']], 'below 20 rows: flows and rates');
  t.same(ids(meterLayout(DEFAULT_METERS, 12)), [['flows', 'source', 'states']], 'below 16 rows: flows');
  t.same(ids(meterLayout(['tcp-states', 'protocols'], 12)), [['protocols']]);
});

t.test('every meter, alone or after another, stays inside its line at any width', async (t) => {
  const { view } = synthView(50, 80, 24);
  view.paused = true;
  view.filterText = 'proto:tcp';
  for (const w of [20, 33, 80, 200]) {
    for (const m of METERS) {
      for (const before of [[], [meterById('flows')!]]) {
        const g = new Grid(w, 1);
        drawMeterLine(g, 0, [...before, m], { v: view, t: THEMES.default, info: { ...INFO, source: '3 servers: a 10 flows · b down · c 2 flows' } });
        t.ok(g.line(0).length <= w, `${m.id} at ${w}`);
      }
    }
  }
});

t.test('the rates meter follows the b toggle; states sit at the right end, STALE in the warning colour', async (t) => {
  const { view } = synthView(50, 80, 24);
  const line = (ms: string[]) => {
    const g = new Grid(80, 1);
    drawMeterLine(g, 0, ms.map((id) => meterById(id)!), { v: view, t: THEMES.default, info: INFO });
    return g;
  };
  t.match(line(['rates']).line(0), /tx [\d.]+ MB\/s/);
  view.settings.bits = true;
  t.match(line(['rates']).line(0), /tx [\d.]+ Mb\/s/);
  view.stats = { ...view.stats!, stale: true };
  const g = line(['flows', 'states']);
  t.match(g.line(0), /STALE $/, "as before: each badge is followed by a blank");
  t.equal(g.attrAt(78, 0), THEMES.default.statusWarn);
});
