// lib/ layer: the keys of the filter language: reading one `key:value` (or bare word) into a canonical FilterTerm
// and writing a term back as text. Imports ./filter-ast.ts and ./ip-prefix.ts. Pure functions, no state.
import {
  DURATION_METRICS, PROTO_ALIASES, PROTO_NAMES, STATUS_FLAGS, WORDS, isReservedWord,
  type CmpOp, type DirValue, type FilterTerm, type MetricKey, type NatValue, type NumberKey, type PatternKey, type Side,
} from './filter-ast.js';
import { parsePrefix } from './ip-prefix.js';

/** Why one term did not parse: `where` says whether the key or the value is at fault (for the error position). */
export interface TermProblem {
  code: 'UNKNOWN_KEY' | 'BAD_VALUE' | 'EMPTY_VALUE';
  message: string;
  where: 'key' | 'value';
}

type ValueReader = (value: string) => FilterTerm | string;

const U32_MAX = 0xffffffff;
const own = <T>(o: Readonly<Record<string, T>>, k: string): T | undefined => (Object.hasOwn(o, k) ? o[k] : undefined);

function integer(v: string, max: number): number | null {
  if (!/^[0-9]{1,10}$/.test(v)) return null;
  const n = Number(v);
  return n <= max ? n : null;
}

function u32(v: string): number | null {
  if (/^0x[0-9a-f]{1,8}$/i.test(v)) return parseInt(v.slice(2), 16);
  return integer(v, U32_MAX);
}

const PROTO_BY_NAME = new Map(Object.entries(PROTO_NAMES).map(([n, name]) => [name, Number(n)]));

function readProto(v: string): FilterTerm | string {
  const l = v.toLowerCase();
  const n = PROTO_BY_NAME.get(l) ?? own(PROTO_ALIASES, l) ?? integer(v, 255);
  return n === null ? 'a protocol name (tcp, udp, icmp, ...) or number 0-255' : { kind: 'proto', protoNum: n };
}

function readFamily(v: string): FilterTerm | string {
  const l = v.toLowerCase();
  if (l === 'ipv4' || l === '4' || l === 'inet') return { kind: 'family', family: 'ipv4' };
  if (l === 'ipv6' || l === '6' || l === 'inet6') return { kind: 'family', family: 'ipv6' };
  return 'ipv4 or ipv6 (4 or 6)';
}

const readPort = (side: Side): ValueReader => (v) => {
  const m = /^([0-9]{1,5})(?:-([0-9]{1,5}))?$/.exec(v);
  const lo = m ? Number(m[1]) : NaN;
  const hi = m ? Number(m[2] ?? m[1]) : NaN;
  if (!(lo <= hi && hi <= 65535)) return 'a port 0-65535 or a range LO-HI';
  return { kind: 'port', side, lo, hi };
};

const readNet = (side: Side): ValueReader => (v) => {
  const p = parsePrefix(v);
  return p === null ? 'an IPv4 or IPv6 address, optionally /bits' : { kind: 'net', side, addr: p.addr, bits: p.bits };
};

const readPattern = (key: PatternKey): ValueReader => (v) => ({ kind: 'pattern', key, pattern: v });

const readNumber = (key: NumberKey, max: number, prefix?: RegExp): ValueReader => (v) => {
  const n = integer(prefix ? v.replace(prefix, '') : v, max);
  return n === null ? `an integer 0-${max}` : { kind: 'number', key, value: n };
};

const DIRS: Readonly<Record<string, DirValue>> = {
  in: 'in', inbound: 'in', out: 'out', outbound: 'out', fwd: 'fwd', forward: 'fwd', forwarded: 'fwd', local: 'local',
};
const NATS: Readonly<Record<string, NatValue>> = { snat: 'snat', src: 'snat', dnat: 'dnat', dst: 'dnat', any: 'any', yes: 'any', none: 'none', no: 'none' };

