// tui/ layer: what each action does to the view state, per mode. Imports tui/ only. Keys reach here
// already named by the keymap (keymap.ts); typed text in the search and filter prompts arrives as `text`.
import { COLUMNS, columnById } from './columns.js';
import { actionFor, type ActionId } from './keymap.js';
import { METERS } from './meters.js';
import type { GroupBy } from './ports.js';
import { THEME_NAMES } from './theme.js';
import { PROTO_GROUPS, type ViewState } from './view-state.js';

/** What a key may ask of the outside: the session's refresh interval. */
export interface KeyEffects {
  readonly intervalMs: number;
  setIntervalMs(ms: number): void;
}

/** Group-by keys, in the order F5 cycles through them. */
export const GROUP_BYS: readonly GroupBy[] = ['host', 'service', 'process', 'country', 'asn', 'state'];

/** Refresh intervals + and - step through (ms). */
export const INTERVALS_MS: readonly number[] = [100, 250, 500, 1000, 2000, 3000, 5000, 10000];

/** Prefix of a meter's setup item (the rest is the meter's id). */
export const METER_ITEM = 'meter:';

/**
 * Setup items: shown columns in order, then hidden ones; shown meters in order (METER_ITEM + id), then
 * hidden ones; then the theme and the interval.
 */
export function setupItems(v: ViewState): string[] {
  const { columns, meters } = v.settings;
  return [
    ...columns, ...COLUMNS.map((c) => c.id).filter((id) => !columns.includes(id)),
    ...[...meters, ...METERS.map((m) => m.id).filter((id) => !meters.includes(id))].map((id) => METER_ITEM + id),
    ':theme', ':interval',
  ];
}

/** `list` with `id` shown (appended) or hidden; the last one shown stays. */
function toggled(list: readonly string[], id: string): string[] {
  if (!list.includes(id)) return [...list, id];
  return list.length > 1 ? list.filter((x) => x !== id) : [...list];
}

/** `list` with `id` moved one place (d -1 or 1), or null when it cannot move. */
function moved(list: readonly string[], id: string, d: number): string[] | null {
  const i = list.indexOf(id);
  const j = i + d;
  if (i < 0 || j < 0 || j >= list.length) return null;
  const out = [...list];
  [out[i], out[j]] = [out[j], out[i]];
  return out;
}

const PROTO_ACTIONS: Partial<Record<ActionId, string>> = { protoTcp: 'T', protoUdp: 'U', protoDccp: 'D', protoIcmp: 'I', protoSctp: 'S', protoGre: 'G' };

function step<T>(list: readonly T[], cur: T, d: number): T {
  const i = list.indexOf(cur);
  return list[Math.max(0, Math.min(list.length - 1, (i < 0 ? 0 : i) + d))];
}

function nearestInterval(ms: number, d: number): number {
  const i = INTERVALS_MS.findIndex((x) => x >= ms);
  const at = i < 0 ? INTERVALS_MS.length - 1 : INTERVALS_MS[i] === ms ? i : d > 0 ? i - 1 : i;
  return INTERVALS_MS[Math.max(0, Math.min(INTERVALS_MS.length - 1, at + d))];
}

/** Handles one key (terminal-kit name, or a character); returns true when the screen may have changed. */
export function handleKey(v: ViewState, key: string, fx: KeyEffects): boolean {
  v.touched();
  const action = actionFor(v.mode, key);
  if (!action) {
    if ((v.mode === 'search' || v.mode === 'filter') && key.length === 1 && key >= ' ') return typeText(v, key);
    return false;
  }
  if (action === 'quit') {
    v.quit = true;
    return true;
  }
  switch (v.mode) {
    case 'list': return listAction(v, action, fx);
    case 'proto': {
      const letter = PROTO_ACTIONS[action];
      if (letter) {
        const on = PROTO_GROUPS[letter].every((p) => !v.protoOff.has(p));
        for (const p of PROTO_GROUPS[letter]) if (on) v.protoOff.add(p); else v.protoOff.delete(p);
        v.resort();
      } else if (action === 'back') v.mode = 'list';
      return true;
    }
    case 'sort': return sortAction(v, action);
    case 'search': return promptAction(v, action);
    case 'filter': return promptAction(v, action);
    case 'help':
      if (action === 'back') v.mode = 'list';
      else if (action === 'up' || action === 'pageUp' || action === 'home') v.helpTop = action === 'home' ? 0 : Math.max(0, v.helpTop - (action === 'up' ? 1 : v.listHeight));
      else if (action === 'down' || action === 'pageDown' || action === 'end') v.helpTop += action === 'end' ? 1000 : action === 'down' ? 1 : v.listHeight;
      return true;
    case 'detail':
      if (action === 'back') v.mode = 'list';
      else if (action === 'up' || action === 'down') v.select(v.sel + (action === 'up' ? -1 : 1));
      else if (action === 'pause') v.togglePause();
      return true;
    case 'setup': return setupAction(v, action, fx);
    case 'group': return groupAction(v, action);
  }
}

