// tui/ layer: the view's settings to and from lib/settings.ts's persisted Settings (columns with widths,
// sort, meters, theme, toggles, refresh interval, filter). Imports lib/ only; pure.
import type { Settings } from '../lib/settings.js';
import type { ViewSettings } from './ports.js';

/** Meter ids in header order; the view shows the first N of them. */
export const METER_IDS = ['flows', 'protocols', 'tcp-states', 'rates'] as const;

/** The view's settings from persisted ones (null lists: the view's defaults stay). */
export function viewFromSettings(s: Settings): Partial<ViewSettings> {
  const out: Partial<ViewSettings> = {
    theme: s.theme, intervalMs: Math.round(s.refreshSec * 1000), names: s.toggles.names, services: s.toggles.services,
    bits: s.toggles.bits, totals: s.toggles.totals, ghosts: s.toggles.ghosts, source: s.toggles.source,
    activeOnly: s.toggles.activeOnly, filter: s.filter,
  };
  if (s.columns) {
    out.columns = s.columns.map((c) => c.id);
    out.widths = Object.fromEntries(s.columns.filter((c) => c.width !== null).map((c) => [c.id, c.width!]));
  }
  if (s.sort) {
    out.sortBy = s.sort.column;
    out.descending = s.sort.descending;
  }
  if (s.meters) out.meters = Math.max(1, s.meters.filter((m) => (METER_IDS as readonly string[]).includes(m)).length);
  return out;
}

/** Persisted settings from the view's. */
export function settingsFromView(v: ViewSettings): Settings {
  return {
    columns: v.columns.map((id) => ({ id, width: v.widths[id] ?? null })),
    sort: { column: v.sortBy, descending: v.descending },
    meters: METER_IDS.slice(0, Math.max(1, Math.min(METER_IDS.length, v.meters))),
    theme: v.theme,
    toggles: { names: v.names, services: v.services, bits: v.bits, totals: v.totals, source: v.source, activeOnly: v.activeOnly, ghosts: v.ghosts },
    refreshSec: v.intervalMs / 1000,
    filter: v.filter,
  };
}
