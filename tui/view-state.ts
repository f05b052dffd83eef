// tui/ layer: the view's state machine, pure and clock-injected: what is shown, in which order, what is
// selected, and how change batches and refreshes update it. Imports lib/ and tui/ only; no terminal.
// Selection follows its flow (by identity of the table's LiveFlow) through inserts, removals and re-sorts;
// after a key press the order holds still for holdMs (htop's trick); a pause freezes copies of the rows.
import type { Enrichment } from '../lib/enrich/index.js';
import type { Flow } from '../lib/flow.js';
import type { FlowChange, LiveFlow, TableStats } from '../lib/flow-table.js';
import type { Row } from '../lib/row.js';
import type { SourceHealth } from '../lib/source.js';
import { addrNumKey, APPROXIMATE_ADDR_KEY, columnById, DEFAULT_COLUMNS, type Column, type FormatOpts } from './columns.js';
import { textSortKey } from '../lib/fields.js';
import { endAddr } from '../lib/field-values.js';
import type { Mode } from './keymap.js';
import { ListModel, type Ordering, type SortKey } from './list-model.js';
import { DEFAULT_METERS, meterLayout } from './meters.js';
import type { FilterCompiler, GroupBy, Grouper, GroupRow, ViewSettings } from './ports.js';

/** The settings a fresh install starts with. */
export const DEFAULT_SETTINGS: ViewSettings = {
  columns: [...DEFAULT_COLUMNS], widths: {}, sortBy: 'rate', descending: true, theme: 'default', meters: [...DEFAULT_METERS], intervalMs: 1000,
  names: false, services: true, bits: false, totals: false, ghosts: true, source: 'orig', activeOnly: false, filter: '',
};

/** What the view needs from outside: the table's rows, a clock, the filter language, grouping, enrichment. */
export interface ViewDeps {
  /**
   * The table's flows (plus ghosts when asked), in the table's order: a new array, or `into` refilled. The
   * re-sort passes the array it took last time, which nothing else holds; whatever is returned, the view may
   * pass back later to be refilled, so an implementation never returns an array someone else keeps.
   */
  snapshot(includeClosed: boolean, into?: LiveFlow[]): LiveFlow[];
  /** Monotonic ms. */
  now(): number;
  compileFilter: FilterCompiler;
  group: Grouper;
  /** The enrichment of a flow, or null when enrichment is off. */
  enrich: ((f: Flow) => Enrichment) | null;
  /** Ms the order holds still after a key press (default 1500). */
  holdMs?: number;
  /** Ms a new flow stays highlighted (default 3000). */
  newMs?: number;
  /**
   * When set, the re-sort a refresh asks for runs in steps of about this many rows (resortStep), so that a
   * caller can answer keys between them; unset, tick() re-sorts at once.
   */
  resortSliceRows?: number;
}

/** Protocol letters of the protocol menu and the Flow.proto names each covers. */
export const PROTO_GROUPS: Readonly<Record<string, readonly string[]>> = {
  T: ['tcp'], U: ['udp', 'udplite'], D: ['dccp'], I: ['icmp', 'icmpv6'], S: ['sctp'], G: ['gre'],
};

/** Batches bigger than this (or than an eighth of the list) rebuild the index instead of inserting one by one. */
const BULK = 2000;
/** While loading, big batches re-sort at most this often (ms). */
const LOAD_RESORT_MS = 250;
/** Per tick, at most this many ms go to enriching rows in the background (sort or filter by enrichment). */
const FILL_BUDGET_MS = 5;
/** Rows each column's sort is run over by warmSort (taken from the rows shown). */
const WARM_ROWS = 4096;

