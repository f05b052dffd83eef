// Setup keys on the header meters (tui/view-keys.ts): meters are setup items like the columns (shown in order,
// then hidden); Space shows and hides, [ and ] move, and the header height follows.
import t from 'tap';
import { METER_ITEM, handleKey, setupItems } from '../../tui/view-keys.js';
import type { ViewState } from '../../tui/view-state.js';
import { fakeEffects, synthView } from '../helpers/tui-view.js';

function keys(v: ViewState, ...ks: string[]): void {
  const fx = fakeEffects();
  for (const k of ks) handleKey(v, k, fx);
}

/** Opens setup with the selection on the meter `id`. */
function onMeter(v: ViewState, id: string): void {
  keys(v, 'F2');
  v.menuSel = setupItems(v).indexOf(METER_ITEM + id);
}

t.test('meters follow the columns in the setup list, shown ones first, then the theme and interval', async (t) => {
  const { view } = synthView(10, 80, 30, { meters: ['rates', 'flows'] });
  const items = setupItems(view);
  const m = items.filter((i) => i.startsWith(METER_ITEM));
  t.same(m.slice(0, 2), [`${METER_ITEM}rates`, `${METER_ITEM}flows`]);
  t.equal(m.length, 8);
  t.same(items.slice(-2), [':theme', ':interval']);
  t.ok(items.indexOf(m[0]) > items.indexOf(view.settings.columns[0]));
});

t.test('Space hides and shows a meter; the header shrinks and grows, the list follows', async (t) => {
  const { view } = synthView(10, 80, 30);
  t.equal(view.meterLines, 4);
  const listBefore = view.listHeight;
  onMeter(view, 'tcp-states');
  keys(view, ' ');
  t.notOk(view.settings.meters.includes('tcp-states'));
  t.ok(view.settingsDirty);
  t.equal(view.meterLines, 3);
  t.equal(view.listHeight, listBefore + 1);
  t.equal(setupItems(view).at(-3), `${METER_ITEM}tcp-states`, 'hidden meters come after the shown ones');
  view.menuSel = setupItems(view).indexOf(`${METER_ITEM}tcp-states`);
  keys(view, 'ENTER');
  t.equal(view.settings.meters.at(-1), 'tcp-states', 'shown again, last');
  t.equal(view.meterLines, 4);
});

t.test('the last meter shown stays', async (t) => {
  const { view } = synthView(10, 80, 30, { meters: ['flows'] });
  onMeter(view, 'flows');
  keys(view, ' ');
  t.same(view.settings.meters, ['flows']);
});

t.test('[ and ] move a shown meter and the selection with it; hidden ones do not move', async (t) => {
  const { view } = synthView(10, 80, 30, { meters: ['flows', 'protocols', 'rates'] });
  onMeter(view, 'rates');
  keys(view, '[');
  t.same(view.settings.meters, ['flows', 'rates', 'protocols']);
  t.equal(setupItems(view)[view.menuSel], `${METER_ITEM}rates`);
  keys(view, '[', '[');
  t.same(view.settings.meters, ['rates', 'flows', 'protocols'], 'stops at the top');
  keys(view, ']');
  t.same(view.settings.meters, ['flows', 'rates', 'protocols']);
  onMeter(view, 'events');
  keys(view, ']', '+');
  t.same(view.settings.meters, ['flows', 'rates', 'protocols'], 'a hidden meter has no place and no width');
});
