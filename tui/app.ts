// tui/ layer: runs the view: session changes and refreshes in, keys and mouse in, frames out. Imports
// lib/ types and tui/ only; the terminal, settings store and clock are passed in. Frames are drawn on
// change batches and keys, coalesced to at most one per FRAME_MS; nothing is printed into the screen.
import type { FlowChange } from '../lib/flow-table.js';
import { columnById } from './columns.js';
import type { Grid } from './grid.js';
import type { FilterCompiler, Grouper, SessionLike, SettingsStore } from './ports.js';
import { columnHeaderLine, render } from './render.js';
import { placedColumns } from './render-list.js';
import type { MouseEvent, Screen } from './terminal.js';
import { pickTheme } from './theme.js';
import { handleKey } from './view-keys.js';
import { ViewState } from './view-state.js';

/** At most one frame per this many ms (about 30 frames per second). */
const FRAME_MS = 33;

/** Rows per step of a refresh's re-sort: a few ms each, so a key waits for one step, not a 100k-row sort. */
const RESORT_SLICE_ROWS = 20_000;

/** Everything the view runs on. */
export interface AppOptions {
  session: SessionLike;
  screen: Screen;
  settings: SettingsStore;
  env: Readonly<Record<string, string | undefined>>;
  /**
   * Where flows come from, for the header: "this host", "replay FILE", "server HOST:PORT", or (several
   * servers) a function giving each server's state and flows at every frame.
   */
  sourceLabel: string | (() => string);
  compileFilter: FilterCompiler;
  group: Grouper;
  /** Monotonic ms. */
  now: () => number;
  /** Asks the composition root to stop (aborts the session). */
  quit: () => void;
  mouse: boolean;
  /** Called after each frame with the grid drawn (tests and benchmarks observe frames this way); the next frame redraws that grid. */
  onFrame?: (g: Grid, view: ViewState) => void;
}