/** The view's state; every method is synchronous and cheap enough for a keypress (O(visible) or a bounded scan). */
export class ViewState {
  mode: Mode = 'list';
  settings: ViewSettings;
  width = 80;
  height = 24;
  readonly list = new ListModel();
  /** The list warmSort sorts into. */
  private readonly warmList = new ListModel();
  /** Selected index into shownRows(), first shown index, and the selected flow (followed by identity). */
  sel = 0;
  top = 0;
  selLive: LiveFlow | null = null;
  paused = false;
  frozen: LiveFlow[] | null = null;
  filterText = '';
  draft = '';
  /** The filter when the filter prompt opened (Esc goes back to it). */
  filterBefore = '';
  filterError: { code: string; message: string; pos: number } | null = null;
  searchText = '';
  searchMiss = false;
  readonly protoOff = new Set<string>();
  activeOnly = false;
  groupBy: GroupBy = 'host';
  groups: GroupRow[] = [];
  groupSel = 0;
  menuSel = 0;
  helpTop = 0;
  stats: TableStats | null = null;
  health: SourceHealth | null = null;
  loading = true;
  ended = false;
  status = '';
  quit = false;
  /** True when settings changed since the last save (the app saves them). */
  settingsDirty = false;
  /** True while a re-sort waits for the key-press hold to pass. */
  resortPending = false;
  private lastKeyMs = -Infinity;
  private lastResortMs = -Infinity;
  private filterTest: ((r: Row) => boolean) | null = null;
  private filterNeedsEnrich = false;
  private readonly newSeen = new Map<LiveFlow, number>();
  private readonly filled = new Map<LiveFlow, Enrichment>();
  private fillQueue: LiveFlow[] = [];
  private readonly deps: ViewDeps;
  /** The index of the next column warmSort sorts by. */
  private warmAt = 0;
  /** The last ordering made for each column, with what it was made from (orderingBy). */
  private readonly orderings = new Map<string, { sig: string; test: ((r: Row) => boolean) | null; ord: Ordering }>();

  constructor(deps: ViewDeps, settings: Partial<ViewSettings> = {}) {
    this.deps = deps;
    this.settings = { ...DEFAULT_SETTINGS, ...settings, widths: { ...(settings.widths ?? {}) } };
    if (!columnById(this.settings.sortBy)) this.settings.sortBy = DEFAULT_SETTINGS.sortBy;
    this.settings.columns = this.settings.columns.filter((id) => columnById(id));
    if (this.settings.columns.length === 0) this.settings.columns = [...DEFAULT_COLUMNS];
    this.side = this.settings.source;
    this.activeOnly = this.settings.activeOnly;
    this.list.rebuild([], this.ordering());
    if (this.settings.filter) this.applyFilter(this.settings.filter);
  }

  /** The settings to persist: the view's, with the toggles and filter as they are now. */
  currentSettings(): ViewSettings {
    return { ...this.settings, widths: { ...this.settings.widths }, source: this.side, activeOnly: this.activeOnly, filter: this.filterText };
  }

  /** The toggles every formatter sees. */
  get fmt(): FormatOpts {
    const s = this.settings;
    return { names: s.names, services: s.services, bits: s.bits, totals: s.totals, source: this.side };
  }
  /** Which end counts as the source (s): the originator, or this host's end (needs enrichment). */
  side: 'orig' | 'local' = 'orig';

  /** Rows of the list area: frozen copies while paused, else the live ordered index. */
  shownRows(): readonly LiveFlow[] {
    return this.frozen ?? this.list.rows;
  }

  /** Lines of the list area (between the header meters and column header, and the bottom bar). */
  get listHeight(): number {
    return Math.max(1, this.height - this.meterLines - 2);
  }

  /** Header meter lines drawn at this size (as the shown meters lay out; fewer on short terminals). */
  get meterLines(): number {
    return meterLayout(this.settings.meters, this.height).length;
  }

  /** The Row of a flow as the view knows it now (enrichment from the background fill, or asked now). */
  rowOf(l: LiveFlow, ask = false): Row {
    const e = this.filled.get(l) ?? (ask && this.deps.enrich ? this.deps.enrich(l.flow) : undefined);
    return e ? { flow: l.flow, live: l, enrich: e } : { flow: l.flow, live: l };
  }

  /** True when enrichment runs (its columns are hidden otherwise: they would only ever say "…"). */
  get hasEnrichment(): boolean {
    return this.deps.enrich !== null;
  }

  /** True while rows are being enriched in the background for a sort or a filter. */
  get filling(): boolean {
    return this.fillQueue.length > 0;
  }

  private needsFill(): boolean {
    return this.deps.enrich !== null && (this.filterNeedsEnrich || columnById(this.settings.sortBy)?.enrich === true || this.mode === 'group');
  }

