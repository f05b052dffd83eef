// tui/ layer: stable sorts of row indices by precomputed keys, linear in the rows: the view's 100k-row
// re-sort. Imports nothing. Numbers go through an LSD radix sort of their bits (16 bits a pass, passes over
// bits that no key varies in skipped), strings with few distinct values through a counting sort of their
// ranks; the rest (many distinct strings) radix-sorts string prefixes. Scratch arrays are reused per caller.

/** A row's sort key: every key of one sort is a number, or every key is a string. */
export type SortKey = number | string;

/** Typed arrays one caller reuses across sorts (grown when the rows outgrow them). */
export class SortScratch {
  f64 = new Float64Array(0);
  lo = new Uint32Array(0);
  hi = new Uint32Array(0);
  idx = new Uint32Array(0);
  tmp = new Uint32Array(0);
  readonly count = new Uint32Array(65536);
  /** The and and or of the sortable bits, folded chunk by chunk. */
  readonly masks = new Uint32Array(4);

  /** Makes every array hold at least n entries. */
  ensure(n: number): void {
    if (this.idx.length >= n) return;
    const cap = Math.max(n, Math.floor(this.idx.length * 1.25));
    this.f64 = new Float64Array(cap);
    this.lo = new Uint32Array(cap);
    this.hi = new Uint32Array(cap);
    this.idx = new Uint32Array(cap);
    this.tmp = new Uint32Array(cap);
  }
}

/** Up to this many distinct strings are ranked (one Map lookup per row) instead of radix-sorted by prefix. */
const MAX_RANKED = 4096;

/** A sort's result: `idx` lists row indices in order, `keys[i]` is row i's key. */
export interface KeyOrder {
  idx: Uint32Array;
  keys: ArrayLike<SortKey>;
}

/**
 * The stable order of `rows` by `key(row)` (ascending, or descending), each key computed once. `idx` and
 * `keys` may be views of `scratch`: valid until its next use.
 */
export function sortByKey<T>(rows: readonly T[], key: (r: T) => SortKey, descending: boolean, scratch: SortScratch): KeyOrder {
  const k = new KeyedSort(rows, key, scratch);
  k.fill(rows.length);
  return k.sort(descending);
}

/**
 * sortByKey in steps: fill() computes the keys of the next rows (a caller may spread 100k rows over several
 * event-loop tasks), sort() orders them once all are in. Uses `scratch` until sort() returns: one at a time.
 */
export class KeyedSort<T> {
  /** Rows whose keys are in. */
  done = 0;
  /** 0: no key yet; 1: numbers (in scratch.f64); 2: strings (ids in scratch.lo); 3: mixed or many strings. */
  private mode: 0 | 1 | 2 | 3 = 0;
  private u32 = true;
  private readonly strs: string[] = [];
  private readonly seen = new Map<string, number>();

  constructor(private rows: readonly T[], private readonly key: (r: T) => SortKey, private readonly s: SortScratch) {
    s.ensure(rows.length);
  }

  /** Starts over on `rows` (a caller that sorts often keeps one sorter: see ListModel's `sorter`). */
  reset(rows: readonly T[]): void {
    this.rows = rows;
    this.done = 0;
    this.mode = 0;
    this.u32 = true;
    this.strs.length = 0;
    this.seen.clear();
    this.s.ensure(rows.length);
  }

  /** Computes the keys of up to `count` more rows; true when every row's key is in. */
  fill(count: number): boolean {
    const { rows, key, s } = this;
    const n = rows.length;
    const end = Math.min(n, this.done + count);
    const f = s.f64, ids = s.lo, strs = this.strs, seen = this.seen;
    let i = this.done;
    for (; i < end && this.mode !== 3; i++) {
      const k = key(rows[i]);
      if (this.mode === 0) this.mode = typeof k === 'number' ? 1 : 2;
      if (this.mode === 1) {
        if (typeof k !== 'number') this.mode = 3;
        else {
          f[i] = k === 0 ? 0 : k; // -0 equals 0 (as a comparator sees it), not below it as its sign bit says
          if ((k >>> 0) !== k) this.u32 = false;
        }
      } else if (typeof k !== 'string') this.mode = 3;
      else {
        // Strings: distinct values get ids in order of appearance; sorting the few values gives ranks.
        strs[i] = k;
        let id = seen.get(k);
        if (id === undefined) {
          if (seen.size >= MAX_RANKED) this.mode = 3;
          id = seen.size;
          seen.set(k, id);
        }
        ids[i] = id;
      }
    }
    this.done = this.mode === 3 ? n : end;
    return this.done >= n;
  }

