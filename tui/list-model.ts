// tui/ layer: the view's ordered index of flows. Imports lib/ types and tui/ only. Sorting decorates every row with
// its key once and sorts an index array (a comparator that formats or re-reads flows per comparison was
// the 100k-row cost); between re-sorts, new flows are inserted at their sorted place by binary search and
// gone ones removed, so a change batch costs O(batch x log n) plus array moves, never a full sort.
import type { LiveFlow } from '../lib/flow-table.js';
import { KeyedSort, LOOP_CHUNK, SortScratch, sortIndices, type SortKey } from './key-sort.js';

export type { SortKey } from './key-sort.js';

/** How to order and which rows to keep. */
export interface Ordering {
  key: (l: LiveFlow) => SortKey;
  descending: boolean;
  /** Which rows to list; null keeps every row (the common case: no filter, no hidden protocols). */
  keep: ((l: LiveFlow) => boolean) | null;
  /**
   * For numeric keys that only approximate the order (a fast address key): keys for which `approximate`
   * is true are re-ordered within runs of equal keys by `tie` (the column's exact comparison).
   */
  approximate?: (key: number) => boolean;
  /** The column's exact key (compared as strings, or numbers), computed only for rows in approximate runs. */
  exact?: (l: LiveFlow) => SortKey;
}

/** A rebuild in steps: the filter pass, the keys, then the sort; with what changed meanwhile. */
interface RebuildJob {
  flows: readonly LiveFlow[];
  ord: Ordering;
  kept: readonly LiveFlow[];
  /** Flows the filter has seen. */
  keptUpTo: number;
  /** Latest firstSeenMs among the kept rows. */
  seen: number;
  /** True once the keys are being computed (the list's sorter holds them). */
  keyed: boolean;
  inserted: LiveFlow[];
  removed: LiveFlow[];
}

const NO_ROWS: readonly LiveFlow[] = [];

function cmpKeys(a: SortKey, b: SortKey): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The ordered rows. */
export class ListModel {
  /** Rows in display order: valid until the rebuild after next, which refills this array (hold none longer). */
  rows: LiveFlow[] = [];
  /** The rows before the last rebuild: the next rebuild's array. */
  private spare: LiveFlow[] = [];
  private ord: Ordering | null = null;
  /**
   * The latest firstSeenMs among the rows of the last rebuild: a flow's 'new' change can arrive after a
   * re-sort already took it from the table (the session drains changes a moment after applying them); only
   * a flow seen no later than this can be listed already, and only then is the list searched for it.
   * (A Set of the rows cost more than the whole sort at 100k rows.)
   */
  private seenUpToMs = -Infinity;

  /** Typed scratch arrays reused by every rebuild (a 100k-row sort allocated ~3 MB of them per call). */
  private readonly scratch = new SortScratch();
  /**
   * The rebuild under way in steps (startRebuild), or null. It is always `slot`, and the sort always `sorter`:
   * one of each for the list's life, reset for each rebuild. Why: V8's optimized sort loops check the shapes
   * (hidden classes) of these objects, and a shape lives only as long as some object has it; a job and a sorter
   * made per rebuild were all garbage between two key presses, so each full collection took their shapes, and
   * with them the optimized code of the loops: the first sort change after one ran unoptimized, 2-4x a warm one
   * (in process at 100k rows, a full collection before each `>`).
   */
  private job: RebuildJob | null = null;
  private readonly slot: RebuildJob = { flows: NO_ROWS, ord: null!, kept: NO_ROWS, keptUpTo: 0, seen: -Infinity, keyed: false, inserted: [], removed: [] };

  /**
   * The key of a row of the rebuild under way; the newest row's first sight is taken on the way (a pass of its
   * own over 100k rows paid the cache misses of reading each row first: a fifth of a sort change). One
   * function for the list's life: V8's optimized sort loops inline the key function they saw and hold it
   * weakly, so a new closure per rebuild died at the next full collection and took that code with it.
   */
  private readonly keyAndSeen = (l: LiveFlow): SortKey => {
    const j = this.job!;
    if (l.firstSeenMs > j.seen) j.seen = l.firstSeenMs;
    return j.ord.key(l);
  };
  private readonly sorter = new KeyedSort<LiveFlow>(NO_ROWS, this.keyAndSeen, this.scratch);