function readMark(v: string): FilterTerm | string {
  const slash = v.indexOf('/');
  const value = u32(slash < 0 ? v : v.slice(0, slash));
  const mask = slash < 0 ? U32_MAX : u32(v.slice(slash + 1));
  if (value === null || mask === null) return 'a 32-bit value, optionally /mask (decimal or 0x hex)';
  return { kind: 'mark', value: (value & mask) >>> 0, mask };
}

function readStatus(v: string): FilterTerm | string {
  const u = v.toUpperCase().replace(/^IPS_/, '');
  return STATUS_FLAGS.includes(u) ? { kind: 'status', flag: u } : `a status flag (${STATUS_FLAGS.join(', ').toLowerCase()})`;
}

const SIZE_UNITS: Readonly<Record<string, number>> = { '': 1, k: 1e3, m: 1e6, g: 1e9, t: 1e12, ki: 1024, mi: 1024 ** 2, gi: 1024 ** 3, ti: 1024 ** 4 };
/** Seconds per unit; ms is a divisor (-1000), since 1e-3 is not exact and a product would not read back as typed. */
const TIME_UNITS: Readonly<Record<string, number>> = { '': 1, ms: -1000, s: 1, m: 60, h: 3600, d: 86400 };

const readMetric = (key: MetricKey): ValueReader => (v) => {
  const m = /^(<=|>=|<|>|=)?([0-9]+(?:\.[0-9]+)?(?:e[+-]?[0-9]+)?)([a-z]*)$/i.exec(v);
  const units = DURATION_METRICS.has(key) ? TIME_UNITS : SIZE_UNITS;
  const unit = m ? own(units, m[3].toLowerCase()) : undefined;
  const value = m && unit !== undefined ? (unit < 0 ? Number(m[2]) / -unit : Number(m[2]) * unit) : NaN;
  if (!Number.isFinite(value)) {
    return DURATION_METRICS.has(key) ? 'a comparison like >10m (units ms, s, m, h, d)' : 'a comparison like >1M (units k, M, G, T, Ki, Mi, Gi, Ti)';
  }
  return { kind: 'metric', key, op: (m![1] ?? '=') as CmpOp, value };
};

/** Every key, by its lower-case name. */
const KEYS = new Map<string, ValueReader>([
  ['proto', readProto], ['family', readFamily],
  ['port', readPort('any')], ['sport', readPort('src')], ['dport', readPort('dst')],
  ['addr', readNet('any')], ['net', readNet('any')], ['src', readNet('src')], ['dst', readNet('dst')],
  ['host', readPattern('host')], ['service', readPattern('service')], ['org', readPattern('org')], ['city', readPattern('city')],
  ['process', readPattern('process')], ['user', readPattern('user')], ['state', readPattern('state')], ['helper', readPattern('helper')],
  ['server', readPattern('server')],
  ['country', (v) => (/^[a-z]{2}$/i.test(v) ? { kind: 'country', code: v.toUpperCase() } : 'a two-letter country code')],
  ['asn', readNumber('asn', U32_MAX, /^as/i)], ['pid', readNumber('pid', 0x7fffffff)],
  ['zone', readNumber('zone', 65535)], ['label', readNumber('label', 127)], ['id', readNumber('id', U32_MAX)],
  ['dir', (v) => { const d = own(DIRS, v.toLowerCase()); return d ? { kind: 'dir', dir: d } : 'in, out, fwd or local'; }],
  ['nat', (v) => { const n = own(NATS, v.toLowerCase()); return n ? { kind: 'nat', nat: n } : 'snat, dnat, any or none'; }],
  ['mark', readMark], ['status', readStatus],
  ...(['bytes', 'packets', 'rate', 'age', 'idle', 'timeout'] as const).map((k): [string, ValueReader] => [k, readMetric(k)]),
]);

/** The names of every key, for help text and completion. */
export const FILTER_KEYS: readonly string[] = [...KEYS.keys()];

