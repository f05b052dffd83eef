// Test helper: a ViewState over a synthetic table with a hand-driven clock, and the header info to render it.
import type { FlowTable } from '../../lib/flow-table.js';
import { compileViewFilter } from '../../tui/filter.js';
import { groupForView } from '../../tui/grouping.js';
import type { ViewSettings } from '../../tui/ports.js';
import { ViewState, type ViewDeps } from '../../tui/view-state.js';
import type { KeyEffects } from '../../tui/view-keys.js';
import { synthTable } from './tui-table.js';

/** A view of `table` at width x height, refreshed once; `clock.ms` is its monotonic clock; refresh re-sorts in steps of resortSliceRows rows when given. */
export function makeView(table: FlowTable, width: number, height: number, settings: Partial<ViewSettings> = {}, enrich: ViewDeps['enrich'] = null, resortSliceRows?: number) {
  const clock = { ms: 100_000 };
  const view = new ViewState({
    snapshot: (c, into) => table.snapshot({ includeClosed: c, into }), now: () => clock.ms,
    compileFilter: compileViewFilter, group: groupForView, enrich, resortSliceRows,
  }, settings);
  view.width = width;
  view.height = height;
  view.onRefresh(table.stats(), { badMessages: 0, unknownAttrs: 0, lastProblem: null });
  return { view, clock };
}

/** A view of n synthetic flows. */
export function synthView(n: number, width = 80, height = 24, settings: Partial<ViewSettings> = {}) {
  const table = synthTable(n, true);
  table.drainChanges();
  return { table, ...makeView(table, width, height, settings) };
}

/** Key effects that record the interval. */
export function fakeEffects(): KeyEffects & { ms: number } {
  return { ms: 1000, get intervalMs() { return this.ms; }, setIntervalMs(ms: number) { this.ms = ms; } };
}

/** Header info for snapshots. */
export const INFO = { source: 'replay synthetic.pcap', intervalMs: 1000 };
