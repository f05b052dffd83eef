// lib/ layer: address prefixes (CIDR) for the filter language, IPv4 and IPv6 in one form: eight 16-bit groups,
// IPv4 as IPv4-mapped IPv6 (::ffff:a.b.c.d, so a /24 is a /120). Imports ./enrich/addr-class.ts for text output.
// addrInto parses into a caller's buffer without allocating: the filter runs it on every row.
import { formatIPv4, formatIPv6 } from './enrich/addr-class.js';

/** Where IPv4 sits in the mapped form: 96 bits of prefix (::ffff:0:0/96). */
export const V4_MAPPED_BITS = 96;

/** A u32 from dotted-quad text in s[start, end), or -1 when it is not exactly four decimal octets. */
function v4At(s: string, start: number, end: number): number {
  let value = 0, octet = -1, dots = 0;
  for (let i = start; i < end; i++) {
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

function setV4(out: Uint16Array, v4: number): void {
  out[0] = out[1] = out[2] = out[3] = out[4] = 0;
  out[5] = 0xffff;
  out[6] = v4 >>> 16;
  out[7] = v4 & 0xffff;
}

/**
 * Parses IPv4 or IPv6 text (with `::`, an IPv4 tail, a `%zone`) into `out` (8 groups; IPv4 as IPv4-mapped).
 * False when `s` is no address (`out` is then garbage). Allocates nothing.
 */
export function addrInto(s: string, out: Uint16Array): boolean {
  let n = s.length;
  let colon = false;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c === 58) colon = true;
    else if (c === 37) { n = i; break; } // '%': a zone index ends the address
  }
  if (!colon) {
    const v4 = v4At(s, 0, n);
    if (v4 < 0) return false;
    setV4(out, v4);
    return true;
  }
  let gi = 0, dbl = -1, i = 0;
  if (s.charCodeAt(0) === 58) {
    if (n < 2 || s.charCodeAt(1) !== 58) return false;
    dbl = 0;
    i = 2;
  }
  while (i < n) {
    let j = i, v = 0;
    while (j < n && j - i < 5) {
      const h = hexVal(s.charCodeAt(j));
      if (h < 0) break;
      v = v * 16 + h;
      j++;
    }
    if (j < n && s.charCodeAt(j) === 46) { // an IPv4 tail ends the address
      const v4 = gi <= 6 ? v4At(s, i, n) : -1;
      if (v4 < 0) return false;
      out[gi++] = v4 >>> 16;
      out[gi++] = v4 & 0xffff;
      break;
    }
    if (j === i || j - i > 4 || gi >= 8) return false;
    out[gi++] = v;
    i = j;
    if (i === n) break;
    if (s.charCodeAt(i) !== 58) return false;
    i++;
    if (i < n && s.charCodeAt(i) === 58) {
      if (dbl >= 0) return false;
      dbl = gi;
      i++;
    } else if (i === n) return false; // one trailing colon
  }
  if (dbl < 0) return gi === 8;
  if (gi > 7) return false;
  const shift = 8 - gi;
  for (let k = gi - 1; k >= dbl; k--) out[k + shift] = out[k];
  for (let k = dbl; k < dbl + shift; k++) out[k] = 0;
  return true;
}

/** True when the first `bits` bits of `a` and `net` agree (bits 0-128). */
export function inPrefix(a: Uint16Array, net: Uint16Array, bits: number): boolean {
  const whole = bits >>> 4;
  for (let k = 0; k < whole; k++) if (a[k] !== net[k]) return false;
  const rest = bits & 15;
  if (rest === 0) return true;
  const mask = (0xffff << (16 - rest)) & 0xffff;
  return (a[whole] & mask) === (net[whole] & mask);
}

/** True when `g` is IPv4-mapped (::ffff:0:0/96). */
export function isMapped(g: Uint16Array): boolean {
  return (g[0] | g[1] | g[2] | g[3] | g[4]) === 0 && g[5] === 0xffff;
}

/** A prefix in canonical text: the network address (host bits cleared) and its length in its own family's bits. */
export interface PrefixText {
  /** Dotted quad when IPv4 (or IPv4-mapped with at least 96 bits), RFC 5952 otherwise. */
  addr: string;
  /** 0-32 for IPv4, 0-128 for IPv6. */
  bits: number;
}

/**
 * `addr` or `addr/bits` as a canonical prefix (host bits cleared, IPv4-mapped written as IPv4);
 * null when the address does not parse or the length is out of range for its family.
 */
export function parsePrefix(text: string): PrefixText | null {
  const slash = text.indexOf('/');
  const addrText = slash < 0 ? text : text.slice(0, slash);
  const g = new Uint16Array(8);
  if (!addrInto(addrText, g)) return null;
  const v4 = !addrText.includes(':');
  const max = v4 ? 32 : 128;
  let bits = max;
  if (slash >= 0) {
    const b = text.slice(slash + 1);
    if (!/^[0-9]{1,3}$/.test(b) || Number(b) > max) return null;
    bits = Number(b);
  }
  return prefixText(g, v4 ? bits + V4_MAPPED_BITS : bits);
}

/** Groups and a 0-128 length as canonical PrefixText (clears the host bits of a copy). */
export function prefixText(groups: Uint16Array, bits128: number): PrefixText {
  const g = Uint16Array.from(groups);
  for (let k = 0; k < 8; k++) {
    const keep = Math.max(0, Math.min(16, bits128 - k * 16));
    g[k] &= keep === 0 ? 0 : (0xffff << (16 - keep)) & 0xffff;
  }
  if (bits128 >= V4_MAPPED_BITS && isMapped(g)) return { addr: formatIPv4(g[6] * 65536 + g[7]), bits: bits128 - V4_MAPPED_BITS };
  return { addr: formatIPv6(g), bits: bits128 };
}

/** The groups and 0-128 length of canonical PrefixText (for matching). */
export function prefixGroups(p: PrefixText): { groups: Uint16Array; bits128: number } {
  const groups = new Uint16Array(8);
  if (!addrInto(p.addr, groups)) throw new RangeError(`not an address: ${p.addr}`);
  return { groups, bits128: p.addr.includes(':') ? p.bits : p.bits + V4_MAPPED_BITS };
}