  /** The ordering the index uses now. */
  ordering(): Ordering {
    return this.orderingBy(columnById(this.settings.sortBy)!);
  }

  /**
   * Sorts up to WARM_ROWS of the rows shown by the next of the shown columns (those `<` and `>` step through),
   * into a list of its own; false once every column was done. The app calls it once the table has loaded, a
   * column per event-loop turn. Why: the first sort by a column ran its key code cold over every row, and
   * the first `>` of a run took 40-100 ms against 12 ms for the next ones (tui-bench --keys-only, 100k flows
   * under a 3,000 events/s storm, 2026-12-05: in every run the worst of the 50 sort changes was the first).
   */
  warmSort(): boolean {
    const ids = this.settings.columns;
    if (this.warmAt >= ids.length) return false;
    const col = columnById(ids[this.warmAt++]);
    const rows = this.list.rows;
    // A list of its own, cleared after (it would hold on to the sampled flows), and kept: its sorter's code is
    // the list's (a list made per call left a dead function inlined in the sort loops; see ListModel.job).
    if (col && rows.length > 0) {
      this.warmList.rebuild(rows.slice(0, WARM_ROWS), this.orderingBy(col));
      this.warmList.clear();
    }
    return this.warmAt < ids.length;
  }

  /**
   * The ordering by `col` as the view stands now, the same object (and closures) while nothing it depends on
   * changed. Why: V8's optimized code for the sort loops inlines the key closures it saw and holds them weakly;
   * closures made anew for each sort died at the next full collection and took that code with them, so the first
   * sort change after one ran unoptimized: 2-4x a warm one (in process, a full collection before each `>`).
   */
  private orderingBy(col: NonNullable<ReturnType<typeof columnById>>): Ordering {
    // What newOrdering reads: the format toggles (all of fmt, so a toggle added there is not missed here), the
    // direction, ghosts, active only, the hidden protocols; the filter test is compared as the function it is.
    const s = this.settings;
    const sig = [s.descending, s.ghosts, this.activeOnly, [...this.protoOff].join(','), ...Object.values(this.fmt)].join('|');
    const test = this.filterTest;
    const had = this.orderings.get(col.id);
    if (had?.sig === sig && had.test === test) return had.ord;
    const ord = this.newOrdering(col);
    this.orderings.set(col.id, { sig, test, ord });
    return ord;
  }

  private newOrdering(col: NonNullable<ReturnType<typeof columnById>>): Ordering {
    const o = this.fmt;
    const test = this.filterTest;
    const off = this.protoOff;
    const active = this.activeOnly;
    const ghosts = this.settings.ghosts;
    // One scratch row for the keys and the filter (neither keeps it): a Row object per flow per re-sort was a
    // third of a 100k-row re-sort.
    const scratch: { flow: LiveFlow['flow']; live: LiveFlow; enrich?: Enrichment } = { flow: null!, live: null! };
    const filled = this.filled;
    const row = (l: LiveFlow): Row => {
      scratch.flow = l.flow;
      scratch.live = l;
      scratch.enrich = filled.size === 0 ? undefined : filled.get(l); // a Map probe per row cost 10% of a re-sort
      return scratch;
    };
    // Addresses (without names) sort by a fast numeric key, exact for IPv4; IPv6 ties finish by the column.
    const addr = (col.id === 'src' || col.id === 'dst') && !o.names;
    const fast = addr ? {
      key: (l: LiveFlow) => addrNumKey(endAddr(row(l), o, col.id === 'dst')),
      approximate: (k: number) => k >= APPROXIMATE_ADDR_KEY,
      exact: (l: LiveFlow) => col.sortKey(row(l), o),
    } : null;
    return {
      key: fast?.key ?? textKey(col, row, o) ?? ((l) => col.sortKey(row(l), o)),
      approximate: fast?.approximate,
      exact: fast?.exact,
      descending: this.settings.descending,
      // null when every row is listed: the common case skips a pass and an array over 100k rows.
      keep: ghosts && off.size === 0 && !active && test === null ? null : (l) => (ghosts || l.closed === null) && (off.size === 0 || !off.has(l.flow.proto)) &&
        (!active || l.rates.orig.bytesPerSec + l.rates.reply.bytesPerSec > 0) && (test === null || test(row(l))),
    };
  }

