// tui/ layer: the view's settings to and from lib/settings.ts's persisted Settings (columns with widths,
// sort, meters, theme, toggles, refresh interval, filter). Imports lib/ and tui/ only; pure.
import type { Settings } from '../lib/settings.js';
import { meterById } from './meters.js';
import type { ViewSettings } from './ports.js';

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
  // Unknown ids (a newer conntop's meters) are dropped; with none left, the defaults stay.
  const meters = [...new Set(s.meters ?? [])].filter((id) => meterById(id));
  if (meters.length > 0) out.meters = meters;
  return out;
}

/** Persisted settings from the view's. */
export function settingsFromView(v: ViewSettings): Settings {
  return {
    columns: v.columns.map((id) => ({ id, width: v.widths[id] ?? null })),
    sort: { column: v.sortBy, descending: v.descending },
    meters: [...v.meters],
    theme: v.theme,
    toggles: { names: v.names, services: v.services, bits: v.bits, totals: v.totals, source: v.source, activeOnly: v.activeOnly, ghosts: v.ghosts },
    refreshSec: v.intervalMs / 1000,
    filter: v.filter,
  };
}