  /** The order, once fill() returned true. */
  sort(descending: boolean): KeyOrder {
    const n = this.rows.length;
    if (n === 0) return { idx: new Uint32Array(0), keys: [] };
    const s = this.s;
    if (this.mode === 3) return generic(this.rows, this.key, descending);
    if (this.mode === 1) return { idx: this.u32 ? radixU32(n, descending, s) : radixF64(n, descending, s), keys: s.f64.subarray(0, n) };
    const distinct = [...this.seen.keys()];
    const d = distinct.length;
    const byValue = distinct.map((_, i) => i).sort((a, b) => (distinct[a] < distinct[b] ? -1 : distinct[a] > distinct[b] ? 1 : 0));
    const rank = new Uint32Array(d);
    for (let r = 0; r < d; r++) rank[byValue[r]] = descending ? d - 1 - r : r;
    const ids = s.lo;
    for (let from = 0; from < n; from += LOOP_CHUNK) remap(ids, rank, from, Math.min(n, from + LOOP_CHUNK));
    // The ranks (below MAX_RANKED) are one 16-bit digit: one counting pass.
    return { idx: radixPasses(n, s, 0xffff, 0), keys: this.strs };
  }
}

/** Keys computed into a plain array and sorted by sortIndices (mixed or many distinct strings: rare). */
function generic<T>(rows: readonly T[], key: (r: T) => SortKey, descending: boolean): { idx: Uint32Array; keys: SortKey[] } {
  const keys = rows.map(key);
  return { idx: sortIndices(keys, descending), keys };
}

/**
 * Rows a loop of the sort handles per call of its helper. Why: V8 optimizes a function whose loop runs once per
 * sort only on the stack (OSR), and drops that code at each full collection; the first sort after a while
 * (a sort change after a minute of paging, under an event storm) then ran its 100k-row loops unoptimized, at
 * 30-45 ms against 12. A helper called for each chunk is optimized as a function, and that code is kept.
 */
export const LOOP_CHUNK = 4096;

/** Radix sort of s.f64[0..n) holding unsigned 32-bit integers (2 passes at most). */
function radixU32(n: number, descending: boolean, s: SortScratch): Uint32Array {
  const m = s.masks;
  m[0] = 0xffffffff;
  m[1] = 0;
  for (let from = 0; from < n; from += LOOP_CHUNK) u32Bits(s.f64, s.lo, from, Math.min(n, from + LOOP_CHUNK), descending, m);
  return radixPasses(n, s, (m[0] ^ m[1]) >>> 0, 0);
}

/** The sortable bits of f[from..to) (unsigned 32-bit integers) into lo; folds them into m's and (0) and or (1). */
function u32Bits(f: Float64Array, lo: Uint32Array, from: number, to: number, descending: boolean, m: Uint32Array): void {
  let and = m[0], or = m[1];
  for (let i = from; i < to; i++) {
    const v = descending ? ~f[i] >>> 0 : f[i];
    lo[i] = v;
    and &= v;
    or |= v;
  }
  m[0] = and;
  m[1] = or;
}

/** Radix sort of s.f64[0..n) by IEEE-754 bits made sortable (NaN last ascending; 4 passes at most). */
function radixF64(n: number, descending: boolean, s: SortScratch, start: Uint32Array | null = null): Uint32Array {
  const words = new Uint32Array(s.f64.buffer, 0, n * 2);
  const m = s.masks;
  m[0] = 0xffffffff;
  m[1] = 0;
  m[2] = 0xffffffff;
  m[3] = 0;
  for (let from = 0; from < n; from += LOOP_CHUNK) f64Bits(words, s.lo, s.hi, from, Math.min(n, from + LOOP_CHUNK), descending, m);
  return radixPasses(n, s, (m[0] ^ m[1]) >>> 0, (m[2] ^ m[3]) >>> 0, start);
}

/**
 * The sortable bits of doubles from..to (as 32-bit word pairs) into lo and hi; folds them into m's and and or of
 * the low (0, 1) and high (2, 3) words.
 */