  /** Re-sorts from the table now and keeps the selected flow selected at the same screen line. */
  resort(): void {
    this.list.rebuild(this.resortInput(), this.ordering());
    if (!this.frozen) this.reselect();
  }

  /** A re-sort in steps when the caller steps them (resortSliceRows), else at once. */
  private resortSoon(): void {
    if (this.deps.resortSliceRows === undefined) {
      this.resort();
      return;
    }
    this.stepsSinceKeyMs = this.lastKeyMs;
    this.list.startRebuild(this.resortInput(), this.ordering());
  }

  /** The snapshot array re-sorts refill (ViewDeps.snapshot); it keeps the flows of the last re-sort alive until the next. */
  private snapshotSpare: LiveFlow[] = [];

  private resortInput(): LiveFlow[] {
    this.resortPending = false;
    this.lastResortMs = this.deps.now();
    // The array of the last re-sort is free again: its rebuild finished or was replaced (ListModel keeps none).
    const all = this.deps.snapshot(this.settings.ghosts, this.snapshotSpare);
    this.snapshotSpare = all;
    if (this.needsFill()) this.fillQueue = all.filter((l) => !this.filled.has(l));
    else this.filled.clear();
    return all;
  }

  /** True while a re-sort runs in steps (call resortStep until it returns true). */
  get resorting(): boolean {
    return this.list.rebuilding;
  }

  /** Key presses when the stepped re-sort began: one pressed since then holds the order still (htop's trick). */
  private stepsSinceKeyMs = -Infinity;

  /**
   * The next step of a stepped re-sort; true when it ended: the new order is shown, or a key was pressed
   * meanwhile and the re-sort waits for the hold to pass (rows must not jump under the user).
   */
  resortStep(): boolean {
    if (!this.list.rebuilding) return true;
    if (this.lastKeyMs !== this.stepsSinceKeyMs) {
      this.list.cancelRebuild();
      this.resortPending = true;
      return true;
    }
    if (!this.list.stepRebuild(this.deps.resortSliceRows ?? Number.POSITIVE_INFINITY)) return false;
    if (!this.frozen) this.reselect();
    if (this.mode === 'group') this.regroup();
    return true;
  }

  private reselect(): void {
    const rows = this.list.rows;
    const screenLine = this.sel - this.top;
    const i = this.selLive ? this.list.indexOf(this.selLive, this.sel) : -1;
    this.sel = i >= 0 ? i : Math.min(this.sel, Math.max(0, rows.length - 1));
    this.selLive = rows[this.sel] ?? null;
    this.top = this.sel - Math.max(0, Math.min(screenLine, this.listHeight - 1));
    this.clamp();
  }

  /** Keeps sel and top inside the rows and the selection on screen. */
  clamp(): void {
    const n = this.shownRows().length;
    const h = this.listHeight;
    this.sel = Math.max(0, Math.min(this.sel, n - 1));
    if (this.sel < this.top) this.top = this.sel;
    if (this.sel >= this.top + h) this.top = this.sel - h + 1;
    this.top = Math.max(0, Math.min(this.top, Math.max(0, n - h)));
  }

