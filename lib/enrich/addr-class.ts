// lib/ layer (enrich): IP text parsing and address classes (loopback, RFC 1918, ..., this host).
// Imports `node:os` types and ../addr-order.ts (the IPv6 scanner). The interface list is injected (`os.networkInterfaces` in the CLI),
// so LocalAddresses holds no global state and is refreshed by its owner's tick.
import type { NetworkInterfaceInfo } from 'node:os';
import { parse6Into } from '../addr-order.js';

/** Every class an address can have; `this-host` wins over the scope classes for the machine's own addresses. */
export type AddrClass =
  | 'unspecified' | 'loopback' | 'this-host' | 'private' | 'shared' | 'link-local' | 'multicast'
  | 'broadcast' | 'unique-local' | 'documentation' | 'public';

/** Dotted-quad text to an unsigned 32-bit number, or null when `s` is not exactly four decimal octets. */
export function parseIPv4(s: string): number | null {
  let value = 0;
  let octet = -1;
  let dots = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 46) {
      if (octet < 0 || ++dots > 3) return null;
      value = value * 256 + octet;
      octet = -1;
    } else if (c >= 48 && c <= 57) {
      octet = octet < 0 ? c - 48 : octet * 10 + (c - 48);
      if (octet > 255) return null;
    } else return null;
  }
  if (dots !== 3 || octet < 0) return null;
  return value * 256 + octet;
}

/** A u32 as dotted-quad text. */
export function formatIPv4(v: number): string {
  return `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`;
}

/**
 * IPv6 text (with `::`, an embedded IPv4 tail or a `%zone`) to its eight 16-bit groups, or null. The scan is
 * addr-order's parse6Into (no split, no regular expression: a 100k-flow table parsed addresses this way in a
 * tenth of the time), held equal to the RFC 4291 reading by fuzz/filter.prop.ts.
 */
export function parseIPv6(input: string): Uint16Array | null {
  const pct = input.indexOf('%');
  const groups = new Uint16Array(8);
  return parse6Into(pct >= 0 ? input.slice(0, pct) : input, groups) ? groups : null;
}

