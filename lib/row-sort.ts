// lib/ layer: sorting rows by a column the fast way: each row's sort key is computed once (decorate, sort
// indexes, undecorate), numbers in a Float64Array, so 100k rows cost 100k key calls, not ~1.7M comparator
// calls through a field's closures (megamorphic once a view has sorted by several columns); and rows by
// several numeric keys at once by radix passes (orderByKeys, the --once table's order). Imports lib/ only.
import { compareKeys, type DisplayOptions, type Field } from './fields.js';
import type { Row } from './row.js';

/**
 * `rows` sorted by `field` under `opts`, descending when asked (default: the field's own direction). Stable:
 * rows with equal keys keep their input order. Returns a new array; `rows` is not touched.
 */
export function sortRows<T extends Row>(rows: readonly T[], field: Field, opts: DisplayOptions, descending = field.descending): T[] {
  const n = rows.length;
  const keys: Array<number | string> = new Array(n);
  let numeric = true;
  for (let i = 0; i < n; i++) {
    const k = field.sortKey(rows[i], opts);
    keys[i] = k;
    if (typeof k !== 'number') numeric = false;
  }
  // A plain array of small integers: with string keys it sorted faster than a Uint32Array did.
  const idx: number[] = new Array(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  const dir = descending ? -1 : 1;
  if (numeric) {
    const k = Float64Array.from(keys as number[]);
    idx.sort((x, y) => dir * (k[x] - k[y]) || x - y);
  } else {
    idx.sort((x, y) => dir * compareKeys(keys[x], keys[y]) || x - y);
  }
  const out: T[] = new Array(n);
  for (let i = 0; i < n; i++) out[i] = rows[idx[i]];
  return out;
}

/**
 * The stable order of rows 0..n-1 by `keys` (keys[0][i] is row i's most significant key; any numbers but NaN).
 * Least significant key first, each a stable radix sort of the order so far (16 bits a pass, passes over bits
 * no key varies in skipped): a handful of passes over typed arrays, where a comparator over DefaultOrder's
 * five keys took 70-98 ms at 100k rows (15-18 ms this way).
 */
export function orderByKeys(keys: readonly Float64Array[], n: number): Uint32Array {
  let idx = new Uint32Array(n), tmp = new Uint32Array(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  const count = new Uint32Array(RADIX);
  const lo = new Uint32Array(n), hi = new Uint32Array(n);
  for (let k = keys.length - 1; k >= 0; k--) {
    toDigits(keys[k], n, lo, hi);
    for (const [digits, shift] of [[lo, 0], [lo, 16], [hi, 0]] as const) {
      if (!radixPass(idx, tmp, digits, shift, n, count)) continue;
      const t = idx;
      idx = tmp;
      tmp = t;
    }
  }
  return idx;
}

/** Values of one radix digit. */
const RADIX = 65536;

/**
 * Writes `keys[0, n)` as whole numbers below 2^48 in the same order (ties kept), split into their low 32 bits
 * (`lo`) and the rest (`hi`): shifted by one when they are whole numbers from -1 (numRank's "none") up, else each
 * replaced by its rank among the distinct keys.
 */
function toDigits(keys: Float64Array, n: number, lo: Uint32Array, hi: Uint32Array): void {
  let whole = true;
  for (let i = 0; i < n && whole; i++) {
    const v = keys[i];
    whole = Math.floor(v) === v && v >= -1 && v < 2 ** 48 - 1;
  }
  if (whole) {
    for (let i = 0; i < n; i++) {
      const v = keys[i] + 1;
      const h = Math.floor(v / 2 ** 32);
      hi[i] = h;
      lo[i] = v - h * 2 ** 32;
    }
    return;
  }
  const distinct = keys.slice(0, n).sort();
  let d = 0;
  for (let i = 0; i < n; i++) if (i === 0 || distinct[i] !== distinct[d - 1]) distinct[d++] = distinct[i];
  for (let i = 0; i < n; i++) {
    let a = 0, b = d - 1;
    while (a < b) {
      const mid = (a + b) >>> 1;
      if (distinct[mid] < keys[i]) a = mid + 1;
      else b = mid;
    }
    lo[i] = a;
    hi[i] = 0;
  }
}

/**
 * One stable counting-sort pass of the order `idx` by the 16-bit digit (digits[i] >>> shift) & 0xffff into
 * `out`; false (nothing written) when every row has the same digit there.
 */
function radixPass(idx: Uint32Array, out: Uint32Array, digits: Uint32Array, shift: number, n: number, count: Uint32Array): boolean {
  count.fill(0);
  for (let i = 0; i < n; i++) count[(digits[i] >>> shift) & 0xffff]++;
  if (n === 0 || count[(digits[0] >>> shift) & 0xffff] === n) return false;
  for (let b = 0, sum = 0; b < RADIX; b++) {
    const c = count[b];
    count[b] = sum;
    sum += c;
  }
  for (let j = 0; j < n; j++) {
    const i = idx[j];
    out[count[(digits[i] >>> shift) & 0xffff]++] = i;
  }
  return true;
}
