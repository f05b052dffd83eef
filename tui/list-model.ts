// tui/ layer: the view's ordered index of flows. Imports lib/ types only. Sorting decorates every row with
// its key once and sorts an index array (a comparator that formats or re-reads flows per comparison was
// the 100k-row cost); between re-sorts, new flows are inserted at their sorted place by binary search and
// gone ones removed, so a change batch costs O(batch x log n) plus array moves, never a full sort.
import type { LiveFlow } from '../lib/flow-table.js';

/** A row's sort key: every key of one sort is a number, or every key is a string. */
export type SortKey = number | string;

/** How to order and which rows to keep. */
export interface Ordering {
  key: (l: LiveFlow) => SortKey;
  descending: boolean;
  keep: (l: LiveFlow) => boolean;
  /**
   * For numeric keys that only approximate the order (a fast address key): keys for which `approximate`
   * is true are re-ordered within runs of equal keys by `tie` (the column's exact comparison).
   */
  approximate?: (key: number) => boolean;
  /** The column's exact key (compared as strings, or numbers), computed only for rows in approximate runs. */
  exact?: (l: LiveFlow) => SortKey;
}

function cmpKeys(a: SortKey, b: SortKey): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The ordered rows and their keys, kept in step. */
export class ListModel {
  /** Rows in display order. */
  rows: LiveFlow[] = [];
  private keys: SortKey[] = [];
  private ord: Ordering | null = null;
  /**
   * The latest firstSeenMs among the rows of the last rebuild: a flow's 'new' change can arrive after a
   * re-sort already took it from the table (the session drains changes a moment after applying them); only
   * a flow seen no later than this can be listed already, and only then is the list searched for it.
   * (A Set of the rows cost more than the whole sort at 100k rows.)
   */
  private seenUpToMs = -Infinity;

  /** Sorts `flows` (kept ones only) by `ord`; equal keys keep the order of `flows` (the table's, stable). */
  rebuild(flows: readonly LiveFlow[], ord: Ordering): void {
    this.ord = ord;
    const kept: LiveFlow[] = [];
    let seen = -Infinity;
    for (const l of flows) {
      if (!ord.keep(l)) continue;
      kept.push(l);
      if (l.firstSeenMs > seen) seen = l.firstSeenMs;
    }
    const n = kept.length;
    const keys = new Array<SortKey>(n);
    for (let i = 0; i < n; i++) keys[i] = ord.key(kept[i]);
    const idx = sortIndices(keys, ord.descending);
    if (ord.exact && ord.approximate) finishRuns(idx, keys, kept, ord);
    const rows = new Array<LiveFlow>(n);
    const outKeys = new Array<SortKey>(n);
    for (let i = 0; i < n; i++) {
      const j = idx[i];
      rows[i] = kept[j];
      outKeys[i] = keys[j];
    }
    this.rows = rows;
    this.keys = outKeys;
    this.seenUpToMs = seen;
  }

  /** True when `l` is listed (a scan: for tests and rare checks). */
  has(l: LiveFlow): boolean {
    return this.rows.includes(l);
  }

  /** Inserts `l` at its sorted place (after equal keys) if the ordering keeps it; returns its index or -1. */
  insert(l: LiveFlow): number {
    const ord = this.ord;
    if (!ord || !ord.keep(l)) return -1;
    if (l.firstSeenMs <= this.seenUpToMs && this.rows.includes(l)) return -1;
    const k = ord.key(l);
    const sign = ord.descending ? -1 : 1;
    let lo = 0, hi = this.rows.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (sign * cmpKeys(this.keys[mid], k) <= 0) lo = mid + 1;
      else hi = mid;
    }
    this.rows.splice(lo, 0, l);
    this.keys.splice(lo, 0, k);
    return lo;
  }

  /** Removes `l` (found by identity, near `hint` first); returns its former index or -1. */
  remove(l: LiveFlow, hint = 0): number {
    const i = this.indexOf(l, hint);
    if (i >= 0) {
      this.rows.splice(i, 1);
      this.keys.splice(i, 1);
    }
    return i;
  }

  /** The index of `l` by identity, searching outwards from `hint` (the selection rarely moves far); -1 if absent. */
  indexOf(l: LiveFlow, hint = 0): number {
    const rows = this.rows;
    const n = rows.length;
    const h = Math.min(Math.max(0, hint), Math.max(0, n - 1));
    for (let d = 0; d < n; d++) {
      const a = h + d, b = h - d - 1;
      if (a >= n && b < 0) break;
      if (a < n && rows[a] === l) return a;
      if (b >= 0 && rows[b] === l) return b;
    }
    return -1;
  }

  /** Number of rows. */
  get length(): number {
    return this.rows.length;
  }
}

