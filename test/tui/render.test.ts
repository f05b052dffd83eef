// Snapshot tests of the pure renderer (tui/render.ts) at 80x24, 120x40 and 200x60 and in every mode, on a
// deterministic synthetic table. Snapshots hold the text and the attributes of key lines; ISO times are
// redacted. Regenerate with `npx tap --snapshot test/tui/render.test.ts` after a deliberate change.
import t from 'tap';
import { fitText, Grid } from '../../tui/grid.js';
import { render } from '../../tui/render.js';
import { THEMES, pickTheme } from '../../tui/theme.js';
import { handleKey } from '../../tui/view-keys.js';
import type { ViewState } from '../../tui/view-state.js';
import { fakeEffects, INFO, synthView } from '../helpers/tui-view.js';

function shot(g: Grid, attrLines: number[] = []): string {
  const text = g.text().map((l) => l.replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z/g, '<time>'));
  return [...text, '--- attributes', ...attrLines.map((y) => `${y}: ${g.attrRuns(y)}`)].join('\n');
}

function keys(v: ViewState, ...ks: string[]): void {
  const fx = fakeEffects();
  for (const k of ks) handleKey(v, k, fx);
}

for (const [w, h] of [[80, 24], [120, 40], [200, 60]] as const) {
  t.test(`list at ${w}x${h}`, async (t) => {
    const { view } = synthView(500, w, h);
    keys(view, 'DOWN', 'DOWN');
    const g = render(view, THEMES.default, INFO);
    t.equal(g.width, w);
    t.equal(g.height, h);
    t.matchSnapshot(shot(g, [0, view.meterLines, view.meterLines + 1, view.meterLines + 3]), 'screen');
  });
}

t.test('every mode at 80x24', async (t) => {
  const cases: Array<[string, string[]]> = [
    ['help', ['F1']], ['detail', ['ENTER']], ['setup', ['F2', 'DOWN']], ['group', ['g']], ['sort menu', ['F6', 'DOWN']],
    ['protocol menu', ['p', 'U']], ['filter error', ['\\', ...'proto:tcp port:99999', 'ENTER']], ['search', ['/', ...'192.0.2.7']],
    ['paused and filtered', ['\\', ...'dport:443', 'ENTER', ' ']],
  ];
  for (const [name, ks] of cases) {
    const { view } = synthView(300, 80, 24);
    keys(view, ...ks);
    t.matchSnapshot(shot(render(view, THEMES.default, INFO), [23]), name);
  }
});

t.test('narrow and short terminals drop columns and meters, never overflow', async (t) => {
  for (const [w, h] of [[60, 20], [40, 12], [30, 8]] as const) {
    const { view } = synthView(100, w, h);
    const g = render(view, THEMES.default, INFO);
    for (const line of g.text()) t.ok(line.length <= w);
    t.matchSnapshot(shot(g), `${w}x${h}`);
  }
});

t.test('a custom meter selection: order, short meters joining a line, the list taking the room', async (t) => {
  const cases: Array<[string, string[], number, number]> = [
    ['rates first, interval and states on the flows line', ['rates', 'events', 'flows', 'interval', 'states'], 80, 24],
    ['tcp states alone', ['tcp-states'], 80, 24],
    ['states first, then source, protocols and flows', ['states', 'source', 'protocols', 'flows'], 120, 30],
  ];
  for (const [name, meters, w, h] of cases) {
    const { view } = synthView(200, w, h, { meters });
    keys(view, ' ');
    const g = render(view, THEMES.default, { source: '2 servers: a 120 flows · b down', intervalMs: 500 });
    t.equal(view.listHeight, h - view.meterLines - 2);
    t.matchSnapshot(shot(g, [0, 1]), name);
  }
});

t.test('monochrome theme and NO_COLOR', async (t) => {
  t.equal(pickTheme('default', { NO_COLOR: '1' }), THEMES.monochrome);
  t.equal(pickTheme('light', {}), THEMES.light);
  t.equal(pickTheme('nonsense', {}), THEMES.default);
  const { view } = synthView(50, 80, 24);
  const g = render(view, THEMES.monochrome, INFO);
  for (let y = 0; y < 24; y++) t.notMatch(g.attrRuns(y), /fg=|bg=/, `line ${y} has no colour`);
  t.match(g.attrRuns(view.meterLines + 1), /inverse/, 'the selection bar is inverse');
});

t.test('loading screen before the first dump', async (t) => {
  const { view } = synthView(0, 80, 24);
  view.loading = true;
  const text = render(view, THEMES.default, INFO).text().join('\n');
  t.match(text, /loading…/);
});

t.test('control characters never reach the terminal', async (t) => {
  const { Grid } = await import('../../tui/grid.js');
  const g = new Grid(20, 1);
  g.put(0, 0, 'evil\x1b[2Jname\x07\x9b', 0);
  t.equal(g.line(0).trimEnd(), 'evil?[2Jname??');
});

t.test('wide characters fill two cells and keep the columns after them in place', (t) => {
  const g = new Grid(12, 2);
  t.equal(g.put(0, 0, '服务|x', 0), 6, 'put returns the column after the text');
  t.equal(g.line(0), '服务|x      ', 'a line joins to the text a terminal shows');
  t.equal(g.chars[1], '', 'the second cell of a wide character is empty');
  g.put(1, 0, 'a', 0);
  t.equal(g.line(0), ' a务|x      ', 'overwriting half of a wide character blanks its other half');
  g.put(10, 1, '中文', 0);
  t.equal(g.line(1), '          中', 'fits exactly at the edge');
  g.put(11, 1, '中', 0);
  t.equal(g.line(1), ' '.repeat(12), 'a wide character cut at the edge becomes a blank');
  g.put(0, 1, 'e\u0301x', 0);
  t.equal(g.chars[12], 'e\u0301', 'a combining mark joins the cell before it');
  t.equal(g.chars[13], 'x');
  t.equal(fitText('服务器x', 5), '服务…');
  t.end();
});

t.test('a frame drawn into the last frame\'s grid is the frame a new grid gets, in every mode and after a resize', async (t) => {
  const { view } = synthView(300, 80, 24);
  let grid: Grid | undefined;
  const steps: Array<[string, () => void]> = [
    ['list', () => keys(view, 'DOWN')], ['help', () => keys(view, 'F1')], ['back', () => keys(view, 'ESCAPE')],
    ['detail', () => keys(view, 'ENTER')], ['back', () => keys(view, 'ESCAPE')], ['group', () => keys(view, 'g')],
    ['list again', () => keys(view, 'ESCAPE', 'END')], ['filter error', () => keys(view, '\\', ...'port:99999', 'ENTER')],
    ['wider', () => { view.width = 120; view.height = 40; }], ['scrolled', () => keys(view, 'ESCAPE', 'HOME', 'PAGE_DOWN')],
  ];
  for (const [name, step] of steps) {
    step();
    const fresh = render(view, THEMES.default, INFO);
    const reused = render(view, THEMES.default, INFO, grid);
    if (grid && grid.width === view.width && grid.height === view.height) t.equal(reused, grid, `${name}: the same grid, drawn again`);
    t.same(reused.text(), fresh.text(), `${name}: text`);
    t.same([...reused.attrs], [...fresh.attrs], `${name}: attributes`);
    grid = reused;
  }
});
