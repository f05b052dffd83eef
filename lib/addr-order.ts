// lib/ layer: the numeric order of IP address text (IPv4 before IPv6, each by value), as a comparator that
// allocates nothing per call and as a sort key computed once per row. Imports nothing.
// Address text is what the decoder prints (RFC 5952); anything unparsable sorts after the valid addresses
// of its family, by its text. Sort keys are flat strings: V8 compares a concatenation (ConsString) through an
// indirection, which made a 100k-row sort by address about twice as slow.

/** Dotted quad in s[from, to) to its u32 value, or -1 when it is not exactly four decimal octets. */
export function v4At(s: string, from: number, to: number): number {
  let value = 0;
  let octet = -1;
  let dots = 0;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c === 46) {
      if (octet < 0 || ++dots > 3) return -1;
      value = value * 256 + octet;
      octet = -1;
    } else if (c >= 48 && c <= 57) {
      octet = octet < 0 ? c - 48 : octet * 10 + (c - 48);
      if (octet > 255) return -1;
    } else return -1;
  }
  return dots === 3 && octet >= 0 ? value * 256 + octet : -1;
}

function hexVal(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/** Parses IPv6 text (with `::` and an IPv4 tail) into `out`'s eight groups without allocating; false if invalid. */
export function parse6Into(s: string, out: Uint16Array): boolean {
  const len = s.length;
  let n = 0;
  let gap = -1;
  let i = 0;
  if (len >= 2 && s.charCodeAt(0) === 58 && s.charCodeAt(1) === 58) {
    gap = 0;
    i = 2;
  }
  while (i < len) {
    let v = 0;
    let j = i;
    for (; j < len; j++) {
      const h = hexVal(s.charCodeAt(j));
      if (h < 0) break;
      v = v * 16 + h;
    }
    if (j < len && s.charCodeAt(j) === 46) {
      const w = v4At(s, i, len);
      if (w < 0 || n > 6) return false;
      out[n++] = w >>> 16;
      out[n++] = w & 0xffff;
      break;
    }
    if (j === i || j - i > 4 || n >= 8) return false;
    out[n++] = v;
    i = j;
    if (i === len) break;
    if (s.charCodeAt(i) !== 58) return false;
    i++;
    if (i < len && s.charCodeAt(i) === 58) {
      if (gap >= 0) return false;
      gap = n;
      i++;
    } else if (i === len) return false;
  }
  if (gap < 0) return n === 8;
  if (n > 7) return false;
  const tail = n - gap;
  for (let k = tail - 1; k >= 0; k--) out[8 - tail + k] = out[gap + k];
  for (let k = gap; k < 8 - tail; k++) out[k] = 0;
  return true;
}

// Scratch groups for compareAddr: used only within one synchronous call, never held across calls, so
// sharing them is safe and each comparison allocates nothing (a sort of 100k rows makes ~1.7M calls).
const scratchA = new Uint16Array(8);
const scratchB = new Uint16Array(8);

const isV6 = (s: string): boolean => s.indexOf(':') >= 0;
const textOrder = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Orders two addresses: IPv4 before IPv6, each numerically; unparsable text after its family's valid ones. */
export function compareAddr(a: string, b: string): number {
  if (a === b) return 0;
  const a6 = isV6(a);
  if (a6 !== isV6(b)) return a6 ? 1 : -1;
  if (!a6) {
    const x = v4At(a, 0, a.length);
    const y = v4At(b, 0, b.length);
    if (x >= 0 && y >= 0) return x - y;
    if (x >= 0 || y >= 0) return x >= 0 ? -1 : 1;
    return textOrder(a, b);
  }
  const okA = parse6Into(a, scratchA);
  const okB = parse6Into(b, scratchB);
  if (okA && okB) {
    for (let k = 0; k < 8; k++) if (scratchA[k] !== scratchB[k]) return scratchA[k] - scratchB[k];
    return 0;
  }
  if (okA || okB) return okA ? -1 : 1;
  return textOrder(a, b);
}

/**
 * The address's sort key as a number when it is a valid IPv4 address (its u32 value), else addrSortKey's
 * string; under compareKeys (numbers before strings) the order is compareAddr's, and a table of IPv4
 * flows sorts on numbers alone (lib/row-sort.ts's typed-array path).
 */
export function addrKey(a: string): number | string {
  if (!isV6(a)) {
    const x = v4At(a, 0, a.length);
    if (x >= 0) return x;
  }
  return addrSortKey(a);
}

/**
 * A short flat string whose code-unit order is compareAddr's order: "4" and the address's two 16-bit halves
 * as two code units, "6" and its eight groups as eight code units; "5" + text and "7" + text for unparsable
 * IPv4 and IPv6 text (after every valid address of the family). Code units are not printable: only compare.
 */
export function addrSortKey(a: string): string {
  if (!isV6(a)) {
    const x = v4At(a, 0, a.length);
    return x >= 0 ? String.fromCharCode(0x34, x >>> 16, x & 0xffff) : ['5', a].join('');
  }
  const g = scratchA; // one synchronous use, as in compareAddr; fromCharCode builds a flat string at once
  if (!parse6Into(a, g)) return ['7', a].join('');
  return String.fromCharCode(0x36, g[0], g[1], g[2], g[3], g[4], g[5], g[6], g[7]);
}
