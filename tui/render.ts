// tui/ layer: the whole screen as a pure function from the view state and its size to a cell grid.
// Imports tui/ only. Layout, top to bottom: header meters, column header, list area (flows, groups, help,
// details or setup), bottom line (function keys or a prompt). Tests snapshot the grid's text and attributes.
import { Grid } from './grid.js';
import { renderHeader, type HeaderInfo } from './render-header.js';
import { placedColumns, renderColumnHeader, renderGroups, renderRows, renderSortMenu } from './render-list.js';
import { renderBottom, renderDetail, renderHelp, renderSetup } from './render-panels.js';
import type { Theme } from './theme.js';
import type { ViewState } from './view-state.js';

export type { HeaderInfo } from './render-header.js';

/** Line of the column header (the list starts on the next line). */
export function columnHeaderLine(v: ViewState): number {
  return v.meterLines;
}

/**
 * Renders the screen at v.width x v.height, into `into` when it has that size (blanked first), else into a new
 * grid. The view reuses one grid from frame to frame: a new one each frame (10k cells at 200x50) lived until
 * the next, long enough to be promoted, and the old generation's steady growth kept V8's memory reducer
 * running a full collection of the whole table every 8-17 s of an idle view.
 */
export function render(v: ViewState, theme: Theme, info: HeaderInfo, into?: Grid): Grid {
  const g = into && into.width === v.width && into.height === v.height ? into.reset(theme.text) : new Grid(v.width, v.height, theme.text);
  if (v.width < 20 || v.height < 6) {
    g.put(0, 0, 'conntop: terminal too small', theme.error);
    return g;
  }
  v.clamp();
  renderHeader(g, v, theme, info);
  const hy = columnHeaderLine(v);
  const y0 = hy + 1;
  const h = v.listHeight;
  switch (v.mode) {
    case 'help': renderHelp(g, v, theme, hy, h + 1); break;
    case 'detail': renderDetail(g, v, theme, hy, h + 1); break;
    case 'setup': renderSetup(g, v, theme, hy, h + 1); break;
    case 'group': renderGroups(g, v, theme, y0); break;
    default: {
      const cols = placedColumns(v);
      renderColumnHeader(g, v, theme, hy, cols);
      renderRows(g, v, theme, y0, cols);
      if (v.mode === 'sort') renderSortMenu(g, v, theme, y0);
    }
  }
  renderBottom(g, v, theme);
  return g;
}
