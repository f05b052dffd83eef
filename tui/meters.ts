// tui/ layer: the registry of header meters (htop's Meter classes): id, title, lines taken, and a pure draw
// function into the Grid. Imports lib/ and tui/ only, never view-state.ts (which imports this): meters read
// the MeterView subset of the view state. The F2 setup shows, hides and orders them; the
// header (render-header.ts) lays them out with meterLayout. Short meters (source, states, events, interval)
// take no line of their own: they continue the line of the meter before them, which keeps the default
// header at four lines (as it was before meters were configurable) while each meter stays separately chosen.
import type { TableStats } from '../lib/flow-table.js';
import { formatCount } from '../lib/format.js';
import { rateText } from './columns.js';
import type { Grid } from './grid.js';
import type { Theme } from './theme.js';

/** What meters read of the view state (tui/view-state.ts's ViewState has it all). */
export interface MeterView {
  readonly stats: TableStats | null;
  readonly list: { readonly length: number };
  readonly settings: { readonly bits: boolean };
  readonly paused: boolean;
  readonly filterText: string;
  readonly mode: string;
  readonly protoOff: ReadonlySet<string>;
  readonly activeOnly: boolean;
  readonly ended: boolean;
  readonly loading: boolean;
  readonly filling: boolean;
}

/** What the header shows besides the view state: where flows come from and the refresh interval (ms). */
export interface HeaderInfo {
  source: string;
  intervalMs: number;
}

/** Where a meter draws on its line: from x up to end (exclusive, in cells); full once something did not fit. */
export interface MeterCursor {
  y: number;
  x: number;
  end: number;
  full: boolean;
}

/** Everything a meter reads. */
export interface MeterContext {
  v: MeterView;
  t: Theme;
  info: HeaderInfo;
}

/** One meter. */
export interface MeterDef {
  id: string;
  /** Its name in the F2 setup (and its label when it starts a line). */
  title: string;
  /** What it shows, for the setup screen. */
  description: string;
  /** Lines it takes: 1, or 0 for a short meter that continues the line of the meter before it. */
  lines: 0 | 1;
  /** Short terminals keep the lines with the lowest priority number first (0: the flows line). */
  priority: number;
  /** For a meter drawn at the right end of its line: its width there (the meters before it stop short of it). */
  rightWidth?(ctx: MeterContext): number;
  /** Draws from the cursor, moving it; never past cursor.end. */
  draw(g: Grid, c: MeterCursor, ctx: MeterContext): void;
}

/** The state badges, in the order shown: PAUSED, FILTER, GROUP, STALE, ENDED, loading…, filling in…. */
export function badges(v: MeterView): string[] {
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

/** A refresh interval as the header and the setup show it: "500ms", "1s", "2.5s". */
export function intervalText(ms: number): string {
  return ms >= 1000 ? `${ms / 1000}s` : `${ms}ms`;
}

/** Width of the line labels ("Flows  ", "Proto  "). */
const LABEL_W = 7;

function label(g: Grid, c: MeterCursor, t: Theme, text: string): void {
  if (c.x === 0) c.x = g.put(0, c.y, text.padEnd(LABEL_W), t.meterLabel);
}

/** Writes "key value" pairs from the cursor, separated by two blanks, while they fit (then the line is full). */
function pairs(g: Grid, c: MeterCursor, t: Theme, items: Array<[string, string]>): void {
  for (const [k, val] of items) {
    if (c.full || c.x + k.length + 1 + val.length > c.end) {
      c.full = true;
      return;
    }
    c.x = g.put(c.x, c.y, `${k} `, t.text);
    c.x = g.put(c.x, c.y, val, t.meterValue) + 2;
  }
}

const byCount = (m: Record<string, number> | undefined): Array<[string, string]> =>
  Object.entries(m ?? {}).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([k, n]) => [k, formatCount(n)]);

