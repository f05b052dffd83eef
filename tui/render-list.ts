// tui/ layer: the column header, the flow list with its selection bar, and the group list. Pure: reads
// the view state, writes cells. Imports lib/format, lib/fields and tui/ only. Only the visible rows are formatted
// (and enriched, through ViewState.rowOf): a frame costs O(screen), whatever the table's size.
import { formatBytes, formatCount } from '../lib/format.js';
import { cellRole, columnById, layoutColumns, rateText, type Placed } from './columns.js';
import { titleOf } from '../lib/fields.js';
import { fitText, type Grid } from './grid.js';
import type { Theme } from './theme.js';
import type { ViewState } from './view-state.js';

/** The placed columns at the view's width (shared by drawing and mouse hit-testing). */
export function placedColumns(v: ViewState): Placed[] {
  const ids = v.hasEnrichment ? v.settings.columns : v.settings.columns.filter((id) => columnById(id)?.enrich !== true);
  return layoutColumns(ids, v.width, v.settings.widths);
}

/** Draws the column header at line y, marking the sort column and direction. */
export function renderColumnHeader(g: Grid, v: ViewState, t: Theme, y: number, cols: Placed[]): void {
  g.fill(0, y, g.width, t.colHeader);
  for (const p of cols) {
    const sorted = p.col.id === v.settings.sortBy;
    const title = `${titleOf(p.col, v.fmt)}${sorted ? (v.settings.descending ? '▼' : '▲') : ''}`;
    g.put(p.x, y, fitText(title, p.width, p.col.align), sorted ? t.colHeaderSort : t.colHeader);
  }
}

/** Draws the visible rows from line y0 (v.listHeight lines). */
export function renderRows(g: Grid, v: ViewState, t: Theme, y0: number, cols: Placed[]): void {
  const rows = v.shownRows();
  const o = v.fmt;
  const h = v.listHeight;
  if (rows.length === 0) {
    const msg = v.loading ? 'loading… (reading the conntrack table)' : v.filterText ? 'no flow matches the filter' : 'no flows';
    g.put(Math.max(0, Math.floor((g.width - msg.length) / 2)), y0 + Math.floor(h / 2), msg, t.mag0);
    return;
  }
  for (let i = 0; i < h; i++) {
    const idx = v.top + i;
    const l = rows[idx];
    if (!l) break;
    const y = y0 + i;
    const r = v.rowOf(l, true);
    const selected = idx === v.sel;
    const base = selected ? t.selection : l.closed ? t.ghost : v.isNew(l) ? t.newFlow : t.text;
    g.fill(0, y, g.width, base);
    for (const p of cols) {
      const text = fitText(p.col.format(r, o), p.width, p.col.align, p.col.cut === 'middle');
      const role = selected || l.closed || base !== t.text ? undefined : cellRole(p.col, r, o);
      g.put(p.x, y, text, role ? t[role] : base);
    }
  }
}

/** Draws the group list (group mode) from line y0. */
export function renderGroups(g: Grid, v: ViewState, t: Theme, y0: number): void {
  const h = v.listHeight;
  const keyW = Math.max(10, g.width - 36);
  g.fill(0, y0 - 1, g.width, t.colHeader);
  g.put(0, y0 - 1, fitText(`BY ${v.groupBy.toUpperCase()}`, keyW), t.colHeaderSort);
  g.put(keyW + 1, y0 - 1, `${'FLOWS'.padStart(8)} ${'BYTES'.padStart(8)} ${'RATE'.padStart(10)}`, t.colHeader);
  const top = Math.max(0, v.groupSel - h + 1);
  for (let i = 0; i < h; i++) {
    const gr = v.groups[top + i];
    if (!gr) break;
    const sel = top + i === v.groupSel;
    const a = sel ? t.selection : t.text;
    g.fill(0, y0 + i, g.width, a);
    g.put(0, y0 + i, fitText(gr.key, keyW), a);
    g.put(keyW + 1, y0 + i, `${formatCount(gr.flows).padStart(8)} ${formatBytes(gr.bytes).padStart(8)} ${rateText(gr.rateBps, v.settings.bits).padStart(10)}`, a);
  }
  if (v.groups.length === 0) g.put(2, y0 + 1, v.filling ? 'filling in…' : 'no flows', t.mag0);
}

/** Draws the sort-column menu (F6) over the left of the list area from line y0. */
export function renderSortMenu(g: Grid, v: ViewState, t: Theme, y0: number): void {
  const cols = v.settings.columns;
  const w = 18;
  for (let y = y0 - 1; y < y0 + v.listHeight; y++) g.fill(0, y, w + 1, t.text);
  g.fill(0, y0 - 1, w, t.colHeaderSort);
  g.put(0, y0 - 1, 'Sort by', t.colHeaderSort);
  for (let i = 0; i < Math.min(cols.length, v.listHeight); i++) {
    const a = i === v.menuSel ? t.selection : cols[i] === v.settings.sortBy ? t.title : t.text;
    g.fill(0, y0 + i, w, a);
    g.put(1, y0 + i, fitText(cols[i], w - 2), a);
  }
}