  /**
   * A change batch from the session: inserts new flows at their place, drops ghosts when hidden. A big
   * batch re-sorts instead, unless `refreshFollows` (the caller calls onRefresh next, which re-sorts).
   */
  onChanges(batch: readonly FlowChange[], refreshFollows = false): void {
    const now = this.deps.now();
    // Only rows that come or go move the index ('update' changes wait for the next re-sort): a dump's
    // thousands of counter updates counted here re-sorted 100k rows mid-dump, while keys waited.
    let moves = 0;
    for (const c of batch) if (c.kind !== 'update') moves++;
    // A rebuild reads the whole table (snapshot, filter), whatever the list's length: with a filter showing a
    // few rows of 100k, a storm's batches rebuilt the table's 100k rows inside every frame.
    const tableRows = Math.max(this.list.length, this.stats?.total ?? 0);
    if (moves > BULK || moves > tableRows / 8 + 64) {
      if (!this.loading) for (const c of batch) if (c.kind === 'new') this.noteNew(c.live, now);
      // While the first dump streams in, re-sort at most every LOAD_RESORT_MS (rows show as they arrive).
      if (this.loading && now - this.lastResortMs < LOAD_RESORT_MS) this.resortPending = true;
      else if (!refreshFollows) this.resortSoon();
      return;
    }
    for (const c of batch) {
      if (c.kind === 'new') {
        if (!this.loading) this.noteNew(c.live, now);
        const i = this.list.insert(c.live);
        if (i >= 0 && !this.frozen && i <= this.sel && this.selLive !== null) { this.sel++; this.top++; }
      } else if (c.kind === 'destroy' && !this.settings.ghosts) {
        const i = this.list.remove(c.live, this.sel);
        if (i >= 0 && !this.frozen && i < this.sel) { this.sel--; this.top--; }
      }
    }
    if (!this.frozen) {
      if (this.selLive === null || this.list.rows[this.sel] !== this.selLive) this.reselect();
      else this.clamp();
    }
  }

  /**
   * After each refresh: statistics, health, and a re-sort unless a key was pressed within holdMs. With
   * `deferResort` the re-sort only becomes pending and the next tick() runs it, so that the caller can
   * answer keys that arrived during the refresh first (a 100k-row re-sort takes 50-100 ms).
   */
  onRefresh(stats: TableStats, health: SourceHealth, deferResort = false): void {
    this.stats = stats;
    this.health = health;
    this.loading = false;
    // Paused, nothing shown moves: the index catches up once, on resume (togglePause re-sorts).
    if (this.paused) this.resortPending = false;
    else if (deferResort || this.deps.now() - this.lastKeyMs < (this.deps.holdMs ?? 1500)) this.resortPending = true;
    else this.resort();
    // A deferred re-sort regroups in tick(), after it.
    if (this.mode === 'group' && !(deferResort && this.resortPending)) this.regroup();
  }

  /**
   * Per frame: a pending re-sort once the hold passed, new-flow highlights expiring, background enrichment
   * (skipped when `background` is false: a key's own frame leaves it to the frames after it).
   */
  tick(background = true): void {
    const now = this.deps.now();
    if (this.resortPending && now - this.lastKeyMs >= (this.deps.holdMs ?? 1500) && !(this.loading && now - this.lastResortMs < LOAD_RESORT_MS)) {
      // In steps when stepped (resortStep): a 100k-row re-sort in one task made every key typed meanwhile wait 20-60 ms.
      this.resortSoon();
      if (this.deps.resortSliceRows === undefined && this.mode === 'group') this.regroup();
    }
    const newMs = this.deps.newMs ?? 3000;
    // In arrival order (noteNew), so the expired ones lead: the walk stops at the first still new. A walk over
    // all of them each frame made an entry pair per flow, under a storm 4k flows 30 times a second, the view's
    // largest source of garbage (2 MB/s of scavenges at 3,000 events/s).
    for (const [l, t] of this.newSeen) {
      if (now - t < newMs) break;
      this.newSeen.delete(l);
    }
    if (background && this.fillQueue.length > 0 && this.deps.enrich) {
      const enrich = this.deps.enrich;
      const start = now;
      let i = 0;
      while (i < this.fillQueue.length) {
        const l = this.fillQueue[i++];
        this.filled.set(l, enrich(l.flow));
        if ((i & 255) === 0 && this.deps.now() - start >= FILL_BUDGET_MS) break;
      }
      this.fillQueue = this.fillQueue.slice(i);
      if (this.fillQueue.length === 0) {
        const keep = new Set(this.deps.snapshot(true));
        for (const l of this.filled.keys()) if (!keep.has(l)) this.filled.delete(l);
        this.resort();
        if (this.mode === 'group') this.regroup();
      }
    }
  }

  /** Marks `l` new as of `now`, at the end of newSeen (whose order tick relies on: oldest first). */
  private noteNew(l: LiveFlow, now: number): void {
    this.newSeen.delete(l);
    this.newSeen.set(l, now);
  }

