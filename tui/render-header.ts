// tui/ layer: the header meters, htop-style, drawn into a Grid. Pure: reads the view state, writes cells.
// Imports tui/ only. Which meters, in which order and on which lines, comes from the settings through
// meters.ts's registry and layout; each line's meters draw themselves.
import type { Grid } from './grid.js';
import { drawMeterLine, meterLayout, type HeaderInfo } from './meters.js';
import type { Theme } from './theme.js';
import type { ViewState } from './view-state.js';

export type { HeaderInfo } from './meters.js';

/** Draws the meter lines (v.meterLines of them) from line 0. */
export function renderHeader(g: Grid, v: ViewState, t: Theme, info: HeaderInfo): void {
  const lines = meterLayout(v.settings.meters, v.height);
  lines.forEach((meters, y) => drawMeterLine(g, y, meters, { v, t, info }));
}