/**
 * One term from its key (null for a bare word) and value; a quoted bare word is always a text search.
 * Returns the canonical term, or what is wrong with it.
 */
export function readTerm(key: string | null, value: string, quoted: boolean): FilterTerm | TermProblem {
  if (key === null) {
    const w = quoted ? undefined : own(WORDS, value.toLowerCase());
    if (w) return { kind: 'word', word: w };
    if (value === '') return { code: 'EMPTY_VALUE', message: 'empty search text', where: 'value' };
    return { kind: 'pattern', key: 'text', pattern: value };
  }
  const reader = KEYS.get(key.toLowerCase());
  if (!reader) return { code: 'UNKNOWN_KEY', message: `unknown key "${key}" (keys: ${FILTER_KEYS.join(', ')})`, where: 'key' };
  if (value === '') return { code: 'EMPTY_VALUE', message: `${key.toLowerCase()}: needs a value`, where: 'value' };
  const t = reader(value);
  return typeof t === 'string' ? { code: 'BAD_VALUE', message: `${key.toLowerCase()}: expected ${t}`, where: 'value' } : t;
}

/** True for characters the lexer splits on or treats specially inside a token. */
export function isSpecialChar(c: string): boolean {
  return c === '(' || c === ')' || c === '|' || c === '"' || /\s/.test(c);
}

/** `v` as one token: bare when it reads back the same, else in double quotes with `\` and `"` escaped. */
export function quoteValue(v: string, bare: boolean): string {
  let plain = v !== '';
  for (let i = 0; plain && i < v.length; i++) if (isSpecialChar(v[i])) plain = false;
  if (plain && bare && (v[0] === '!' || v.includes(':') || isReservedWord(v))) plain = false;
  return plain ? v : `"${v.replace(/[\\"]/g, '\\$&')}"`;
}

function numberText(key: MetricKey, v: number): string {
  const units: [number, string][] = DURATION_METRICS.has(key)
    ? [[86400, 'd'], [3600, 'h'], [60, 'm']]
    : [[1e12, 'T'], [1e9, 'G'], [1e6, 'M'], [1e3, 'k']];
  for (const [u, s] of units) if (v !== 0 && v % u === 0) return `${v / u}${s}`;
  return DURATION_METRICS.has(key) ? `${v}s` : String(v);
}

const hex = (n: number) => `0x${n.toString(16)}`;
const PORT_KEYS: Readonly<Record<Side, string>> = { any: 'port', src: 'sport', dst: 'dport' };

/** The canonical text of one term; readTerm of it gives the same term back. */
export function termText(t: FilterTerm): string {
  switch (t.kind) {
    case 'proto': return `proto:${PROTO_NAMES[t.protoNum] ?? t.protoNum}`;
    case 'family': return `family:${t.family}`;
    case 'port': return `${PORT_KEYS[t.side]}:${t.lo === t.hi ? t.lo : `${t.lo}-${t.hi}`}`;
    case 'net': {
      const full = t.bits === (t.addr.includes(':') ? 128 : 32);
      const key = t.side === 'any' ? (full ? 'addr' : 'net') : t.side;
      return `${key}:${t.addr}${full ? '' : `/${t.bits}`}`;
    }
    case 'pattern': return t.key === 'text' ? quoteValue(t.pattern, true) : `${t.key}:${quoteValue(t.pattern, false)}`;
    case 'country': return `country:${t.code}`;
    case 'number': return `${t.key}:${t.value}`;
    case 'dir': return `dir:${t.dir}`;
    case 'nat': return `nat:${t.nat}`;
    case 'mark': return `mark:${hex(t.value)}${t.mask === U32_MAX ? '' : `/${hex(t.mask)}`}`;
    case 'status': return `status:${t.flag.toLowerCase()}`;
    case 'word': return t.word;
    case 'metric': return `${t.key}:${t.op === '=' ? '' : t.op}${numberText(t.key, t.value)}`;
  }
}
