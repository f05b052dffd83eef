// The view's settings to lib's persisted Settings and back (tui/settings-map.ts).
import t from 'tap';
import { DEFAULT_SETTINGS as LIB_DEFAULTS } from '../../lib/settings.js';
import { settingsFromView, viewFromSettings } from '../../tui/settings-map.js';
import { DEFAULT_SETTINGS } from '../../tui/view-state.js';

t.test('round trip', async (t) => {
  const v = { ...DEFAULT_SETTINGS, columns: ['proto', 'src'], widths: { src: 30 }, sortBy: 'src', descending: false, meters: ['rates', 'flows', 'interval'], theme: 'light',
    intervalMs: 2500, names: true, bits: true, source: 'local' as const, activeOnly: true, filter: 'proto:tcp' };
  const back = { ...DEFAULT_SETTINGS, ...viewFromSettings(settingsFromView(v)) };
  t.same(back, v);
});

t.test("lib's defaults leave the view's column and sort defaults in place", async (t) => {
  const v = viewFromSettings({ ...LIB_DEFAULTS, toggles: { ...LIB_DEFAULTS.toggles } });
  t.equal(v.columns, undefined);
  t.equal(v.sortBy, undefined);
  t.equal(v.intervalMs, 1000);
});

t.test('meters: unknown ids and repeats are dropped; none left keeps the default meters', async (t) => {
  const s = { ...LIB_DEFAULTS, toggles: { ...LIB_DEFAULTS.toggles } };
  t.same(viewFromSettings({ ...s, meters: ['rates', 'from-the-future', 'rates', 'flows'] }).meters, ['rates', 'flows']);
  t.equal(viewFromSettings({ ...s, meters: ['from-the-future'] }).meters, undefined);
  t.equal(viewFromSettings({ ...s, meters: [] }).meters, undefined);
  t.equal(viewFromSettings(s).meters, undefined);
});