function move(v: ViewState, action: ActionId): boolean {
  const h = v.listHeight;
  const n = v.shownRows().length;
  switch (action) {
    case 'up': v.select(v.sel - 1); break;
    case 'down': v.select(v.sel + 1); break;
    case 'pageUp': v.top = Math.max(0, v.top - h); v.select(v.sel - h); break;
    case 'pageDown': v.top = Math.min(Math.max(0, n - h), v.top + h); v.select(v.sel + h); break;
    case 'home': v.select(0); break;
    case 'end': v.select(n - 1); break;
    default: return false;
  }
  return true;
}

function listAction(v: ViewState, action: ActionId, fx: KeyEffects): boolean {
  if (move(v, action)) return true;
  const s = v.settings;
  const toggle = (k: 'names' | 'services' | 'bits' | 'totals' | 'ghosts') => {
    s[k] = !s[k];
    v.settingsDirty = true;
  };
  switch (action) {
    case 'help': v.mode = 'help'; v.helpTop = 0; break;
    case 'setup': v.mode = 'setup'; v.menuSel = 0; break;
    case 'search': v.mode = 'search'; v.draft = v.searchText; v.searchMiss = false; break;
    case 'searchNext': v.search(1, v.sel + 1); break;
    case 'searchPrev': v.search(-1, v.sel - 1); break;
    case 'filter': v.mode = 'filter'; v.draft = v.filterText; v.filterBefore = v.filterText; v.filterError = null; break; // typing applies live
    case 'group': v.mode = 'group'; v.regroup(); break;
    case 'sortMenu': v.mode = 'sort'; v.menuSel = Math.max(0, s.columns.indexOf(s.sortBy)); break;
    case 'sortPrev': case 'sortNext': {
      const next = step(s.columns, s.sortBy, action === 'sortNext' ? 1 : -1);
      if (next !== s.sortBy) setSort(v, next);
      break;
    }
    case 'invert': s.descending = !s.descending; v.settingsDirty = true; v.resort(); break;
    case 'pause': v.togglePause(); break;
    case 'detail': if (v.selLive || v.shownRows().length > 0) v.mode = 'detail'; break;
    case 'back': v.searchText = ''; v.searchMiss = false; break;
    case 'toggleNames': toggle('names'); v.resort(); break;
    case 'toggleServices': toggle('services'); break;
    case 'toggleBits': toggle('bits'); break;
    case 'toggleTotals': toggle('totals'); v.resort(); break;
    case 'toggleSide': v.side = v.side === 'orig' ? 'local' : 'orig'; v.settingsDirty = true; v.resort(); break;
    case 'toggleActive': v.activeOnly = !v.activeOnly; v.settingsDirty = true; v.resort(); break;
    case 'toggleGhosts': toggle('ghosts'); v.resort(); break;
    case 'protoMenu': v.mode = 'proto'; break;
    case 'faster': case 'slower': {
      const ms = nearestInterval(fx.intervalMs, action === 'slower' ? 1 : -1);
      fx.setIntervalMs(ms);
      s.intervalMs = ms;
      v.settingsDirty = true;
      break;
    }
    default: return false;
  }
  return true;
}

function setSort(v: ViewState, id: string): void {
  const s = v.settings;
  s.sortBy = id;
  s.descending = columnById(id)?.descending ?? false;
  v.settingsDirty = true;
  v.resort();
}

function sortAction(v: ViewState, action: ActionId): boolean {
  const cols = v.settings.columns;
  if (action === 'accept') {
    setSort(v, cols[v.menuSel] ?? v.settings.sortBy);
    v.mode = 'list';
  } else if (action === 'invert') {
    v.settings.descending = !v.settings.descending;
    v.settingsDirty = true;
    v.resort();
  } else if (action === 'back') v.mode = 'list';
  else if (action === 'up' || action === 'home') v.menuSel = action === 'home' ? 0 : Math.max(0, v.menuSel - 1);
  else if (action === 'down' || action === 'end') v.menuSel = action === 'end' ? cols.length - 1 : Math.min(cols.length - 1, v.menuSel + 1);
  return true;
}

function typeText(v: ViewState, ch: string): boolean {
  v.draft += ch;
  edited(v);
  return true;
}

