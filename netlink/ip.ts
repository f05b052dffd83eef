// netlink/ layer: IP address text <-> bytes. Imports nothing.
// Text is canonical: dotted quad for IPv4, RFC 5952 for IPv6 (lowercase, longest zero run compressed),
// with glibc inet_ntop's embedded-IPv4 forms (::ffff:a.b.c.d, ::a.b.c.d) so output matches conntrack-tools.

/** Character codes of one address's text, reused: the text is made in one step, as a flat string. */
const codes = new Uint16Array(45);

/** Writes the decimal digits of `v` (0-255) at codes[n]; returns the new length. */
function octet(v: number, n: number): number {
  if (v >= 100) {
    codes[n++] = 48 + ((v / 100) | 0);
    codes[n++] = 48 + (((v / 10) | 0) % 10);
  } else if (v >= 10) codes[n++] = 48 + ((v / 10) | 0);
  codes[n++] = 48 + (v % 10);
  return n;
}

/** A flat string of codes[0..n). V8 joins 13+ characters by `+` into a tree of ConsStrings (3-10 heap objects per address). */
function text(n: number): string {
  return String.fromCharCode.apply(null, codes.subarray(0, n) as unknown as number[]);
}

/** Dotted-quad text of the 4 bytes at `off`. */
export function formatIPv4At(b: Uint8Array, off: number): string {
  return text(v4At(b, off, 0));
}

/** Writes the dotted quad of the 4 bytes at `off` at codes[n]; returns the new length. */
function v4At(b: Uint8Array, off: number, n: number): number {
  n = octet(b[off], n);
  codes[n++] = 46;
  n = octet(b[off + 1], n);
  codes[n++] = 46;
  n = octet(b[off + 2], n);
  codes[n++] = 46;
  return octet(b[off + 3], n);
}

/** Lowercase hex digits of the 16-bit `v` without leading zeros at codes[n]; returns the new length. */
function hex16(v: number, n: number): number {
  for (let shift = v > 0xfff ? 12 : v > 0xff ? 8 : v > 0xf ? 4 : 0; shift >= 0; shift -= 4) {
    const d = (v >> shift) & 0xf;
    codes[n++] = d < 10 ? 48 + d : 87 + d;
  }
  return n;
}

/** RFC 5952 text of the 16 bytes at `off`, as glibc's inet_ntop prints it. */
export function formatIPv6At(b: Uint8Array, off: number): string {
  // Longest run of zero words (length >= 2); the first one wins a tie (a later run must be strictly longer).
  let bestStart = -1, bestLen = 0, runStart = -1;
  for (let i = 0; i < 8; i++) {
    if ((b[off + 2 * i] | b[off + 2 * i + 1]) !== 0) { runStart = -1; continue; }
    if (runStart < 0) runStart = i;
    if (i - runStart + 1 > bestLen) { bestStart = runStart; bestLen = i - runStart + 1; }
  }
  if (bestLen < 2) { bestStart = -1; bestLen = 0; }
  // glibc: IPv4-compatible (::a.b.c.d) and IPv4-mapped (::ffff:a.b.c.d) print the last 32 bits dotted.
  let n = 0;
  if (bestStart === 0 && (bestLen === 6 || (bestLen === 5 && b[off + 10] === 0xff && b[off + 11] === 0xff))) {
    codes[n++] = 58;
    codes[n++] = 58;
    if (bestLen === 5) {
      codes[n++] = 102; codes[n++] = 102; codes[n++] = 102; codes[n++] = 102; codes[n++] = 58; // "ffff:"
    }
    return text(v4At(b, off + 12, n));
  }
  const runEnd = bestStart + bestLen;
  for (let i = 0; i < 8; i++) {
    if (i === bestStart) {
      codes[n++] = 58;
      codes[n++] = 58;
      i = runEnd - 1;
      continue;
    }
    // A separator before every word but the first and the one right after '::'.
    if (i !== 0 && i !== runEnd) codes[n++] = 58;
    n = hex16((b[off + 2 * i] << 8) | b[off + 2 * i + 1], n);
  }
  return text(n);
}

/** Canonical text of a 4- or 16-byte address. */
export function formatIP(b: Uint8Array): string {
  return b.length === 4 ? formatIPv4At(b, 0) : formatIPv6At(b, 0);
}

/** Parses IPv4 or IPv6 text (any valid form, including embedded IPv4) into 4 or 16 bytes; null if invalid. */
export function parseIP(text: string): Uint8Array | null {
  return text.includes(':') ? parseIPv6(text) : parseIPv4(text);
}

function parseIPv4(text: string): Uint8Array | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    // inet_pton rules: 1-3 decimal digits, no leading zero (inet_aton would read "010" as octal 8).
    if (!/^(0|[1-9]\d{0,2})$/.test(parts[i])) return null;
    const v = Number(parts[i]);
    if (v > 255) return null;
    out[i] = v;
  }
  return out;
}

function parseIPv6(text: string): Uint8Array | null {
  const pct = text.indexOf('%');
  if (pct >= 0) text = text.slice(0, pct);
  const halves = text.split('::');
  if (halves.length > 2) return null;
  // An embedded IPv4 part may only end the whole address: in the tail, or in the head when there is no '::'.
  const words = (s: string, last: boolean): number[] | null => {
    if (s === '') return [];
    const out: number[] = [];
    const parts = s.split(':');
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i];
      if (last && i === parts.length - 1 && p.includes('.')) {
        const v4 = parseIPv4(p);
        if (!v4) return null;
        out.push((v4[0] << 8) | v4[1], (v4[2] << 8) | v4[3]);
      } else {
        if (!/^[0-9a-fA-F]{1,4}$/.test(p)) return null;
        out.push(parseInt(p, 16));
      }
    }
    return out;
  };
  const head = words(halves[0], halves.length === 1);
  const tail = halves.length === 2 ? words(halves[1], true) : [];
  if (!head || !tail) return null;
  const fill = 8 - head.length - tail.length;
  if (halves.length === 2 ? fill < 1 : fill !== 0) return null;
  const all = [...head, ...new Array<number>(halves.length === 2 ? fill : 0).fill(0), ...tail];
  const out = new Uint8Array(16);
  for (let i = 0; i < 8; i++) {
    out[2 * i] = all[i] >> 8;
    out[2 * i + 1] = all[i] & 0xff;
  }
  return out;
}
