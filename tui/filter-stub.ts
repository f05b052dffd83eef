// tui/ layer: a stand-in for lib/filter-expr.ts (the filter language) until it lands on main. Imports lib/ only.
// Terms are ANDed: `key:value` (proto, port, sport, dport, state, src, dst, host, net, country, process),
// `!term` negates, `local` / `private` / `public` match an address class, a bare word matches addresses.
// TODO(#8): replace with lib/filter-expr.ts's parseFilter + compileFilter once merged.
import type { Row } from '../lib/row.js';
import type { FilterResult } from './ports.js';

type Test = (r: Row) => boolean;

function ipv4(s: string): number | null {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(s);
  if (!m) return null;
  const o = m.slice(1).map(Number);
  return o.some((x) => x > 255) ? null : ((o[0] << 24) | (o[1] << 16) | (o[2] << 8) | o[3]) >>> 0;
}

function glob(pattern: string): (s: string) => boolean {
  const re = new RegExp(`^${pattern.toLowerCase().replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
  return (s) => re.test(s.toLowerCase());
}

const addrs = (r: Row) => [r.flow.orig.src, r.flow.orig.dst, r.flow.reply.src, r.flow.reply.dst];
const ports = (r: Row) => [r.flow.orig.sport, r.flow.orig.dport];

function term(key: string, v: string): Test | string {
  const lower = v.toLowerCase();
  if (v === '') return 'EMPTY_VALUE';
  switch (key) {
    case 'proto': return (r) => r.flow.proto === lower || (lower === 'icmp' && r.flow.proto === 'icmpv6');
    case 'port': case 'sport': case 'dport': {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 0 || n > 65535) return 'BAD_PORT';
      if (key === 'sport') return (r) => r.flow.orig.sport === n;
      if (key === 'dport') return (r) => r.flow.orig.dport === n;
      return (r) => ports(r).includes(n);
    }
    case 'state': return (r) => (r.flow.state ?? '').toLowerCase() === lower.replace(/-/g, '_');
    case 'src': return (r) => r.flow.orig.src === v;
    case 'dst': return (r) => r.flow.orig.dst === v;
    case 'host': {
      const g = glob(v);
      return (r) => addrs(r).some(g) || (r.enrich ? [r.enrich.rdns.src, r.enrich.rdns.dst].some((n) => n !== null && g(n)) : false);
    }
    case 'net': {
      const [a, b] = v.split('/');
      const base = ipv4(a);
      const bits = b === undefined ? 32 : Number(b);
      if (base === null || !Number.isInteger(bits) || bits < 0 || bits > 32) return 'BAD_PREFIX';
      const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
      return (r) => addrs(r).some((x) => { const n = ipv4(x); return n !== null && ((n & mask) >>> 0) === ((base & mask) >>> 0); });
    }
    case 'country': return (r) => (r.enrich?.geo?.country ?? '').toLowerCase() === lower;
    case 'process': {
      const g = glob(v.includes('*') ? v : `*${v}*`);
      return (r) => r.enrich?.process?.kind === 'process' && g(r.enrich.process.name);
    }
    default: return 'UNKNOWN_KEY';
  }
}

const CLASSES: Record<string, readonly string[]> = {
  local: ['this-host', 'loopback'], private: ['private', 'shared', 'unique-local'], public: ['public'],
};

/** Compiles filter text; errors carry a code and the 0-based position of the bad term. */
export function compileStubFilter(text: string): FilterResult {
  const tests: Test[] = [];
  let needsEnrichment = false;
  const re = /\S+/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    let tok = m[0];
    const neg = tok.startsWith('!');
    if (neg) tok = tok.slice(1);
    let t: Test | string;
    const colon = tok.indexOf(':');
    if (colon > 0) {
      const key = tok.slice(0, colon);
      t = term(key, tok.slice(colon + 1));
      if (['host', 'country', 'process'].includes(key)) needsEnrichment = true;
    } else if (CLASSES[tok]) {
      const cls = CLASSES[tok];
      needsEnrichment = true;
      t = (r) => r.enrich !== undefined && (cls.includes(r.enrich.classes.src) || cls.includes(r.enrich.classes.dst));
    } else if (tok.length > 0) {
      const w = tok.toLowerCase();
      t = (r) => addrs(r).some((a) => a.includes(w)) || r.flow.proto === w;
    } else t = 'EMPTY_TERM';
    if (typeof t === 'string') return { ok: false, error: { code: t, message: `${t.toLowerCase().replace(/_/g, ' ')}: ${m[0]}`, pos: m.index } };
    const f = t;
    tests.push(neg ? (r) => !f(r) : f);
  }
  return { ok: true, needsEnrichment, test: (r) => tests.every((f) => f(r)) };
}