/** After each keystroke in a prompt: search moves to the first match; a filter that parses applies at once. */
function edited(v: ViewState): void {
  if (v.mode === 'search') {
    v.searchText = v.draft;
    v.search(1, v.sel);
  } else v.applyFilter(v.draft);
}

function promptAction(v: ViewState, action: ActionId): boolean {
  const search = v.mode === 'search';
  switch (action) {
    case 'erase':
      v.draft = v.draft.slice(0, -1);
      edited(v);
      break;
    case 'accept':
      if (search) v.mode = 'list';
      else if (v.applyFilter(v.draft)) { v.mode = 'list'; v.settingsDirty = true; }
      break;
    case 'back':
      // Esc cancels: a search is forgotten, the filter goes back to what it was before the prompt opened.
      if (search) v.searchText = '';
      else v.applyFilter(v.filterBefore);
      v.filterError = null;
      v.mode = 'list';
      break;
    case 'searchNext': v.search(1, v.sel + 1); break;
    case 'searchPrev': v.search(-1, v.sel - 1); break;
    default: return false;
  }
  return true;
}

function setupAction(v: ViewState, action: ActionId, fx: KeyEffects): boolean {
  const items = setupItems(v);
  const s = v.settings;
  const item = items[Math.min(v.menuSel, items.length - 1)];
  const meter = item.startsWith(METER_ITEM) ? item.slice(METER_ITEM.length) : null;
  const value = (d: number) => {
    if (item === ':theme') s.theme = THEME_NAMES[(THEME_NAMES.indexOf(s.theme) + d + THEME_NAMES.length) % THEME_NAMES.length];
    else if (item === ':interval') { s.intervalMs = nearestInterval(s.intervalMs, d); fx.setIntervalMs(s.intervalMs); }
  };
  switch (action) {
    case 'back': v.mode = 'list'; v.resort(); return true;
    case 'up': case 'home': v.menuSel = action === 'home' ? 0 : Math.max(0, v.menuSel - 1); return true;
    case 'down': case 'end': v.menuSel = action === 'end' ? items.length - 1 : Math.min(items.length - 1, v.menuSel + 1); return true;
    case 'pageUp': v.menuSel = Math.max(0, v.menuSel - v.listHeight); return true;
    case 'pageDown': v.menuSel = Math.min(items.length - 1, v.menuSel + v.listHeight); return true;
    case 'toggleItem':
      if (meter) s.meters = toggled(s.meters, meter);
      else if (item.startsWith(':')) value(1);
      else s.columns = toggled(s.columns, item);
      break;
    case 'moveItemUp': case 'moveItemDown': {
      const next = moved(meter ? s.meters : s.columns, meter ?? item, action === 'moveItemUp' ? -1 : 1);
      if (!next) return false;
      if (meter) s.meters = next; else s.columns = next;
      v.menuSel = setupItems(v).indexOf(item);
      break;
    }
    case 'widen': case 'narrow': {
      const c = columnById(item);
      if (meter) return false;
      if (!c) { value(action === 'widen' ? 1 : -1); break; }
      s.widths = { ...s.widths, [item]: Math.max(c.minWidth, Math.min(80, (s.widths[item] ?? c.width) + (action === 'widen' ? 1 : -1))) };
      break;
    }
    case 'prevValue': value(-1); break;
    case 'nextValue': value(1); break;
    default: return false;
  }
  v.settingsDirty = true;
  return true;
}

function groupAction(v: ViewState, action: ActionId): boolean {
  const n = v.groups.length;
  switch (action) {
    case 'up': v.groupSel = Math.max(0, v.groupSel - 1); break;
    case 'down': v.groupSel = Math.min(n - 1, v.groupSel + 1); break;
    case 'pageUp': v.groupSel = Math.max(0, v.groupSel - v.listHeight); break;
    case 'pageDown': v.groupSel = Math.min(n - 1, v.groupSel + v.listHeight); break;
    case 'home': v.groupSel = 0; break;
    case 'end': v.groupSel = n - 1; break;
    case 'nextGroupBy': v.groupBy = GROUP_BYS[(GROUP_BYS.indexOf(v.groupBy) + 1) % GROUP_BYS.length]; v.groupSel = 0; v.regroup(); break;
    case 'back': v.mode = 'list'; break;
    case 'pause': v.togglePause(); break;
    case 'accept': {
      const g = v.groups[v.groupSel];
      v.mode = 'list';
      if (g && g.filter) v.applyFilter(v.filterText ? `${v.filterText} ${g.filter}` : g.filter);
      break;
    }
    default: return false;
  }
  return true;
}