/** Runs the view until the user quits or the session stops; resolves with the session's reason. */
export async function runApp(o: AppOptions): Promise<string> {
  const { session, screen } = o;
  const enricher = session.enricher;
  const view = new ViewState({
    snapshot: (includeClosed, into) => session.table.snapshot({ includeClosed, into }),
    now: o.now, compileFilter: o.compileFilter, group: o.group,
    enrich: enricher ? (f) => enricher.enrich(f) : null,
    resortSliceRows: RESORT_SLICE_ROWS,
  }, o.settings.load());
  if (view.settings.intervalMs !== session.intervalMs) session.setInterval(view.settings.intervalMs);
  view.width = screen.width;
  view.height = screen.height;
  let pending: FlowChange[] = [];
  let lastFrame = -Infinity;
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;
  /** True once the sorts' warm-up (warmSoon) has begun. */
  let warming = false;
  /** The last frame's grid, drawn into again by the next (render blanks it): see render(). */
  let grid: Grid | undefined;
  const saveIfDirty = () => {
    if (!view.settingsDirty) return;
    view.settingsDirty = false;
    o.settings.save(view.currentSettings());
  };
  // `forKey`: the frame answers a key, so background work (enrichment filling in) waits for the next frame.
  const frame = (forKey = false) => {
    timer = null;
    if (stopped) return;
    lastFrame = o.now();
    if (pending.length > 0) {
      const batch = pending;
      pending = [];
      view.onChanges(batch);
    }
    view.tick(!forKey);
    const theme = pickTheme(view.settings.theme, o.env);
    const g = render(view, theme, { source: typeof o.sourceLabel === 'string' ? o.sourceLabel : o.sourceLabel(), intervalMs: session.intervalMs }, grid);
    grid = g;
    screen.draw(g);
    o.onFrame?.(g, view);
    if (view.resorting) stepSoon();
    if (!view.loading && !warming) warmSoon();
    // Highlights expire, held re-sorts wait and background enrichment continues without new input.
    if (view.filling) schedule(FRAME_MS);
    else if (view.resortPending) schedule(500);
  };
  const schedule = (minDelayMs = 0) => {
    if (timer !== null || stopped) return;
    const wait = Math.max(minDelayMs, lastFrame + FRAME_MS - o.now());
    timer = wait <= 0 ? (setImmediate(frame) as unknown as NodeJS.Timeout) : setTimeout(frame, wait);
  };
  // Runs `fn` after the event loop has polled its input once more: keys typed during a refresh's dump are
  // read and drawn (and start the order's hold) before the refresh's frame re-sorts 100k rows. One
  // setImmediate can still run before that poll (in the same loop turn's check phase); the second cannot.
  const afterInput = (fn: () => void) => {
    setImmediate(() => setImmediate(() => { if (!stopped) fn(); }));
  };
  // One step of a stepped re-sort per event-loop turn (setImmediate runs after the poll phase read input):
  // keys typed meanwhile are answered between steps; the frame after the last step shows the new order.
  let stepping = false;
  const stepSoon = () => {
    if (stepping) return;
    stepping = true;
    setImmediate(function step() {
      if (stopped) return;
      if (view.resortStep()) {
        stepping = false;
        schedule();
      } else setImmediate(step);
    });
  };
  // Once the table has loaded: each shown column's sort run over a sample of rows, one column per event-loop
  // turn (view.warmSort), so the first sort change by a column does not run its key code cold over every row.
  const warmSoon = () => {
    warming = true;
    setImmediate(function warm() {
      if (!stopped && view.warmSort()) setImmediate(warm);
    });
  };
  const drawNow = (forKey = false) => {
    if (timer !== null) {
      clearTimeout(timer);
      clearImmediate(timer as unknown as NodeJS.Immediate);
      timer = null;
    }
    frame(forKey);
  };
  screen.onKey((key) => {
    const wasMode = view.mode;
    handleKey(view, key, { get intervalMs() { return session.intervalMs; }, setIntervalMs: (ms) => session.setInterval(ms) });
    if (view.quit) {
      saveIfDirty();
      o.quit();
      return;
    }
    if (wasMode === 'setup' && view.mode !== 'setup') saveIfDirty();
    if (wasMode !== 'setup') saveIfDirty();
    // A key is answered at once: the frame limit is for change batches, not for the user.
    drawNow(true);
  });
  if (o.mouse) screen.onMouse((m) => { if (mouse(view, m)) drawNow(true); });
  screen.onResize((w, h) => {
    view.width = w;
    view.height = h;
    drawNow();
  });
  drawNow(); // the first screen says "loading…" before the first dump is in
  try {
    return await session.run({
      changes: (batch) => {
        for (const c of batch) pending.push(c);
        schedule();
      },
      refreshed: (stats, health) => {
        // Changes before the refresh first: the first dump's flows are not "new", and none is listed twice.
        if (pending.length > 0) {
          view.onChanges(pending, true);
          pending = [];
        }
        view.onRefresh(stats, health, true);
        if (health.lastProblem && health.badMessages > 0) view.status = `${health.badMessages} undecodable message(s): ${health.lastProblem}`;
        afterInput(() => schedule());
      },
      sourceEnded: () => {
        view.ended = true;
        schedule();
      },
    }, { stayAfterSourceEnd: true });
  } finally {
    stopped = true;
    if (timer !== null) clearTimeout(timer);
    saveIfDirty();
  }
}

/** Mouse: a click on a row selects it, on a column title sorts by it (again: inverts), the wheel scrolls. */
function mouse(view: ViewState, m: MouseEvent): boolean {
  if (view.mode !== 'list') return false;
  view.touched();
  const hy = columnHeaderLine(view);
  if (m.kind === 'wheelUp' || m.kind === 'wheelDown') {
    view.top = Math.max(0, view.top + (m.kind === 'wheelUp' ? -3 : 3));
    view.select(Math.max(view.top, Math.min(view.sel, view.top + view.listHeight - 1)));
    return true;
  }
  if (m.y === hy) {
    const p = placedColumns(view).find((c) => m.x >= c.x && m.x < c.x + c.width + 1);
    if (!p) return false;
    if (view.settings.sortBy === p.col.id) view.settings.descending = !view.settings.descending;
    else {
      view.settings.sortBy = p.col.id;
      view.settings.descending = columnById(p.col.id)?.descending ?? false;
    }
    view.settingsDirty = true;
    view.resort();
    return true;
  }
  if (m.y > hy && m.y <= hy + view.listHeight) {
    view.select(view.top + (m.y - hy - 1));
    return true;
  }
  return false;
}
