// lib/ layer: address prefixes (CIDR) for the filter language, IPv4 and IPv6 in one form: eight 16-bit groups,
// IPv4 as IPv4-mapped IPv6 (::ffff:a.b.c.d, so a /24 is a /120). Imports ./addr-order.ts (parsers) and
// ./enrich/addr-class.ts (text output). addrInto parses into a caller's buffer without allocating: the filter
// runs it on every row.
import { parse6Into, v4At } from './addr-order.js';
import { formatIPv4, formatIPv6 } from './enrich/addr-class.js';

/** Where IPv4 sits in the mapped form: 96 bits of prefix (::ffff:0:0/96). */
export const V4_MAPPED_BITS = 96;

function setV4(out: Uint16Array, v4: number): void {
  out[0] = out[1] = out[2] = out[3] = out[4] = 0;
  out[5] = 0xffff;
  out[6] = v4 >>> 16;
  out[7] = v4 & 0xffff;
}

/**
 * Parses IPv4 or IPv6 text (with `::`, an IPv4 tail, a `%zone`) into `out` (8 groups; IPv4 as IPv4-mapped).
 * False when `s` is no address (`out` is then garbage). Allocates nothing, except to cut off a zone (flows carry none).
 */
export function addrInto(s: string, out: Uint16Array): boolean {
  if (s.indexOf(':') < 0) {
    const v4 = v4At(s, 0, s.length);
    if (v4 < 0) return false;
    setV4(out, v4);
    return true;
  }
  const pct = s.indexOf('%');
  return parse6Into(pct < 0 ? s : s.slice(0, pct), out);
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