/** Eight groups as RFC 5952 text (lower case, longest zero run of ≥ 2 groups compressed). */
export function formatIPv6(g: Uint16Array): string {
  let bestAt = -1, bestLen = 1;
  for (let i = 0; i < 8;) {
    if (g[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) { bestAt = i; bestLen = j - i; }
    i = j;
  }
  const hex = (a: number, b: number): string => {
    let t = '';
    for (let i = a; i < b; i++) t += i > a ? `:${g[i].toString(16)}` : g[i].toString(16);
    return t;
  };
  if (bestAt < 0) return hex(0, 8);
  return `${hex(0, bestAt)}::${hex(bestAt + bestLen, 8)}`;
}

/** `::ffff:a.b.c.d` (in any spelling) becomes `a.b.c.d`; anything else is returned unchanged. */
export function unmapIPv4(addr: string): string {
  if (!addr.includes(':')) return addr;
  const g = parseIPv6(addr);
  if (g === null || g[0] | g[1] | g[2] | g[3] | g[4] || g[5] !== 0xffff) return addr;
  return formatIPv4(g[6] * 65536 + g[7]);
}

/** Canonical text for comparisons: IPv4-mapped addresses unmapped, IPv6 in RFC 5952 form; junk unchanged. */
export function canonicalIp(addr: string): string {
  const a = unmapIPv4(addr);
  if (!a.includes(':')) return a;
  const g = parseIPv6(a);
  return g === null ? a : formatIPv6(g);
}

const inV4 = (v: number, net: number, bits: number) => bits === 0 || (v >>> (32 - bits)) === (net >>> (32 - bits));

function classifyV4(v: number): AddrClass {
  if (v === 0) return 'unspecified';
  if (inV4(v, 0x7f000000, 8)) return 'loopback';
  if (v === 0xffffffff) return 'broadcast';
  if (inV4(v, 0x0a000000, 8) || inV4(v, 0xac100000, 12) || inV4(v, 0xc0a80000, 16)) return 'private';
  if (inV4(v, 0x64400000, 10)) return 'shared';
  if (inV4(v, 0xa9fe0000, 16)) return 'link-local';
  if (inV4(v, 0xe0000000, 4)) return 'multicast';
  if (inV4(v, 0xc0000200, 24) || inV4(v, 0xc6336400, 24) || inV4(v, 0xcb007100, 24)) return 'documentation';
  if (inV4(v, 0, 8)) return 'unspecified'; // 0.0.0.0/8: "this network" (RFC 1122), never a peer
  return 'public';
}

function classifyV6(g: Uint16Array): AddrClass {
  const zeroHead = (g[0] | g[1] | g[2] | g[3] | g[4] | g[5] | g[6]) === 0;
  if (zeroHead && g[7] === 0) return 'unspecified';
  if (zeroHead && g[7] === 1) return 'loopback';
  if ((g[0] & 0xffc0) === 0xfe80) return 'link-local';
  if ((g[0] & 0xfe00) === 0xfc00) return 'unique-local';
  if ((g[0] & 0xff00) === 0xff00) return 'multicast';
  if ((g[0] === 0x2001 && g[1] === 0x0db8) || (g[0] & 0xfff0) === 0x3ff0) return 'documentation'; // RFC 3849, RFC 9637
  return 'public';
}

/**
 * The class of `addr` (IPv4, IPv6, or IPv4-mapped IPv6, which is classified as IPv4).
 * `local` adds `this-host` and subnet broadcasts; text that is no address is classed `public` (unknown).
 */
export function classifyAddress(addr: string, local?: Pick<LocalAddresses, 'has' | 'isBroadcast'>): AddrClass {
  const a = canonicalIp(addr);
  const v4 = parseIPv4(a);
  const base = v4 !== null ? classifyV4(v4) : (() => { const g = parseIPv6(a); return g ? classifyV6(g) : 'public'; })();
  if (base === 'unspecified' || base === 'loopback' || local === undefined) return base;
  if (local.has(a)) return 'this-host';
  if (local.isBroadcast(a)) return 'broadcast';
  return base;
}

/** Classes that mean "an end on this machine". */
export function isLocalClass(c: AddrClass): boolean {
  return c === 'loopback' || c === 'this-host';
}

/** Interface table as `os.networkInterfaces()` returns it. */
export type InterfaceSource = () => NodeJS.Dict<NetworkInterfaceInfo[]>;

/** The machine's own addresses and IPv4 subnet broadcasts; bounded by the interface table, re-read by `refresh()`. */
export class LocalAddresses {
  #own = new Set<string>();
  #bcast = new Set<string>();
  readonly #source: InterfaceSource;
  /** Bumped each time the set of addresses changes, so dependants can invalidate derived data. */
  generation = 0;

  constructor(source: InterfaceSource) {
    this.#source = source;
    this.refresh();
  }

  /** Re-reads the interfaces; returns true when the address set changed. */
  refresh(): boolean {
    const own = new Set<string>();
    const bcast = new Set<string>();
    let table: NodeJS.Dict<NetworkInterfaceInfo[]>;
    try { table = this.#source(); } catch { return false; }
    for (const infos of Object.values(table)) {
      for (const info of infos ?? []) {
        own.add(canonicalIp(info.address));
        const ip = parseIPv4(info.address);
        const mask = parseIPv4(info.netmask);
        if (info.family === 'IPv4' && ip !== null && mask !== null && mask !== 0xffffffff && mask !== 0xfffffffe) {
          bcast.add(formatIPv4((ip | ~mask) >>> 0));
        }
      }
    }
    const same = own.size === this.#own.size && [...own].every((a) => this.#own.has(a))
      && bcast.size === this.#bcast.size && [...bcast].every((a) => this.#bcast.has(a));
    if (same) return false;
    this.#own = own;
    this.#bcast = bcast;
    this.generation++;
    return true;
  }

  /** True when `addr` is assigned to an interface of this machine (loopback included). */
  has(addr: string): boolean {
    return this.#own.has(canonicalIp(addr));
  }

  /** True for a directed broadcast address of one of this machine's IPv4 subnets. */
  isBroadcast(addr: string): boolean {
    return this.#bcast.has(canonicalIp(addr));
  }

  /** Own addresses in canonical text. */
  list(): string[] {
    return [...this.#own];
  }
}