  /** Sorts `flows` (kept ones only) by `ord`; equal keys keep the order of `flows` (the table's, stable). */
  rebuild(flows: readonly LiveFlow[], ord: Ordering): void {
    this.startRebuild(flows, ord);
    this.stepRebuild(Number.POSITIVE_INFINITY);
  }

  /**
   * Begins rebuild(flows, ord) in steps (stepRebuild), so that a caller can answer input between them; the
   * rows stay as they are (inserts and removals still apply, and are applied again to the new order) until
   * the last step. A rebuild or another startRebuild replaces it; cancelRebuild drops it.
   */
  startRebuild(flows: readonly LiveFlow[], ord: Ordering): void {
    const j = this.slot;
    j.flows = flows;
    j.ord = ord;
    j.kept = ord.keep === null ? flows : [];
    j.keptUpTo = ord.keep === null ? flows.length : 0;
    j.seen = -Infinity;
    j.keyed = false;
    j.inserted.length = 0;
    j.removed.length = 0;
    this.job = j;
  }

  /** True while a stepped rebuild is under way. */
  get rebuilding(): boolean {
    return this.job !== null;
  }

  /** Drops a stepped rebuild under way (the rows stay in their current order). */
  cancelRebuild(): void {
    this.job = null;
    this.release();
  }

  /** Lets go of the flows the job slot and the sorter hold, once the job is over. */
  private release(): void {
    const j = this.slot;
    j.flows = NO_ROWS;
    j.kept = NO_ROWS;
    j.inserted.length = 0;
    j.removed.length = 0;
    this.sorter.reset(NO_ROWS);
  }

  /**
   * Does about `rowBudget` rows' worth of the stepped rebuild (filter, then keys; the sort takes one step of
   * its own); true when it finished: the rows are then in the new order.
   */
  stepRebuild(rowBudget: number): boolean {
    const j = this.job;
    if (!j) return true;
    const { flows, ord } = j;
    let budget = rowBudget;
    if (j.keptUpTo < flows.length) {
      const keep = ord.keep!;
      const kept = j.kept as LiveFlow[];
      const end = Math.min(flows.length, j.keptUpTo + budget);
      for (let from = j.keptUpTo; from < end; from += LOOP_CHUNK) keepRange(flows, keep, kept, from, Math.min(end, from + LOOP_CHUNK));
      budget -= end - j.keptUpTo;
      j.keptUpTo = end;
      if (end < flows.length || budget <= 0) return false;
    }
    const kept = j.kept;
    const sorter = this.sorter;
    if (!j.keyed) {
      sorter.reset(kept);
      j.keyed = true;
    }
    const before = sorter.done;
    // In chunks (see LOOP_CHUNK): fill optimized as a function, not only on the stack.
    const stop = Math.min(kept.length, before + budget);
    while (sorter.done < stop) sorter.fill(Math.min(LOOP_CHUNK, stop - sorter.done));
    if (sorter.done < kept.length) return false;
    const used = sorter.done - before;
    // The sort (about as costly as the keys) gets a step of its own unless this one has room left for it.
    if (used > 0 && budget - used < kept.length / 4) return false;
    const { idx, keys } = sorter.sort(ord.descending);
    if (ord.exact && ord.approximate) finishRuns(idx, keys, kept, ord);
    const n = kept.length;
    // The rows of the rebuild before last take the new order: two arrays in turn, not a new one each time (at
    // 50k rows a 400 KB large object per refresh, which made V8 collect the whole heap every 9 s at idle).
    const rows = this.spare;
    rows.length = n;
    for (let from = 0; from < n; from += LOOP_CHUNK) permute(rows, kept, idx, from, Math.min(n, from + LOOP_CHUNK));
    this.job = null;
    this.ord = ord;
    this.spare = this.rows;
    this.rows = rows;
    this.seenUpToMs = j.seen;
    // What changed while the steps ran: gone rows leave the new order, new ones join it (the job is over: these
    // calls record nothing in it).
    for (const l of j.removed) this.remove(l);
    for (const l of j.inserted) this.insert(l);
    this.release();
    return true;
  }

  /** Lists nothing, and holds no flow (a list kept for its sorter alone: see ViewState.warmSort). */
  clear(): void {
    this.cancelRebuild();
    this.rows.length = 0;
    this.spare.length = 0;
    this.ord = null;
    this.seenUpToMs = -Infinity;
  }