function f64Bits(words: Uint32Array, lo: Uint32Array, hi: Uint32Array, from: number, to: number, descending: boolean, m: Uint32Array): void {
  const le = LITTLE_ENDIAN;
  let andLo = m[0], orLo = m[1], andHi = m[2], orHi = m[3];
  for (let i = from; i < to; i++) {
    let l = words[2 * i + (le ? 0 : 1)];
    let h = words[2 * i + (le ? 1 : 0)];
    // Sortable bits: flip all bits of negatives, only the sign bit of positives.
    if (h & 0x80000000) { h = ~h >>> 0; l = ~l >>> 0; } else h = (h | 0x80000000) >>> 0;
    if (descending) { h = ~h >>> 0; l = ~l >>> 0; }
    lo[i] = l;
    hi[i] = h;
    andLo &= l; orLo |= l; andHi &= h; orHi |= h;
  }
  m[0] = andLo;
  m[1] = orLo;
  m[2] = andHi;
  m[3] = orHi;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * LSD passes of 16 bits over s.lo then s.hi, from the order `start` (else the identity), skipping 16-bit
 * digits in which no key differs (mask bits 0).
 */
function radixPasses(n: number, s: SortScratch, loMask: number, hiMask: number, start: Uint32Array | null = null): Uint32Array {
  let idx = s.idx, tmp = s.tmp;
  if (start) idx.set(start.subarray(0, n));
  else for (let from = 0; from < n; from += LOOP_CHUNK) identity(idx, from, Math.min(n, from + LOOP_CHUNK));
  for (let p = 0; p < 4; p++) {
    const shift = (p & 1) << 4;
    if ((((p < 2 ? loMask : hiMask) >>> shift) & 0xffff) === 0) continue; // every key has the same 16 bits here: order unchanged
    radixPass(p < 2 ? s.lo : s.hi, shift, n, idx, tmp, s.count);
    const x = idx; idx = tmp; tmp = x;
  }
  // The result may sit in either buffer; the caller reads it before the next sort.
  return idx.subarray(0, n);
}

function remap(ids: Uint32Array, rank: Uint32Array, from: number, to: number): void {
  for (let i = from; i < to; i++) ids[i] = rank[ids[i]];
}

function identity(idx: Uint32Array, from: number, to: number): void {
  for (let i = from; i < to; i++) idx[i] = i;
}

/** One stable counting pass: `out` gets idx[0..n) ordered by the 16 bits of arr[idx[i]] at `shift`. */
function radixPass(arr: Uint32Array, shift: number, n: number, idx: Uint32Array, out: Uint32Array, count: Uint32Array): void {
  count.fill(0);
  for (let from = 0; from < n; from += LOOP_CHUNK) countDigits(arr, shift, from, Math.min(n, from + LOOP_CHUNK), count);
  let sum = 0;
  for (let b = 0; b < 65536; b++) {
    const c = count[b];
    count[b] = sum;
    sum += c;
  }
  for (let from = 0; from < n; from += LOOP_CHUNK) scatter(arr, shift, idx, out, from, Math.min(n, from + LOOP_CHUNK), count);
}

function countDigits(arr: Uint32Array, shift: number, from: number, to: number, count: Uint32Array): void {
  for (let i = from; i < to; i++) count[(arr[i] >>> shift) & 0xffff]++;
}

function scatter(arr: Uint32Array, shift: number, idx: Uint32Array, out: Uint32Array, from: number, to: number, count: Uint32Array): void {
  for (let i = from; i < to; i++) {
    const j = idx[i];
    out[count[(arr[j] >>> shift) & 0xffff]++] = j;
  }
}

/** 6 UTF-16 units of `s` from `from` as an integer below 2^48 (codes above 255 count as 255): orders like them. */
function prefixKey(s: string, from: number): number {
  let k = 0;
  for (let i = from; i < from + 6; i++) k = k * 256 + (i < s.length ? Math.min(255, s.charCodeAt(i)) : 0);
  return k;
}


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
    for (let i = 0; i < n; i++) prim[i] = keys[i] === 0 ? 0 : (keys[i] as number); // -0 as 0, as a comparator sees it
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
 * Stable LSD radix sort of indices by float keys; NaN sorts last ascending. `start` is the order to begin
 * from (a previous pass on less significant keys), else the identity.
 */
function radixFloat(k: Float64Array, descending: boolean, start: Uint32Array | null): Uint32Array {
  const s = new SortScratch();
  s.ensure(k.length);
  s.f64.set(k);
  return radixF64(k.length, descending, s, start);
}
