// tui/ layer: the header meters, htop-style, drawn into a Grid. Pure: reads the view state, writes cells.
// Imports lib/format and tui/ only. Line 1 (always): flows against nf_conntrack_max with a bar, the source
// and the state badges; then, as room allows, protocols, TCP states, and rates with events and losses.
import { formatCount } from '../lib/format.js';
import { rateText } from './columns.js';
import type { Grid } from './grid.js';
import type { Theme } from './theme.js';
import type { ViewState } from './view-state.js';

/** What the header shows besides the view state: where flows come from and the refresh interval (ms). */
export interface HeaderInfo {
  source: string;
  intervalMs: number;
}

/** The state badges, in the order shown: PAUSED, FILTER, GROUP, STALE, ENDED, loading…, filling in…. */
export function badges(v: ViewState): string[] {
  const out: string[] = [];
  if (v.paused) out.push('PAUSED');
  if (v.filterText) out.push('FILTER');
  if (v.mode === 'group') out.push('GROUP');
  if (v.protoOff.size > 0 || v.activeOnly) out.push(v.activeOnly ? 'ACTIVE' : 'PROTO');
  if (v.stats?.stale) out.push('STALE');
  if (v.ended) out.push('ENDED');
  if (v.loading) out.push('loading…');
  if (v.filling) out.push('filling in…');
  return out;
}

function meterLabel(g: Grid, t: Theme, y: number, label: string): number {
  return g.put(0, y, label.padEnd(7), t.meterLabel);
}

/** Writes "key value" pairs from x, separated by two blanks, while they fit. */
function pairs(g: Grid, t: Theme, x: number, y: number, items: Array<[string, string]>): void {
  for (const [k, val] of items) {
    if (x + k.length + 1 + val.length > g.width) break;
    x = g.put(x, y, `${k} `, t.text);
    x = g.put(x, y, val, t.meterValue) + 2;
  }
}

/** Draws the meter lines (v.meterLines of them) from line 0. */
export function renderHeader(g: Grid, v: ViewState, t: Theme, info: HeaderInfo): void {
  const st = v.stats;
  const total = st?.total ?? v.list.length;
  const max = st?.max ?? null;
  // Line 0: Flows[||||   n/max] source ... badges
  let x = meterLabel(g, t, 0, 'Flows');
  const countText = `${formatCount(total)}/${max === null ? '?' : formatCount(max)}`;
  const barW = Math.max(countText.length + 4, Math.min(40, Math.floor(g.width / 3)));
  g.put(x, 0, '[', t.text);
  const frac = max ? Math.min(1, total / max) : 0;
  const fillW = Math.round(frac * (barW - 2));
  g.fill(x + 1, 0, fillW, frac > 0.8 ? t.meterBarHigh : t.meterBar, '|');
  g.put(x + barW - 1 - countText.length, 0, countText, t.meterValue);
  g.put(x + barW - 1, 0, ']', t.text);
  x += barW + 2;
  const tags = badges(v);
  const tagsW = tags.reduce((s, b) => s + b.length + 1, 0);
  const srcW = Math.max(0, g.width - x - tagsW - 1);
  g.put(x, 0, info.source.length > srcW ? `${info.source.slice(0, Math.max(0, srcW - 1))}…` : info.source, t.header);
  let bx = g.width - tagsW;
  for (const b of tags) {
    g.put(bx, 0, b, b === 'STALE' ? t.statusWarn : t.statusOn);
    bx += b.length + 1;
  }
  const lines = v.meterLines;
  let y = 1;
  if (lines >= 3 && y < lines) {
    meterLabel(g, t, y, 'Proto');
    const by = Object.entries(st?.byProto ?? {}).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
    pairs(g, t, 7, y, by.map(([k, n]) => [k, formatCount(n)]));
    y++;
  }
  if (lines >= 4 && y < lines) {
    meterLabel(g, t, y, 'TCP');
    const by = Object.entries(st?.byTcpState ?? {}).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
    pairs(g, t, 7, y, by.map(([k, n]) => [k, formatCount(n)]));
    y++;
  }
  if (lines >= 2 && y < lines) {
    meterLabel(g, t, y, 'Rate');
    const r = st?.rates;
    const bits = v.settings.bits;
    const every = info.intervalMs >= 1000 ? `${info.intervalMs / 1000}s` : `${info.intervalMs}ms`;
    pairs(g, t, 7, y, [
      ['tx', rateText(r?.orig.bytesPerSec ?? 0, bits)], ['rx', rateText(r?.reply.bytesPerSec ?? 0, bits)],
      ['events', `${formatCount(st?.eventsPerSec ?? 0)}/s`], ['lost', String(st?.droppedEvents ?? 0)],
      ['resyncs', String(st?.resyncs ?? 0)], ['ghosts', String(st?.closedLingering ?? 0)], ['every', every],
    ]);
  }
}
