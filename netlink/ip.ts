// netlink/ layer: IP address text <-> bytes. Imports nothing.
// Text is canonical: dotted quad for IPv4, RFC 5952 for IPv6 (lowercase, longest zero run compressed),
// with glibc inet_ntop's embedded-IPv4 forms (::ffff:a.b.c.d, ::a.b.c.d) so output matches conntrack-tools.

/** Dotted-quad text of the 4 bytes at `off`. */
export function formatIPv4At(b: Uint8Array, off: number): string {
  return `${b[off]}.${b[off + 1]}.${b[off + 2]}.${b[off + 3]}`;
}

/** RFC 5952 text of the 16 bytes at `off`, as glibc's inet_ntop prints it. */
export function formatIPv6At(b: Uint8Array, off: number): string {
  const w = new Array<number>(8);
  for (let i = 0; i < 8; i++) w[i] = (b[off + 2 * i] << 8) | b[off + 2 * i + 1];
  // Longest run of zero words (length >= 2); the first one wins a tie.
  let bestStart = -1, bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (w[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && w[j] === 0) j++;
    if (j - i > bestLen) { bestStart = i; bestLen = j - i; }
    i = j;
  }
  if (bestLen < 2) bestStart = -1;
  // glibc: IPv4-compatible (::a.b.c.d) and IPv4-mapped (::ffff:a.b.c.d) print the last 32 bits dotted.
  if (bestStart === 0 && (bestLen === 6 || (bestLen === 5 && w[5] === 0xffff))) {
    return `::${bestLen === 5 ? 'ffff:' : ''}${formatIPv4At(b, off + 12)}`;
  }
  let s = '';
  for (let i = 0; i < 8; i++) {
    if (i === bestStart) {
      s += '::';
      i += bestLen - 1;
      continue;
    }
    if (s.length > 0 && !s.endsWith(':')) s += ':';
    s += w[i].toString(16);
  }
  return s;
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