  /** True when `l` is listed (a scan: for tests and rare checks). */
  has(l: LiveFlow): boolean {
    return this.rows.includes(l);
  }

  /**
   * Inserts `l` at its sorted place (after equal keys) if the ordering keeps it; returns its index or -1.
   * The search reads the listed rows' keys as they are now (O(log n) key calls; no key array is kept in
   * step with the rows): a row whose key changed since the last re-sort only blurs where a new row lands,
   * until the next re-sort.
   */
  insert(l: LiveFlow): number {
    this.job?.inserted.push(l);
    const ord = this.ord;
    if (!ord || (ord.keep !== null && !ord.keep(l))) return -1;
    const k = ord.key(l);
    const sign = ord.descending ? -1 : 1;
    const rows = this.rows;
    let lo = 0, hi = rows.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (sign * cmpKeys(ord.key(rows[mid]), k) <= 0) lo = mid + 1;
      else hi = mid;
    }
    // A flow the last re-sort took in (a storm's new flows, delivered after a sort change) sits near its sorted
    // place if its key has not moved: searching outwards from there, not from row 0 (a scan of up to 100k
    // rows per such change held a key up to 50 ms).
    if (l.firstSeenMs <= this.seenUpToMs && this.indexOf(l, lo) >= 0) return -1;
    rows.splice(lo, 0, l);
    return lo;
  }

  /** Removes `l` (found by identity, near `hint` first); returns its former index or -1. */
  remove(l: LiveFlow, hint = 0): number {
    this.job?.removed.push(l);
    const i = this.indexOf(l, hint);
    if (i >= 0) this.rows.splice(i, 1);
    return i;
  }

  /** The index of `l` by identity, searching outwards from `hint` (the selection rarely moves far); -1 if absent. */
  indexOf(l: LiveFlow, hint = 0): number {
    const rows = this.rows;
    const n = rows.length;
    const h = Math.min(Math.max(0, hint), Math.max(0, n - 1));
    const far = Math.max(n - h, h);
    // In chunks (see LOOP_CHUNK): after a sort change the selected flow can be anywhere.
    for (let d = 0; d < far; d += LOOP_CHUNK) {
      const i = scanOut(rows, l, h, d, Math.min(far, d + LOOP_CHUNK));
      if (i >= 0) return i;
    }
    return -1;
  }

  /** Number of rows. */
  get length(): number {
    return this.rows.length;
  }
}

/** The index of `l` at distance from..to of `h` (after it first, then before it), or -1. */
function scanOut(rows: readonly LiveFlow[], l: LiveFlow, h: number, from: number, to: number): number {
  const n = rows.length;
  for (let d = from; d < to; d++) {
    const a = h + d, b = h - d - 1;
    if (a < n && rows[a] === l) return a;
    if (b >= 0 && rows[b] === l) return b;
  }
  return -1;
}

/** Appends to `kept` the flows of flows[from..to) that `keep` keeps (the filter pass, in chunks: see LOOP_CHUNK). */
function keepRange(flows: readonly LiveFlow[], keep: (l: LiveFlow) => boolean, kept: LiveFlow[], from: number, to: number): void {
  for (let i = from; i < to; i++) if (keep(flows[i])) kept.push(flows[i]);
}

/** rows[i] = kept[idx[i]] for i in from..to. */
function permute(rows: LiveFlow[], kept: readonly LiveFlow[], idx: Uint32Array, from: number, to: number): void {
  for (let i = from; i < to; i++) rows[i] = kept[idx[i]];
}

/** Re-orders runs of equal approximate keys by the exact keys (stable: ties keep their order). */
function finishRuns(idx: Uint32Array, keys: ArrayLike<SortKey>, kept: readonly LiveFlow[], ord: Ordering): void {
  for (let a = 0; a < idx.length;) {
    const k = keys[idx[a]];
    let b = a + 1;
    while (b < idx.length && keys[idx[b]] === k) b++;
    if (b - a > 1 && typeof k === 'number' && ord.approximate!(k)) {
      const run = idx.slice(a, b);
      const exact = Array.from(run, (i) => ord.exact!(kept[i]));
      const order = sortIndices(exact, ord.descending);
      for (let i = 0; i < run.length; i++) idx[a + i] = run[order[i]];
    }
    a = b;
  }
}