/** The meters, in the default order. */
export const METERS: readonly MeterDef[] = [
  {
    id: 'flows', title: 'Flows', description: 'flows against nf_conntrack_max, with a bar', lines: 1, priority: 0,
    draw(g, c, { v, t }) {
      label(g, c, t, 'Flows');
      const total = v.stats?.total ?? v.list.length;
      const max = v.stats?.max ?? null;
      const countText = `${formatCount(total)}/${max === null ? '?' : formatCount(max)}`;
      const barW = Math.max(countText.length + 4, Math.min(40, Math.floor(g.width / 3)));
      const frac = max ? Math.min(1, total / max) : 0;
      g.put(c.x, c.y, '[', t.text);
      g.fill(c.x + 1, c.y, Math.round(frac * (barW - 2)), frac > 0.8 ? t.meterBarHigh : t.meterBar, '|');
      g.put(c.x + barW - 1 - countText.length, c.y, countText, t.meterValue);
      g.put(c.x + barW - 1, c.y, ']', t.text);
      c.x += barW + 2;
    },
  },
  {
    id: 'source', title: 'Source', description: 'this host and namespace, the replay file or the servers (joins the line above)', lines: 0, priority: 0,
    draw(g, c, { t, info }) {
      label(g, c, t, 'Source');
      const w = Math.max(0, c.end - c.x - 1);
      const text = info.source.length > w ? `${info.source.slice(0, Math.max(0, w - 1))}…` : info.source;
      c.x = g.put(c.x, c.y, text, t.header) + 2;
    },
  },
  {
    id: 'states', title: 'States', description: 'PAUSED, FILTER, GROUP, STALE, ENDED… (right end of the line above)', lines: 0, priority: 0,
    rightWidth: ({ v }) => badges(v).reduce((s, b) => s + b.length + 1, 0),
    draw(g, c, { v, t }) {
      for (const b of badges(v)) c.x = g.put(c.x, c.y, b, b === 'STALE' ? t.statusWarn : t.statusOn) + 1;
    },
  },
  {
    id: 'protocols', title: 'Protocols', description: 'flows per protocol', lines: 1, priority: 2,
    draw(g, c, { v, t }) {
      label(g, c, t, 'Proto');
      pairs(g, c, t, byCount(v.stats?.byProto));
    },
  },
  {
    id: 'tcp-states', title: 'TCP states', description: 'TCP flows per state', lines: 1, priority: 3,
    draw(g, c, { v, t }) {
      label(g, c, t, 'TCP');
      pairs(g, c, t, byCount(v.stats?.byTcpState));
    },
  },
  {
    id: 'rates', title: 'Rates', description: 'total rate per direction (bits or bytes, b)', lines: 1, priority: 1,
    draw(g, c, { v, t }) {
      label(g, c, t, 'Rate');
      const r = v.stats?.rates;
      pairs(g, c, t, [['tx', rateText(r?.orig.bytesPerSec ?? 0, v.settings.bits)], ['rx', rateText(r?.reply.bytesPerSec ?? 0, v.settings.bits)]]);
    },
  },
  {
    id: 'events', title: 'Events', description: 'events per second, lost events, resyncs, ghost rows (joins the line above)', lines: 0, priority: 1,
    draw(g, c, { v, t }) {
      label(g, c, t, 'Events');
      const st = v.stats;
      pairs(g, c, t, [
        ['events', `${formatCount(st?.eventsPerSec ?? 0)}/s`], ['lost', String(st?.droppedEvents ?? 0)],
        ['resyncs', String(st?.resyncs ?? 0)], ['ghosts', String(st?.closedLingering ?? 0)],
      ]);
    },
  },
  {
    id: 'interval', title: 'Interval', description: 'the refresh interval (joins the line above)', lines: 0, priority: 1,
    draw(g, c, { t, info }) {
      label(g, c, t, 'Every');
      pairs(g, c, t, [['every', intervalText(info.intervalMs)]]);
    },
  },
];

/** Meter ids shown on a first start, in order (four lines: flows, protocols, TCP states, rates). */
export const DEFAULT_METERS: readonly string[] = METERS.map((m) => m.id);

const BY_ID = new Map(METERS.map((m) => [m.id, m]));

/** The meter with this id, or undefined. */
export function meterById(id: string): MeterDef | undefined {
  return BY_ID.get(id);
}

/**
 * The header's lines for the shown meters `ids` at a terminal `height`: each line a list of meters (a
 * one-line meter starts a line, a short one joins the current line). Short terminals keep fewer lines
 * (1 below 16 rows, 2 below 20), those of the lowest priority number, in their order.
 */
export function meterLayout(ids: readonly string[], height: number): MeterDef[][] {
  const lines: MeterDef[][] = [];
  for (const id of ids) {
    const m = BY_ID.get(id);
    if (!m) continue;
    if (m.lines === 1 || lines.length === 0) lines.push([m]);
    else lines[lines.length - 1].push(m);
  }
  const room = height < 16 ? 1 : height < 20 ? 2 : lines.length;
  if (lines.length <= room) return lines;
  const rank = (l: MeterDef[]) => Math.min(...l.map((m) => m.priority));
  const keep = new Set(lines.map((l, i) => [rank(l), i] as const).sort((a, b) => a[0] - b[0] || a[1] - b[1]).slice(0, room).map(([, i]) => i));
  return lines.filter((_, i) => keep.has(i));
}

/**
 * Draws one header line's meters on line y, in order, stopping short of the right-aligned ones, which are
 * drawn last at the right end (over anything that reached there: badges say what the screen is doing).
 */
export function drawMeterLine(g: Grid, y: number, meters: readonly MeterDef[], ctx: MeterContext): void {
  const right = meters.filter((m) => m.rightWidth);
  const rightW = right.reduce((s, m) => s + m.rightWidth!(ctx), 0);
  const c: MeterCursor = { y, x: 0, end: g.width - rightW, full: false };
  for (const m of meters) if (!m.rightWidth) m.draw(g, c, ctx);
  const r: MeterCursor = { y, x: Math.max(0, g.width - rightW), end: g.width, full: false };
  for (const m of right) m.draw(g, r, ctx);
}