  /** True when `l` arrived less than newMs ago (drawn highlighted). */
  isNew(l: LiveFlow): boolean {
    return this.newSeen.has(l);
  }

  /** Records a key press (the order holds still for a moment after it). */
  touched(): void {
    this.lastKeyMs = this.deps.now();
  }

  /** Moves the selection to index `i` of the shown rows. */
  select(i: number): void {
    this.sel = i;
    this.clamp();
    this.selLive = this.shownRows()[this.sel] ?? null;
  }

  /** Pauses (freezing copies of the rows, so the figures stop too) or resumes. */
  togglePause(): void {
    this.paused = !this.paused;
    if (this.paused) {
      this.frozen = this.list.rows.map(freeze);
    } else {
      const sel = this.frozen?.[this.sel];
      this.frozen = null;
      // The frozen copy's original is found by key near the same place.
      if (sel) this.selLive = this.list.rows.find((l) => l.key === sel.key) ?? null;
      this.resort();
    }
  }

  /** Applies filter text; on a parse error keeps the previous filter and records the error. */
  applyFilter(text: string): boolean {
    const t = text.trim();
    if (t === '') {
      this.filterText = '';
      this.filterTest = null;
      this.filterNeedsEnrich = false;
      this.filterError = null;
      this.resort();
      return true;
    }
    const r = this.deps.compileFilter(t);
    if (!r.ok) {
      this.filterError = r.error;
      return false;
    }
    this.filterError = null;
    this.filterText = t;
    this.filterTest = r.test;
    this.filterNeedsEnrich = r.needsEnrichment;
    this.resort();
    return true;
  }

  /** Moves the selection to the next (dir 1) or previous (-1) row matching the search text, from `from`. */
  search(dir: 1 | -1, from = this.sel): void {
    const rows = this.shownRows();
    const q = this.searchText.toLowerCase();
    const n = rows.length;
    this.searchMiss = false;
    if (q === '' || n === 0) return;
    for (let d = 0; d < n; d++) {
      const i = (((from + dir * d) % n) + n) % n;
      if (matches(this.rowOf(rows[i], true), q)) {
        this.select(i);
        return;
      }
    }
    this.searchMiss = true;
  }

  /** Recomputes the groups from the shown rows. */
  regroup(): void {
    this.groups = this.deps.group(this.shownRows().map((l) => this.rowOf(l)), this.groupBy, { names: this.settings.names, services: this.settings.services });
    this.groupSel = Math.max(0, Math.min(this.groupSel, this.groups.length - 1));
  }
}

/**
 * A text column's key through a cache of its few distinct values (protocols, states, countries): the same
 * key as col.sortKey without building a key string per row (100k strings per re-sort were a fifth of it).
 */
function textKey(col: Column, row: (l: LiveFlow) => Row, o: FormatOpts): ((l: LiveFlow) => SortKey) | null {
  const value = col.textValue;
  if (!value) return null;
  const cache = new Map<string, string>();
  return (l) => {
    const v = value(row(l), o);
    if (typeof v !== 'string') return textSortKey(v);
    let k = cache.get(v);
    if (k === undefined) {
      k = textSortKey(v);
      if (cache.size < 4096) cache.set(v, k);
    }
    return k;
  };
}

function matches(r: Row, q: string): boolean {
  const f = r.flow;
  const o = f.orig;
  if (o.src.includes(q) || o.dst.includes(q) || f.proto === q || (f.state ?? '').toLowerCase().includes(q)) return true;
  if (String(o.sport ?? '') === q || String(o.dport ?? '') === q) return true;
  const e = r.enrich;
  if (!e) return false;
  return [e.rdns.src, e.rdns.dst, e.service?.name, e.process?.kind === 'process' ? e.process.name : null].some((s) => s?.toLowerCase().includes(q));
}

/**
 * A copy of a live flow that the table will not mutate (flow, counters and rates copied one level deep). The
 * table's key is a getter on the prototype, which a spread leaves out: it is copied by name.
 */
function freeze(l: LiveFlow): LiveFlow {
  return { ...l, key: l.key, flow: { ...l.flow }, rates: { orig: { ...l.rates.orig }, reply: { ...l.rates.reply } } };
}