/** Re-orders runs of equal approximate keys by the exact keys (stable: ties keep their order). */
function finishRuns(idx: Uint32Array, keys: readonly SortKey[], kept: readonly LiveFlow[], ord: Ordering): void {
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

/** 6 UTF-16 units of `s` from `from` as an integer below 2^48 (codes above 255 count as 255): orders like them. */
function prefixKey(s: string, from: number): number {
  let k = 0;
  for (let i = from; i < from + 6; i++) k = k * 256 + (i < s.length ? Math.min(255, s.charCodeAt(i)) : 0);
  return k;
}

/** Up to this many distinct strings are ranked (one Map lookup per row) instead of radix-sorted by prefix. */
const MAX_RANKED = 4096;

/** Levels of 6 characters the string sort settles by radix passes (18 characters: an IPv4 key exactly). */
const STRING_LEVELS = 3;

/**
 * The permutation that sorts `keys` (ascending, or descending), stable: equal keys keep their order.
 * Numbers go through an LSD radix sort of their IEEE-754 bits (a comparator sort of 100k rows cost 100-300 ms
 * on a loaded machine; the radix sort is linear). Strings are radix-sorted by their first 18 characters,
 * 6 at a time from the last group to the first (stable passes compose), then each run that is still equal
 * there and holds a longer string is finished with a comparator on the whole strings.
 */
export function sortIndices(keys: readonly SortKey[], descending: boolean): Uint32Array {
  const n = keys.length;
  let strings = false;
  let maxLen = 0;
  for (let i = 0; i < n; i++) {
    const k = keys[i];
    if (typeof k !== 'number') {
      strings = true;
      if (k.length > maxLen) maxLen = k.length;
    }
  }
  const prim = new Float64Array(n);
  if (!strings) {
    for (let i = 0; i < n; i++) prim[i] = keys[i] as number;
    return radixFloat(prim, descending, null);
  }
  const str = keys.map(String);
  const sign = descending ? -1 : 1;
  // Few distinct strings (protocols, states, countries, process names): sort those, radix-sort their ranks.
  const distinct = new Map<string, number>();
  for (let i = 0; i < n && distinct.size <= MAX_RANKED; i++) distinct.set(str[i], 0);
  if (distinct.size <= MAX_RANKED) {
    const sorted = [...distinct.keys()].sort();
    sorted.forEach((v, r) => distinct.set(v, r));
    for (let i = 0; i < n; i++) prim[i] = distinct.get(str[i])!;
    return radixFloat(prim, descending, null);
  }
  // Characters above 255 do not fit the radix keys (host names in other scripts): a plain comparator sort then.
  if (str.some((x) => /[^\u0000-\u00ff]/.test(x))) {
    return Uint32Array.from(str.map((_, i) => i).sort((x, y) => (str[x] < str[y] ? -sign : str[x] > str[y] ? sign : x - y)));
  }
  const levels = Math.max(1, Math.min(STRING_LEVELS, Math.ceil(maxLen / 6)));
  let idx: Uint32Array | null = null;
  for (let level = levels - 1; level >= 0; level--) {
    for (let i = 0; i < n; i++) prim[i] = prefixKey(str[i], level * 6);
    idx = radixFloat(prim, descending, idx);
  }
  const out = idx!;
  if (maxLen <= levels * 6) return out;
  const settled = levels * 6;
  const same = (a: number, b: number) => str[a].slice(0, settled) === str[b].slice(0, settled);
  for (let a = 0; a < n;) {
    let b = a + 1;
    while (b < n && same(out[b], out[a])) b++;
    if (b - a > 1) {
      const run = Array.from(out.subarray(a, b));
      if (run.some((i) => str[i].length > settled)) {
        run.sort((x, y) => {
          const p = str[x], q = str[y];
          return p < q ? -sign : p > q ? sign : x - y;
        });
        out.set(run, a);
      }
    }
    a = b;
  }
  return out;
}

/**
 * Stable LSD radix sort (4 passes of 16 bits) of indices by float keys; NaN sorts last ascending. `start`
 * is the order to begin from (a previous pass on less significant keys), else the identity.
 */
function radixFloat(k: Float64Array, descending: boolean, start: Uint32Array | null): Uint32Array {
  const n = k.length;
  const words = new Uint32Array(k.buffer, k.byteOffset, n * 2);
  const lo = new Uint32Array(n);
  const hi = new Uint32Array(n);
  // Sortable bits: flip all bits of negatives, only the sign bit of positives (little-endian word order).
  const le = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
  for (let i = 0; i < n; i++) {
    let l = words[2 * i + (le ? 0 : 1)];
    let h = words[2 * i + (le ? 1 : 0)];
    if (h & 0x80000000) { h = ~h >>> 0; l = ~l >>> 0; } else h = (h | 0x80000000) >>> 0;
    if (descending) { h = ~h >>> 0; l = ~l >>> 0; }
    lo[i] = l;
    hi[i] = h;
  }
  let idx = start ? start.slice() : new Uint32Array(n);
  let tmp = new Uint32Array(n);
  if (!start) for (let i = 0; i < n; i++) idx[i] = i;
  const count = new Uint32Array(65536);
  const passes: Array<[Uint32Array, number]> = [[lo, 0], [lo, 16], [hi, 0], [hi, 16]];
  for (const [arr, shift] of passes) {
    count.fill(0);
    for (let i = 0; i < n; i++) count[(arr[i] >>> shift) & 0xffff]++;
    if (n === 0 || count[(arr[0] >>> shift) & 0xffff] === n) continue; // all equal in these bits: order unchanged
    let s = 0;
    for (let b = 0; b < 65536; b++) { const c = count[b]; count[b] = s; s += c; }
    for (let i = 0; i < n; i++) { const j = idx[i]; tmp[count[(arr[j] >>> shift) & 0xffff]++] = j; }
    const x = idx; idx = tmp; tmp = x;
  }
  return idx;
}
